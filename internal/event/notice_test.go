package event

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestNoticeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		n    Notice
		want string
	}{
		{"all fields", Notice{Stage: []byte("httpmon-window"), Input: []byte("access.log"), Line: 7, Message: []byte(`field "ts": want a number, got a string`)},
			`{"kind":"notice","stage":"httpmon-window","input":"access.log","line":7,"message":"field \"ts\": want a number, got a string"}`},
		{"summary with count", Notice{Stage: []byte("httpmon-parse"), Message: []byte("12 malformed input lines skipped"), Count: 12},
			`{"kind":"notice","stage":"httpmon-parse","message":"12 malformed input lines skipped","count":12}`},
		{"control bytes stay JSON-escaped", Notice{Stage: []byte("p"), Line: 1, Message: []byte("bad \x1b[2J")},
			`{"kind":"notice","stage":"p","line":1,"message":"bad \u001b[2J"}`},
	}
	enc, dec := NewEncoder(), NewDecoder()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, err := enc.Notice(&tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(line); got != tc.want+"\n" {
				t.Fatalf("encoded\n%s\nwant\n%s", got, tc.want)
			}
			var std map[string]any
			if err := json.Unmarshal(line, &std); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			var got Notice
			if err := dec.Notice(line[:len(line)-1], &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(norm(got), norm(tc.n)) {
				t.Errorf("decoded %+v, want %+v", got, tc.n)
			}
		})
	}
}

// norm makes empty and nil slices compare equal.
func norm(n Notice) Notice {
	for _, b := range []*[]byte{&n.Stage, &n.Input, &n.Message} {
		if len(*b) == 0 {
			*b = nil
		}
	}
	return n
}

func TestNoticeDecodeErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"kind":"notice","message":"m"}`, `missing field "stage"`},
		{`{"kind":"notice","stage":"p"}`, `missing field "message"`},
		{`{"kind":"notice","stage":"p","message":"m","line":-1}`, `field "line": want a non-negative integer below 2^53, got -1`},
		{`{"kind":"notice","stage":1,"message":"m"}`, `field "stage": want a string, got a number`},
	}
	dec := NewDecoder()
	for _, tc := range tests {
		var n Notice
		err := dec.Notice([]byte(tc.line), &n)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got %v, want %s", tc.line, err, tc.want)
		}
	}
}
