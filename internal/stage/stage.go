// Package stage holds the process plumbing shared by the httpmon commands:
// running a urfave/cli app with the project's exit codes and error format,
// buffered output that is flushed when input goes idle, signal handling,
// and the reporting of malformed input.
package stage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/ndjson"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Exit codes shared by every command.
const (
	ExitOK       = 0 // success, including a reader that went away
	ExitError    = 1 // runtime or I/O error
	ExitUsage    = 2 // bad flags or arguments
	ExitBadInput = 3 // --strict and some input was malformed
)

// Main runs app with args and returns the process exit code. It is the whole
// of every command's main, so that deferred flushes run before os.Exit.
func Main(app *cli.App, args []string) (code int) {
	defer ignoreSIGPIPE()()
	return run(app, args, os.Stdin, os.Stdout, os.Stderr)
}

func run(app *cli.App, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "%s: internal error: %s\n%s", app.Name, textsafe.String(fmt.Sprint(p)), debug.Stack())
			code = ExitError
		}
	}()
	app.Reader = stdin
	app.Writer = stdout
	app.ErrWriter = stderr
	// Without this, cli calls os.Exit inside Run and buffered output is lost.
	app.ExitErrHandler = func(*cli.Context, error) {}
	// Without this, cli prints "Incorrect Usage" and the help text on
	// stdout, into the middle of a data stream.
	app.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
		return UsageError("%s", flagMessage(app, err.Error()))
	}
	setVersion(app)
	if len(app.Commands) == 0 && app.CustomAppHelpTemplate == "" {
		// "GLOBAL" is for options that apply to every subcommand; these
		// commands have none.
		app.CustomAppHelpTemplate = strings.ReplaceAll(cli.AppHelpTemplate, "GLOBAL OPTIONS", "OPTIONS")
	}
	ctx, stop := signalContext(stderr, app.Name)
	defer stop()
	err := app.RunContext(ctx, args)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, syscall.EPIPE):
		return ExitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintf(stderr, "%s: %s\n", app.Name, textsafe.String(msg))
		}
		return ec.ExitCode()
	}
	if msg, ok := envMessage(app, err.Error()); ok {
		// A bad value in an environment variable is cli's own error,
		// returned before the action runs: a usage error all the same.
		fmt.Fprintf(stderr, "%s: %s (see --help)\n", app.Name, textsafe.String(msg))
		return ExitUsage
	}
	fmt.Fprintf(stderr, "%s: %s\n", app.Name, textsafe.String(err.Error()))
	return ExitError
}

// UsageError returns an error that exits with ExitUsage and points at --help.
func UsageError(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...)+" (see --help)", ExitUsage)
}

// EnvVar returns the environment variable that sets a flag of a command:
// EnvVar("httpmon-window", "lateness") is HTTPMON_WINDOW_LATENESS.
func EnvVar(command, flag string) string {
	r := strings.NewReplacer("-", "_")
	return strings.ToUpper(r.Replace(command) + "_" + r.Replace(flag))
}

// InputFlags are the flags every command has for malformed input.
func InputFlags(command string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name:    "rejects",
			Usage:   "append malformed input lines, raw, to `FILE`",
			EnvVars: []string{EnvVar(command, "rejects")},
		},
		&cli.BoolFlag{
			Name:    "strict",
			Usage:   "exit with status 3 at the end if any input line was malformed",
			EnvVars: []string{EnvVar(command, "strict")},
		},
	}
}

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

// LineNo returns the number of the input line being handled by Records.
func (s *Stage) LineNo() int64 { return s.lineNo }

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

// DrainRecords is how long the NDJSON stages keep reading after SIGINT or
// SIGTERM: on Ctrl-C every stage of a pipeline gets the signal at once, and
// this lets each one take in what its upstream flushes on the way out.
const DrainRecords = 2 * time.Second

// BadRecord marks an error about one input record, which is reported and
// skipped, as opposed to an error that ends the run.
type BadRecord struct{ Err error }

// Error returns the underlying error's message.
func (e *BadRecord) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *BadRecord) Unwrap() error { return e.Err }

// Bad wraps err as a BadRecord.
func Bad(err error) error { return &BadRecord{err} }

// Records reads NDJSON records from standard input until it ends or the
// stage is interrupted; both return nil. Records whose kind owns reports
// true go to handle; the rest are checked to be well-formed and copied to
// the output unchanged, so stages compose with producers of kinds they do
// not know. Malformed lines, and BadRecord errors from handle, are reported
// and skipped.
func (s *Stage) Records(dec *event.Decoder, owns func(kind []byte) bool, handle func(kind, line []byte) error, opts ...RecordsOption) error {
	var o recordsOptions
	for _, opt := range opts {
		opt(&o)
	}
	s.tally.records = true
	r := ndjson.NewReader(s.reader(s.in, DrainRecords, o.onIdle, o.idleEvery), ndjson.Options{
		Decoder: dec,
		OnBad: func(line int64, raw []byte, err error) {
			s.Rejects.Report("", line, raw, err)
		},
	})
	for {
		kind, line, err := r.Next()
		if err == io.EOF || errors.Is(err, lineio.ErrInterrupted) {
			// Interruption ends the input like EOF does, so the caller
			// emits what it holds.
			return nil
		}
		if err != nil {
			return err
		}
		s.lineNo = r.Line()
		if owns(kind) {
			err = handle(kind, line)
		} else if err = dec.Validate(line); err == nil {
			err = s.Pass(line)
		} else {
			err = Bad(err)
		}
		if err != nil {
			var bad *BadRecord
			if errors.As(err, &bad) {
				r.Reject(line, bad.Err)
				continue
			}
			return err
		}
		s.tally.record(&s.role, kind)
	}
}

// A RecordsOption changes how Records reads.
type RecordsOption func(*recordsOptions)

type recordsOptions struct {
	onIdle    func() error
	idleEvery time.Duration
}

// OnIdle makes Records run fn whenever input has nothing more to give, just
// before output is flushed, and again every period while input stays
// silent (never again if period is 0): it lets a stage emit what the
// passing of time makes final. An error from fn ends Records.
func OnIdle(period time.Duration, fn func() error) RecordsOption {
	return func(o *recordsOptions) { o.onIdle, o.idleEvery = fn, period }
}

// Seconds returns the duration flag name in whole seconds, failing with a
// usage error that names the flag if it is below least or not whole.
func Seconds(c *cli.Context, name string, least int64) (int64, error) {
	d := c.Duration(name)
	if d%time.Second != 0 {
		return 0, UsageError("--%s must be a whole number of seconds, got %s", name, d)
	}
	if s := int64(d / time.Second); s >= least {
		return s, nil
	}
	return 0, UsageError("--%s must be at least %ds, got %s", name, least, d)
}

// NoArgs fails with a usage error if the command was given arguments.
func NoArgs(c *cli.Context) error {
	if c.NArg() > 0 {
		return UsageError("unexpected argument %q; this command reads standard input", c.Args().First())
	}
	return nil
}
