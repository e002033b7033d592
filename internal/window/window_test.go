package window

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// recorder is a Sink that keeps deep copies of everything it is given, as
// the Sink contract requires, and renders each record as one line so that
// test expectations read like the output stream.
type recorder struct {
	lines []string
	ticks []event.Tick
	sums  []event.Summary
}

func (r *recorder) Tick(t *event.Tick) error {
	c := *t
	c.Latency.Bins = nil // reused by the Aggregator; nil when empty, as the reference has it
	if len(t.Latency.Bins) > 0 {
		c.Latency.Bins = slices.Clone(t.Latency.Bins)
	}
	r.ticks = append(r.ticks, c)
	r.lines = append(r.lines, renderTick(t))
	return nil
}

func (r *recorder) Summary(s *event.Summary) error {
	c := *s
	c.Sections = nil
	c.Latency.Bins = nil // summaries carry no bins
	for _, st := range s.Sections {
		st.Latency.Bins = nil
		st.Section = append([]byte(nil), st.Section...)
		st.TopPath = append([]byte(nil), st.TopPath...)
		c.Sections = append(c.Sections, st)
	}
	r.sums = append(r.sums, c)
	r.lines = append(r.lines, renderSummary(s))
	return nil
}

var classNames = [event.NumClasses]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}

func renderStatus(b *strings.Builder, c *event.StatusCounts) {
	for i, n := range c {
		if n != 0 {
			fmt.Fprintf(b, " %s=%d", classNames[i], n)
		}
	}
}

func renderTick(t *event.Tick) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tick %d h=%d b=%d", t.TS, t.Hits, t.Bytes)
	renderStatus(&b, &t.Status)
	if t.UTCOffset != 0 {
		fmt.Fprintf(&b, " off=%d", t.UTCOffset)
	}
	return b.String()
}

func renderSummary(s *event.Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sum %d-%d s=%d", s.Start, s.End, s.Seconds)
	if s.Partial {
		b.WriteString(" partial")
	}
	fmt.Fprintf(&b, " h=%d b=%d rps=%g", s.Hits, s.Bytes, s.RPS)
	renderStatus(&b, &s.Status)
	if s.Late != 0 {
		fmt.Fprintf(&b, " late=%d", s.Late)
	}
	if s.UTCOffset != 0 {
		fmt.Fprintf(&b, " off=%d", s.UTCOffset)
	}
	fmt.Fprintf(&b, " n=%d", s.SectionsTotal)
	for _, st := range s.Sections {
		fmt.Fprintf(&b, " [%q h=%d b=%d 4x=%d 5x=%d top=%q:%d]",
			st.Section, st.Hits, st.Bytes, st.Errors4x, st.Errors5x, st.TopPath, st.TopBytes)
	}
	return b.String()
}

// op is one step of a test: Add of r, Flush, or AdvanceTo of to.
type op struct {
	r     event.Request
	flush bool
	to    int64 // AdvanceTo when not 0
}

var flush = op{flush: true}

func advance(ts int64) op { return op{to: ts} }

func req(ts int64, status int, bytes int64, section, path string) op {
	r := event.Request{TS: ts, Status: status, Bytes: bytes, Path: []byte(path), RequestTime: -1}
	if section != "" {
		r.Section = []byte(section)
	}
	return op{r: r}
}

// hit is a plain 200 of 100 bytes to /a/x.
func hit(ts int64) op { return req(ts, 200, 100, "/a", "/a/x") }

func in(section string, o op) op {
	o.r.Section = []byte(section)
	return o
}

func off(offset int32, o op) op {
	o.r.UTCOffset = offset
	return o
}

func cfg(interval, lateness int64) Config {
	return Config{Interval: interval, Lateness: lateness, Top: 10}
}

// run feeds ops to a new Aggregator and Flushes at the end. With trace, the
// returned lines also show each Add ("add TS", "add TS late") and Flush, the
// final one included, so that a test can check when output is emitted, not
// only what.
func run(t *testing.T, c Config, ops []op, trace bool) ([]string, *recorder, *Aggregator) {
	t.Helper()
	rec := &recorder{}
	a, err := New(c, rec)
	if err != nil {
		t.Fatal(err)
	}
	ops = append(ops, flush)
	for i := range ops {
		o := &ops[i]
		if o.flush {
			if trace {
				rec.lines = append(rec.lines, "flush")
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if o.to != 0 {
			if trace {
				rec.lines = append(rec.lines, fmt.Sprintf("advance %d", o.to))
			}
			if err := a.AdvanceTo(o.to); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if trace {
			rec.lines = append(rec.lines, fmt.Sprintf("add %d", o.r.TS))
		}
		late, err := a.Add(&o.r)
		if err != nil {
			t.Fatal(err)
		}
		if late && trace {
			rec.lines[len(rec.lines)-1] += " late"
		}
	}
	return rec.lines, rec, a
}

// zeroTicks renders the empty ticks from through to.
func zeroTicks(from, to int64) []string {
	var l []string
	for s := from; s <= to; s++ {
		l = append(l, fmt.Sprintf("tick %d h=0 b=0", s))
	}
	return l
}

// lines flattens strings and []strings.
func lines(parts ...any) []string {
	var l []string
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			l = append(l, p)
		case []string:
			l = append(l, p...)
		default:
			panic(p)
		}
	}
	return l
}

func diffLines(t *testing.T, want, got []string) {
	t.Helper()
	if strings.Join(want, "\n") == strings.Join(got, "\n") {
		return
	}
	var b strings.Builder
	for i := range max(len(want), len(got)) {
		w, g := "", ""
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d\nwant: %s\n got: %s\n", i+1, w, g)
		}
	}
	t.Errorf("output differs:\n%s", b.String())
}

func TestAggregator(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		ops   []op
		trace bool
		want  []string
	}{{
		name:  "advance before any request does nothing",
		cfg:   cfg(5, 2),
		ops:   []op{advance(100), hit(103)},
		trace: true,
		want: []string{
			"advance 100",
			"add 103",
			"flush",
			"tick 103 h=1 b=100 2xx=1",
			`sum 100-105 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "advance emits what it makes final, lateness still applies",
		cfg:  cfg(5, 2),
		ops: []op{
			hit(100),
			advance(102), // 100 is not final yet: a request of 100 may still come
			advance(101), // behind the newest second: nothing
			hit(100),
			advance(103),
			advance(107),
			hit(104), // emitted already: 107 is newest, minus lateness 2
			hit(103), // emitted already
		},
		trace: true,
		want: []string{
			"add 100",
			"advance 102",
			"advance 101",
			"add 100",
			"advance 103",
			"tick 100 h=2 b=200 2xx=2",
			"advance 107",
			"tick 101 h=0 b=0",
			"tick 102 h=0 b=0",
			"tick 103 h=0 b=0",
			"tick 104 h=0 b=0",
			`sum 100-105 s=5 h=2 b=200 rps=0.4 2xx=2 n=1 ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]`,
			"add 104 late",
			"add 103 late",
			"flush",
			"tick 105 h=0 b=0",
			"tick 106 h=0 b=0",
			"tick 107 h=0 b=0",
			`sum 105-110 s=3 partial h=0 b=0 rps=0 late=2 n=0`,
		},
	}, {
		name: "advance beyond max gap restarts like a request would",
		cfg:  Config{Interval: 5, Lateness: 0, Top: 10, MaxGap: 10},
		ops:  []op{hit(100), advance(200), hit(200)},
		want: []string{
			"tick 100 h=1 b=100 2xx=1",
			`sum 100-105 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 200 h=1 b=100 2xx=1",
			`sum 200-205 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name:  "in order, output lags by lateness",
		cfg:   cfg(5, 2),
		ops:   []op{hit(100), hit(100), hit(101), hit(102), hit(103), hit(104), hit(105), hit(106), hit(107)},
		trace: true,
		want: []string{
			"add 100",
			"add 100",
			"add 101",
			"add 102",
			"add 103",
			"tick 100 h=2 b=200 2xx=2",
			"add 104",
			"tick 101 h=1 b=100 2xx=1",
			"add 105",
			"tick 102 h=1 b=100 2xx=1",
			"add 106",
			"tick 103 h=1 b=100 2xx=1",
			"add 107",
			"tick 104 h=1 b=100 2xx=1",
			`sum 100-105 s=5 h=6 b=600 rps=1.2 2xx=6 n=1 ["/a" h=6 b=600 4x=0 5x=0 top="/a/x":100]`,
			"flush",
			"tick 105 h=1 b=100 2xx=1",
			"tick 106 h=1 b=100 2xx=1",
			"tick 107 h=1 b=100 2xx=1",
			`sum 105-110 s=3 partial h=3 b=300 rps=1 2xx=3 n=1 ["/a" h=3 b=300 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "out of order within lateness counts in own second and interval",
		cfg:  cfg(5, 3),
		ops: []op{
			hit(103),
			hit(101), // before anything is emitted: the stream now starts at 101
			hit(106),
			in("/b", hit(104)), // pending, belongs to [100,105) although 106 came first
			hit(102),           // already emitted
			hit(107),
		},
		trace: true,
		want: []string{
			"add 103",
			"add 101",
			"add 106",
			"tick 101 h=1 b=100 2xx=1",
			"tick 102 h=0 b=0",
			"add 104",
			"add 102 late",
			"add 107",
			"tick 103 h=1 b=100 2xx=1",
			"flush",
			"tick 104 h=1 b=100 2xx=1",
			`sum 100-105 s=4 partial h=3 b=300 rps=0.75 2xx=3 late=1 n=2 ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100] ["/b" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 105 h=0 b=0",
			"tick 106 h=1 b=100 2xx=1",
			"tick 107 h=1 b=100 2xx=1",
			`sum 105-110 s=3 partial h=2 b=200 rps=0.6666666666666666 2xx=2 n=1 ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name:  "late beyond lateness is in no tick",
		cfg:   cfg(10, 2),
		ops:   []op{hit(100), hit(105), hit(101), hit(99), hit(103)},
		trace: true,
		want: []string{
			"add 100",
			"add 105",
			"tick 100 h=1 b=100 2xx=1",
			"tick 101 h=0 b=0",
			"tick 102 h=0 b=0",
			"add 101 late",
			"add 99 late",
			"add 103",
			"flush",
			"tick 103 h=1 b=100 2xx=1",
			"tick 104 h=0 b=0",
			"tick 105 h=1 b=100 2xx=1",
			`sum 100-110 s=6 partial h=3 b=300 rps=0.5 2xx=3 late=2 n=1 ["/a" h=3 b=300 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name:  "late beyond lateness before anything is emitted",
		cfg:   cfg(10, 2),
		ops:   []op{hit(100), hit(97), hit(98)},
		trace: true,
		want: []string{
			"add 100",
			"add 97 late",
			"add 98",
			"flush",
			"tick 98 h=1 b=100 2xx=1",
			"tick 99 h=0 b=0",
			`sum 90-100 s=2 partial h=1 b=100 rps=0.5 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 100 h=1 b=100 2xx=1",
			// 97 came when the stream started at 100, so [100,110) was open.
			`sum 100-110 s=1 partial h=1 b=100 rps=1 2xx=1 late=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name:  "stream starting mid-interval, flush of partial last",
		cfg:   cfg(10, 0),
		ops:   []op{hit(107), hit(108), hit(109), hit(110), hit(111)},
		trace: true,
		want: []string{
			"add 107",
			"add 108",
			"tick 107 h=1 b=100 2xx=1",
			"add 109",
			"tick 108 h=1 b=100 2xx=1",
			"add 110",
			"tick 109 h=1 b=100 2xx=1",
			`sum 100-110 s=3 partial h=3 b=300 rps=1 2xx=3 n=1 ["/a" h=3 b=300 4x=0 5x=0 top="/a/x":100]`,
			"add 111",
			"tick 110 h=1 b=100 2xx=1",
			"flush",
			"tick 111 h=1 b=100 2xx=1",
			`sum 110-120 s=2 partial h=2 b=200 rps=1 2xx=2 n=1 ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "quiet intervals in the middle get empty summaries",
		cfg:  cfg(10, 0),
		ops:  []op{hit(105), hit(131)},
		want: lines(
			"tick 105 h=1 b=100 2xx=1",
			zeroTicks(106, 109),
			`sum 100-110 s=5 partial h=1 b=100 rps=0.2 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			zeroTicks(110, 119),
			"sum 110-120 s=10 h=0 b=0 rps=0 n=0",
			zeroTicks(120, 129),
			"sum 120-130 s=10 h=0 b=0 rps=0 n=0",
			"tick 130 h=0 b=0",
			"tick 131 h=1 b=100 2xx=1",
			`sum 130-140 s=2 partial h=1 b=100 rps=0.5 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		),
	}, {
		name: "lateness greater than interval keeps several intervals open",
		cfg:  cfg(2, 5),
		ops: []op{
			hit(100),
			in("/c", hit(103)),
			in("/b", hit(101)),
			hit(106),
			hit(99), // late, counted in [100,102), the interval of 101
			hit(108),
			in("/d", hit(104)),
		},
		trace: true,
		want: []string{
			"add 100",
			"add 103",
			"add 101",
			"add 106",
			"tick 100 h=1 b=100 2xx=1",
			"add 99 late",
			"add 108",
			"tick 101 h=1 b=100 2xx=1",
			`sum 100-102 s=2 h=2 b=200 rps=1 2xx=2 late=1 n=2 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100] ["/b" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 102 h=0 b=0",
			"add 104",
			"flush",
			"tick 103 h=1 b=100 2xx=1",
			`sum 102-104 s=2 h=1 b=100 rps=0.5 2xx=1 n=1 ["/c" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 104 h=1 b=100 2xx=1",
			"tick 105 h=0 b=0",
			`sum 104-106 s=2 h=1 b=100 rps=0.5 2xx=1 n=1 ["/d" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 106 h=1 b=100 2xx=1",
			"tick 107 h=0 b=0",
			`sum 106-108 s=2 h=1 b=100 rps=0.5 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 108 h=1 b=100 2xx=1",
			`sum 108-110 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "start moves back across interval boundaries",
		cfg:  cfg(2, 5),
		ops:  []op{hit(105), in("/b", hit(101)), in("/c", hit(103)), hit(100)},
		want: []string{
			"tick 100 h=1 b=100 2xx=1",
			"tick 101 h=1 b=100 2xx=1",
			`sum 100-102 s=2 h=2 b=200 rps=1 2xx=2 n=2 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100] ["/b" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 102 h=0 b=0",
			"tick 103 h=1 b=100 2xx=1",
			`sum 102-104 s=2 h=1 b=100 rps=0.5 2xx=1 n=1 ["/c" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 104 h=0 b=0",
			"tick 105 h=1 b=100 2xx=1",
			`sum 104-106 s=2 h=1 b=100 rps=0.5 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name:  "lateness zero",
		cfg:   cfg(3, 0),
		ops:   []op{hit(100), hit(100), hit(101), hit(100), hit(103)},
		trace: true,
		want: []string{
			"add 100",
			"add 100",
			"add 101",
			"tick 100 h=2 b=200 2xx=2",
			"add 100 late",
			"add 103",
			"tick 101 h=1 b=100 2xx=1",
			`sum 99-102 s=2 partial h=3 b=300 rps=1.5 2xx=3 late=1 n=1 ["/a" h=3 b=300 4x=0 5x=0 top="/a/x":100]`,
			"tick 102 h=0 b=0",
			"flush",
			"tick 103 h=1 b=100 2xx=1",
			`sum 102-105 s=2 partial h=1 b=100 rps=0.5 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name:  "max gap restarts the stream",
		cfg:   Config{Interval: 10, Lateness: 2, Top: 10, MaxGap: 100},
		ops:   []op{hit(100), hit(101), hit(500), hit(499), hit(501)},
		trace: true,
		want: []string{
			"add 100",
			"add 101",
			"add 500",
			"tick 100 h=1 b=100 2xx=1",
			"tick 101 h=1 b=100 2xx=1",
			`sum 100-110 s=2 partial h=2 b=200 rps=1 2xx=2 n=1 ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]`,
			"add 499",
			"add 501",
			"flush",
			"tick 499 h=1 b=100 2xx=1",
			`sum 490-500 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 500 h=1 b=100 2xx=1",
			"tick 501 h=1 b=100 2xx=1",
			`sum 500-510 s=2 partial h=2 b=200 rps=1 2xx=2 n=1 ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "max gap below interval splits the interval",
		cfg:  Config{Interval: 10, Lateness: 0, Top: 10, MaxGap: 3},
		ops:  []op{hit(100), hit(105)},
		want: []string{
			"tick 100 h=1 b=100 2xx=1",
			`sum 100-110 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 105 h=1 b=100 2xx=1",
			`sum 100-110 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "bogus future timestamp: later requests are late",
		cfg:  Config{Interval: 10, Lateness: 0, Top: 10, MaxGap: 100},
		ops:  []op{hit(100), hit(9_000_000), hit(101)},
		want: []string{
			"tick 100 h=1 b=100 2xx=1",
			`sum 100-110 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 9000000 h=1 b=100 2xx=1",
			`sum 9000000-9000010 s=1 partial h=1 b=100 rps=1 2xx=1 late=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "gap of exactly max gap is filled",
		cfg:  Config{Interval: 5, Lateness: 0, Top: 10, MaxGap: 5},
		ops:  []op{hit(100), hit(105)},
		want: lines(
			"tick 100 h=1 b=100 2xx=1",
			zeroTicks(101, 104),
			`sum 100-105 s=5 h=1 b=100 rps=0.2 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick 105 h=1 b=100 2xx=1",
			`sum 105-110 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		),
	}, {
		name: "top sections by hits, ties by name",
		cfg:  Config{Interval: 10, Top: 2},
		ops: []op{
			in("/b", hit(100)), in("/b", hit(100)),
			in("/a", hit(100)), in("/a", hit(100)),
			in("/c", hit(100)), in("/c", hit(100)), in("/c", hit(100)),
			in("", hit(100)), in("/d", hit(100)),
		},
		want: []string{
			"tick 100 h=9 b=900 2xx=9",
			`sum 100-110 s=1 partial h=9 b=900 rps=9 2xx=9 n=5 ["/c" h=3 b=300 4x=0 5x=0 top="/a/x":100] ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "all sections, the empty one is its own",
		cfg:  cfg(10, 0),
		ops: []op{
			in("/b", hit(100)), in("/b", hit(100)),
			in("/a", hit(100)), in("/a", hit(100)),
			in("/c", hit(100)), in("/c", hit(100)), in("/c", hit(100)),
			in("/d", hit(100)), req(100, 200, 1, "", "/"), in("", hit(100)),
		},
		want: []string{
			"tick 100 h=10 b=901 2xx=10",
			`sum 100-110 s=1 partial h=10 b=901 rps=10 2xx=10 n=5` +
				` ["/c" h=3 b=300 4x=0 5x=0 top="/a/x":100]` +
				` ["" h=2 b=101 4x=0 5x=0 top="/a/x":100]` +
				` ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]` +
				` ["/b" h=2 b=200 4x=0 5x=0 top="/a/x":100]` +
				` ["/d" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "heaviest document, first wins ties, raw request line without path",
		cfg:  cfg(10, 0),
		ops: []op{
			req(100, 200, 50, "/a", "/a/1"),
			req(100, 200, 80, "/a", "/a/2"),
			req(101, 200, 80, "/a", "/a/3"),
			req(101, 200, 10, "/a", "/a/4"),
			{r: event.Request{TS: 101, Status: 400, Bytes: -1, Section: []byte("/b"), Request: []byte("GARBAGE")}},
			req(101, 200, 0, "/b", "/b/x"),
			req(101, 200, -1, "/c", "/c/1"),
			req(101, 200, -1, "/c", "/c/2"),
		},
		want: []string{
			"tick 100 h=2 b=130 2xx=2",
			"tick 101 h=6 b=90 2xx=5 4xx=1",
			`sum 100-110 s=2 partial h=8 b=220 rps=4 2xx=7 4xx=1 n=3` +
				` ["/a" h=4 b=220 4x=0 5x=0 top="/a/2":80]` +
				` ["/b" h=2 b=0 4x=1 5x=0 top="GARBAGE":0]` +
				` ["/c" h=2 b=0 4x=0 5x=0 top="/c/1":0]`,
		},
	}, {
		name: "dash bytes count zero",
		cfg:  cfg(10, 0),
		ops:  []op{req(100, 304, -1, "/a", "/a/x"), req(100, 200, 7, "/a", "/a/y")},
		want: []string{
			"tick 100 h=2 b=7 2xx=1 3xx=1",
			`sum 100-110 s=1 partial h=2 b=7 rps=2 2xx=1 3xx=1 n=1 ["/a" h=2 b=7 4x=0 5x=0 top="/a/y":7]`,
		},
	}, {
		name: "status classes including missing status",
		cfg:  cfg(10, 0),
		ops: []op{
			req(100, 0, 0, "/", "/"), req(100, 99, 0, "/", "/"), req(100, 100, 0, "/", "/"),
			req(100, 199, 0, "/", "/"), req(100, 200, 0, "/", "/"), req(100, 301, 0, "/", "/"),
			req(100, 404, 0, "/", "/"), req(100, 499, 0, "/", "/"), req(100, 500, 0, "/", "/"),
			req(100, 599, 0, "/", "/"), req(100, 600, 0, "/", "/"),
		},
		want: []string{
			"tick 100 h=11 b=0 1xx=2 2xx=1 3xx=1 4xx=2 5xx=2 other=3",
			`sum 100-110 s=1 partial h=11 b=0 rps=11 1xx=2 2xx=1 3xx=1 4xx=2 5xx=2 other=3 n=1 ["/" h=11 b=0 4x=2 5x=2 top="/":0]`,
		},
	}, {
		name:  "utc offset of the second's own requests",
		cfg:   cfg(10, 0),
		ops:   []op{off(3600, hit(100)), off(3600, hit(101)), off(-18000, hit(102)), off(7200, hit(100))},
		trace: true,
		want: []string{
			"add 100",
			"add 101",
			"tick 100 h=1 b=100 2xx=1 off=3600",
			"add 102",
			"tick 101 h=1 b=100 2xx=1 off=3600",
			"add 100 late",
			"flush",
			"tick 102 h=1 b=100 2xx=1 off=-18000",
			`sum 100-110 s=3 partial h=3 b=300 rps=1 2xx=3 late=1 off=-18000 n=1 ["/a" h=3 b=300 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name:  "flush is idempotent and add after flush continues",
		cfg:   cfg(10, 1),
		ops:   []op{hit(100), hit(101), flush, flush, hit(103), hit(101), flush},
		trace: true,
		want: []string{
			"add 100",
			"add 101",
			"flush",
			"tick 100 h=1 b=100 2xx=1",
			"tick 101 h=1 b=100 2xx=1",
			`sum 100-110 s=2 partial h=2 b=200 rps=1 2xx=2 n=1 ["/a" h=2 b=200 4x=0 5x=0 top="/a/x":100]`,
			"flush",
			"add 103",
			"add 101 late",
			"flush",
			"tick 102 h=0 b=0",
			"tick 103 h=1 b=100 2xx=1",
			`sum 100-110 s=2 partial h=1 b=100 rps=0.5 2xx=1 late=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"flush",
		},
	}, {
		name:  "late after flush alone gets a summary",
		cfg:   cfg(10, 0),
		ops:   []op{hit(109), flush, hit(100)},
		trace: true,
		want: []string{
			"add 109",
			"flush",
			"tick 109 h=1 b=100 2xx=1",
			`sum 100-110 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"add 100 late",
			"flush",
			"sum 110-120 s=0 partial h=0 b=0 rps=0 late=1 n=0",
		},
	}, {
		name: "before 1970",
		cfg:  cfg(10, 0),
		ops:  []op{hit(-11), hit(-10)},
		want: []string{
			"tick -11 h=1 b=100 2xx=1",
			`sum -20--10 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
			"tick -10 h=1 b=100 2xx=1",
			`sum -10-0 s=1 partial h=1 b=100 rps=1 2xx=1 n=1 ["/a" h=1 b=100 4x=0 5x=0 top="/a/x":100]`,
		},
	}, {
		name: "no input, no output",
		cfg:  cfg(10, 5),
		want: nil,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _ := run(t, tc.cfg, tc.ops, tc.trace)
			diffLines(t, tc.want, got)
		})
	}
}

func TestStats(t *testing.T) {
	c := Config{Interval: 10, Lateness: 2, Top: 10, MaxGap: 100}
	_, rec, a := run(t, c, []op{hit(100), hit(103), hit(100), hit(500), hit(501), hit(10000)}, false)
	want := Stats{
		Requests:  6,
		Late:      1,
		Ticks:     int64(len(rec.ticks)),
		Summaries: int64(len(rec.sums)),
		Gaps:      2,
	}
	if got := a.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
	if want.Ticks != 4+2+1 || want.Summaries != 3 {
		t.Errorf("got %d ticks, %d summaries, want 7, 3", want.Ticks, want.Summaries)
	}
}

// failSink fails on the nth record.
type failSink struct {
	n   int
	err error
}

func (f *failSink) record() error {
	f.n--
	if f.n == 0 {
		return f.err
	}
	return nil
}

func (f *failSink) Tick(*event.Tick) error       { return f.record() }
func (f *failSink) Summary(*event.Summary) error { return f.record() }

func TestSinkErrorIsSticky(t *testing.T) {
	for _, n := range []int{1, 2} { // a tick, a summary
		boom := errors.New("boom")
		a, err := New(cfg(1, 0), &failSink{n: n, err: boom})
		if err != nil {
			t.Fatal(err)
		}
		r := event.Request{TS: 100}
		if _, err := a.Add(&r); err != nil {
			t.Fatalf("first Add: %v", err)
		}
		r.TS = 101
		if _, err := a.Add(&r); !errors.Is(err, boom) {
			t.Errorf("n=%d: Add = %v, want %v", n, err, boom)
		}
		if _, err := a.Add(&r); !errors.Is(err, boom) {
			t.Errorf("n=%d: Add after error = %v, want %v", n, err, boom)
		}
		if err := a.Flush(); !errors.Is(err, boom) {
			t.Errorf("n=%d: Flush after error = %v, want %v", n, err, boom)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{DefaultConfig(), ""},
		{Config{Interval: 1, Lateness: 0, Top: 1, MaxGap: 0}, ""},
		{Config{Interval: 0, Lateness: 5, Top: 10}, "--interval must be at least 1s, got 0s"},
		{Config{Interval: -3, Lateness: 5, Top: 10}, "--interval must be at least 1s, got -3s"},
		{Config{Interval: 10, Lateness: -1, Top: 10}, "--lateness must not be negative, got -1s"},
		{Config{Interval: 10, Lateness: 5, Top: 0}, "--top must be at least 1, got 0"},
		{Config{Interval: 10, Lateness: 5, Top: 10, MaxGap: -1}, "--max-gap must not be negative (0 means no limit), got -1s"},
	}
	for _, tc := range tests {
		err := tc.cfg.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%+v.Validate() = %q, want %q", tc.cfg, got, tc.want)
		}
		if _, err := New(tc.cfg, &recorder{}); (err == nil) != (tc.want == "") {
			t.Errorf("New(%+v) error = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if _, err := New(DefaultConfig(), nil); err == nil {
		t.Error("New with nil Sink: no error")
	}
}
