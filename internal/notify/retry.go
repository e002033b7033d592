package notify

import (
	"context"
	"errors"
	"sync"
	"time"
)

// retryConfig is how a sink tries a delivery again.
type retryConfig struct {
	// Target names the receiver in messages without its secrets: a
	// scheme and host.
	Target string
	// Attempts is how many times an alert is tried, at least 1.
	Attempts int
	// Backoff is the wait after the first failed attempt; it doubles
	// after each further one, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	Sleep               func(ctx context.Context, d time.Duration) error
	Log                 *Log
}

// outage tracks a receiver that fails: it is reported when it starts
// failing and when it answers again, with the count in between, rather
// than at every failed attempt.
type outage struct {
	mu       sync.Mutex
	failing  bool
	failures int64
}

// failed records a failed attempt and reports whether it starts an outage.
func (o *outage) failed() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failures++
	if o.failing {
		return false
	}
	o.failing = true
	return true
}

// succeeded records a delivery and returns the failed attempts of the
// outage it ends, or 0.
func (o *outage) succeeded() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.failures
	if !o.failing {
		n = 0
	}
	o.failing, o.failures = false, 0
	return n
}

// retry calls send for a until it succeeds, fails for good or runs out
// of attempts, counting and reporting as it goes. A resend that fails is
// counted as a failed attempt only: the alert it repeats was delivered.
func (q *queue) retry(a *Alert, cfg retryConfig, o *outage, send func() error) {
	wait := cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := send()
		if err == nil {
			q.stats.add(1, 0, 0)
			if n := o.succeeded(); n > 0 {
				cfg.Log.Printf("%s: %s answers again, after %d failed attempts", q.name, cfg.Target, n)
			}
			return
		}
		q.stats.add(0, 1, 0)
		if o.failed() {
			cfg.Log.Printf("%s: %s failing: %v; retrying with backoff, further failures counted until it answers", q.name, cfg.Target, err)
		}
		lost := func(format string, args ...any) {
			if a.Resend {
				return
			}
			q.stats.add(0, 0, 1)
			cfg.Log.Printf(format, args...)
		}
		var perm permanentError
		switch {
		case q.ctx.Err() != nil:
			lost("%s: %s %s: cut off at exit: %v", q.name, a.Name, a.State, err)
			return
		case errors.As(err, &perm) || attempt >= max(cfg.Attempts, 1):
			lost("%s: %s %s dropped after %d attempts: %v", q.name, a.Name, a.State, attempt, err)
			return
		}
		if cfg.Sleep(q.ctx, wait) != nil {
			lost("%s: %s %s: cut off at exit: %v", q.name, a.Name, a.State, err)
			return
		}
		wait = min(2*wait, cfg.MaxBackoff)
	}
}
