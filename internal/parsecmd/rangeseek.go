package parsecmd

import (
	"fmt"
	"io"
	"os"

	"github.com/httpmon/httpmon/internal/decompress"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/logfmt"
	"github.com/httpmon/httpmon/internal/seek"
)

// seekSince moves f to where the lines of --since start, found by binary
// search, and returns that offset. It leaves f where it is, at 0, for
// anything it cannot search: no regular file, a compressed one, a file of
// no request it can read at the start, or a W3C log, whose lines are read
// with the columns of the last #Fields: directive before them. It sets
// whether the input is taken as sorted, and fixes the range in the log's
// zone from the file's first request.
func (cmd *command) seekSince(f *os.File) (int64, error) {
	cmd.rng.sorted = false
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, nil
	}
	cmd.rng.sorted = true
	size := fi.Size()
	if isCompressed(f, size) {
		return 0, nil
	}
	head := logfmt.NewDetector(cmd.format)
	first, ok, err := seek.First(f, size, func(line []byte) (int64, bool) {
		return cmd.timeOf(&head, line)
	})
	if err != nil || !ok {
		return 0, err
	}
	cmd.rng.resolve(cmd.req.UTCOffset)
	if format := head.Format(); format == logfmt.W3C || format == logfmt.CloudFront {
		return 0, nil
	}
	target := cmd.rng.lo - cmd.rng.slack
	if cmd.rng.since.kind == unbounded || first >= target {
		return 0, nil
	}
	off, err := seek.Before(f, size, target, func(line []byte) (int64, bool) {
		// A copy, so that lines the probes land on do not change the
		// input's format.
		d := head
		return cmd.timeOf(&d, line)
	})
	if err != nil || off == 0 {
		return 0, err
	}
	_, err = f.Seek(off, io.SeekStart)
	return off, err
}

// timeOf returns the time of a line parsed with d, for the search.
func (cmd *command) timeOf(d *logfmt.Detector, line []byte) (int64, bool) {
	header, err := d.Parse(&cmd.lp, line, &cmd.req)
	if header || err != nil || event.CheckRequest(&cmd.req) != nil {
		return 0, false
	}
	return cmd.req.TS, true
}

// isCompressed reports whether the file f of size bytes is gzip or zstd,
// told as the decompressor tells it when it reads.
func isCompressed(f *os.File, size int64) bool {
	d := decompress.NewReader(io.NewSectionReader(f, 0, min(size, 4)))
	defer d.Close()
	var b [1]byte
	_, _ = d.Read(b[:])
	return d.Format() != ""
}

// startAt seeks an input for --since; standard input, which cannot seek,
// is only filtered.
func (cmd *command) startAt(path string, in io.Reader) (int64, error) {
	f, ok := in.(*os.File)
	if !ok || path == "-" {
		cmd.rng.sorted = false
		return 0, nil
	}
	return cmd.seekSince(f)
}

// seeked notes that the input is read from the byte from on, so that
// messages, whose line numbers count from there, say so.
func (in *input) seeked(from int64) {
	if from > 0 {
		in.where += fmt.Sprintf(", from byte %d", from)
	}
}
