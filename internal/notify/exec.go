package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
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
	cfg     ExecConfig
	q       queue
	reapers sync.WaitGroup // one per command whose shell left children behind
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
// It is written by a reader goroutine and read by the worker.
type tail struct {
	mu sync.Mutex
	b  []byte
}

const tailMax = 512

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > tailMax {
		t.b = append(t.b[:0], t.b[len(t.b)-tailMax:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(strings.ToValidUTF8(string(t.b), "\uFFFD"))
}

// stderrWait is how long a failed command's standard error may take to
// reach its end after the shell exited, for the message.
const stderrWait = time.Second

// run runs the command in a process group of its own. The shell's exit
// status is the result: a command that starts a child in the background
// and exits 0 has succeeded, even while the child keeps the pipes open.
// Whatever is left of the group when the shell exits is killed at the
// command's timeout or when the sink closes, whichever comes first, so
// that nothing outlives httpmon-alert.
func (e *Exec) run(a *Alert) error {
	var deadline <-chan time.Time
	var end time.Time // zero: no timeout
	if e.cfg.Timeout > 0 {
		end = time.Now().Add(e.cfg.Timeout)
		t := time.NewTimer(e.cfg.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	cmd := exec.Command("/bin/sh", "-c", e.cfg.Command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), Env(a)...)
	for i, kv := range cmd.Env {
		// The one byte an environment cannot hold; labels from a
		// configuration file could have it.
		cmd.Env[i] = strings.ReplaceAll(kv, "\x00", "\uFFFD")
	}
	// Pipes of our own rather than os/exec's: its Wait waits for every
	// holder of the pipes to let go, background children included.
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return err
	}
	cmd.Stdin, cmd.Stderr = inR, errW
	err = cmd.Start()
	inR.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		errR.Close()
		return err
	}
	pgid := cmd.Process.Pid
	go func() {
		// A command that does not read its input gets EPIPE here, or
		// blocks until its group is killed.
		inW.Write(execInput(a))
		inW.Close()
	}()
	var stderr tail
	stderrDone := make(chan struct{})
	go func() {
		io.Copy(&stderr, errR)
		errR.Close()
		close(stderrDone)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var why error
	select {
	case err = <-exited:
	case <-deadline:
		why = fmt.Errorf("killed after %s", e.cfg.Timeout)
	case <-e.q.ctx.Done():
		why = errors.New("killed at exit")
	}
	if why != nil {
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
		err = why
	}
	if why == nil && err == nil {
		e.reap(pgid, end)
		return nil
	}
	if why == nil {
		// Failed: what it said on the way out explains why, if it comes.
		select {
		case <-stderrDone:
		case <-time.After(stderrWait):
		}
		e.reap(pgid, end)
	}
	if msg := stderr.String(); msg != "" {
		return fmt.Errorf("%v: %q", err, msg)
	}
	return err
}

// reap kills what is left of the process group pgid, after its shell
// exited, at end (the zero time: never) or when the sink closes.
func (e *Exec) reap(pgid int, end time.Time) {
	if syscall.Kill(-pgid, 0) != nil {
		return // nothing left
	}
	e.reapers.Add(1)
	go func() {
		defer e.reapers.Done()
		var deadline <-chan time.Time
		if !end.IsZero() {
			t := time.NewTimer(time.Until(end))
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-deadline:
		case <-e.q.ctx.Done():
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
	}()
}

// Close implements Sink. It kills the background children of commands
// that have exited.
func (e *Exec) Close(ctx context.Context) Stats {
	st := e.q.close(ctx)
	e.reapers.Wait()
	return st
}

// execInput is the command's standard input: the alert record with the
// time for people and the rule's annotations added, which the record in
// the stream leaves to the rule record.
func execInput(a *Alert) []byte {
	rec := a.Record
	if len(rec) == 0 || rec[len(rec)-1] != '}' {
		return append(rec[:len(rec):len(rec)], '\n')
	}
	b := append([]byte(nil), rec[:len(rec)-1]...)
	b = append(append(b, `,"time":`...), jsonString(a.Time())...)
	if len(a.Annotations) > 0 {
		b = append(b, `,"annotations":{`...)
		for i, l := range a.Annotations {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(append(append(b, jsonString(l.Name)...), ':'), jsonString(l.Value)...)
		}
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

// jsonString quotes s as JSON, leaving <, > and & as they are, as the
// stream's records do.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// envName turns a label or annotation name into the part of a variable
// name a shell can use: upper-cased, other than letters and digits '_'.
func envName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, s)
}

// Env returns the HTTPMON_ALERT_* variables of a: NAME, STATE, TS, TIME
// (TS for people, in the log's zone), METRIC, OP, VALUE, THRESHOLD,
// WINDOW, HITS, RATE, FOR, KEEP_FIRING_FOR, STARTS_AT, ENDS_AT (resolved
// only), SUMMARY (with the time), LABELS ("k=v k=v"), one
// HTTPMON_ALERT_LABEL_<NAME> per label and one
// HTTPMON_ALERT_ANNOTATION_<NAME> per annotation, names upper-cased.
func Env(a *Alert) []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	env := []string{
		"HTTPMON_ALERT_NAME=" + a.Name,
		"HTTPMON_ALERT_STATE=" + a.State,
		"HTTPMON_ALERT_TS=" + i(a.TS),
		"HTTPMON_ALERT_TIME=" + a.Time(),
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
		"HTTPMON_ALERT_SUMMARY=" + a.Summary() + " at " + a.Time(),
	}
	if a.Resolved() {
		env = append(env, "HTTPMON_ALERT_ENDS_AT="+i(a.EndsAt))
	}
	var all []string
	for _, l := range a.Labels {
		all = append(all, l.Name+"="+l.Value)
		env = append(env, "HTTPMON_ALERT_LABEL_"+envName(l.Name)+"="+l.Value)
	}
	for _, l := range a.Annotations {
		env = append(env, "HTTPMON_ALERT_ANNOTATION_"+envName(l.Name)+"="+l.Value)
	}
	return append(env, "HTTPMON_ALERT_LABELS="+strings.Join(all, " "))
}
