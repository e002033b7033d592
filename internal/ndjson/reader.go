// Package ndjson reads the records of an httpmon stream: the one loop that
// every stage reading NDJSON shares, from line to record kind, with the
// one place where malformed lines are reported.
package ndjson

import (
	"errors"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
)

// Options configure a Reader.
type Options struct {
	// Decoder reads the kind of each record; nil gives the Reader one of
	// its own. Callers that decode the records further pass theirs, so
	// that one decoder serves the whole loop.
	Decoder *event.Decoder
	// OnBad is told about every malformed line, with its number, and its
	// text unless it was too long to keep: a line over lineio's limit, a
	// line that is no record, and each line given to Reject.
	OnBad func(line int64, raw []byte, err error)
}

// Reader returns the records of an NDJSON stream one at a time: it skips
// empty lines, and reports and skips lines that are too long or have no
// kind.
type Reader struct {
	lines *lineio.Reader
	dec   *event.Decoder
	onBad func(line int64, raw []byte, err error)
}

// NewReader returns a Reader of the records in the lines of lines, which
// keeps its own options: idle callbacks, interruption and the line limit.
func NewReader(lines *lineio.Reader, opt Options) *Reader {
	r := &Reader{lines: lines, dec: opt.Decoder, onBad: opt.OnBad}
	if r.dec == nil {
		r.dec = event.NewDecoder()
	}
	return r
}

// Next returns the next record's kind and line, both valid until the
// following call. Its errors are those of lineio.Reader.Next that end the
// input: io.EOF, lineio.ErrInterrupted, or a failure to read.
func (r *Reader) Next() (kind, line []byte, err error) {
	for {
		line, err = r.lines.Next()
		// errors.As only on an error: its target escapes, and taking it
		// for every line would allocate once per record.
		if err != nil {
			var tooLong *lineio.TooLongError
			if errors.As(err, &tooLong) {
				r.bad(nil, err)
				continue
			}
			return nil, nil, err
		}
		if len(line) == 0 {
			continue
		}
		if kind, err = r.dec.Kind(line); err != nil {
			r.bad(line, err)
			continue
		}
		return kind, line, nil
	}
}

// Reject reports the line last returned by Next as malformed: it has a
// kind, but its caller could not decode it.
func (r *Reader) Reject(line []byte, err error) { r.bad(line, err) }

// Line returns the number of the line last read, counting from 1.
func (r *Reader) Line() int64 { return r.lines.Line() }

func (r *Reader) bad(raw []byte, err error) {
	if r.onBad != nil {
		r.onBad(r.lines.Line(), raw, err)
	}
}
