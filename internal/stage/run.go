package stage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/httpmon/httpmon/internal/textsafe"
	"github.com/urfave/cli/v2"
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
