package event

import (
	"reflect"
	"testing"
)

// TestSourceRoundTrip checks the source member of ticks, summaries and
// totals, and the per-source late counts of a merged summary: written
// right after kind when set, read back, and absent when empty so that
// unlabelled records stay byte for byte what they were.
func TestSourceRoundTrip(t *testing.T) {
	enc, dec := NewEncoder(), NewDecoder()

	tick := Tick{Source: []byte("web1"), TS: 1549573850, Hits: 2, Bytes: 10, Status: StatusCounts{Class2xx: 2}}
	line, err := enc.Tick(&tick)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"tick","source":"web1","ts":1549573850,"hits":2,"bytes":10,"status":{"1xx":0,"2xx":2,"3xx":0,"4xx":0,"5xx":0,"other":0}}` + "\n"
	if string(line) != want {
		t.Fatalf("tick encoded\n%s\nwant\n%s", line, want)
	}
	var gotTick Tick
	if err := dec.Tick(line, &gotTick); err != nil {
		t.Fatal(err)
	}
	gotTick.Latency.Bins = nil
	if !reflect.DeepEqual(gotTick, tick) {
		t.Fatalf("tick decoded %+v, want %+v", gotTick, tick)
	}

	sum := Summary{Source: []byte("web\x1b2"), Start: 10, End: 20, Seconds: 10, Hits: 3, RPS: 0.3, Late: 5,
		LateSources: []SourceCount{{Source: []byte("web3"), Count: 5}}}
	line, err = enc.Summary(&sum)
	if err != nil {
		t.Fatal(err)
	}
	want = `{"kind":"summary","source":"web\u001b2","start":10,"end":20,"seconds":10,"partial":false,"hits":3,"rps":0.3,"bytes":0,` +
		`"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"late":5,"sections_total":0,"sections":[],` +
		`"late_sources":[{"source":"web3","late":5}]}` + "\n"
	if string(line) != want {
		t.Fatalf("summary encoded\n%s\nwant\n%s", line, want)
	}
	var gotSum Summary
	if err := dec.Summary(line, &gotSum); err != nil {
		t.Fatal(err)
	}
	gotSum.Sections, gotSum.Latency.Bins = nil, nil
	if !reflect.DeepEqual(gotSum, sum) {
		t.Fatalf("summary decoded %+v, want %+v", gotSum, sum)
	}

	total := Total{Source: []byte("web1"), Start: 1, End: 2, Seconds: 1}
	if line, err = enc.Total(&total); err != nil {
		t.Fatal(err)
	}
	var gotTotal Total
	if err := dec.Total(line, &gotTotal); err != nil {
		t.Fatal(err)
	}
	if string(gotTotal.Source) != "web1" {
		t.Fatalf("total source %q, want web1 (line %s)", gotTotal.Source, line)
	}

	// Unlabelled records have no source member at all.
	line, _ = enc.Tick(&Tick{TS: 1})
	if string(line) != `{"kind":"tick","ts":1,"hits":0,"bytes":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0}}`+"\n" {
		t.Fatalf("unlabelled tick: %s", line)
	}
}

func TestLateSourcesDecodeErrors(t *testing.T) {
	var s Summary
	err := NewDecoder().Summary([]byte(`{"kind":"summary","start":1,"end":2,"late_sources":[{"source":"a","late":-1}]}`), &s)
	if err == nil {
		t.Fatal("a negative late count was accepted")
	}
}
