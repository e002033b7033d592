package dashboard

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"testing"
)

// TestSourcesMemoryBounded: source labels come from the log and may be a
// megabyte each; the dashboard counts distinct ones without keeping them.
func TestSourcesMemoryBounded(t *testing.T) {
	const n, size = 150, 256 << 10 // 37.5 MB of labels
	label := bytes.Repeat([]byte("s"), size)
	var lines [][]byte
	for i := range n {
		copy(label, strconv.Itoa(i)+"-")
		lines = append(lines, fmt.Appendf(nil, `{"kind":"request","ts":1,"source":"%s"}`, label))
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := NewState(10, 120)
	for _, b := range feedAll(t, lines) {
		for i := range b.Records {
			s.Apply(&b.Records[i])
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(lines)
	if len(s.sources) != n {
		t.Errorf("counted %d sources, want %d", len(s.sources), n)
	}
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Errorf("the state keeps %d MB for %d source labels", grown>>20, n)
	}
	runtime.KeepAlive(s)
}

// TestAlertHistoryCapped: a stream of distinct alerts that all stay firing
// keeps the history, and the set of firing alerts, within the cap, and
// says how many it no longer shows.
func TestAlertHistoryCapped(t *testing.T) {
	s := NewState(10, 120)
	const n = 80000
	for i := range n {
		s.Apply(&Record{Alert: &Alert{Name: "r" + strconv.Itoa(i), Firing: true, TS: int64(i), Hits: 1, Window: 60}})
	}
	if len(s.history) > maxAlerts || len(s.firing) > maxAlerts {
		t.Fatalf("history %d, firing %d; cap %d", len(s.history), len(s.firing), maxAlerts)
	}
	if got := s.history[len(s.history)-1].Name; got != "r79999" {
		t.Errorf("newest span %s", got)
	}
	if s.forgotten != n-maxAlerts {
		t.Errorf("forgotten %d, want %d", s.forgotten, n-maxAlerts)
	}
	// A forgotten alert's resolution is shown as one whose firing was
	// not seen, and does not grow the history past the cap.
	s.Apply(&Record{Alert: &Alert{Name: "r0", TS: n, Window: 60}})
	if len(s.history) > maxAlerts {
		t.Errorf("history %d", len(s.history))
	}
}
