package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/httpmon/httpmon/internal/humane"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// EmailConfig configures an Email sink.
type EmailConfig struct {
	// Host and Port are the SMTP server's. With SSL the connection is TLS
	// from the start (smtps, port 465); without, STARTTLS is used when the
	// server offers it (smtp, port 587).
	Host string
	Port int
	SSL  bool
	// Username and Password log in, when Username is set.
	Username, Password string
	From               string
	To                 []string
	// Timeout bounds one delivery, connection included.
	Timeout time.Duration
	// Attempts, Backoff, MaxBackoff and Queue work as for HTTP sinks.
	Attempts            int
	Backoff, MaxBackoff time.Duration
	Queue               int
	// Sleep waits between attempts; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *Log
}

// Email sends one message per transition to a list of addresses.
type Email struct {
	cfg    EmailConfig
	q      queue
	outage outage
}

// NewEmail starts an Email sink's worker.
func NewEmail(cfg EmailConfig) *Email {
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	e := &Email{cfg: cfg}
	e.q.start(e.Name(), cfg.Log, cfg.Queue, 1, e.deliver)
	return e
}

// Name implements Sink.
func (e *Email) Name() string { return "notify-email" }

// Notify implements Sink. Notify and Close are called from one goroutine.
func (e *Email) Notify(a *Alert) { e.q.push(a) }

// Close implements Sink.
func (e *Email) Close(ctx context.Context) Stats { return e.q.close(ctx) }

// target names the server in messages: the scheme and host, never the
// user.
func (e *Email) target() string {
	scheme := "smtp"
	if e.cfg.SSL {
		scheme = "smtps"
	}
	return fmt.Sprintf("%s://%s:%d", scheme, e.cfg.Host, e.cfg.Port)
}

func (e *Email) deliver(a *Alert) {
	msg, err := e.message(a)
	if err != nil {
		e.q.stats.add(0, 1, 1)
		e.cfg.Log.Printf("%s: %s %s: %v", e.Name(), a.Name, a.State, err)
		return
	}
	e.q.retry(a, retryConfig{
		Target: e.target(), Attempts: e.cfg.Attempts, Backoff: e.cfg.Backoff, MaxBackoff: e.cfg.MaxBackoff,
		Sleep: e.cfg.Sleep, Log: e.cfg.Log,
	}, &e.outage, func() error { return e.send(msg) })
}

// message builds the mail of one transition.
func (e *Email) message(a *Alert) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(e.cfg.From); err != nil {
		return nil, err
	}
	if err := m.To(e.cfg.To...); err != nil {
		return nil, err
	}
	m.Subject(Subject(a))
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(mail.TypeTextPlain, Body(a))
	return m, nil
}

func (e *Email) send(m *mail.Msg) error {
	opts := []mail.Option{mail.WithPort(e.cfg.Port), mail.WithTimeout(e.cfg.Timeout), mail.WithTLSPolicy(mail.TLSOpportunistic)}
	if e.cfg.SSL {
		opts = append(opts, mail.WithSSL())
	}
	if e.cfg.Username != "" {
		// The best mechanism the server offers. PLAIN and LOGIN, which
		// send the password as it is, go only over TLS or to localhost,
		// as with net/smtp.
		opts = append(opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthSCRAMSHA256PLUS, mail.SMTPAuthSCRAMSHA256,
			mail.SMTPAuthSCRAMSHA1PLUS, mail.SMTPAuthSCRAMSHA1, mail.SMTPAuthCramMD5, mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(e.cfg.Username), mail.WithPassword(e.cfg.Password))
	}
	c, err := mail.NewClient(e.cfg.Host, opts...)
	if err != nil {
		return permanentError{err}
	}
	ctx := e.q.ctx
	if e.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.cfg.Timeout)
		defer cancel()
	}
	err = c.DialAndSendWithContext(ctx, m)
	if err == nil {
		return nil
	}
	// The server's replies are its text, as untrusted as a webhook's
	// body; the password is never in them.
	msg := errors.New(textsafe.String(err.Error()))
	var se *mail.SendError
	// A 5xx reply refuses the mail for good; trying again gets the same.
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode()/100 == 5 {
		return permanentError{msg}
	}
	return msg
}

// Subject is the subject of a transition's mail:
// "[FIRING] api_errors: 5xx_ratio = 7.5%".
func Subject(a *Alert) string {
	return fmt.Sprintf("[%s] %s: %s = %s", strings.ToUpper(a.State), a.Name, a.Metric, humane.Value(a.Metric, a.Value))
}

// Body is the plain-text body of a transition's mail: what happened and
// when, in the zone of the log, the rule, the window's figures, the
// labels and the annotations.
func Body(a *Alert) string {
	zone := time.FixedZone("", int(a.UTCOffset))
	at := func(ts int64) string { return time.Unix(ts, 0).In(zone).Format(humane.TimeLayout) }
	var b strings.Builder
	if a.Resolved() {
		fmt.Fprintf(&b, "%s resolved at %s, after firing since %s.\n\n", a.Name, at(a.EndsAt), at(a.StartsAt))
	} else {
		fmt.Fprintf(&b, "%s is firing since %s.\n\n", a.Name, at(a.TS))
	}
	window := humane.Duration(a.Window)
	fmt.Fprintf(&b, "Rule:      %s %s %s over %s", a.Metric, a.Op, humane.Value(a.Metric, a.Threshold), window)
	if a.For > 0 {
		fmt.Fprintf(&b, " for %s", humane.Duration(a.For))
	}
	if a.Keep > 0 {
		fmt.Fprintf(&b, " keep_firing_for %s", humane.Duration(a.Keep))
	}
	fmt.Fprintf(&b, "\nValue:     %s = %s over the %s ending at %s\n", a.Metric, humane.Value(a.Metric, a.Value), window, at(a.TS))
	fmt.Fprintf(&b, "Requests:  %d in the window, %s/s\n", a.Hits, humane.Value("/s", a.Rate))
	if len(a.Labels) > 0 {
		b.WriteString("Labels:   ")
		for _, l := range a.Labels {
			fmt.Fprintf(&b, " %s=%s", l.Name, l.Value)
		}
		b.WriteByte('\n')
	}
	if len(a.Annotations) > 0 {
		b.WriteByte('\n')
		for _, l := range a.Annotations {
			fmt.Fprintf(&b, "%s: %s\n", l.Name, l.Value)
		}
	}
	return b.String()
}
