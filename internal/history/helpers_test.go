package history

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// open returns a store in a new file of the test's directory.
func open(t testing.TB, opt Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "h.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// store writes the lines through a writer, in one transaction per batch
// given, and closes it.
func store(t testing.TB, s *Store, batches ...[][]byte) {
	t.Helper()
	w, err := s.NewWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		for _, line := range b {
			if err := w.Line(line); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// tickLine encodes a tick of hits requests, each of 10 bytes, half of them
// 2xx and half 5xx, with a latency of 100 ms each when lat is set.
func tickLine(ts int64, off int32, hits int64, lat bool) []byte {
	t := event.Tick{TS: ts, UTCOffset: off, Hits: hits, Bytes: 10 * hits}
	t.Status[event.Class5xx] = hits / 2
	t.Status[event.Class2xx] = hits - hits/2
	if lat && hits > 0 {
		var sk latency.Sketch
		for i := range hits {
			// Times from 10 ms up, a different spread each second.
			sk.Add(0.01 * float64(1+(ts+i)%50))
		}
		sk.Sketch(&t.Latency)
	}
	b, err := event.NewEncoder().Tick(&t)
	if err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(append([]byte(nil), b...), []byte("\n"))
}

// ticks returns the tick lines of the seconds [from, to), hits(ts) each.
func ticks(from, to int64, off int32, hits func(ts int64) int64) [][]byte {
	var out [][]byte
	for ts := from; ts < to; ts++ {
		out = append(out, tickLine(ts, off, hits(ts), true))
	}
	return out
}

func summaryLine(s *event.Summary) []byte {
	b, err := event.NewEncoder().Summary(s)
	if err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(append([]byte(nil), b...), []byte("\n"))
}

func alertLine(name, state string, ts int64, labels ...string) []byte {
	a := event.Alert{Name: []byte(name), State: []byte(state), TS: ts, Window: 120, Threshold: 10}
	if len(labels) > 0 {
		a.Metric, a.Op = []byte("hits/s"), []byte(">")
		for i := 0; i+1 < len(labels); i += 2 {
			a.Labels = append(a.Labels, event.Label{Name: []byte(labels[i]), Value: []byte(labels[i+1])})
		}
	}
	b, err := event.NewEncoder().Alert(&a)
	if err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(append([]byte(nil), b...), []byte("\n"))
}

func ruleLine(name, expr string, removed bool) []byte {
	r := event.Rule{Name: []byte(name), Expr: []byte(expr), Metric: []byte("hits/s"), Op: []byte(">"), Threshold: 10, Window: 120, Removed: removed}
	b, err := event.NewEncoder().Rule(&r)
	if err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(append([]byte(nil), b...), []byte("\n"))
}

// count returns the result of a query of one integer.
func count(t testing.TB, s *Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
