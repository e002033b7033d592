package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// loadTotals decodes testdata/name, a total record. total_sample.json
// holds the totals of the CSV sample and total_elastic.json those of a
// real 83-hour Apache log (Elastic's example log), counted from the logs
// with the record's design.
func loadTotals(t testing.TB, name string) *Totals {
	t.Helper()
	line, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var tot Totals
	if err := NewTotalDecoder().Decode(bytes.TrimSpace(line), &tot); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &tot
}

func TestTotalsGolden(t *testing.T) {
	quiet := func() *event.Summary {
		return &event.Summary{Start: t0, End: t0 + 30, Seconds: 30, Hits: 1, RPS: 1.0 / 30, Bytes: 10,
			Status: event.StatusCounts{event.Class2xx: 1}}
	}
	// A night without requests between two quiet intervals, and a
	// high-traffic alert and a labelled one still firing at the end.
	night := func() []any {
		in := []any{quiet()}
		for s := int64(t0 + 30); s < t0+30+1000*30; s += 30 {
			in = append(in, &event.Summary{Start: s, End: s + 30, Seconds: 30})
		}
		later := quiet()
		later.Start, later.End = t0+30+1000*30, t0+30+1001*30
		ratio := ruleAlerts()[0].(*event.Alert)
		return append(in, firing("high_traffic"), ratio, later, resolved("high_traffic"), firing("high_traffic"))
	}
	tests := []struct {
		name string
		opt  Options
		in   func(t testing.TB) []any
	}{
		{"totals_sample", Options{}, func(t testing.TB) []any { return []any{loadTotals(t, "total_sample.json")} }},
		{"totals_sample_terminal", Options{Cut: true, Color: true}, func(t testing.TB) []any { return []any{loadTotals(t, "total_sample.json")} }},
		{"totals_elastic", Options{}, func(t testing.TB) []any { return []any{loadTotals(t, "total_elastic.json")} }},
		{"totals_elastic_terminal", Options{Cut: true}, func(t testing.TB) []any { return []any{loadTotals(t, "total_elastic.json")} }},
		{"totals_elastic_top3", Options{Top: 3}, func(t testing.TB) []any { return []any{loadTotals(t, "total_elastic.json")} }},
		{"totals_still_firing", Options{}, func(t testing.TB) []any {
			tot := loadTotals(t, "total_sample.json")
			return append(night(), tot)
		}},
		{"summary_quiet_rate", Options{}, func(t testing.TB) []any { return []any{quiet()} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := renderWith(t, tc.opt, tc.in(t))
			checkTerminalSafe(t, got, tc.opt.Color)
			file := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("output differs from %s (run go test -update to accept)\nwant:\n%s\ngot:\n%s", file, want, got)
			}
		})
	}
}

// TestTotalsCutOnlyOnTerminal checks that a key longer than the margin is
// whole in a file and cut, still escaped, on a terminal.
func TestTotalsCutOnlyOnTerminal(t *testing.T) {
	long := "/" + strings.Repeat("very-long-path-segment/", 8) + "end"
	tot := &Totals{Start: t0, End: t0 + 10, Seconds: 10, Hits: 3, Bytes: 30,
		Lists: [NumLists][]Entry{event.TopPaths: {{Key: []byte(long), Hits: 2, Bytes: 20}, {Key: []byte(evilPath), Hits: 1, Bytes: 10}}}}
	file := renderWith(t, Options{}, []any{tot})
	if !bytes.Contains(file, []byte(long+"\n")) {
		t.Errorf("a file has the path cut:\n%s", file)
	}
	checkTerminalSafe(t, file, false)
	term := renderWith(t, Options{Cut: true}, []any{tot})
	if bytes.Contains(term, []byte(long)) || !bytes.Contains(term, []byte("…\n")) {
		t.Errorf("a terminal has the path whole:\n%s", term)
	}
	checkTerminalSafe(t, term, false)
}

// TestEmptyRuns checks which intervals without requests share a line: only
// consecutive ones in one zone; and that a live log that falls silent has
// its run written at the second idle check.
func TestEmptyRuns(t *testing.T) {
	e := func(start int64, off int32) *event.Summary {
		return &event.Summary{Start: start, End: start + 10, Seconds: 10, UTCOffset: off}
	}
	var out bytes.Buffer
	r := New(&out, Options{})
	for _, s := range []*event.Summary{e(t0, 0), e(t0+10, 0), e(t0+30, 0), e(t0+40, 3600)} {
		if err := r.Summary(s); err != nil {
			t.Fatal(err)
		}
	}
	want := "2019-02-07 21:11:00 → 21:11:20 +0000  no requests\n" +
		"2019-02-07 21:11:30 → 21:11:40 +0000  no requests\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
	if err := r.Idle(); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Fatalf("the first idle check wrote the run:\n%s", out.String())
	}
	if err := r.Idle(); err != nil {
		t.Fatal(err)
	}
	want += "2019-02-07 22:11:40 → 22:11:50 +0100  no requests\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestTotalDecodeErrors(t *testing.T) {
	ok := `{"kind":"total","start":10,"end":20,"seconds":10,"hits":1,"bytes":2,`
	for _, tc := range []struct{ line, want string }{
		{`[]`, "not a JSON object"},
		{`{"kind":"total","end":20}`, `missing field "start"`},
		{`{"kind":"total","start":30,"end":20}`, `before "start"`},
		{ok + `"hits":-1}`, `"hits": want a non-negative integer`},
		{ok + `"hits":1.5}`, `"hits": want a non-negative integer`},
		{ok + `"hours":[1,2]}`, `want 24 numbers`},
		{ok + `"paths":[{"hits":1}]}`, `missing field "paths[].key"`},
		{ok + `"paths":{"key":"/"}}`, `"paths": want an array`},
		{ok + `"days":[{"key":"yesterday","hits":1}]}`, `YYYY-MM-DD`},
		{ok + `"latency":{"count":1,"p50":-1}}`, `"latency.p50"`},
		{ok + `"status":{"2xx":"1"}}`, `"status.2xx": want a number`},
		{ok + `"utc_offset":100000}`, `"utc_offset"`},
	} {
		var tot Totals
		err := NewTotalDecoder().Decode([]byte(tc.line), &tot)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%s) = %v, want an error with %q", tc.line, err, tc.want)
		}
	}
	var tot Totals
	line := ok + `"future":{"x":[1]},"approx":{"paths":12,"new":3},"days_dropped":2,"paths":[{"key":"/a","hits":3,"bytes":4,"x":1}]}`
	if err := NewTotalDecoder().Decode([]byte(line), &tot); err != nil {
		t.Fatal(err)
	}
	if tot.Approx[event.TopPaths] != 12 || tot.DaysDropped != 2 || len(tot.Lists[event.TopPaths]) != 1 || string(tot.Lists[event.TopPaths][0].Key) != "/a" {
		t.Errorf("decoded %+v", tot)
	}
}
