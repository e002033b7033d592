// Package stage holds the process plumbing shared by the httpmon commands:
// running a urfave/cli app with the project's exit codes and error format,
// the flags they share, buffered output that is flushed when input goes
// idle, signal handling, the loop that reads NDJSON records, and the
// reporting of malformed input.
package stage

import (
	"bufio"
	"context"
	"errors"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
)

// Stage is one run of a command: its output, its malformed-input reporting
// and its interruption.
type Stage struct {
	Name string
	// Ctx is cancelled by SIGINT or SIGTERM, and when the reader of the
	// output goes away (see ErrReaderGone).
	Ctx context.Context
	// Out buffers standard output; Flush it at record boundaries that a
	// person waits for. Reader does so whenever input goes idle.
	Out       *bufio.Writer
	Rejects   *Rejects
	strict    bool
	in        io.Reader
	lineNo    int64
	role      Role
	gone      chan struct{} // closed when the output's reader went away
	cancel    context.CancelCauseFunc
	stopWatch func()
	enc       *event.Encoder
	tally     tally
	readers   []*lineio.Reader
	told      bool // the terminal notice was given
}

// ErrReaderGone is the cause of Stage.Ctx when the reader of the output
// went away: an end as normal as the end of input, except that there is
// nobody left to write to.
var ErrReaderGone = errors.New("the output's reader went away")

// outBuffer is the size of the output buffer, and so of the writes of a
// replay: large writes into a large pipe (see growPipe) let the stages of
// a pipeline run in long stretches instead of taking turns.
const outBuffer = 256 << 10

// New sets up a run of the command behind c.
func New(c *cli.Context) (*Stage, error) {
	rej, err := NewRejects(c.App.Name, c.App.ErrWriter, c.String("rejects"))
	if err != nil {
		return nil, err
	}
	growPipe(c.App.Writer)
	ctx, cancel := context.WithCancelCause(c.Context)
	s := &Stage{
		Name:    c.App.Name,
		Ctx:     ctx,
		Out:     bufio.NewWriterSize(output{c.App.Writer}, outBuffer),
		Rejects: rej,
		strict:  c.Bool("strict"),
		in:      c.App.Reader,
		role:    roleOf(c.App),
		gone:    make(chan struct{}),
		cancel:  cancel,
	}
	if !s.role.TextOutput {
		s.enc = event.NewEncoder()
		rej.SetNotices(s.notice)
	}
	s.stopWatch = watchReader(c.App.Writer, func() {
		// gone first, so that a reader sees it before Ctx and does not
		// start a drain.
		close(s.gone)
		cancel(ErrReaderGone)
	})
	return s, nil
}

// output is standard output, whose write errors are OutputErrors.
type output struct{ w io.Writer }

func (o output) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		err = &OutputError{unwrapPath(err)}
	}
	return n, err
}

// OutputError is a failed write to standard output. It keeps the cause,
// such as EPIPE, but not the *os.PathError around it, so that a command
// that goes on after an input file it cannot read does not take a failed
// write for one.
type OutputError struct{ Err error }

// Error describes the failure.
func (e *OutputError) Error() string { return "writing standard output: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *OutputError) Unwrap() error { return e.Err }

// notice writes a notice record into the output. Rejects calls it between
// records, so it never lands inside one.
func (s *Stage) notice(n *event.Notice) {
	if line, err := s.enc.Notice(n); err == nil {
		s.Out.Write(line)
	}
}

// Stdin returns the command's standard input.
func (s *Stage) Stdin() io.Reader { return s.in }

// Reader returns a line reader over in that flushes s.Out whenever in has
// nothing more to give, and that stops when the stage is interrupted, after
// drain (see lineio.Options.Drain), or at once when the output's reader
// went away.
func (s *Stage) Reader(in io.Reader, drain time.Duration) *lineio.Reader {
	return s.reader(in, drain, nil, 0)
}

// reader is Reader that also runs onIdle, if set, before each flush on
// idle input, and again every idleEvery while input stays silent.
func (s *Stage) reader(in io.Reader, drain time.Duration, onIdle func() error, idleEvery time.Duration) *lineio.Reader {
	s.tellTerminal(in)
	idle := s.Out.Flush
	if onIdle != nil {
		idle = func() error {
			if err := onIdle(); err != nil {
				return err
			}
			return s.Out.Flush()
		}
	}
	r := lineio.NewReader(in, lineio.Options{
		OnIdle:    idle,
		IdleEvery: idleEvery,
		Done:      s.Ctx.Done(),
		Drain:     drain,
		Stop:      s.gone,
	})
	s.readers = append(s.readers, r)
	return r
}

// Finish flushes output, closes the rejects file and prints the count of
// malformed lines. It turns err into the command's result: an interruption
// is a normal end, input that was entirely wrong exits 1 with a hint, and
// --strict with malformed input exits 3.
func (s *Stage) Finish(err error) error {
	defer s.stopWatch()
	if errors.Is(err, lineio.ErrInterrupted) {
		err = nil
	}
	var wrong error
	if err == nil {
		wrong = s.verdict()
	}
	if wrong == nil {
		s.Rejects.Summary()
	}
	if ferr := s.Out.Flush(); err == nil {
		err = ferr
	}
	if rerr := s.Rejects.Close(); err == nil && rerr != nil {
		// Reported when it happened.
		err = cli.Exit("", ExitError)
	}
	switch {
	case err != nil:
		return err
	case wrong != nil:
		return wrong
	case s.strict && s.Rejects.Count() > 0:
		return cli.Exit("", ExitBadInput)
	}
	return nil
}

// Pass copies an input record, without its newline, to the output
// unchanged.
func (s *Stage) Pass(line []byte) error {
	if _, err := s.Out.Write(line); err != nil {
		return err
	}
	return s.Out.WriteByte('\n')
}

// Emit writes a record encoded by an event.Encoder, passing on its error.
func (s *Stage) Emit(line []byte, err error) error {
	if err != nil {
		return err
	}
	_, err = s.Out.Write(line)
	return err
}
