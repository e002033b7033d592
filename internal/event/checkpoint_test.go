package event

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var checkpointSeeds = []string{
	`{"kind":"checkpoint","files":[{"path":"/var/log/a.log","dev":2049,"ino":18446744073709551615,"fingerprint_len":3,"fingerprint":"ab","offset":10,"line":2}],"patterns":["/var/log/*.log"]}`,
	`{"kind":"checkpoint","files":[],"through":100,"resume":true,"alerted":120,"rules":[{"name":"h","expr":"hits > 1 over 3s","state":"firing","active_at":98,"fired_at":99,"keep_firing_since":100,"from":90,"last":100,"base":[1,2,3],"hits":[1,2,3]}]}`,
	`{"kind":"checkpoint","files":[{"path":"a"}],"rules":[{"name":"x","state":"pending","base":[],"hits":[]}]}`,
	`{"kind":"checkpoint","files":[],"rules":[{"name":"slow","expr":"latency_p99 > 1s over 2s","state":"inactive","active_at":0,"fired_at":0,"from":1,"last":2,"base":[0,2],"hits":[0,2],"latency":[{"count":0},{"count":2,"max":0.5,"zero":1,"bins":[[-30,1]]}]}]}`,
	`{"kind":"checkpoint","files":[],"through":99,"nats":{"stream":"HTTPMON","seq":18446744073709551615}}`,
	`{"kind":"checkpoint","files":[],"nats":{"stream":"S","seq":0}}`,
}

// TestCheckpointLatencyRoundTrip checks the sketches of a latency rule's
// seconds, with and without request times.
func TestCheckpointLatencyRoundTrip(t *testing.T) {
	line := []byte(checkpointSeeds[3])
	var c Checkpoint
	if err := NewDecoder().Checkpoint(line, &c); err != nil {
		t.Fatal(err)
	}
	want := []Latency{{}, {Count: 2, Max: 0.5, Zero: 1, Bins: []Bin{{-30, 1}}}}
	if !reflect.DeepEqual(c.Rules[0].Latency, want) {
		t.Errorf("latency: want %+v, got %+v", want, c.Rules[0].Latency)
	}
	got, err := NewEncoder().Checkpoint(&c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(line)+"\n" {
		t.Errorf("want %s\n got %s", line, got)
	}
}

func TestCheckpointEncode(t *testing.T) {
	c := Checkpoint{
		Files: []CheckpointFile{{Path: []byte("/var/log/a.log"), Dev: 2049, Ino: 1 << 60, FingerprintLen: 5,
			Fingerprint: []byte("9f86"), Offset: 120, Line: 4}},
		Patterns: [][]byte{[]byte("/var/log/a.log")},
		Through:  1549573959, HasThrough: true,
		Nats: CheckpointNats{Stream: []byte("HTTPMON"), Seq: 42},
		Rules: []RuleState{{Name: []byte("high_traffic"), Expr: []byte("hits/s > 10 over 2m"), State: []byte(RuleFiring),
			ActiveAt: 1549573956, FiredAt: 1549573956, From: 1549573900, Last: 1549573959, Base: []int64{0, 3}, Hits: []int64{0, 3}}},
	}
	got, err := NewEncoder().Checkpoint(&c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"checkpoint","files":[{"path":"/var/log/a.log","dev":2049,"ino":1152921504606846976,"fingerprint_len":5,"fingerprint":"9f86","offset":120,"line":4}],"patterns":["/var/log/a.log"],"through":1549573959,"nats":{"stream":"HTTPMON","seq":42},"rules":[{"name":"high_traffic","expr":"hits/s > 10 over 2m","state":"firing","active_at":1549573956,"fired_at":1549573956,"from":1549573900,"last":1549573959,"base":[0,3],"hits":[0,3]}]}` + "\n"
	if string(got) != want {
		t.Errorf("want %s\n got %s", want, got)
	}
	var back Checkpoint
	if err := NewDecoder().Checkpoint(got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, back) {
		t.Errorf("round trip:\nwant %+v\n got %+v", c, back)
	}
}

func TestCheckpointDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"kind":"checkpoint"}`, `"files"`},
		{`{"kind":"checkpoint","files":[{"offset":3}]}`, `"files[].path"`},
		{`{"kind":"checkpoint","files":[{"path":"a","offset":3,"fingerprint_len":4}]}`, `past "offset"`},
		{`{"kind":"checkpoint","files":[{"path":"a","ino":-1}]}`, `"files[].ino"`},
		{`{"kind":"checkpoint","files":[],"rules":[{"name":"a","state":"on"}]}`, `"rules[].state"`},
		{`{"kind":"checkpoint","files":[],"rules":[{"name":"a","state":"firing","base":[1],"hits":[]}]}`, `as many`},
		{`{"kind":"checkpoint","files":[],"rules":[{"state":"firing"}]}`, `"rules[].name"`},
		{`{"kind":"checkpoint","files":[],"rules":[{"name":"a","state":"firing","base":[1],"hits":[1],"latency":[]}]}`, `as many`},
		{`{"kind":"checkpoint","files":[],"rules":[{"name":"a","state":"firing","base":[1],"hits":[1],"latency":[{"count":2,"bins":[[1,1]]}]}]}`, `hold 1 request times`},
		{`{"kind":"checkpoint","files":[],"through":"x"}`, `"through"`},
		{`{"kind":"checkpoint","files":[],"nats":{"seq":3}}`, `"nats.stream"`},
		{`{"kind":"checkpoint","files":[],"nats":{"stream":"S","seq":-1}}`, `"nats.seq"`},
		{`{"kind":"checkpoint","files":[],"nats":[]}`, `"nats"`},
	} {
		var c Checkpoint
		err := NewDecoder().Checkpoint([]byte(tc.line), &c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error about %s", tc.line, err, tc.want)
		}
	}
}

// FuzzCheckpoint checks that no input panics the decoder and that what it
// accepts survives encode → decode → encode unchanged as valid JSON.
func FuzzCheckpoint(f *testing.F) {
	for _, s := range checkpointSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		dec, enc := NewDecoder(), NewEncoder()
		var c Checkpoint
		if dec.Checkpoint(line, &c) != nil {
			return
		}
		first, err := enc.Checkpoint(&c)
		if err != nil {
			t.Fatalf("encode after decode: %v", err)
		}
		first = bytes.Clone(first)
		if !json.Valid(first) {
			t.Fatalf("encoded invalid JSON %q", first)
		}
		var c2 Checkpoint
		if err := dec.Checkpoint(first, &c2); err != nil {
			t.Fatalf("re-decode %q: %v", first, err)
		}
		again, _ := enc.Checkpoint(&c2)
		if !bytes.Equal(first, again) {
			t.Fatalf("not stable:\n%s\n%s", first, again)
		}
	})
}
