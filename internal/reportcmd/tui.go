package reportcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/httpmon/httpmon/internal/dashboard"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
)

// useTUI decides between the dashboard and streaming text. The dashboard
// is the default only when a person is watching live input: stdout is a
// terminal and stdin a pipe. A file on stdin is a finished log, better
// read as text; a terminal on stdin would be read both for records and for
// keys; and pipes, files and cron on stdout need the text.
func useTUI(c *cli.Context) (bool, error) {
	if err := checkDashboardFlags(c); err != nil {
		return false, err
	}
	if c.Bool("plain") {
		return false, nil
	}
	out, ok := c.App.Writer.(*os.File)
	outTerm := ok && term.IsTerminal(int(out.Fd()))
	if c.Bool("tui") {
		if err := canShowTUI(c, outTerm); err != nil {
			return false, err
		}
		return true, nil
	}
	if !outTerm || os.Getenv("TERM") == "dumb" {
		return false, nil
	}
	return pipedInput(c), nil
}

// checkDashboardFlags fails with a usage error on a contradiction or a
// value out of range among the dashboard's flags, checked whether the
// dashboard is shown or not.
func checkDashboardFlags(c *cli.Context) error {
	if c.Bool("tui") && c.Bool("plain") {
		return stage.UsageError("--tui and --plain contradict each other")
	}
	if d := c.Duration("refresh"); d < 10*time.Millisecond || d > time.Hour {
		return stage.UsageError("--refresh must be between 10ms and 1h, got %s", d)
	}
	if th := c.Float64("threshold"); !(th > 0) || th > 1e12 {
		return stage.UsageError("--threshold must be a positive number of requests per second, got %v", th)
	}
	return nil
}

// canShowTUI reports, as a usage error, why --tui cannot be obeyed: the
// dashboard needs a terminal to draw on and a pipe, not the terminal, to
// read records from.
func canShowTUI(c *cli.Context, outTerm bool) error {
	if !outTerm {
		return stage.UsageError("--tui needs a terminal on standard output; use --plain for pipes and files")
	}
	if in, ok := c.App.Reader.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
		return stage.UsageError("--tui reads records from a pipe, and standard input is the terminal")
	}
	return nil
}

// pipedInput reports whether standard input is a pipe or a socket: live
// input, rather than a finished file.
func pipedInput(c *cli.Context) bool {
	in, ok := c.App.Reader.(*os.File)
	if !ok {
		return false
	}
	fi, err := in.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0
}

// runTUI shows the dashboard over the records of standard input until the
// person quits, the input ends and they quit, or a signal comes.
func runTUI(c *cli.Context, hist *recorder) error {
	held := &heldWriter{w: c.App.ErrWriter}
	c.App.ErrWriter = held
	hist.setErrWriter(held)
	st, err := stage.New(c)
	if err != nil {
		held.Release(c.App.Name)
		return hist.Close(err)
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
	f := startFeed(st, hist.tee(st.Stdin()), ctx.Done(), stopProg)
	ic := newInterrupter(c)
	m := dashboard.New(dashboard.Options{
		Interrupt: ic.interrupt,
		Feed:      f.batches,
		Refresh:   c.Duration("refresh"),
		Threshold: c.Float64("threshold"),
		// The default rule of httpmon-alert is drawn on the graph until a
		// rule record (or, from an older httpmon-alert, an alert record)
		// says which rule is in use.
		Window: event.DefaultWindow,
	})
	final, err := tea.NewProgram(m, programOptions(c, progCtx)...).Run()
	if ic.happened() {
		f.drain()
	}
	cancel()
	<-f.done
	histErr := hist.Close(nil)
	held.Release(c.App.Name)
	if fm, ok := final.(dashboard.Model); ok {
		dashboard.WriteNotices(c.App.ErrWriter, fm.State(), c.App.Name)
	}
	if err = finish(c, st, f.crash, final, err); err == nil {
		err = histErr
	}
	return err
}

// feed runs dashboard.Feed in a goroutine of its own.
type feed struct {
	batches chan dashboard.Batch
	done    chan struct{} // closed when the reader has returned
	crash   []byte        // the reader's panic and stack; read after done closes
}

// startFeed starts reading st's input into batches until it ends or stop
// closes. A panic in the reader is kept and ends the program through
// stopProg, so that the terminal is restored before it is told.
func startFeed(st *stage.Stage, in io.Reader, stop <-chan struct{}, stopProg func()) *feed {
	f := &feed{batches: make(chan dashboard.Batch), done: make(chan struct{})}
	go func() {
		defer close(f.done)
		defer func() {
			if p := recover(); p != nil {
				f.crash = fmt.Appendf(nil, "%v\n%s", p, debug.Stack())
				stopProg()
			}
		}()
		dashboard.Feed(in, f.batches, dashboard.FeedOptions{
			Done: stop,
			OnBad: func(line int64, raw []byte, err error) {
				st.Rejects.Report("", line, raw, err)
			},
		})
	}()
	return f
}

// drain reads on after a Ctrl-C, which went to every stage, for as long as
// the stages before the report drain, what they flush on the way out, so
// that they end as they do on Ctrl-C without the dashboard, not killed by
// a broken pipe; the terminal is restored already.
func (f *feed) drain() {
	go func() {
		for {
			select {
			case <-f.batches:
			case <-f.done:
				return
			}
		}
	}()
	t := time.NewTimer(stage.DrainRecords + time.Second)
	select {
	case <-f.done:
	case <-t.C:
	}
	t.Stop()
}

// interrupter passes the dashboard's Ctrl-C key on to the foreground
// process group, as the terminal would outside raw mode, and remembers
// that it did.
type interrupter struct {
	interrupt func() // nil when the output is no terminal to signal through
	done      chan struct{}
}

func newInterrupter(c *cli.Context) *interrupter {
	ic := &interrupter{done: make(chan struct{})}
	if out, ok := c.App.Writer.(*os.File); ok {
		ic.interrupt = func() {
			close(ic.done)
			interruptForeground(out)
		}
	}
	return ic
}

// happened reports whether the Ctrl-C key was passed on.
func (ic *interrupter) happened() bool {
	select {
	case <-ic.done:
		return true
	default:
		return false
	}
}

// programOptions are the Bubble Tea options of the dashboard, which ends
// when ctx does.
func programOptions(c *cli.Context, ctx context.Context) []tea.ProgramOption {
	opts := []tea.ProgramOption{
		// SIGINT and SIGTERM cancel st.Ctx, as in every command; the
		// program then restores the terminal and returns. Bubble Tea's own
		// handler stays off: with both, a SIGINT could leave its handler
		// blocked sending to the stopped program, and the shutdown waiting
		// for that handler for ever.
		tea.WithContext(ctx),
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
	return opts
}

// finish ends the command after the dashboard: with an internal error
// for a panic in the reader (crash) or in the program, with the program's
// error (err), which a signal's ending is not, or else with the input's.
func finish(c *cli.Context, st *stage.Stage, crash []byte, final tea.Model, err error) error {
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
