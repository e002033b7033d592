package stage

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestGrowPipe checks that an output pipe gets the large buffer, and that
// a file that is not a pipe is left alone.
func TestGrowPipe(t *testing.T) {
	const fGetPipeSz = 1032 // F_GETPIPE_SZ from linux/fcntl.h
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	growPipe(w)
	c, err := w.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var size uintptr
	var errno syscall.Errno
	if err := c.Control(func(fd uintptr) {
		size, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, fGetPipeSz, 0)
	}); err != nil || errno != 0 {
		t.Fatalf("F_GETPIPE_SZ: %v %v", err, errno)
	}
	if b, err := os.ReadFile("/proc/sys/fs/pipe-max-size"); err == nil {
		if max, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && max < pipeSize {
			t.Skipf("pipe-max-size is %d here", max)
		}
	}
	if size < pipeSize {
		t.Errorf("pipe buffer is %d bytes after growPipe, want %d (is /proc/sys/fs/pipe-max-size lower?)", size, pipeSize)
	}

	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	growPipe(f) // must not fail or panic on a regular file
}
