// Package seek finds where to start reading a log sorted by time, within
// a bound of disorder, to see every line from a given time on: a binary
// search on the times of the lines at probe offsets, so that its cost
// grows with the logarithm of the file's size, not with the size.
package seek

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// TimeFunc returns the time of a line, without its line ending, in unix
// seconds; ok is false for a line that has none (a header, a malformed
// line), which the search passes over.
type TimeFunc func(line []byte) (ts int64, ok bool)

const (
	// maxScan bounds how far a probe reads for a line that has a time: a
	// stretch of that many bytes of lines without one ends the probe, and
	// the search keeps what it has, which is always safe.
	maxScan = 1 << 20
	// minGap is where the search stops halving: reading a few KiB more
	// lines costs less than another probe.
	minGap = 16 << 10
	// bufSize is the probes' read buffer; longer lines are passed over.
	bufSize = 64 << 10
)

// Before returns the offset of the start of a line in r, whose size is
// size, such that no line before it has a time at or after target + d,
// for a log in which no line's time is more than d before that of a line
// written earlier. Reading from the offset and keeping the lines whose
// time is at or after since = target + d therefore loses none. The line
// at the offset is one whose time is before target, or the offset is 0.
//
// Under that bound the proof needs only the line found at the offset:
// a line before it at or after target + d would put it at or after
// target. So lines out of order only cost probes that go the wrong way,
// never a line; and lines without a time only make the probes read on.
func Before(r io.ReaderAt, size, target int64, timeOf TimeFunc) (int64, error) {
	p := prober{r: r, size: size, timeOf: timeOf, br: bufio.NewReaderSize(nil, bufSize)}
	lo, hi := int64(0), size
	for hi-lo > minGap {
		mid := lo + (hi-lo)/2
		start, ts, ok, err := p.probe(mid, hi)
		if err != nil {
			return 0, err
		}
		if ok && ts < target {
			lo = start
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// First returns the time of the first line of r that has one, looking no
// further than maxScan bytes; ok is false when there is none there.
func First(r io.ReaderAt, size int64, timeOf TimeFunc) (ts int64, ok bool, err error) {
	p := prober{r: r, size: size, timeOf: timeOf, br: bufio.NewReaderSize(nil, bufSize)}
	_, ts, ok, err = p.scan(0, size, false)
	return ts, ok, err
}

// prober reads lines at offsets of one file.
type prober struct {
	r      io.ReaderAt
	size   int64
	timeOf TimeFunc
	br     *bufio.Reader
}

// probe returns the first line with a time among those that start at or
// after off and before hi.
func (p *prober) probe(off, hi int64) (start, ts int64, ok bool, err error) {
	// Starting one byte early, in the line before, finds a line that
	// starts at off.
	return p.scan(off-1, hi, true)
}

// scan reads the lines from the offset from, skipping the first one when
// it is torn, and returns the first with a time that starts before hi,
// within maxScan bytes of from.
func (p *prober) scan(from, hi int64, torn bool) (start, ts int64, ok bool, err error) {
	p.br.Reset(io.NewSectionReader(p.r, from, p.size-from))
	pos := from
	for pos < hi && pos-from <= maxScan {
		line, n, err := p.line()
		if n == 0 {
			return 0, 0, false, err
		}
		if torn {
			torn = false
		} else if line != nil {
			if ts, ok := p.timeOf(line); ok {
				return pos, ts, true, nil
			}
		}
		pos += n
		if err != nil {
			return 0, 0, false, err
		}
	}
	return 0, 0, false, nil
}

// line reads one line and returns it without its line ending, or nil if
// it is longer than the buffer, and the bytes it took, 0 at the end of
// the file.
func (p *prober) line() (line []byte, n int64, err error) {
	long := false
	for {
		b, err := p.br.ReadSlice('\n')
		n += int64(len(b))
		if errors.Is(err, bufio.ErrBufferFull) {
			long = true
			continue
		}
		if err == io.EOF {
			err = nil
		}
		if err != nil || long || len(b) == 0 {
			return nil, n, err
		}
		return bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r")), n, nil
	}
}
