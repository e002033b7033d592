package alertcmd

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/notify"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

func notifyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "notify-exec",
			Usage: "run `CMD` with /bin/sh -c for every firing and resolved alert, the alert record as JSON on stdin and in HTTPMON_ALERT_* variables"},
		&cli.DurationFlag{Name: "notify-exec-timeout", Value: 10 * time.Second,
			Usage: "kill a --notify-exec command that runs longer than this"},
		&cli.IntFlag{Name: "notify-exec-parallel", Value: 4,
			Usage: "--notify-exec commands running at once"},
		&cli.StringFlag{Name: "notify-webhook",
			Usage: "POST every alert to `URL` as an Alertmanager webhook (version 4) payload"},
		&cli.StringSliceFlag{Name: "notify-alertmanager",
			Usage: "push alerts to Alertmanager's API at `URL` (like http://127.0.0.1:9093) as Prometheus does; repeat for each instance of an HA pair"},
		&cli.DurationFlag{Name: "notify-resend", Value: time.Minute,
			Usage: "send firing alerts to Alertmanager again this often, each valid for 4 such periods"},
		&cli.StringSliceFlag{Name: "notify-email",
			Usage: "mail every alert to `ADDRESS`, repeatable, through the --smtp server"},
		&cli.StringFlag{Name: "smtp",
			Usage: "SMTP server `URL` of --notify-email: smtp://host:587 (STARTTLS when offered) or smtps://host:465; user and password from HTTPMON_SMTP_USERNAME and HTTPMON_SMTP_PASSWORD or --smtp-password-file, never in the URL"},
		&cli.StringFlag{Name: "smtp-from",
			Usage: "sender `ADDRESS` of --notify-email (default httpmon-alert@ this host's name)"},
		&cli.StringFlag{Name: "smtp-password-file", TakesFile: true,
			Usage: "read the SMTP password from `FILE` (its first line) instead of HTTPMON_SMTP_PASSWORD"},
		&cli.StringFlag{Name: "notify-slack",
			Usage: "POST every alert to a Slack incoming-webhook `URL` as {\"text\": ...}"},
		&cli.BoolFlag{Name: "notify-resolved", Value: true,
			Usage: "send resolved alerts to the webhooks too (--notify-resolved=false: firing only)"},
		&cli.StringFlag{Name: "external-url",
			Usage: "`URL` written as externalURL and generatorURL in webhook payloads, like a dashboard's"},
		&cli.DurationFlag{Name: "notify-timeout", Value: 10 * time.Second,
			Usage: "time limit of one webhook request"},
		&cli.IntFlag{Name: "notify-attempts", Value: 5,
			Usage: "tries per webhook notification before it is dropped"},
		&cli.DurationFlag{Name: "notify-backoff", Value: time.Second,
			Usage: "wait after a failed webhook request; doubles after each further failure, up to 1m"},
		&cli.IntFlag{Name: "notify-queue", Value: 256,
			Usage: "notifications waiting per destination; more are dropped and counted"},
		&cli.DurationFlag{Name: "notify-grace", Value: 10 * time.Second,
			Usage: "at end of input or on SIGTERM, how long queued notifications may still take"},
	}
}

// notifier hands alerts to the configured sinks.
type notifier struct {
	sinks []notify.Sink
	rules map[string]*alert.Rule
	enc   *event.Encoder
	grace time.Duration
	log   *notify.Log
	// notified is the newest second whose transitions a store held when
	// the pipeline restarted: the run before notified them, and the
	// restarted run writes them again only for the store.
	notified    int64
	hasNotified bool
}

// resumed takes the alerted second of a resume checkpoint: transitions up
// to it are not notified again.
func (n *notifier) resumed(c *event.Checkpoint) {
	if c.HasAlerted {
		n.notified, n.hasNotified = c.Alerted, true
	}
}

func positive(c *cli.Context, flag string) error {
	if c.Int(flag) < 1 {
		return stage.UsageError("--%s must be at least 1, got %d", flag, c.Int(flag))
	}
	return nil
}

func httpURL(c *cli.Context, flag string) (string, error) {
	return checkHTTPURL(flag, c.String(flag))
}

func checkHTTPURL(flag, s string) (string, error) {
	// The value is never quoted back: webhook URLs carry their tokens in
	// the path, query or userinfo, and the scheme is all that can be said
	// safely about one that is wrong.
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", stage.UsageError("--%s wants an http:// or https:// URL with a host; the value given does not parse", flag)
	case u.Scheme == "":
		return "", stage.UsageError("--%s wants an http:// or https:// URL with a host", flag)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "", stage.UsageError("--%s wants an http:// or https:// URL with a host, not a %q URL", flag, textsafe.String(u.Scheme))
	}
	return s, nil
}

func newNotifier(c *cli.Context, eng *alert.Engine) (*notifier, error) {
	n := &notifier{enc: event.NewEncoder(), grace: c.Duration("notify-grace"),
		log: notify.NewLog(c.App.ErrWriter, name)}
	n.setRules(eng)
	for _, f := range []string{"notify-exec-timeout", "notify-timeout", "notify-backoff", "notify-grace"} {
		if c.Duration(f) < 0 {
			return nil, stage.UsageError("--%s must not be negative", f)
		}
	}
	if cmd := c.String("notify-exec"); cmd != "" {
		if err := positive(c, "notify-exec-parallel"); err != nil {
			return nil, err
		}
		n.sinks = append(n.sinks, notify.NewExec(notify.ExecConfig{
			Command: cmd, Timeout: c.Duration("notify-exec-timeout"), Parallel: c.Int("notify-exec-parallel"),
			Queue: c.Int("notify-queue"), Log: n.log,
		}))
	}
	if err := n.email(c); err != nil {
		n.close(io.Discard)
		return nil, err
	}
	if err := n.alertmanagers(c); err != nil {
		n.close(io.Discard)
		return nil, err
	}
	for _, f := range []string{"notify-webhook", "notify-slack"} {
		if c.String(f) == "" {
			continue
		}
		u, err := httpURL(c, f)
		if err != nil {
			n.close(io.Discard)
			return nil, err
		}
		for _, g := range []string{"notify-attempts", "notify-queue"} {
			if err := positive(c, g); err != nil {
				n.close(io.Discard)
				return nil, err
			}
		}
		body := notify.SlackBody
		if f == "notify-webhook" {
			body = notify.AlertmanagerBody(c.String("external-url"))
		}
		n.sinks = append(n.sinks, notify.NewHTTP(notify.HTTPConfig{
			Name: f, URL: u, Body: body, Resolved: c.Bool("notify-resolved"),
			Timeout: c.Duration("notify-timeout"), Attempts: c.Int("notify-attempts"),
			Backoff: c.Duration("notify-backoff"), MaxBackoff: time.Minute,
			Queue: c.Int("notify-queue"), Log: n.log,
		}))
	}
	return n, nil
}

// alertmanagers adds a sink per --notify-alertmanager URL.
func (n *notifier) alertmanagers(c *cli.Context) error {
	urls := c.StringSlice("notify-alertmanager")
	if len(urls) == 0 {
		return nil
	}
	for _, g := range []string{"notify-attempts", "notify-queue"} {
		if err := positive(c, g); err != nil {
			return err
		}
	}
	resend := c.Duration("notify-resend")
	if resend < time.Second {
		return stage.UsageError("--notify-resend must be at least 1s, got %s", resend)
	}
	for _, s := range urls {
		u, err := checkHTTPURL("notify-alertmanager", s)
		if err != nil {
			return err
		}
		sinkName := "notify-alertmanager"
		if len(urls) > 1 {
			sinkName += " " + notify.RedactURL(u)
		}
		am, err := notify.NewAlertmanager(notify.AlertmanagerConfig{
			HTTP: notify.HTTPConfig{
				Name: sinkName, URL: u, Timeout: c.Duration("notify-timeout"), Attempts: c.Int("notify-attempts"),
				Backoff: c.Duration("notify-backoff"), MaxBackoff: time.Minute,
				Queue: c.Int("notify-queue"), Log: n.log,
			},
			Resend: resend, ExternalURL: c.String("external-url"),
		})
		if err != nil {
			return stage.UsageError("--notify-alertmanager wants an http:// or https:// URL with a host; the value given does not parse")
		}
		n.sinks = append(n.sinks, am)
	}
	return nil
}

// setRules takes the annotations of the engine's rules, at start and
// after a reload.
func (n *notifier) setRules(eng *alert.Engine) {
	n.rules = map[string]*alert.Rule{}
	for _, m := range eng.Monitors() {
		n.rules[m.Rule().Name] = m.Rule()
	}
}

// send queues a transition for every sink; it never waits for one. A
// transition a store held at a restart was sent before it.
func (n *notifier) send(a *event.Alert) {
	if len(n.sinks) == 0 || (n.hasNotified && a.TS <= n.notified) {
		return
	}
	na := n.build(a)
	if na == nil {
		return
	}
	for _, s := range n.sinks {
		s.Notify(na)
	}
}

// refire tells the sinks that keep firing alerts alive (Alertmanager)
// of the alerts a resume checkpoint restored as firing: they were sent
// before the restart, but such a sink lets an alert expire unless it is
// sent again, as Prometheus sends its restored alerts again.
func (n *notifier) refire(alerts []event.Alert) {
	for i := range alerts {
		var na *notify.Alert
		for _, s := range n.sinks {
			if _, ok := s.(*notify.Alertmanager); !ok {
				continue
			}
			if na == nil {
				if na = n.build(&alerts[i]); na == nil {
					return
				}
			}
			s.Notify(na)
		}
	}
}

// build makes the notification of a transition; nil if it cannot be
// encoded.
func (n *notifier) build(a *event.Alert) *notify.Alert {
	rec, err := n.enc.Alert(a)
	if err != nil {
		return nil
	}
	na := &notify.Alert{
		Name: string(a.Name), State: string(a.State), TS: a.TS, UTCOffset: a.UTCOffset,
		Metric: string(a.Metric), Op: string(a.Op), Value: a.Value, Threshold: a.Threshold,
		Window: a.Window, Hits: a.Hits, Rate: a.Rate, For: a.For, Keep: a.KeepFiringFor,
		StartsAt: a.StartsAt, EndsAt: a.EndsAt,
		Record: append([]byte(nil), rec[:len(rec)-1]...),
	}
	for _, l := range a.Labels {
		na.Labels = append(na.Labels, notify.Label{Name: string(l.Name), Value: string(l.Value)})
	}
	if r := n.rules[na.Name]; r != nil {
		for _, l := range r.Annotations {
			na.Annotations = append(na.Annotations, notify.Label{Name: l.Name, Value: l.Value})
		}
	}
	return na
}

// close gives queued notifications the grace time to go out, all sinks at
// once, and reports what could not be delivered.
func (n *notifier) close(w io.Writer) {
	if len(n.sinks) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), n.grace)
	defer cancel()
	stats := make([]notify.Stats, len(n.sinks))
	done := make(chan int)
	for i, s := range n.sinks {
		go func() { stats[i] = s.Close(ctx); done <- i }()
	}
	for range n.sinks {
		<-done
	}
	for i, s := range n.sinks {
		if st := stats[i]; st.Dropped > 0 || st.Failed > 0 {
			fmt.Fprintf(w, "%s: %s: %d delivered, %d dropped, %d failed attempts\n", name, s.Name(), st.Delivered, st.Dropped, st.Failed)
		}
	}
}
