package window

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// discardMerge is a MergeSink that keeps nothing.
type discardMerge struct{ discard }

func (discardMerge) Total(*event.Total) error { return nil }
func (discardMerge) Tell([]byte, string)      {}

// hostRecords returns a tick and a summary line as one realistic host's
// window ships them: 200 requests a second over a few dozen sections,
// with request times, listed with --source.
func hostRecords(tb testing.TB) (tick, summary []byte) {
	reqs := realistic(200*30, 200, true)
	c := DefaultConfig()
	c.Source, c.Top = []byte("web0"), 100
	sink := &lineSink{enc: event.NewEncoder()}
	a, err := New(c, sink)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range reqs {
		if _, err := a.Add(&reqs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	for _, l := range sink.lines[len(sink.lines)/2:] {
		switch {
		case tick == nil && strings.HasPrefix(l, `{"kind":"tick"`):
			tick = []byte(l)
		case summary == nil && strings.HasPrefix(l, `{"kind":"summary"`):
			summary = []byte(l)
		}
	}
	return tick, summary
}

// BenchmarkMerge1000 merges 1,000 hosts: one op is one second of all of
// them, a tick each and every tenth second a summary each, decoded from
// NDJSON as --merge reads them. ns/source-s is the cost per host per
// second.
func BenchmarkMerge1000(b *testing.B) {
	const hosts = 1000
	tick, summary := hostRecords(b)
	ticks, sums := make([][]byte, hosts), make([][]byte, hosts)
	for i := range hosts {
		name := fmt.Appendf(nil, `"source":"web%d"`, i)
		ticks[i] = bytes.Replace(tick, []byte(`"source":"web0"`), name, 1)
		sums[i] = bytes.Replace(summary, []byte(`"source":"web0"`), name, 1)
	}
	var perOp int64
	for i := range hosts {
		perOp += int64(len(ticks[i])) + int64(len(sums[i]))/10
	}
	m, err := NewMerger(DefaultMergeConfig(), discardMerge{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(0, 0)
	in := m.Input([]byte("stdin"), now)
	dec := event.NewDecoder()
	var t event.Tick
	var s event.Summary
	sec := int64(1_700_000_000)
	b.SetBytes(perOp)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range hosts {
			if err := dec.Tick(ticks[i], &t); err != nil {
				b.Fatal(err)
			}
			t.TS = sec
			if err := m.Tick(in, &t, now); err != nil {
				b.Fatal(err)
			}
		}
		if sec%10 == 9 {
			for i := range hosts {
				if err := dec.Summary(sums[i], &s); err != nil {
					b.Fatal(err)
				}
				s.Start, s.End = sec-9, sec+1
				if err := m.Summary(in, &s, now); err != nil {
					b.Fatal(err)
				}
			}
		}
		sec++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/hosts, "ns/source-s")
}

// BenchmarkMergeOnly1000 is BenchmarkMerge1000 without the decoding: the
// records are decoded once, before, so that it measures the Merger alone.
func BenchmarkMergeOnly1000(b *testing.B) {
	const hosts = 1000
	tick, summary := hostRecords(b)
	dec := event.NewDecoder()
	ticks, sums := make([]event.Tick, hosts), make([]event.Summary, hosts)
	for i := range hosts {
		if err := dec.Tick(tick, &ticks[i]); err != nil {
			b.Fatal(err)
		}
		ticks[i].Source = fmt.Appendf(nil, "web%d", i)
		ticks[i].Latency.Bins = slices.Clone(ticks[i].Latency.Bins)
		if err := dec.Summary(summary, &sums[i]); err != nil {
			b.Fatal(err)
		}
		s := &sums[i]
		s.Source = ticks[i].Source
		s.Latency.Bins = slices.Clone(s.Latency.Bins)
		s.Sections = slices.Clone(s.Sections)
		for j := range s.Sections {
			sec := &s.Sections[j]
			sec.Section, sec.TopPath = slices.Clone(sec.Section), slices.Clone(sec.TopPath)
			sec.Latency.Bins = slices.Clone(sec.Latency.Bins)
		}
	}
	m, err := NewMerger(DefaultMergeConfig(), discardMerge{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(0, 0)
	in := m.Input([]byte("stdin"), now)
	sec := int64(1_700_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range hosts {
			ticks[i].TS = sec
			if err := m.Tick(in, &ticks[i], now); err != nil {
				b.Fatal(err)
			}
		}
		if sec%10 == 9 {
			for i := range hosts {
				sums[i].Start, sums[i].End = sec-9, sec+1
				if err := m.Summary(in, &sums[i], now); err != nil {
					b.Fatal(err)
				}
			}
		}
		sec++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/hosts, "ns/source-s")
}
