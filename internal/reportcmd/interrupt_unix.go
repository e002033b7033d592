//go:build unix

package reportcmd

import (
	"os"

	"golang.org/x/sys/unix"
)

// interruptForeground sends SIGINT to the terminal's foreground process
// group, the whole pipeline when a shell with job control runs it, as the
// terminal does for Ctrl-C outside raw mode. It does nothing when the
// report is not in the foreground group of tty, so that it never signals
// processes it does not belong with.
func interruptForeground(tty *os.File) {
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	if err != nil || fg <= 0 || fg != unix.Getpgrp() {
		return
	}
	unix.Kill(-fg, unix.SIGINT)
}
