package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ExecConfig configures an Exec sink.
type ExecConfig struct {
	Command  string        // run by /bin/sh -c
	Timeout  time.Duration // per run; the command's process group is killed after it
	Parallel int           // commands running at once, at least 1
	Queue    int           // alerts waiting for a free slot, at least 1
	Log      *Log
}

// Exec runs a command per alert, with the alert record as JSON on standard
// input and its fields in HTTPMON_ALERT_* environment variables. The
// command's standard output is discarded, because httpmon-alert's own is
// the record stream; its standard error is shown when it fails.
type Exec struct {
	cfg ExecConfig
	q   queue
}

// NewExec starts an Exec sink's workers.
func NewExec(cfg ExecConfig) *Exec {
	e := &Exec{cfg: cfg}
	e.q.start(e.Name(), cfg.Log, cfg.Queue, cfg.Parallel, e.handle)
	return e
}

// Name implements Sink.
func (e *Exec) Name() string { return "notify-exec" }

// Notify implements Sink. Notify and Close are called from one goroutine.
func (e *Exec) Notify(a *Alert) { e.q.push(a) }

func (e *Exec) handle(a *Alert) {
	if err := e.run(a); err != nil {
		e.q.stats.add(0, 1, 1)
		e.cfg.Log.Printf("%s: %s %s: %v", e.Name(), a.Name, a.State, err)
		return
	}
	e.q.stats.add(1, 0, 0)
}

// tail keeps the last bytes a command writes, enough to explain a failure.
type tail struct{ b []byte }

const tailMax = 512

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailMax {
		t.b = append(t.b[:0], t.b[len(t.b)-tailMax:]...)
	}
	return len(p), nil
}

func (e *Exec) run(a *Alert) error {
	ctx := e.q.ctx
	if e.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.cfg.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", e.cfg.Command)
	// Its own process group, so that a timeout kills what the shell
	// started too, not only the shell.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	cmd.Stdin = bytes.NewReader(append(a.Record, '\n'))
	var stderr tail
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), Env(a)...)
	for i, kv := range cmd.Env {
		// The one byte an environment cannot hold; labels from a
		// configuration file could have it.
		cmd.Env[i] = strings.ReplaceAll(kv, "\x00", "\uFFFD")
	}
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && e.q.ctx.Err() == nil {
		err = fmt.Errorf("killed after %s", e.cfg.Timeout)
	} else if e.q.ctx.Err() != nil {
		err = errors.New("killed at exit")
	}
	if msg := strings.TrimSpace(strings.ToValidUTF8(string(stderr.b), "\uFFFD")); msg != "" {
		return fmt.Errorf("%v: %q", err, msg)
	}
	return err
}

// Close implements Sink.
func (e *Exec) Close(ctx context.Context) Stats { return e.q.close(ctx) }

// Env returns the HTTPMON_ALERT_* variables of a: NAME, STATE, TS, METRIC,
// OP, VALUE, THRESHOLD, WINDOW, HITS, RATE, FOR, KEEP_FIRING_FOR,
// STARTS_AT, ENDS_AT (resolved only), SUMMARY, LABELS ("k=v k=v") and one
// HTTPMON_ALERT_LABEL_<NAME> per label, name upper-cased.
func Env(a *Alert) []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	env := []string{
		"HTTPMON_ALERT_NAME=" + a.Name,
		"HTTPMON_ALERT_STATE=" + a.State,
		"HTTPMON_ALERT_TS=" + i(a.TS),
		"HTTPMON_ALERT_METRIC=" + a.Metric,
		"HTTPMON_ALERT_OP=" + a.Op,
		"HTTPMON_ALERT_VALUE=" + f(a.Value),
		"HTTPMON_ALERT_THRESHOLD=" + f(a.Threshold),
		"HTTPMON_ALERT_WINDOW=" + i(a.Window),
		"HTTPMON_ALERT_HITS=" + i(a.Hits),
		"HTTPMON_ALERT_RATE=" + f(a.Rate),
		"HTTPMON_ALERT_FOR=" + i(a.For),
		"HTTPMON_ALERT_KEEP_FIRING_FOR=" + i(a.Keep),
		"HTTPMON_ALERT_STARTS_AT=" + i(a.StartsAt),
		"HTTPMON_ALERT_SUMMARY=" + a.Summary(),
	}
	if a.Resolved() {
		env = append(env, "HTTPMON_ALERT_ENDS_AT="+i(a.EndsAt))
	}
	var all []string
	for _, l := range a.Labels {
		all = append(all, l.Name+"="+l.Value)
		env = append(env, "HTTPMON_ALERT_LABEL_"+strings.ToUpper(l.Name)+"="+l.Value)
	}
	return append(env, "HTTPMON_ALERT_LABELS="+strings.Join(all, " "))
}
