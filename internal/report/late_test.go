package report

import (
	"bytes"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// TestLateInTotals checks that requests the window counted only as late,
// which are not in hits, show on the totals line of their summary, with
// and without hits of its own.
func TestLateInTotals(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    event.Summary
		want string
	}{
		{"with hits", event.Summary{Start: 100, End: 110, Seconds: 10, Hits: 2, RPS: 0.2, Status: event.StatusCounts{event.Class2xx: 2}, Late: 61},
			"  2 hits  0.2 req/s  0 B  2xx 2  3xx 0  4xx 0  5xx 0  late 61\n"},
		{"without hits", event.Summary{Start: 100, End: 110, Seconds: 10, Late: 1},
			"1970-01-01 00:01:40 → 00:01:50 +0000  no requests  late 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			r := New(&out, Options{})
			if err := r.Summary(&tc.s); err != nil {
				t.Fatal(err)
			}
			if err := r.Flush(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(out.Bytes(), []byte(tc.want)) {
				t.Fatalf("want %q in\n%s", tc.want, out.Bytes())
			}
		})
	}
}
