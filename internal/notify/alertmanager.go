package notify

import (
	"context"
	"encoding/json"
	"net/url"
	"sync"
	"time"
)

// AlertmanagerConfig configures an Alertmanager sink.
type AlertmanagerConfig struct {
	// HTTP is the delivery: URL is Alertmanager's base URL, like
	// http://127.0.0.1:9093, to which /api/v2/alerts is added; Body is
	// set by NewAlertmanager.
	HTTP HTTPConfig
	// Resend is how often firing alerts are sent again, so that
	// Alertmanager keeps them: each says it ends ResendLifetimes resend
	// periods after it was sent, unless sent again.
	Resend time.Duration
	// ExternalURL is written as each alert's generatorURL, if set.
	ExternalURL string
	// Now is the wall clock of the endsAt of firing alerts; nil means
	// time.Now.
	Now func() time.Time
}

// ResendLifetimes is how many resend periods a firing alert stays active
// in Alertmanager without being sent again, as Prometheus does (four), so
// that a lost resend or two does not resolve it.
const ResendLifetimes = 4

// Alertmanager pushes alerts to Alertmanager's API as Prometheus does:
// a firing alert with an endsAt a few resend periods ahead, sent again
// every resend period while it fires, and its resolution with endsAt at
// the time it resolved. For an HA pair, make one sink per instance: each
// gets every alert, and an instance that is down holds up no other.
type Alertmanager struct {
	h      *HTTP
	resend time.Duration

	mu     sync.Mutex
	active map[string]*Alert // firing alerts, by Key
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

// postableAlert is an alert as Alertmanager's POST /api/v2/alerts takes
// it.
type postableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     string            `json:"startsAt"`
	EndsAt       string            `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// AlertmanagerAPIBody returns a function that builds the body of
// Alertmanager's POST /api/v2/alerts for one alert: a firing alert ends
// lifetime after now, unless sent again; a resolution ends when it
// resolved.
func AlertmanagerAPIBody(externalURL string, lifetime time.Duration, now func() time.Time) func(a *Alert) ([]byte, error) {
	return func(a *Alert) ([]byte, error) {
		end := now().Add(lifetime).UTC().Format(time.RFC3339)
		if a.Resolved() {
			end = rfc3339(a.EndsAt)
		}
		return json.Marshal([]postableAlert{{
			Labels: labelSet(a), Annotations: annotations(a),
			StartsAt: rfc3339(a.StartsAt), EndsAt: end, GeneratorURL: externalURL,
		}})
	}
}

// NewAlertmanager starts an Alertmanager sink.
func NewAlertmanager(cfg AlertmanagerConfig) (*Alertmanager, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	u, err := url.JoinPath(cfg.HTTP.URL, "api/v2/alerts")
	if err != nil {
		return nil, err
	}
	cfg.HTTP.URL = u
	cfg.HTTP.Resolved = true
	cfg.HTTP.Body = AlertmanagerAPIBody(cfg.ExternalURL, ResendLifetimes*cfg.Resend, cfg.Now)
	am := &Alertmanager{
		h: NewHTTP(cfg.HTTP), resend: cfg.Resend, active: map[string]*Alert{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go am.resendLoop()
	return am, nil
}

// Name implements Sink.
func (am *Alertmanager) Name() string { return am.h.Name() }

// Notify implements Sink.
func (am *Alertmanager) Notify(a *Alert) {
	am.mu.Lock()
	defer am.mu.Unlock()
	if am.closed {
		return
	}
	if a.Resolved() {
		delete(am.active, a.Key())
	} else {
		am.active[a.Key()] = a
	}
	am.h.Notify(a)
}

// resendLoop sends the firing alerts again every resend period. A resend
// goes through the same queue as the transitions, so it can never reach
// Alertmanager after the resolution that ends its alert.
func (am *Alertmanager) resendLoop() {
	defer close(am.done)
	if am.resend <= 0 {
		<-am.stop
		return
	}
	t := time.NewTicker(am.resend)
	defer t.Stop()
	for {
		select {
		case <-am.stop:
			return
		case <-t.C:
		}
		am.mu.Lock()
		for _, a := range am.active {
			again := *a
			again.Resend = true
			am.h.Notify(&again)
		}
		am.mu.Unlock()
	}
}

// Close implements Sink. Alerts still firing are left to expire at their
// endsAt, as Prometheus leaves them when it stops: httpmon-alert ending
// says nothing about the traffic.
func (am *Alertmanager) Close(ctx context.Context) Stats {
	am.mu.Lock()
	am.closed = true
	am.mu.Unlock()
	close(am.stop)
	<-am.done
	return am.h.Close(ctx)
}
