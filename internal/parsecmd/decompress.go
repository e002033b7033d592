package parsecmd

import (
	"errors"
	"io"
	"os"

	"github.com/httpmon/httpmon/internal/decompress"
)

// decompressed returns in, decompressed if it is gzip or zstd, and what
// releases the decompressor. A terminal is left as it is: nothing
// compressed is typed, and the stage says what it waits for only when it
// sees the terminal itself.
func decompressed(in io.Reader) (io.Reader, func()) {
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return in, func() {}
		}
	}
	d := decompress.NewReader(in)
	return d, func() { d.Close() }
}

// readError names the input in an error of its decompressor, which ends
// that input but, like a file that cannot be read, not the others: what
// was read before it is kept.
func readError(path string, err error) error {
	var de *decompress.Error
	if !errors.As(err, &de) {
		return err
	}
	if path == "-" {
		path = "standard input"
	}
	return &os.PathError{Op: "read", Path: path, Err: err}
}
