package window

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// countSummary runs reqs, all in one interval, through an Aggregator with
// the given section limit and returns the one summary.
func countSummary(t *testing.T, maxSections, top int, reqs []event.Request) event.Summary {
	t.Helper()
	rec := &recorder{}
	cfg := DefaultConfig()
	cfg.MaxSections, cfg.Top = maxSections, top
	a, err := New(cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	for i := range reqs {
		if _, err := a.Add(&reqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(rec.sums) != 1 {
		t.Fatalf("%d summaries, want 1", len(rec.sums))
	}
	return rec.sums[0]
}

func TestSectionsExactUpToLimit(t *testing.T) {
	var reqs []event.Request
	for i := range 5 {
		for range i + 1 {
			reqs = append(reqs, event.Request{TS: 100, Status: 200, Bytes: 1, Section: fmt.Appendf(nil, "/s%d", i)})
		}
	}
	s := countSummary(t, 5, 10, reqs)
	if s.SectionsApprox || s.SectionsTotal != 5 || s.SectionsError != 0 {
		t.Errorf("at the limit: approx %v, total %d, error %d; want exact, 5, 0", s.SectionsApprox, s.SectionsTotal, s.SectionsError)
	}
	for i, sec := range s.Sections {
		if want := int64(5 - i); sec.Hits != want {
			t.Errorf("section %s: %d hits, want %d", sec.Section, sec.Hits, want)
		}
	}
	s = countSummary(t, 4, 10, reqs)
	if !s.SectionsApprox {
		t.Errorf("one section over the limit: not approximate")
	}
}

// TestSpaceSavingGuarantees checks the documented bounds on skewed traffic
// with a long tail of distinct sections: every listed count is within its
// error of the truth, the error is at most hits/limit, every section with
// more than hits/limit requests is listed, and the distinct count is
// close.
func TestSpaceSavingGuarantees(t *testing.T) {
	for _, limit := range []int{10, 100, 1000} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(limit), 9))
			zipf := rand.NewZipf(rng, 1.1, 1, 1<<20)
			truth := map[string]int64{}
			var reqs []event.Request
			for range 200000 {
				name := fmt.Sprintf("/s%d", zipf.Uint64())
				truth[name]++
				reqs = append(reqs, event.Request{TS: 100, Status: 200, Bytes: 10, Section: []byte(name)})
			}
			s := countSummary(t, limit, limit, reqs)
			if !s.SectionsApprox {
				t.Fatal("not approximate")
			}
			n := int64(len(reqs))
			if s.SectionsError > n/int64(limit) {
				t.Errorf("error %d over the bound %d", s.SectionsError, n/int64(limit))
			}
			listed := map[string]bool{}
			for _, sec := range s.Sections {
				listed[string(sec.Section)] = true
				tr := truth[string(sec.Section)]
				if sec.Hits < tr || sec.Hits > tr+s.SectionsError {
					t.Errorf("%s: %d hits, true %d, error bound %d", sec.Section, sec.Hits, tr, s.SectionsError)
				}
			}
			for name, c := range truth {
				if c > n/int64(limit) && !listed[name] {
					t.Errorf("%s has %d > %d hits but is not listed", name, c, n/int64(limit))
				}
			}
			d := float64(len(truth))
			if got := float64(s.SectionsTotal); got < 0.95*d || got > 1.05*d {
				t.Errorf("distinct sections %d, true %d", s.SectionsTotal, len(truth))
			}
		})
	}
}

func TestLongNamesAreCut(t *testing.T) {
	long := "/" + strings.Repeat("é", MaxText) // two bytes a character
	reqs := []event.Request{
		{TS: 100, Status: 200, Bytes: 5, Section: []byte(long), Path: []byte(long + "x")},
		{TS: 100, Status: 200, Bytes: 1, Section: []byte(long + "y")},
	}
	s := countSummary(t, 10, 10, reqs)
	if len(s.Sections) != 1 || s.Sections[0].Hits != 2 {
		t.Fatalf("names equal in their first %d bytes should count as one section: %+v", MaxText, s.Sections)
	}
	sec := s.Sections[0]
	if len(sec.Section) > MaxText || len(sec.TopPath) > MaxText || !bytes.HasPrefix([]byte(long), sec.Section) ||
		!bytes.HasPrefix([]byte(long), sec.TopPath) || len(sec.Section) < MaxText-3 {
		t.Errorf("cut to %d and %d bytes, want at most %d at a character boundary", len(sec.Section), len(sec.TopPath), MaxText)
	}
}

// TestMillionDistinctSectionsMemory feeds a million requests, each with a
// new section and path, at 10,000 requests a second, and checks that the
// live heap stays bounded and does not grow with the input: with names of
// a hundred bytes, and with names of 2 KiB, which are cut to MaxText.
func TestMillionDistinctSectionsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, size := range []int{100, 2048} {
		t.Run(fmt.Sprint("name=", size), func(t *testing.T) {
			a, err := New(DefaultConfig(), discard{})
			if err != nil {
				t.Fatal(err)
			}
			pad := strings.Repeat("x", size-10)
			r := event.Request{Status: 200, Bytes: 100}
			heap := func() uint64 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				return ms.HeapAlloc
			}
			before := heap()
			var at100k uint64
			for i := range 1_000_000 {
				r.TS = 1_700_000_000 + int64(i/10000)
				r.Section = fmt.Appendf(r.Section[:0], "/%d%s", i, pad)
				r.Path = append(append(r.Path[:0], r.Section...), "/index.html"...)
				if _, err := a.Add(&r); err != nil {
					t.Fatal(err)
				}
				if i == 100_000 {
					at100k = heap()
					runtime.KeepAlive(a)
				}
			}
			after := heap()
			runtime.KeepAlive(a)
			t.Logf("live heap: %d KiB at start, %d KiB after 100k, %d KiB after 1M requests", before>>10, at100k>>10, after>>10)
			const limit = 32 << 20
			if after > before+limit {
				t.Errorf("live heap grew by %d MiB, over %d MiB", (after-before)>>20, limit>>20)
			}
			if after > 2*at100k {
				t.Errorf("live heap grows with the input: %d KiB after 100k requests, %d KiB after 1M", at100k>>10, after>>10)
			}
		})
	}
}

// BenchmarkAddDistinctSections is Add when every request has a new section,
// past the exact limit: the cost of the Space-Saving path.
func BenchmarkAddDistinctSections(b *testing.B) {
	a, err := New(DefaultConfig(), discard{})
	if err != nil {
		b.Fatal(err)
	}
	r := event.Request{Status: 200, Bytes: 100, Path: []byte("/x")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.TS = 1_700_000_000 + int64(i/10000)
		r.Section = fmt.Appendf(r.Section[:0], "/s%d", i)
		i++
		if _, err := a.Add(&r); err != nil {
			b.Fatal(err)
		}
	}
}
