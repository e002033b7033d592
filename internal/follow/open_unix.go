//go:build unix

package follow

import "syscall"

// openFlags makes openRegular open without blocking: opening a FIFO blocks
// until a writer comes, which would stall every file and ignore signals.
// O_NONBLOCK changes nothing for reads of a regular file.
const openFlags = syscall.O_NONBLOCK
