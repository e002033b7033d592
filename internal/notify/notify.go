// Package notify delivers alert transitions to people: by running a
// command, by POSTing an Alertmanager-compatible webhook, or by posting to a
// Slack incoming webhook. Delivery never blocks the caller: every sink has
// a bounded queue and its own goroutines, and what cannot be delivered is
// counted and dropped. Wall-clock time is used only for timeouts and
// retries; the alerts themselves carry event time.
package notify

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/httpmon/httpmon/internal/humane"
)

// Label is a name-value pair of an alert's labels or annotations.
type Label struct{ Name, Value string }

// Alert is one transition to deliver. It owns its data: the stream's
// buffers are reused long before a slow receiver is done with it.
type Alert struct {
	Name      string
	State     string // "firing" or "resolved"
	TS        int64  // second of the transition, event time
	UTCOffset int32
	Metric    string
	Op        string
	Value     float64
	Threshold float64
	Window    int64
	Hits      int64
	Rate      float64
	For       int64
	Keep      int64
	StartsAt  int64
	EndsAt    int64 // resolved alerts only
	// Labels identify the alert, alertname not included; sorted by name.
	Labels []Label
	// Annotations are texts for people; sorted by name.
	Annotations []Label
	// Record is the alert record as JSON, without its newline.
	Record []byte
	// Resend marks a firing alert sent again to keep it alive at its
	// receiver (Alertmanager's API). Losing one loses nothing the next
	// will not say, so it is neither reported nor counted as dropped.
	Resend bool
}

// Key identifies the alert whose transition a is, as Alertmanager does:
// its name and labels. Transitions of one key are delivered in order.
func (a *Alert) Key() string {
	var b strings.Builder
	b.WriteString(a.Name)
	for _, l := range a.Labels {
		b.WriteByte(0xff)
		b.WriteString(l.Name)
		b.WriteByte(0xff)
		b.WriteString(l.Value)
	}
	return b.String()
}

// Resolved reports whether the alert is a resolution.
func (a *Alert) Resolved() bool { return a.State == "resolved" }

// Summary is a one-line description of the alert for people.
func (a *Alert) Summary() string {
	verb := "firing"
	if a.Resolved() {
		verb = "resolved"
	}
	s := fmt.Sprintf("%s %s: %s = %s (rule %s %s %s over %s)", a.Name, verb, a.Metric, humane.Value(a.Metric, a.Value),
		a.Metric, a.Op, humane.Value(a.Metric, a.Threshold), humane.Duration(a.Window))
	for i, l := range a.Labels {
		if i == 0 {
			s += ";"
		}
		s += " " + l.Name + "=" + l.Value
	}
	return s
}

// Time returns the second of the transition for people, in the zone of
// the log it came from: "2019-02-07 21:12:36 +0000".
func (a *Alert) Time() string {
	return time.Unix(a.TS, 0).In(time.FixedZone("", int(a.UTCOffset))).Format(humane.TimeLayout)
}

// FormatValue writes a metric's value for people, as humane.Value does.
func FormatValue(metric string, v float64) string { return humane.Value(metric, v) }

// Sink delivers alerts in the background.
type Sink interface {
	// Name says what the sink is in messages, like "notify-webhook".
	Name() string
	// Notify queues a for delivery and returns at once; when the queue is
	// full, a is dropped and counted.
	Notify(a *Alert)
	// Close stops taking alerts and delivers what is queued until ctx is
	// done; what is left then is dropped and counted.
	Close(ctx context.Context) Stats
}

// Stats count a sink's deliveries.
type Stats struct {
	Delivered int64
	Failed    int64 // attempts that failed, retried or not
	Dropped   int64 // alerts never delivered: queue full, out of attempts, or cut off at exit
}

// Log writes one message per line to a writer shared between goroutines.
type Log struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

// NewLog returns a Log that writes "prefix: message" lines to w.
func NewLog(w io.Writer, prefix string) *Log { return &Log{w: w, prefix: prefix} }

// Printf writes one line.
func (l *Log) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, l.prefix+": "+format+"\n", args...)
}

// queue hands alerts to a fixed number of workers. It never blocks the
// caller: an alert that finds it full is dropped and counted. At close,
// what is queued gets until a context is done, then the workers' context is
// cancelled so that a running delivery gives up too.
//
// The transitions of one alert are handled one at a time, in the order
// queued, whatever the number of workers: a receiver must never see a
// resolution before the firing it ends. Each gets a ticket at push, and a
// worker that takes one before its predecessor is done waits for it.
// Workers take alerts in queue order, so the predecessor is always with a
// worker already, and different alerts still go in parallel.
type queue struct {
	name   string
	log    *Log
	ch     chan ticket
	wg     sync.WaitGroup
	ctx    context.Context // cancelled when close gives up
	cancel context.CancelFunc
	stats  counters
	closed bool

	mu   sync.Mutex
	next *sync.Cond       // broadcast when an alert's transition is done
	keys map[string]*turn // alerts with transitions queued or running

	// Queue-full messages are limited to one a second: a flapping rule
	// can overflow a queue thousands of times a second, and the exit
	// summary counts every drop anyway.
	now        func() time.Time
	lastFull   time.Time
	unreported int64 // drops since the last queue-full message
}

// ticket is a queued alert and its place among its key's transitions.
type ticket struct {
	a   *Alert
	key string
	seq uint64
}

// turn counts one key's transitions: queued ones got tickets 1 to
// queued, and those up to done have been handled.
type turn struct{ queued, done uint64 }

// start starts workers goroutines that call handle for each queued alert.
func (q *queue) start(name string, log *Log, size, workers int, handle func(*Alert)) {
	q.name, q.log = name, log
	if q.now == nil {
		q.now = time.Now
	}
	q.ch = make(chan ticket, max(size, 1))
	q.next = sync.NewCond(&q.mu)
	q.keys = map[string]*turn{}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	for range max(workers, 1) {
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			for t := range q.ch {
				q.wait(t)
				if q.ctx.Err() != nil {
					q.stats.add(0, 0, 1)
				} else {
					handle(t.a)
				}
				q.finish(t)
			}
		}()
	}
}

// wait returns when t's predecessors of its key have been handled.
func (q *queue) wait(t ticket) {
	q.mu.Lock()
	for q.keys[t.key].done+1 != t.seq {
		q.next.Wait()
	}
	q.mu.Unlock()
}

// finish lets t's successor go.
func (q *queue) finish(t ticket) {
	q.mu.Lock()
	k := q.keys[t.key]
	k.done++
	if k.done == k.queued {
		delete(q.keys, t.key)
	}
	q.mu.Unlock()
	q.next.Broadcast()
}

// push queues a, or drops it when the queue is full or closed. push and
// close are called from one goroutine.
func (q *queue) push(a *Alert) {
	if q.closed {
		return
	}
	key := a.Key()
	// The ticket is taken only if the alert goes in: a dropped alert
	// must not leave a gap its successors would wait on forever.
	q.mu.Lock()
	k := q.keys[key]
	if k == nil {
		k = &turn{}
		q.keys[key] = k
	}
	select {
	case q.ch <- ticket{a, key, k.queued + 1}:
		k.queued++
		q.mu.Unlock()
		return
	default:
		if k.queued == k.done {
			delete(q.keys, key)
		}
		q.mu.Unlock()
	}
	if a.Resend {
		return
	}
	q.stats.add(0, 0, 1)
	now := q.now()
	if !q.lastFull.IsZero() && now.Sub(q.lastFull) < time.Second {
		q.unreported++
		return
	}
	q.lastFull = now
	if n := q.unreported; n > 0 {
		q.unreported = 0
		q.log.Printf("%s: queue of %d full, %s %s dropped (%d more dropped since the last message)", q.name, cap(q.ch), a.Name, a.State, n)
		return
	}
	q.log.Printf("%s: queue of %d full, %s %s dropped", q.name, cap(q.ch), a.Name, a.State)
}

// close stops taking alerts and waits for the queued ones until ctx is
// done; the rest are dropped and counted.
func (q *queue) close(ctx context.Context) Stats {
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		q.cancel()
		<-done
	}
	q.cancel()
	return q.stats.get()
}

// counters are a sink's Stats, shared by its goroutines.
type counters struct {
	mu sync.Mutex
	s  Stats
}

func (c *counters) add(delivered, failed, dropped int64) {
	c.mu.Lock()
	c.s.Delivered += delivered
	c.s.Failed += failed
	c.s.Dropped += dropped
	c.mu.Unlock()
}

func (c *counters) get() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}
