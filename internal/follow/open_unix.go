//go:build unix

package follow

import (
	"os"
	"syscall"
)

// openRegular opens a regular file for reading, and fails with
// errNotRegular for anything else. It opens without blocking and checks
// the type of what it opened, not of what a look before found at the path:
// opening a FIFO blocks until a writer comes, which would stall every
// file and ignore signals, and the path can change between a look and an
// open. O_NONBLOCK changes nothing for reads of a regular file.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotRegular
	}
	return f, fi, nil
}
