//go:build !unix

package reportcmd

import "os"

// interruptForeground does nothing where there are no process groups; the
// dashboard still quits on Ctrl-C.
func interruptForeground(*os.File) {}
