package event

import (
	"bytes"
	"encoding/json"
	"testing"
)

var seedLines = []string{
	`{"kind":"request","ts":1549573860,"source":"a.log","remote_host":"10.0.0.2","user":"apache","method":"GET","path":"/api/user","protocol":"HTTP/1.0","section":"/api","status":200,"bytes":1234}`,
	`{"kind":"request","ts":1.5,"path":"/a\u00e9\"","bytes":null}`,
	`{"kind":"tick","ts":10,"hits":3,"bytes":99,"status":{"1xx":0,"2xx":2,"3xx":0,"4xx":1,"5xx":0,"other":0}}`,
	`{"kind":"summary","start":10,"end":20,"seconds":4,"partial":true,"hits":5,"rps":1.25,"bytes":7,"status":{"2xx":5},"late":0,"sections_total":1,"sections":[{"section":"/a","hits":5,"bytes":7,"4xx":1,"5xx":0,"top_path":"/a/b","top_bytes":6}]}`,
	`{"kind":"tick","ts":10,"hits":3,"bytes":0,"status":{"2xx":3},"latency":{"count":3,"max":0.25,"zero":1,"bins":[[-70,1],[-69,1]]}}`,
	`{"kind":"summary","start":10,"end":20,"hits":2,"latency":{"count":2,"p50":0.1,"p90":0.2,"p99":0.2,"max":0.2},"sections":[{"section":"/a","hits":2,"latency":{"count":2,"p50":0.1,"p90":0.2,"p99":0.2,"max":0.2}}]}`,
	`{"kind":"alert","name":"high_traffic","state":"firing","ts":1549573956,"hits":1206,"threshold":10,"window":120,"rate":10.05}`,
	`{"kind":"alert","name":"e","state":"resolved","ts":9,"hits":4,"threshold":0.05,"window":8,"rate":0.5,"metric":"5xx_ratio","op":">=","value":0.5,"labels":{"section":"/a\u00e9","x":null},"for":2,"keep_firing_for":1,"starts_at":3,"ends_at":9}`,
	`{"kind":"total","start":10,"end":20,"utc_offset":3600,"seconds":10,"hits":3,"bytes":9,"late":1,"status":{"2xx":2,"4xx":1},"codes":[{"key":"200","hits":2},{"key":"404","hits":1}],"paths":[{"key":"/a","hits":2,"bytes":9}],"not_found":[{"key":"","hits":1,"bytes":0}],"hours":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,3],"days":[{"key":"1970-01-01","hits":3,"bytes":9}],"days_dropped":2,"approx":{"paths":4}}`,
	`{"ts":1,"kind":"tick"} x`,
	`{"kind":"x","a":[1,{"b":null}]}`,
	`[]`, `{`, `"`, `{"kind":"request","ts":1e400}`,
}

// FuzzDecode checks that no input panics the decoder, that whatever it
// accepts is valid JSON by encoding/json's standard, and that accepted
// records survive encode → decode → encode unchanged.
func FuzzDecode(f *testing.F) {
	for _, s := range seedLines {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		dec, enc := NewDecoder(), NewEncoder()
		kind, err := dec.Kind(line)
		if err != nil {
			return
		}
		kind = bytes.Clone(kind)
		if err := dec.Validate(line); err != nil {
			// Kind's fast path does not read the whole line.
			if !bytes.HasPrefix(line, kindPrefix) {
				t.Fatalf("Kind accepted what Validate rejects: %v", err)
			}
			return
		}
		if !json.Valid(line) {
			t.Fatalf("accepted invalid JSON %q", line)
		}
		var first []byte
		switch string(kind) {
		case KindRequest:
			var r Request
			if dec.Request(line, &r) != nil {
				return
			}
			first, err = enc.Request(&r)
		case KindTick:
			var tk Tick
			if dec.Tick(line, &tk) != nil {
				return
			}
			first, err = enc.Tick(&tk)
		case KindSummary:
			var s Summary
			if dec.Summary(line, &s) != nil {
				return
			}
			first, err = enc.Summary(&s)
		case KindAlert:
			var a Alert
			if dec.Alert(line, &a) != nil {
				return
			}
			first, err = enc.Alert(&a)
		case KindTotal:
			var tt Total
			if dec.Total(line, &tt) != nil {
				return
			}
			first, err = enc.Total(&tt)
		default:
			return
		}
		if err != nil {
			t.Fatalf("encode after decode: %v", err)
		}
		first = bytes.Clone(first)
		if !json.Valid(first) {
			t.Fatalf("encoded invalid JSON %q", first)
		}
		var again []byte
		switch string(kind) {
		case KindRequest:
			var r Request
			if err := dec.Request(first, &r); err != nil {
				t.Fatalf("re-decode %q: %v", first, err)
			}
			again, _ = enc.Request(&r)
		case KindTick:
			var tk Tick
			if err := dec.Tick(first, &tk); err != nil {
				t.Fatalf("re-decode %q: %v", first, err)
			}
			again, _ = enc.Tick(&tk)
		case KindSummary:
			var s Summary
			if err := dec.Summary(first, &s); err != nil {
				t.Fatalf("re-decode %q: %v", first, err)
			}
			again, _ = enc.Summary(&s)
		case KindAlert:
			var a Alert
			if err := dec.Alert(first, &a); err != nil {
				t.Fatalf("re-decode %q: %v", first, err)
			}
			again, _ = enc.Alert(&a)
		case KindTotal:
			var tt Total
			if err := dec.Total(first, &tt); err != nil {
				t.Fatalf("re-decode %q: %v", first, err)
			}
			again, _ = enc.Total(&tt)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("not stable:\n%s\n%s", first, again)
		}
	})
}

// FuzzKind checks that Kind's fast path, which reads only the start of a
// record, agrees with the general one on every record both accept.
func FuzzKind(f *testing.F) {
	for _, s := range seedLines {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"kind":"request","ts":1,"kind":"tick"}`))
	f.Add([]byte(`{"kind":"tick","a":{"kind":"request"},"kind":"alert"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		dec := NewDecoder()
		fast, err := dec.Kind(line)
		if err != nil {
			return
		}
		fast = bytes.Clone(fast)
		// A leading space keeps the fast path out; JSON allows it.
		slow, err := dec.Kind(append([]byte{' '}, line...))
		if err != nil {
			return // the fast path does not read the whole line
		}
		if !bytes.Equal(fast, slow) {
			t.Fatalf("%q: fast path reads kind %q, general one %q", line, fast, slow)
		}
	})
}
