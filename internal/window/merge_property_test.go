package window

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// lineSink keeps an Aggregator's output as NDJSON lines, as a host ships it.
type lineSink struct {
	enc   *event.Encoder
	lines []string
}

func (s *lineSink) Tick(t *event.Tick) error {
	l, err := s.enc.Tick(t)
	s.lines = append(s.lines, string(l))
	return err
}

func (s *lineSink) Summary(m *event.Summary) error {
	l, err := s.enc.Summary(m)
	s.lines = append(s.lines, string(l))
	return err
}

// TestMergeMatchesOneWindow checks the merge against its definition: the
// windows of several hosts, merged in any interleaving, give the ticks of
// one window over all the hosts' requests, and summaries with the same
// counts and sections.
func TestMergeMatchesOneWindow(t *testing.T) {
	for seed := range uint64(6) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, seed))
			c := Config{Interval: 10, Top: 10, MaxGap: 86400}
			var all []event.Request
			var shipped [][]string
			names := []string{"web1", "web2", "web3"}
			for _, name := range names {
				reqs := randomStream(rng, c, 1500, 0, 0)
				// Hosts start and end at different times.
				shift := rng.Int64N(40) - 20
				for i := range reqs {
					reqs[i].TS += shift
				}
				slices.SortStableFunc(reqs, func(a, b event.Request) int { return int(a.TS - b.TS) })
				all = append(all, reqs...)
				sc := c
				sc.Source, sc.Top = []byte(name), 100
				sink := &lineSink{enc: event.NewEncoder()}
				a, err := New(sc, sink)
				must(t, err)
				for i := range reqs {
					if _, err := a.Add(&reqs[i]); err != nil {
						t.Fatal(err)
					}
				}
				must(t, a.Flush())
				shipped = append(shipped, sink.lines)
			}
			slices.SortStableFunc(all, func(a, b event.Request) int { return int(a.TS - b.TS) })
			one := &lineSink{enc: event.NewEncoder()}
			a, err := New(c, one)
			must(t, err)
			for i := range all {
				if _, err := a.Add(&all[i]); err != nil {
					t.Fatal(err)
				}
			}
			must(t, a.Flush())

			rec := newMergeRecorder()
			m, err := NewMerger(DefaultMergeConfig(), rec)
			must(t, err)
			t0 := time.Unix(0, 0)
			ins := make([]int, len(names))
			for i, name := range names {
				ins[i] = m.Input([]byte(name), t0)
			}
			dec := event.NewDecoder()
			var tk event.Tick
			var sm event.Summary
			for pos := make([]int, len(names)); ; {
				var left []int
				for i := range names {
					if pos[i] < len(shipped[i]) {
						left = append(left, i)
					}
				}
				if len(left) == 0 {
					break
				}
				i := left[rng.IntN(len(left))]
				line := []byte(shipped[i][pos[i]])
				pos[i]++
				if strings.HasPrefix(string(line), `{"kind":"tick"`) {
					must(t, dec.Tick(line, &tk))
					must(t, m.Tick(ins[i], &tk, t0))
				} else {
					must(t, dec.Summary(line, &sm))
					must(t, m.Summary(ins[i], &sm, t0))
				}
				if pos[i] == len(shipped[i]) {
					must(t, m.Close(ins[i]))
				}
			}
			must(t, m.Flush())

			var wantTicks, wantSums []string
			for _, l := range one.lines {
				if strings.HasPrefix(l, `{"kind":"tick"`) {
					wantTicks = append(wantTicks, l)
				} else {
					wantSums = append(wantSums, l)
				}
			}
			if len(wantTicks) < 100 || len(wantSums) < 10 {
				t.Fatalf("only %d ticks and %d summaries to compare", len(wantTicks), len(wantSums))
			}
			diffLines(t, wantTicks, rec.kind("tick"))
			gotSums := rec.kind("summary")
			if len(gotSums) != len(wantSums) {
				t.Fatalf("%d merged summaries, want %d", len(gotSums), len(wantSums))
			}
			for i := range wantSums {
				var w, g event.Summary
				must(t, dec.Summary([]byte(wantSums[i]), &w))
				w.Sections = slices.Clone(w.Sections)
				for j := range w.Sections {
					w.Sections[j].Section = slices.Clone(w.Sections[j].Section)
				}
				must(t, dec.Summary([]byte(gotSums[i]), &g))
				if fmt.Sprint(w.Start, w.End, w.Seconds, w.Partial, w.Hits, w.Bytes, w.Status, w.Late, w.SectionsTotal, w.Latency.Count, w.Latency.Max) !=
					fmt.Sprint(g.Start, g.End, g.Seconds, g.Partial, g.Hits, g.Bytes, g.Status, g.Late, g.SectionsTotal, g.Latency.Count, g.Latency.Max) {
					t.Fatalf("summary %d\n got %s\nwant %s", i, gotSums[i], wantSums[i])
				}
				if len(w.Sections) != len(g.Sections) {
					t.Fatalf("summary %d: %d sections, want %d", i, len(g.Sections), len(w.Sections))
				}
				for j := range w.Sections {
					ws, gs := w.Sections[j], g.Sections[j]
					if string(ws.Section) != string(gs.Section) || ws.Hits != gs.Hits || ws.Bytes != gs.Bytes ||
						ws.Errors4x != gs.Errors4x || ws.Errors5x != gs.Errors5x || ws.Status != gs.Status || ws.TopBytes != gs.TopBytes || ws.Latency.Count != gs.Latency.Count {
						t.Fatalf("summary %d section %d\n got %s\nwant %s", i, j, gotSums[i], wantSums[i])
					}
				}
			}
		})
	}
}
