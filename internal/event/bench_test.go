package event

import "testing"

var benchRequest = Request{
	TS: 1431857103, Status: 200, Bytes: 203023, Source: []byte("access.log"), RemoteHost: []byte("83.149.9.216"),
	Method: []byte("GET"), Path: []byte("/presentations/logstash-monitorama-2013/images/kibana-search.png"),
	Protocol: []byte("HTTP/1.1"), Section: []byte("/presentations"),
	Referer:   []byte("http://semicomplete.com/presentations/logstash-monitorama-2013/"),
	UserAgent: []byte("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"),
}

func BenchmarkEncodeRequest(b *testing.B) {
	enc := NewEncoder()
	line, _ := enc.Request(&benchRequest)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.Request(&benchRequest); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeRequest(b *testing.B) {
	line, _ := NewEncoder().Request(&benchRequest)
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
