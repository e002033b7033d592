package window

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

var propConfigs = []Config{
	{Interval: 1, Lateness: 0, Top: 3},
	{Interval: 10, Lateness: 0, Top: 2},
	{Interval: 10, Lateness: 5, Top: 3},
	{Interval: 3, Lateness: 7, Top: 1},
	{Interval: 60, Lateness: 5, Top: 10},
	{Interval: 5, Lateness: 30, Top: 4},
}

var propSections = []string{"", "/", "/api", "/img", "/static", "/wp-admin"}

// randomStream returns n requests whose time mostly advances, sometimes
// stalls, sometimes skips whole intervals, and is out of order by at most
// disorder seconds relative to the newest request so far. With lateP > 0,
// that fraction of requests is further behind, to be late.
func randomStream(rng *rand.Rand, c Config, n int, disorder int64, lateP float64) []event.Request {
	reqs := make([]event.Request, n)
	cur := 1_700_000_000 + rng.Int64N(100)
	statuses := []int{0, 101, 200, 200, 200, 204, 301, 304, 404, 403, 500, 503, 999}
	for i := range reqs {
		switch p := rng.Float64(); {
		case p < 0.01:
			cur += rng.Int64N(3*c.Interval + 2) // a quiet period
		case p < 0.3:
			cur++
		}
		ts := cur - rng.Int64N(disorder+1)
		if rng.Float64() < lateP {
			ts = cur - disorder - 1 - rng.Int64N(20)
		}
		path := fmt.Sprintf("/p%d", rng.IntN(5))
		r := event.Request{
			TS:        ts,
			UTCOffset: 3600,
			Status:    statuses[rng.IntN(len(statuses))],
			Bytes:     rng.Int64N(1000) - 1,
			Section:   []byte(propSections[rng.IntN(len(propSections))]),
			// Most logs say how long a request took; some lines do not.
			RequestTime: -1,
		}
		if rng.IntN(4) > 0 {
			r.RequestTime = math.Round(math.Exp(rng.NormFloat64()-3)*1e3) / 1e3
		}
		if rng.IntN(20) == 0 {
			r.Request = []byte("\x16\x03\x01" + path)
		} else {
			r.Path = []byte(path)
		}
		reqs[i] = r
	}
	return reqs
}

func TestPropertyMatchesReference(t *testing.T) {
	for ci, c := range propConfigs {
		for seed := range uint64(5) {
			t.Run(fmt.Sprintf("I=%d,L=%d,Top=%d/seed=%d", c.Interval, c.Lateness, c.Top, seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(ci), seed))
				reqs := randomStream(rng, c, 3000, c.Lateness, 0)
				rec, a := feed(t, c, reqs)
				checkInvariants(t, c, rec, int64(len(reqs)))
				if a.Stats().Late != 0 {
					t.Errorf("%d late requests with disorder within lateness", a.Stats().Late)
				}
				wantTicks, wantSums := reference(c, reqs)
				if !reflect.DeepEqual(rec.ticks, wantTicks) {
					t.Errorf("ticks differ from reference: got %d, want %d", len(rec.ticks), len(wantTicks))
					for i := range min(len(rec.ticks), len(wantTicks)) {
						if !reflect.DeepEqual(rec.ticks[i], wantTicks[i]) {
							t.Fatalf("first difference at %d:\nwant %+v\n got %+v", i, wantTicks[i], rec.ticks[i])
						}
					}
				}
				if !reflect.DeepEqual(rec.sums, wantSums) {
					t.Errorf("summaries differ from reference: got %d, want %d", len(rec.sums), len(wantSums))
					for i := range min(len(rec.sums), len(wantSums)) {
						if !reflect.DeepEqual(rec.sums[i], wantSums[i]) {
							t.Fatalf("first difference at %d:\nwant %s\n got %s",
								i, renderSummary(&wantSums[i]), renderSummary(&rec.sums[i]))
						}
					}
				}
			})
		}
	}
}

func TestPropertyWithLateRequests(t *testing.T) {
	for ci, c := range propConfigs {
		t.Run(fmt.Sprintf("I=%d,L=%d", c.Interval, c.Lateness), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ci), 99))
			reqs := randomStream(rng, c, 3000, c.Lateness, 0.05)
			rec, a := feed(t, c, reqs)
			checkInvariants(t, c, rec, int64(len(reqs)))
			if a.Stats().Late == 0 {
				t.Error("no late requests; the test does not test them")
			}
		})
	}
}

func feed(t *testing.T, c Config, reqs []event.Request) (*recorder, *Aggregator) {
	t.Helper()
	rec := &recorder{}
	a, err := New(c, rec)
	if err != nil {
		t.Fatal(err)
	}
	var late int64
	for i := range reqs {
		l, err := a.Add(&reqs[i])
		if err != nil {
			t.Fatal(err)
		}
		if l {
			late++
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := a.Stats().Late; got != late {
		t.Errorf("Stats().Late = %d, Add reported %d", got, late)
	}
	return rec, a
}

// checkInvariants checks what must hold for any single stream without gaps,
// late requests or not.
func checkInvariants(t *testing.T, c Config, rec *recorder, requests int64) {
	t.Helper()
	var tickHits, sumHits, late int64
	for i, tk := range rec.ticks {
		if i > 0 && tk.TS != rec.ticks[i-1].TS+1 {
			t.Fatalf("ticks not contiguous: %d after %d", tk.TS, rec.ticks[i-1].TS)
		}
		tickHits += tk.Hits
	}
	for i, s := range rec.sums {
		if i > 0 && s.Start != rec.sums[i-1].End {
			t.Fatalf("summaries not contiguous: %d-%d after %d-%d", s.Start, s.End, rec.sums[i-1].Start, rec.sums[i-1].End)
		}
		sumHits += s.Hits
		late += s.Late
	}
	if tickHits+late != requests {
		t.Errorf("tick hits %d + late %d != %d requests", tickHits, late, requests)
	}
	if sumHits != tickHits {
		t.Errorf("summary hits %d != tick hits %d", sumHits, tickHits)
	}

	// Each summary is the sum of the ticks emitted since the previous one,
	// and comes right after the tick of its interval's last second.
	var acc event.Summary
	si, ti := 0, 0
	for li, line := range rec.lines {
		if line[:4] == "tick" {
			tk := rec.ticks[ti]
			ti++
			acc.Seconds++
			acc.Hits += tk.Hits
			acc.Bytes += tk.Bytes
			acc.Status.Add(&tk.Status)
			if (tk.TS+1)%c.Interval == 0 && (li+1 >= len(rec.lines) || rec.lines[li+1][:3] != "sum") {
				t.Fatalf("tick %d ends an interval but no summary follows", tk.TS)
			}
			continue
		}
		s := rec.sums[si]
		si++
		if s.Seconds != acc.Seconds || s.Hits != acc.Hits || s.Bytes != acc.Bytes || s.Status != acc.Status {
			t.Fatalf("summary %d-%d is not the sum of its ticks: %+v vs %+v", s.Start, s.End, s, acc)
		}
		if s.Partial != (s.Seconds < c.Interval) || s.End-s.Start != c.Interval || s.Start%c.Interval != 0 {
			t.Fatalf("summary %s: bad bounds or Partial", renderSummary(&s))
		}
		var secHits int64
		for _, st := range s.Sections {
			secHits += st.Hits
		}
		if s.SectionsTotal <= int64(c.Top) && secHits != s.Hits {
			t.Fatalf("summary %s: section hits %d", renderSummary(&s), secHits)
		}
		acc = event.Summary{}
	}
}

// reference computes the expected output of a stream without late requests
// the slow, obvious way.
func reference(c Config, reqs []event.Request) ([]event.Tick, []event.Summary) {
	lo, hi := reqs[0].TS, reqs[0].TS
	for _, r := range reqs {
		lo, hi = min(lo, r.TS), max(hi, r.TS)
	}
	ticks := make([]event.Tick, hi-lo+1)
	for i := range ticks {
		ticks[i] = event.Tick{TS: lo + int64(i), UTCOffset: 3600}
	}
	secLat := make([]latency.Sketch, len(ticks))
	for _, r := range reqs {
		secLat[r.TS-lo].Add(r.RequestTime)
		tk := &ticks[r.TS-lo]
		tk.Hits++
		tk.Bytes += max(r.Bytes, 0)
		tk.Status[event.StatusClass(r.Status)]++
	}

	for i := range ticks {
		secLat[i].Sketch(&ticks[i].Latency)
		if ticks[i].Latency.Count == 0 {
			ticks[i].Latency = event.Latency{}
		}
	}

	var sums []event.Summary
	for start := lo - lo%c.Interval; start <= hi; start += c.Interval {
		s := event.Summary{Start: start, End: start + c.Interval, UTCOffset: 3600}
		var ivLat latency.Sketch
		secLats := map[string]*latency.Sketch{}
		for _, r := range reqs {
			if r.TS >= s.Start && r.TS < s.End {
				ivLat.Add(r.RequestTime)
				if secLats[string(r.Section)] == nil {
					secLats[string(r.Section)] = &latency.Sketch{MaxBins: latency.SectionBins}
				}
				secLats[string(r.Section)].Add(r.RequestTime)
			}
		}
		ivLat.Latency(&s.Latency)
		s.Latency.Bins = nil
		for _, tk := range ticks {
			if tk.TS >= s.Start && tk.TS < s.End {
				s.Seconds++
				s.Hits += tk.Hits
				s.Bytes += tk.Bytes
				s.Status.Add(&tk.Status)
			}
		}
		s.Partial = s.Seconds < c.Interval
		s.RPS = float64(s.Hits) / float64(s.Seconds)
		secs := map[string]*event.SectionStat{}
		for _, r := range reqs {
			if r.TS < s.Start || r.TS >= s.End {
				continue
			}
			st := secs[string(r.Section)]
			if st == nil {
				st = &event.SectionStat{Section: append([]byte(nil), r.Section...), TopBytes: -1}
				secs[string(r.Section)] = st
			}
			b := max(r.Bytes, 0)
			st.Hits++
			st.Bytes += b
			class := event.StatusClass(r.Status)
			st.Status[class]++
			switch class {
			case event.Class4xx:
				st.Errors4x++
			case event.Class5xx:
				st.Errors5x++
			}
			path := r.Path
			if len(path) == 0 {
				path = r.Request
			}
			// Arrival order decides ties, not time order.
			if b > st.TopBytes {
				st.TopBytes, st.TopPath = b, append([]byte(nil), path...)
			}
		}
		var all []*event.SectionStat
		for _, st := range secs {
			all = append(all, st)
		}
		slices.SortFunc(all, func(x, y *event.SectionStat) int {
			if x.Hits != y.Hits {
				return int(y.Hits - x.Hits)
			}
			return bytes.Compare(x.Section, y.Section)
		})
		s.SectionsTotal = int64(len(all))
		for _, st := range all[:min(len(all), c.Top)] {
			secLats[string(st.Section)].Latency(&st.Latency)
			st.Latency.Bins = nil
			s.Sections = append(s.Sections, *st)
		}
		sums = append(sums, s)
	}
	return ticks, sums
}
