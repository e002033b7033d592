package dashboard

import (
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// TestHeaderLate checks that requests the window counted as late, which
// are in no tick and so not in the total, are shown beside it.
func TestHeaderLate(t *testing.T) {
	s := NewState(10, 4)
	s.Apply(&Record{Tick: &event.Tick{TS: 100, Hits: 4}})
	if h := header(s, 120); strings.Contains(h, "late") {
		t.Fatalf("header with nothing late: %q", h)
	}
	s.Apply(&Record{Interval: &Interval{Start: 100, End: 110, Hits: 4, Late: 3}})
	s.Apply(&Record{Interval: &Interval{Start: 110, End: 120, Late: 2}})
	if h := header(s, 120); !strings.Contains(h, "total 4") || !strings.Contains(h, "late 5") {
		t.Fatalf("want total 4 and late 5 in the header, got %q", h)
	}
}
