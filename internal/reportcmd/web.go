package reportcmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/metrics"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
	"github.com/httpmon/httpmon/internal/web"
)

// webFlags are the flags of the web page: served live with --listen,
// written as a file with --html.
func webFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "listen", Usage: "serve the web page, its API and live stream on `ADDR` (a bare port is on 127.0.0.1), " +
			"and keep serving after the input ends until SIGINT or SIGTERM"},
		&cli.StringFlag{Name: "html", Usage: "at the end of input, write the web page of the run as one self-contained `FILE`"},
		&cli.StringFlag{Name: "auth-token", Usage: "with --listen, require this `TOKEN` (at least 16 characters) as a Bearer token or once as ?token="},
		&cli.StringFlag{Name: "auth-users", Usage: "with --listen, accept the users of `FILE` (lines user:bcrypt-hash) with HTTP basic authentication"},
	}
}

// minTokenLen keeps a token from being guessable by trying.
const minTokenLen = 16

// webOutput is the web page of a run: its server and the --html file.
type webOutput struct {
	opt      web.Options
	srv      *web.Server
	metrics  *metrics.Metrics // of --listen
	addr     string           // resolved --listen; empty without it
	loopback bool
	html     string // --html; empty without it
	auth     bool

	ln   net.Listener
	stop context.CancelFunc // ends the server
	done chan error         // the server's end

	dec       *event.Decoder
	tick      event.Tick
	first     int64 // the run's first and last tick, for the --html page
	last      int64
	haveTicks bool
}

// newWebOutput checks the web page's flags and returns nil when none asks
// for it. The page and the dashboard do not share a run: with --listen or
// --html the report prints text, and --tui is a contradiction.
func newWebOutput(c *cli.Context) (*webOutput, error) {
	listen, html := c.String("listen"), c.String("html")
	token, users := c.String("auth-token"), c.String("auth-users")
	if listen == "" {
		for _, f := range []string{"auth-token", "auth-users"} {
			if c.IsSet(f) {
				return nil, stage.UsageError("--%s protects the page of --listen: give --listen too", f)
			}
		}
	}
	for _, f := range []string{"listen", "html"} {
		if c.IsSet(f) && c.String(f) == "" {
			return nil, stage.UsageError("--%s must not be empty", f)
		}
	}
	if listen == "" && html == "" {
		return nil, nil
	}
	if c.Bool("tui") {
		return nil, stage.UsageError("--tui and --listen or --html do not go together: the web page is the live view")
	}
	w := &webOutput{html: html, dec: event.NewDecoder()}
	var opt web.Options
	if listen != "" {
		addr, loopback, err := web.ListenAddr(listen)
		if err != nil {
			return nil, stage.UsageError("--listen: %s", textsafe.String(err.Error()))
		}
		w.addr, w.loopback = addr, loopback
	}
	if c.IsSet("auth-token") {
		// The token is a secret: no message quotes it.
		if len(token) < minTokenLen {
			return nil, stage.UsageError("--auth-token must be at least %d characters", minTokenLen)
		}
		for _, r := range token {
			if r <= ' ' || r >= 0x7f {
				return nil, stage.UsageError("--auth-token must be printable ASCII without spaces")
			}
		}
		opt.AuthToken = token
	}
	if c.IsSet("auth-users") {
		f, err := os.Open(users)
		if err != nil {
			return nil, stage.UsageError("--auth-users: %s", textsafe.String(err.Error()))
		}
		u, err := web.ParseUsers(f)
		f.Close()
		if err != nil {
			return nil, stage.UsageError("--auth-users %s: %s", textsafe.String(users), err)
		}
		opt.Users = u
	}
	w.auth = opt.AuthToken != "" || opt.Users != nil
	if html != "" {
		if fi, err := os.Stat(filepath.Dir(html)); err != nil || !fi.IsDir() {
			return nil, stage.UsageError("--html %s: its directory does not exist", textsafe.String(html))
		}
		if fi, err := os.Stat(html); err == nil && fi.IsDir() {
			return nil, stage.UsageError("--html %s is a directory", textsafe.String(html))
		}
	}
	w.opt = opt
	return w, nil
}

// attach gives the page the history it shows, the one of --db or a
// private one of this run, and serves the metrics of --listen beside it.
func (w *webOutput) attach(h history.Reader) {
	if w == nil {
		return
	}
	if w.addr != "" {
		w.metrics = metrics.New(metrics.Options{})
		w.opt.Metrics = w.metrics.Handler()
	}
	w.srv = web.New(w.opt, h)
}

// start listens, before any input is read, so that a port in use is
// reported at once; the server runs until ctx ends or finish.
func (w *webOutput) start(ctx context.Context, c *cli.Context) error {
	if w == nil || w.addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", w.addr)
	if err != nil {
		return cli.Exit(fmt.Sprintf("--listen %s: %s", w.addr, textsafe.String(err.Error())), stage.ExitError)
	}
	w.ln = ln
	if !w.loopback && !w.auth {
		fmt.Fprintf(c.App.ErrWriter, "%s: warning: --listen %s serves the history to the network without --auth-token or --auth-users\n", c.App.Name, w.addr)
	}
	fmt.Fprintf(c.App.ErrWriter, "%s: serving the web page on http://%s/\n", c.App.Name, ln.Addr())
	w.done = make(chan error, 1)
	sctx, stop := context.WithCancel(ctx)
	w.stop = stop
	go func() { w.done <- w.srv.Serve(sctx, ln) }()
	return nil
}

// publish passes a record of the input on to the page's live stream, and
// notes the span of the run's ticks for --html.
func (w *webOutput) publish(kind, line []byte) {
	if w == nil {
		return
	}
	if w.html != "" && string(kind) == event.KindTick && w.dec.Tick(line, &w.tick) == nil {
		if !w.haveTicks {
			w.first, w.haveTicks = w.tick.TS, true
		}
		w.last = max(w.last, w.tick.TS)
	}
	if w.ln != nil {
		w.srv.Publish(string(kind), line)
		// A record the metrics cannot read is the report's to reject,
		// which it does on its own decoding.
		_ = w.metrics.Observe(kind, line)
	}
}

// rejected counts a line the report rejected, for /metrics.
func (w *webOutput) rejected(err error) {
	var bad *stage.BadRecord
	if w != nil && w.metrics != nil && errors.As(err, &bad) {
		w.metrics.Rejected(1)
	}
}

// finish writes the --html file and, with --listen, serves on after the
// input ended until a signal ends ctx; err is the input's error, which
// stops the server at once.
func (w *webOutput) finish(ctx context.Context, err error) error {
	if w == nil {
		return err
	}
	if w.html != "" && err == nil {
		var r history.Range
		if w.haveTicks {
			r = history.Range{From: w.first, To: w.last + 1}
		}
		if herr := w.writeHTML(ctx, r); herr != nil {
			err = herr
		}
	}
	if w.ln == nil {
		return err
	}
	if err == nil {
		select {
		case <-ctx.Done():
		case serr := <-w.done:
			w.stop()
			return fmt.Errorf("--listen: %w", serr)
		}
	}
	w.stop()
	if serr := <-w.done; err == nil && serr != nil {
		err = fmt.Errorf("--listen: %w", serr)
	}
	return err
}

// writeHTML writes the page to a file beside --html and renames it into
// place, so that a reader never sees half a page and a failure leaves the
// old one.
func (w *webOutput) writeHTML(ctx context.Context, r history.Range) error {
	dir, base := filepath.Split(w.html)
	f, err := os.CreateTemp(dir, "."+base+".*")
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	defer os.Remove(f.Name())
	// The page shows the site's traffic: as private as the database.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("--html: %w", err)
	}
	if err := w.srv.WriteHTML(context.WithoutCancel(ctx), f, r); err != nil {
		f.Close()
		return fmt.Errorf("--html %s: %w", strings.TrimSpace(w.html), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := os.Rename(f.Name(), w.html); err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return nil
}
