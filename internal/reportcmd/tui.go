package reportcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/httpmon/httpmon/internal/dashboard"
	"github.com/httpmon/httpmon/internal/stage"
)

// The alert rule of httpmon-alert with its default flags, drawn on the graph
// until a rule record (or, from an older httpmon-alert, an alert record)
// says which rule is in use.
const (
	defaultThreshold = 10
	defaultWindow    = 120
)

// useTUI decides between the dashboard and streaming text. The dashboard
// is the default only when a person is watching live input: stdout is a
// terminal and stdin a pipe. A file on stdin is a finished log, better
// read as text; a terminal on stdin would be read both for records and for
// keys; and pipes, files and cron on stdout need the text.
func useTUI(c *cli.Context) (bool, error) {
	tui, plain := c.Bool("tui"), c.Bool("plain")
	if tui && plain {
		return false, stage.UsageError("--tui and --plain contradict each other")
	}
	if d := c.Duration("refresh"); d < 10*time.Millisecond || d > time.Hour {
		return false, stage.UsageError("--refresh must be between 10ms and 1h, got %s", d)
	}
	if th := c.Float64("threshold"); !(th > 0) || th > 1e12 {
		return false, stage.UsageError("--threshold must be a positive number of requests per second, got %v", th)
	}
	if plain {
		return false, nil
	}
	out, ok := c.App.Writer.(*os.File)
	outTerm := ok && term.IsTerminal(int(out.Fd()))
	if tui {
		if !outTerm {
			return false, stage.UsageError("--tui needs a terminal on standard output; use --plain for pipes and files")
		}
		if in, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
			return false, stage.UsageError("--tui reads records from a pipe, and standard input is the terminal")
		}
		return true, nil
	}
	if !outTerm || os.Getenv("TERM") == "dumb" {
		return false, nil
	}
	in, ok := c.App.Reader.(*os.File)
	if !ok {
		return false, nil
	}
	fi, err := in.Stat()
	if err != nil {
		return false, nil
	}
	return fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0, nil
}

// heldWriter keeps what is written to it, up to a limit, until Release,
// and passes writes through after that. Malformed-input notices go to
// stderr, which is the screen the dashboard draws on; they are shown when
// the dashboard is gone instead of tearing through it.
type heldWriter struct {
	mu       sync.Mutex
	w        io.Writer
	buf      bytes.Buffer
	dropped  bool
	released bool
}

const heldLimit = 64 << 10

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return h.w.Write(p)
	}
	if h.buf.Len()+len(p) > heldLimit {
		h.dropped = true
		return len(p), nil
	}
	return h.buf.Write(p)
}

// Release writes what was held and lets later writes through.
func (h *heldWriter) Release(prog string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.w.Write(h.buf.Bytes())
	if h.dropped {
		fmt.Fprintf(h.w, "%s: more notices were given while the dashboard was shown than kept\n", prog)
	}
	h.released = true
}

func runTUI(c *cli.Context) error {
	held := &heldWriter{w: c.App.ErrWriter}
	c.App.ErrWriter = held
	st, err := stage.New(c)
	if err != nil {
		held.Release(c.App.Name)
		return err
	}
	// Quitting stops the reader at once, without the drain a pipeline
	// stage gives its upstream on Ctrl-C: the person has seen enough. The
	// Ctrl-C key is the exception, below; the reader stops when told, not
	// on the signal, for that.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// progCtx ends the program on SIGINT and SIGTERM, and when the reader
	// fails in a way that must not leave the terminal in raw mode.
	progCtx, stopProg := context.WithCancel(st.Ctx)
	defer stopProg()
	batches := make(chan dashboard.Batch)
	fed := make(chan struct{})
	var crash []byte // the reader's panic and stack; read after fed closes
	go func() {
		defer close(fed)
		defer func() {
			if p := recover(); p != nil {
				crash = fmt.Appendf(nil, "%v\n%s", p, debug.Stack())
				stopProg()
			}
		}()
		dashboard.Feed(st.Stdin(), batches, dashboard.FeedOptions{
			Done: ctx.Done(),
			OnBad: func(line int64, raw []byte, err error) {
				st.Rejects.Report("", line, raw, err)
			},
		})
	}()
	opts := []tea.ProgramOption{
		// SIGINT and SIGTERM cancel st.Ctx, as in every command; the
		// program then restores the terminal and returns. Bubble Tea's own
		// handler stays off: with both, a SIGINT could leave its handler
		// blocked sending to the stopped program, and the shutdown waiting
		// for that handler for ever.
		tea.WithContext(progCtx),
		tea.WithoutSignalHandler(),
		tea.WithOutput(c.App.Writer),
	}
	// --color auto leaves it to Bubble Tea, which reads the terminal's
	// abilities, NO_COLOR and TERM; the other two values overrule them.
	switch c.String("color") {
	case "never":
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	case "always":
		opts = append(opts, tea.WithColorProfile(colorprofile.ANSI))
	}
	var interrupt func()
	interrupted := make(chan struct{})
	if out, ok := c.App.Writer.(*os.File); ok {
		interrupt = func() {
			close(interrupted)
			interruptForeground(out)
		}
	}
	m := dashboard.New(dashboard.Options{
		Interrupt: interrupt,
		Feed:      batches,
		Refresh:   c.Duration("refresh"),
		Threshold: c.Float64("threshold"),
		Window:    defaultWindow,
	})
	final, err := tea.NewProgram(m, opts...).Run()
	select {
	case <-interrupted:
		// Ctrl-C went to every stage. Read on, for as long as the stages
		// before the report drain, what they flush on the way out, so
		// that they end as they do on Ctrl-C without the dashboard, not
		// killed by a broken pipe; the terminal is restored already.
		go func() {
			for {
				select {
				case <-batches:
				case <-fed:
					return
				}
			}
		}()
		t := time.NewTimer(stage.DrainRecords + time.Second)
		select {
		case <-fed:
		case <-t.C:
		}
		t.Stop()
	default:
	}
	cancel()
	<-fed
	held.Release(c.App.Name)
	if fm, ok := final.(dashboard.Model); ok {
		dashboard.WriteNotices(c.App.ErrWriter, fm.State(), c.App.Name)
	}
	switch {
	case crash != nil:
		fmt.Fprintf(c.App.ErrWriter, "%s: internal error: %s", c.App.Name, crash)
		return cli.Exit(c.App.Name+": internal error reading input; the terminal was restored", stage.ExitError)
	case errors.Is(err, tea.ErrProgramPanic):
		// Bubble Tea has restored the terminal and printed the panic.
		return cli.Exit(c.App.Name+": internal error in the dashboard; the terminal was restored", stage.ExitError)
	case errors.Is(err, tea.ErrProgramKilled) && st.Ctx.Err() != nil:
		err = nil
	case err != nil:
		return st.Finish(fmt.Errorf("dashboard: %w", err))
	}
	if fm, ok := final.(dashboard.Model); ok {
		err = fm.InputErr()
	}
	return st.Finish(err)
}
