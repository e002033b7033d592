package stage

import (
	"io"
	"os"
	"syscall"
)

// pipeSize is the pipe buffer asked for: a megabyte, the default limit for
// unprivileged processes (/proc/sys/fs/pipe-max-size). With the default
// 64 KiB, each stage of a replay wakes its reader every 64 KiB, and on a
// machine with fewer cores than stages the switches cost more than the
// copying.
const pipeSize = 1 << 20

// fSetPipeSz is F_SETPIPE_SZ from linux/fcntl.h, which package syscall
// does not name.
const fSetPipeSz = 1031

// growPipe enlarges the pipe behind w, if w is one. Failure is harmless:
// the pipe keeps its size.
func growPipe(w io.Writer) {
	f, ok := w.(*os.File)
	if !ok {
		return
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	// Control rather than Fd, which would switch the file to blocking mode.
	if c, err := f.SyscallConn(); err == nil {
		_ = c.Control(func(fd uintptr) {
			_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSz, pipeSize)
		})
	}
}
