package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// HTTPConfig configures an HTTP sink.
type HTTPConfig struct {
	// Name says what the sink is in messages: "notify-webhook".
	Name string
	URL  string
	// Body builds the request body of an alert.
	Body func(a *Alert) ([]byte, error)
	// Resolved sends resolutions too; with false only firing alerts go.
	Resolved bool
	// Timeout bounds one attempt.
	Timeout time.Duration
	// Attempts is how many times an alert is tried, at least 1.
	Attempts int
	// Backoff is the wait after the first failed attempt; it doubles after
	// each further one, up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// Queue is how many alerts may wait for delivery, at least 1.
	Queue int
	// Client sends the requests; nil means a client of its own.
	Client *http.Client
	// Sleep waits between attempts; nil means a timer. Tests replace it to
	// run retries without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *Log
}

// HTTP POSTs alerts as JSON to a URL, one at a time and in order, so that
// a receiver never sees a resolution before the firing it ends.
type HTTP struct {
	cfg    HTTPConfig
	q      queue
	outage outage
}

// NewHTTP starts an HTTP sink's worker.
func NewHTTP(cfg HTTPConfig) *HTTP {
	cfg.Attempts = max(cfg.Attempts, 1)
	if cfg.Client == nil {
		cfg.Client = &http.Client{
			// A redirect would resend the alert to a URL nobody
			// configured, as a GET without its body: a 3xx is a failure.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	h := &HTTP{cfg: cfg}
	h.q.start(cfg.Name, cfg.Log, cfg.Queue, 1, h.deliver)
	return h
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Name implements Sink.
func (h *HTTP) Name() string { return h.cfg.Name }

// Notify implements Sink. Notify and Close are called from one goroutine.
func (h *HTTP) Notify(a *Alert) {
	if a.Resolved() && !h.cfg.Resolved {
		return
	}
	h.q.push(a)
}

// permanentError is a failure that trying again will not fix.
type permanentError struct{ error }

// deliver tries an alert up to Attempts times, backing off in between.
func (h *HTTP) deliver(a *Alert) {
	body, err := h.cfg.Body(a)
	if err != nil {
		h.q.stats.add(0, 1, 1)
		h.cfg.Log.Printf("%s: %s %s: %v", h.Name(), a.Name, a.State, err)
		return
	}
	h.q.retry(a, retryConfig{
		Target: RedactURL(h.cfg.URL), Attempts: h.cfg.Attempts, Backoff: h.cfg.Backoff, MaxBackoff: h.cfg.MaxBackoff,
		Sleep: h.cfg.Sleep, Log: h.cfg.Log,
	}, &h.outage, func() error { return h.post(body) })
}

func (h *HTTP) post(body []byte) error {
	ctx := h.q.ctx
	if h.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.cfg.Timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.URL, bytes.NewReader(body))
	if err != nil {
		// Its message quotes the URL, token and all.
		return permanentError{fmt.Errorf("POST %s: cannot make the request", RedactURL(h.cfg.URL))}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "httpmon-alert")
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		return redactError(err, h.cfg.URL)
	}
	// Read a little of the body, for the message and so the connection
	// can be reused.
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return nil
	}
	// The reason phrase is the receiver's text, as untrusted as its body.
	status := textsafe.String(resp.Status)
	err = fmt.Errorf("HTTP %s", status)
	if m := strings.TrimSpace(strings.ToValidUTF8(string(msg), "\uFFFD")); m != "" {
		err = fmt.Errorf("HTTP %s: %q", status, m)
	}
	// Other 4xx answers say the request itself is wrong; sending it again
	// would get the same answer, and so would a redirect, not followed.
	if resp.StatusCode/100 == 3 ||
		resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return permanentError{err}
	}
	return err
}

// Close implements Sink.
func (h *HTTP) Close(ctx context.Context) Stats { return h.q.close(ctx) }
