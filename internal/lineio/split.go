package lineio

import "bytes"

// Splitter cuts bytes, given in chunks of any size, into lines: the one
// framing rule of every reader of logs here, the Reader of standard input
// and the follower of files alike. It reads nothing itself, so each
// caller reads its own way and keeps track of its own offsets.
//
// A line is what comes before a newline, without it and without a "\r"
// before it. The start of a line that a chunk does not finish is kept,
// up to the limit; a line longer than that is not kept at all but
// reported, once its newline comes, as a *TooLongError.
type Splitter struct {
	maxLine  int
	partial  []byte // the start of a line that has not ended yet
	skipping bool   // inside a line over the limit
}

// NewSplitter returns a splitter for lines of at most maxLine bytes; 0 or
// less means DefaultMaxLine.
func NewSplitter(maxLine int) Splitter {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return Splitter{maxLine: maxLine}
}

// Cut returns the first line that ends in b, with the part of it that
// earlier chunks held before, and the rest of b after its newline. When b
// has no newline, ok is false and b is kept as the start of a line. A line
// over the limit has a nil text and a *TooLongError. The text is valid
// until the next call, and as long as b is if it lies in b.
func (s *Splitter) Cut(b []byte) (line, rest []byte, ok bool, err error) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		s.hold(b)
		return nil, nil, false, nil
	}
	line, rest = b[:i], b[i+1:]
	if s.skipping {
		s.skipping = false
		return nil, rest, true, s.tooLong()
	}
	if len(s.partial) > 0 {
		s.partial = append(s.partial, line...)
		line = s.partial
		s.partial = s.partial[:0]
	}
	if len(line) > s.maxLine {
		return nil, rest, true, s.tooLong()
	}
	return trimCR(line), rest, true, nil
}

// hold keeps the start of a line, or drops it once the line is over the
// limit.
func (s *Splitter) hold(b []byte) {
	if s.skipping {
		return
	}
	s.partial = append(s.partial, b...)
	if len(s.partial) > s.maxLine {
		s.skipping = true
		s.partial = s.partial[:0]
	}
}

// Flush returns the line that was started and not ended, for an input
// that ended without a final newline, and forgets it; ok is false if
// there is none. Like Cut it reports a line over the limit with a
// *TooLongError.
func (s *Splitter) Flush() (line []byte, ok bool, err error) {
	if s.skipping {
		s.skipping = false
		return nil, true, s.tooLong()
	}
	if len(s.partial) == 0 {
		return nil, false, nil
	}
	line = s.partial
	s.partial = s.partial[:0]
	return trimCR(line), true, nil
}

// Reset forgets the line that was started, for an input that starts again.
func (s *Splitter) Reset() {
	s.partial = s.partial[:0]
	s.skipping = false
}

// Skip makes what comes up to the next newline the end of a line over the
// limit, for a reader that starts inside such a line.
func (s *Splitter) Skip() {
	s.partial = s.partial[:0]
	s.skipping = true
}

// MaxLine returns the longest line accepted.
func (s *Splitter) MaxLine() int { return s.maxLine }

func (s *Splitter) tooLong() error { return &TooLongError{Limit: s.maxLine} }

func trimCR(l []byte) []byte {
	if n := len(l); n > 0 && l[n-1] == '\r' {
		return l[:n-1]
	}
	return l
}
