//go:build unix

package stage

import (
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// watchPoll is how long one poll of the output waits before looking
// whether the watch was stopped. The reader's going away ends the poll at
// once; this only bounds how long a stopped watcher lingers.
const watchPoll = 1000 // milliseconds

// watchReader calls gone, once, when the reader of w goes away, as GNU
// tail does: poll reports POLLERR on a pipe, POLLHUP on a socket, even
// while nothing is written. Without it, a stage whose input is quiet would
// notice only at its next write, and `q` in the dashboard would not give
// the shell back until the log moved. Only pipes and sockets are watched.
// The returned function stops the watch.
func watchReader(w io.Writer, gone func()) (stop func()) {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return func() {}
	}
	c, err := f.SyscallConn()
	if err != nil {
		return func() {}
	}
	var fd int
	_ = c.Control(func(u uintptr) { fd = int(u) })
	var mu sync.Mutex
	stopped := false
	go func() {
		fds := []unix.PollFd{{Fd: int32(fd)}}
		for {
			// Asking for no events still reports POLLERR and POLLHUP.
			fds[0].Events, fds[0].Revents = 0, 0
			n, err := unix.Poll(fds, watchPoll)
			mu.Lock()
			done := stopped
			mu.Unlock()
			switch {
			case done:
				return
			case err == unix.EINTR || n == 0:
				continue
			case err != nil || fds[0].Revents&unix.POLLNVAL != 0:
				return
			case fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0:
				gone()
				return
			}
		}
	}()
	return func() {
		mu.Lock()
		stopped = true
		mu.Unlock()
	}
}
