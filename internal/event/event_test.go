package event

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeGolden(t *testing.T) {
	enc := NewEncoder()
	req := Request{
		TS: 1549573860, UTCOffset: 12600, Status: 200, Bytes: 1234,
		Source: []byte("access.log"), RemoteHost: []byte("10.0.0.2"), User: []byte("apache"),
		Method: []byte("GET"), Path: []byte("/api/user?q=\"<x>\""), Protocol: []byte("HTTP/1.0"),
		Section: []byte("/api"), UserAgent: []byte("curl/8 \x1b[31m"),
		RequestTime: -1, UpstreamTime: -1, RequestLength: -1,
	}
	tests := []struct {
		name string
		enc  func() ([]byte, error)
		want string
	}{
		{"request", func() ([]byte, error) { return enc.Request(&req) },
			`{"kind":"request","ts":1549573860,"utc_offset":12600,"source":"access.log","remote_host":"10.0.0.2","user":"apache","method":"GET","path":"/api/user?q=\"<x>\"","protocol":"HTTP/1.0","section":"/api","status":200,"bytes":1234,"user_agent":"curl/8 \u001b[31m"}` + "\n"},
		{"request absent fields", func() ([]byte, error) {
			r := Request{TS: 5, Bytes: -1, Request: []byte("\x16\x03\xff"), RequestTime: -1, UpstreamTime: -1, RequestLength: -1}
			return enc.Request(&r)
		}, `{"kind":"request","ts":5,"request":"\u0016\u0003` + "\uFFFD" + `"}` + "\n"},
		{"tick", func() ([]byte, error) {
			return enc.Tick(&Tick{TS: 10, Hits: 3, Bytes: 99, Status: StatusCounts{0, 2, 0, 1, 0, 0}})
		}, `{"kind":"tick","ts":10,"hits":3,"bytes":99,"status":{"1xx":0,"2xx":2,"3xx":0,"4xx":1,"5xx":0,"other":0}}` + "\n"},
		{"summary", func() ([]byte, error) {
			return enc.Summary(&Summary{Start: 10, End: 20, Seconds: 4, Partial: true, Hits: 5, RPS: 1.25, Bytes: 7,
				Sections:      []SectionStat{{Section: []byte("/a"), Hits: 5, Bytes: 7, Errors4x: 1, Status: StatusCounts{Class2xx: 4, Class4xx: 1}, TopPath: []byte("/a/b"), TopBytes: 6}},
				SectionsTotal: 1})
		}, `{"kind":"summary","start":10,"end":20,"seconds":4,"partial":true,"hits":5,"rps":1.25,"bytes":7,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"late":0,"sections_total":1,"sections":[{"section":"/a","hits":5,"bytes":7,"4xx":1,"5xx":0,"status":{"1xx":0,"2xx":4,"3xx":0,"4xx":1,"5xx":0,"other":0},"top_path":"/a/b","top_bytes":6}]}` + "\n"},
		{"summary approximate sections", func() ([]byte, error) {
			return enc.Summary(&Summary{Start: 10, End: 20, Seconds: 10, Hits: 50000, RPS: 5000, SectionsTotal: 48211,
				SectionsApprox: true, SectionsError: 4,
				Sections: []SectionStat{{Section: []byte("/a"), Hits: 90, Bytes: 7, TopPath: []byte("/a/b"), TopBytes: 6}}})
		}, `{"kind":"summary","start":10,"end":20,"seconds":10,"partial":false,"hits":50000,"rps":5000,"bytes":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"late":0,"sections_total":48211,"sections_approx":true,"sections_error":4,"sections":[{"section":"/a","hits":90,"bytes":7,"4xx":0,"5xx":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"top_path":"/a/b","top_bytes":6}]}` + "\n"},
		{"alert", func() ([]byte, error) {
			return enc.Alert(&Alert{Name: []byte("high_traffic"), State: []byte(StateFiring), TS: 1549573956, Hits: 1206, Threshold: 10, Window: 120, Rate: 10.05})
		}, `{"kind":"alert","name":"high_traffic","state":"firing","ts":1549573956,"hits":1206,"threshold":10,"window":120,"rate":10.05}` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.enc()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("want %s\n got %s", tc.want, got)
			}
			var v map[string]any
			if err := json.Unmarshal(got, &v); err != nil {
				t.Errorf("encoding/json rejects the line: %v", err)
			}
		})
	}
}

func TestEncodeNaN(t *testing.T) {
	var nan float64
	nan = nan / nan
	if _, err := NewEncoder().Alert(&Alert{Name: []byte("x"), State: []byte(StateFiring), Rate: nan}); err == nil {
		t.Error("want an error for NaN")
	}
}

func TestRoundTrip(t *testing.T) {
	enc, dec := NewEncoder(), NewDecoder()
	req := Request{TS: 1, UTCOffset: -3600, Status: 404, Bytes: 0, Source: []byte("s"), RemoteHost: []byte("::1"),
		Ident: []byte("i"), User: []byte("u s"), Method: []byte("GET"), Path: []byte(`/a\b"c`), Protocol: []byte("HTTP/1.1"),
		Request: []byte("r"), Section: []byte("/a"), Referer: []byte("ref"), UserAgent: []byte("ü"),
		RequestTime: -1, UpstreamTime: -1, RequestLength: -1}
	line, err := enc.Request(&req)
	if err != nil {
		t.Fatal(err)
	}
	var got Request
	if err := dec.Request(line, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(req, got) {
		t.Errorf("request round trip:\nwant %+v\n got %+v", req, got)
	}

	sum := Summary{Start: 0, End: 10, UTCOffset: 60, Seconds: 10, Hits: 3, RPS: 0.3, Bytes: 9,
		Status: StatusCounts{1, 2, 3, 4, 5, 6}, Late: 2, SectionsTotal: 2, SectionsApprox: true, SectionsError: 1,
		Sections: []SectionStat{{Section: []byte("/x"), Hits: 2, Bytes: 8, Errors4x: 1, Errors5x: 1, Status: StatusCounts{Class4xx: 1, Class5xx: 1}, TopPath: []byte("/x/y"), TopBytes: 8},
			{Section: []byte(""), Hits: 1, Bytes: 1, TopPath: []byte("-"), TopBytes: 1}}}
	line, _ = enc.Summary(&sum)
	var gs Summary
	if err := dec.Summary(line, &gs); err != nil {
		t.Fatal(err)
	}
	// An empty string decodes to an empty, non-nil slice; compare as text.
	if a, b := string(mustSummary(t, enc, &sum)), string(mustSummary(t, enc, &gs)); a != b {
		t.Errorf("summary round trip:\nwant %s\n got %s", a, b)
	}

	tick := Tick{TS: 7, UTCOffset: 1, Hits: 2, Bytes: 3, Status: StatusCounts{0, 2}}
	line, _ = enc.Tick(&tick)
	var gt Tick
	if err := dec.Tick(line, &gt); err != nil || !reflect.DeepEqual(gt, tick) {
		t.Errorf("tick round trip: %v %+v", err, gt)
	}

	al := Alert{Name: []byte("n"), State: []byte(StateResolved), TS: 9, UTCOffset: 2, Hits: 4, Threshold: 0.5, Window: 8, Rate: 0.5}
	line, _ = enc.Alert(&al)
	var ga Alert
	if err := dec.Alert(line, &ga); err != nil || !reflect.DeepEqual(al, ga) {
		t.Errorf("alert round trip: %v %+v", err, ga)
	}
}

func mustSummary(t *testing.T, enc *Encoder, s *Summary) []byte {
	t.Helper()
	b, err := enc.Summary(s)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), b...)
}

func TestKind(t *testing.T) {
	tests := []struct {
		line, want, err string
	}{
		{`{"kind":"tick","ts":1}`, "tick", ""},
		{`{"ts":1,"kind":"summary"}`, "summary", ""},
		{` { "kind" : "x\u0079" } `, "xy", ""},
		{`{"kind":"custom","nested":{"a":[1,2,{}]}}`, "custom", ""},
		{`{"ts":1}`, "", `missing field "kind"`},
		{`{"kind":3}`, "", `field "kind": want a string, got a number`},
		{`[1,2]`, "", "not a JSON object but an array"},
		{``, "", "not a JSON object"},
		{`hello`, "", "not a JSON object"},
		{`{"ts":1,"kind":"tick"} x`, "", "unexpected data after the JSON object"},
		{`{"ts":1,"kind":"tick"`, "", "malformed JSON"},
		{`{"ts":,"kind":"tick"}`, "", "malformed JSON"},
	}
	dec := NewDecoder()
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			got, err := dec.Kind([]byte(tc.line))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want error containing %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("want %q, got %q, %v", tc.want, got, err)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	dec := NewDecoder()
	var r Request
	var tk Tick
	var s Summary
	var a Alert
	tests := []struct {
		name, line, err string
		dec             func([]byte) error
	}{
		{"request without ts", `{"kind":"request","path":"/"}`, `missing field "ts"`, func(b []byte) error { return dec.Request(b, &r) }},
		{"ts as string", `{"kind":"request","ts":"now"}`, `field "ts": want a number, got a string`, func(b []byte) error { return dec.Request(b, &r) }},
		{"ts out of range", `{"kind":"request","ts":1e300}`, `outside years`, func(b []byte) error { return dec.Request(b, &r) }},
		{"bad status", `{"kind":"request","ts":1,"status":2000}`, `want an HTTP status code`, func(b []byte) error { return dec.Request(b, &r) }},
		{"negative bytes", `{"kind":"request","ts":1,"bytes":-3}`, `want a non-negative integer`, func(b []byte) error { return dec.Request(b, &r) }},
		{"fractional hits", `{"kind":"tick","ts":1,"hits":1.5}`, `want a non-negative integer`, func(b []byte) error { return dec.Tick(b, &tk) }},
		{"status not object", `{"kind":"tick","ts":1,"status":3}`, `field "status": want an object`, func(b []byte) error { return dec.Tick(b, &tk) }},
		{"summary without end", `{"kind":"summary","start":1}`, `missing field "end"`, func(b []byte) error { return dec.Summary(b, &s) }},
		{"summary reversed", `{"kind":"summary","start":10,"end":1}`, `before`, func(b []byte) error { return dec.Summary(b, &s) }},
		{"sections not array", `{"kind":"summary","start":1,"end":2,"sections":{}}`, `want an array`, func(b []byte) error { return dec.Summary(b, &s) }},
		{"alert bad state", `{"kind":"alert","name":"x","state":"on","ts":1}`, `field "state"`, func(b []byte) error { return dec.Alert(b, &a) }},
		{"alert no name", `{"kind":"alert","state":"firing","ts":1}`, `missing field "name"`, func(b []byte) error { return dec.Alert(b, &a) }},
		{"truncated", `{"kind":"tick","ts":1,"hits":`, `malformed JSON`, func(b []byte) error { return dec.Tick(b, &tk) }},
		{"trailing", `{"kind":"tick","ts":1}{}`, `unexpected data`, func(b []byte) error { return dec.Tick(b, &tk) }},
		// jsoniter stops checking a string at its first escape.
		{"control after an escape", "{\"kind\":\"tick\",\"ts\":1,\"x\":\"\\b\x19\"}", `invalid control character found: 25`, func(b []byte) error { return dec.Validate(b) }},
		{"control in a field after an escape", "{\"kind\":\"request\",\"ts\":1,\"path\":\"/\\n\t\"}", `invalid control character found: 9`, func(b []byte) error { return dec.Request(b, &r) }},
		// jsoniter skips -01 as a number, though it rejects 01.
		{"leading zero after a minus", `{"kind":"tick","ts":1,"x":[-01]}`, `leading zero`, func(b []byte) error { return dec.Validate(b) }},
		{"leading zero in a field", `{"kind":"request","ts":1,"path":"/2019-02-07","utc_offset":-00}`, `leading zero`, func(b []byte) error { return dec.Request(b, &r) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.dec([]byte(tc.line))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("want error containing %q, got %v", tc.err, err)
			}
		})
	}
}

func TestDecodeTolerant(t *testing.T) {
	dec := NewDecoder()
	var r Request
	line := `{"extra":{"deep":[1,"x",-0,-0.5]},"bytes":null,"ts":1549573860.75,"kind":"request","path":"/a\/b-01","status":200,"future":true}`
	if err := dec.Request([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	if r.TS != 1549573860 || r.Bytes != -1 || string(r.Path) != "/a/b-01" || r.Status != 200 {
		t.Errorf("got %+v", r)
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]int{0: ClassOther, 99: ClassOther, 100: Class1xx, 200: Class2xx, 304: Class3xx,
		404: Class4xx, 499: Class4xx, 503: Class5xx, 599: Class5xx, 600: ClassOther, 999: ClassOther} {
		if got := StatusClass(status); got != want {
			t.Errorf("StatusClass(%d) = %d, want %d", status, got, want)
		}
	}
}
