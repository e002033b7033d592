package event

import "testing"

var benchRequest = Request{
	TS: 1431857103, Status: 200, Bytes: 203023, Source: []byte("access.log"), RemoteHost: []byte("83.149.9.216"),
	Method: []byte("GET"), Path: []byte("/presentations/logstash-monitorama-2013/images/kibana-search.png"),
	Protocol: []byte("HTTP/1.1"), Section: []byte("/presentations"),
	Referer:     []byte("http://semicomplete.com/presentations/logstash-monitorama-2013/"),
	UserAgent:   []byte("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"),
	RequestTime: -1, UpstreamTime: -1, RequestLength: -1,
}

// benchTimedRequest is benchRequest as a log format with times, the
// virtual host and a variable of its own writes it.
var benchTimedRequest = func() Request {
	r := benchRequest
	r.RequestTime, r.UpstreamTime, r.RequestLength = 0.123, 0.12, 731
	r.Host, r.Scheme = []byte("semicomplete.com"), []byte("https")
	r.Fields = []Field{{[]byte("ssl_protocol"), []byte("TLSv1.3")}}
	return r
}()

func BenchmarkEncodeRequest(b *testing.B) {
	benchEncode(b, &benchRequest)
}

func BenchmarkEncodeTimedRequest(b *testing.B) {
	benchEncode(b, &benchTimedRequest)
}

func benchEncode(b *testing.B, r *Request) {
	enc := NewEncoder()
	line, _ := enc.Request(r)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.Request(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeRequest(b *testing.B) {
	benchDecode(b, &benchRequest)
}

func BenchmarkDecodeTimedRequest(b *testing.B) {
	benchDecode(b, &benchTimedRequest)
}

func benchDecode(b *testing.B, in *Request) {
	line, _ := NewEncoder().Request(in)
	line = append([]byte(nil), line[:len(line)-1]...)
	dec := NewDecoder()
	var r Request
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dec.Kind(line); err != nil {
			b.Fatal(err)
		}
		if err := dec.Request(line, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeTick(b *testing.B) {
	line := []byte(`{"kind":"tick","ts":1549573860,"hits":12,"bytes":14808,"status":{"1xx":0,"2xx":10,"3xx":0,"4xx":1,"5xx":1,"other":0}}`)
	dec := NewDecoder()
	var tk Tick
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if err := dec.Tick(line, &tk); err != nil {
			b.Fatal(err)
		}
	}
}
