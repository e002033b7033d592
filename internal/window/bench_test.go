package window

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// typicalLine is a request record as httpmon-parse writes it; its size is
// what one Add stands for in a pipeline's throughput.
const typicalLine = `{"kind":"request","ts":1700000000,"utc_offset":3600,"source":"access.log",` +
	`"remote_host":"203.0.113.7","method":"GET","path":"/api/users/12345?page=2",` +
	`"protocol":"HTTP/1.1","section":"/api","status":200,"bytes":5123,` +
	`"referer":"https://example.com/","user_agent":"Mozilla/5.0 (X11; Linux x86_64)"}` + "\n"

// discard is a Sink that keeps nothing, so that benchmarks measure the
// Aggregator alone.
type discard struct{}

func (discard) Tick(*event.Tick) error       { return nil }
func (discard) Summary(*event.Summary) error { return nil }

// realistic returns n requests at about rate per second, a little out of
// order, over a few dozen sections with a long tail, mostly 2xx, with
// log-normal request times in milliseconds, or none if !times.
func realistic(n, rate int, times bool) []event.Request {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.2, 1, 40)
	sections := make([][]byte, 41)
	for i := range sections {
		sections[i] = fmt.Appendf(nil, "/s%d", i)
	}
	statuses := []int{200, 200, 200, 200, 200, 200, 200, 304, 301, 404, 500}
	reqs := make([]event.Request, n)
	for i := range reqs {
		sec := sections[zipf.Uint64()]
		reqs[i] = event.Request{
			TS:         1_700_000_000 + int64(i/rate) - rng.Int64N(2),
			UTCOffset:  3600,
			Status:     statuses[rng.IntN(len(statuses))],
			Bytes:      rng.Int64N(20000) - 1,
			Source:     []byte("access.log"),
			RemoteHost: []byte("203.0.113.7"),
			Method:     []byte("GET"),
			Path:       fmt.Appendf(nil, "%s/item/%d", sec, rng.IntN(1000)),
			Protocol:   []byte("HTTP/1.1"),
			Section:    sec,
			Referer:    []byte("https://example.com/"),
			UserAgent:  []byte("Mozilla/5.0 (X11; Linux x86_64)"),

			RequestTime: -1, UpstreamTime: -1, RequestLength: -1,
		}
		if times {
			reqs[i].RequestTime = math.Round(math.Exp(rng.NormFloat64()-3)*1e3) / 1e3
		}
	}
	return reqs
}

// cycle adds reqs to a forever, shifting time on each pass so that the
// stream keeps moving forward instead of turning late.
type cycle struct {
	reqs []event.Request
	span int64
	i    int
}

func newCycle(n, rate int, times bool) *cycle {
	reqs := realistic(n, rate, times)
	return &cycle{reqs: reqs, span: int64(n/rate) + 2}
}

func (c *cycle) next() *event.Request {
	if c.i == len(c.reqs) {
		c.i = 0
		for j := range c.reqs {
			c.reqs[j].TS += c.span
		}
	}
	c.i++
	return &c.reqs[c.i-1]
}

func BenchmarkAdd(b *testing.B) {
	for _, bc := range []struct {
		rate  int
		times bool
	}{{100, false}, {10000, false}, {100, true}, {10000, true}} {
		b.Run(fmt.Sprintf("rate=%d/times=%v", bc.rate, bc.times), func(b *testing.B) {
			c := newCycle(1<<16, bc.rate, bc.times)
			a, err := New(DefaultConfig(), discard{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(typicalLine)))
			for b.Loop() {
				if _, err := a.Add(c.next()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/request")
			if a.Stats().Late != 0 {
				b.Fatalf("%d late requests: the benchmark is not measuring the steady state", a.Stats().Late)
			}
		})
	}
}

// TestAddDoesNotAllocate pins the steady state: once every section has been
// seen, adding requests and emitting ticks and summaries allocates nothing,
// with request times or without.
func TestAddDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	t.Run("times=false", func(t *testing.T) { addDoesNotAllocate(t, false) })
	t.Run("times=true", func(t *testing.T) { addDoesNotAllocate(t, true) })
}

func addDoesNotAllocate(t *testing.T, times bool) {
	c := newCycle(1<<12, 100, times)
	a, err := New(DefaultConfig(), discard{})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 * len(c.reqs) { // warm up: all sections in all recycled intervals
		if _, err := a.Add(c.next()); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(2*len(c.reqs), func() {
		if _, err := a.Add(c.next()); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Add allocates %v times per request", allocs)
	}
}
