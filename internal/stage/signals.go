package stage

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// signalMerge is how close together two signals of the same kind must come
// to be one request to stop. coreutils timeout sends SIGTERM to its child
// and again to the child's process group, microseconds apart; a service
// manager may do the same. A person who presses Ctrl-C a second time, on
// purpose, does so later than this.
const signalMerge = 500 * time.Millisecond

// ExitAbandoned is the status of a command stopped by a second, deliberate
// interrupt while it was flushing: 128+SIGINT, what a shell shows for a
// process killed by Ctrl-C.
const ExitAbandoned = 130

// interrupts decides what each SIGINT or SIGTERM means.
type interrupts struct {
	n    int
	last os.Signal
	at   time.Time
}

// add takes in a signal received at now. It returns stop for the first
// request to stop, which flushes and exits normally, and abandon for a
// later, distinct one, after which the command exits at once.
func (in *interrupts) add(sig os.Signal, now time.Time) (stop, abandon bool) {
	merged := in.n > 0 && sig == in.last && now.Sub(in.at) < signalMerge
	in.last, in.at = sig, now
	if merged {
		return false, false
	}
	in.n++
	return in.n == 1, in.n > 1
}

// signalContext is cancelled by the first SIGINT or SIGTERM, so the command
// can flush what it holds and exit 0; a second one, unless it came right
// after the first (see signalMerge), exits at once, for a user who does
// not want to wait.
func signalContext(stderr io.Writer, name string) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		var in interrupts
		for sig := range ch {
			stop, abandon := in.add(sig, time.Now())
			if stop {
				cancel()
			}
			if abandon {
				fmt.Fprintf(stderr, "%s: interrupted twice, exiting without flushing\n", name)
				os.Exit(ExitAbandoned)
			}
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel()
	}
}

// ignoreSIGPIPE makes a write to a closed pipe fail with EPIPE instead of
// killing the process, so that a reader going away early (`| head`) is
// seen, and ends the command with status 0 as a normal end; Go's default
// kills the process with SIGPIPE, which a shell shows as 141 and which
// `set -o pipefail` takes for a failure. Notify rather than Ignore: an
// ignored signal would stay ignored in the programs a command starts.
func ignoreSIGPIPE() func() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}
