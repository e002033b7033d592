// Package lineio splits a byte stream into lines for the httpmon stages.
//
// It differs from bufio.Scanner in the ways a log filter needs: lines have no
// fixed 64 KiB limit but a configurable one, and a line over it is reported
// and skipped rather than ending the stream; "\r\n" endings are stripped; a
// callback runs whenever the input has nothing more to give right now, so
// the caller can flush its output before blocking (a `tail -f` pipeline then
// shows each line as it arrives while a bulk run still writes in large
// blocks); and reading can be cut short by a done channel, after an optional
// grace period that lets a stage drain what its upstream flushed on the same
// Ctrl-C, or at once by a stop channel when there is nobody left to write to.
package lineio

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// DefaultMaxLine is the longest line accepted unless Options says otherwise.
const DefaultMaxLine = 1 << 20

const chunkSize = 256 << 10

// ErrInterrupted is returned by Next after the done channel closed and the
// grace period, if any, ran out.
var ErrInterrupted = errors.New("interrupted")

// TooLongError reports a line longer than the limit. The line is skipped and
// counted; reading goes on with the next one.
type TooLongError struct {
	Limit int
}

// Error implements error.
func (e *TooLongError) Error() string {
	return fmt.Sprintf("line longer than %d bytes, skipped", e.Limit)
}

// Options configures a Reader.
type Options struct {
	// MaxLine is the longest line accepted; 0 means DefaultMaxLine.
	MaxLine int
	// ChunkSize is the size of each read, and of each of the few buffers
	// in flight; 0 means 256 KiB. A reader of many inputs at once takes
	// less, since each holds several.
	ChunkSize int
	// OnIdle runs before Next blocks waiting for input. Its error is
	// returned by Next.
	OnIdle func() error
	// IdleEvery, if positive, runs OnIdle again at this period for as long
	// as Next stays blocked, so that a caller can act on time passing while
	// its input is silent.
	IdleEvery time.Duration
	// Done stops reading when closed.
	Done <-chan struct{}
	// Drain is how long to go on reading input that is still arriving after
	// Done closed; 0 stops at once.
	Drain time.Duration
	// Stop, when closed, ends reading at once, without the drain: the
	// reader of the output went away, so nothing read any more could be
	// delivered.
	Stop <-chan struct{}
}

type chunk struct {
	b   []byte
	err error
}

// Reader returns the lines of an input one at a time.
type Reader struct {
	opt      Options
	ch       chan chunk
	free     chan []byte
	cur      []byte // unread part of the current chunk
	curBuf   []byte // the current chunk's whole buffer, to recycle
	err      error  // sticky end of input
	line     int64
	blank    int64
	split    Splitter // frames the lines of the chunks
	deadline time.Time
	stopping bool
}

// NewReader starts reading src in a goroutine, which lets Next notice idle
// input and interruption without blocking in a read.
func NewReader(src io.Reader, opt Options) *Reader {
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = chunkSize
	}
	r := &Reader{
		opt:  opt,
		ch:   make(chan chunk, 4),
		free: make(chan []byte, 8),
	}
	r.split = NewSplitter(opt.MaxLine)
	go r.fill(src)
	return r
}

func (r *Reader) fill(src io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		default:
			buf = make([]byte, r.opt.ChunkSize)
		}
		n, err := src.Read(buf)
		if n > 0 || err != nil {
			r.ch <- chunk{buf[:n], err}
		}
		if err != nil {
			return
		}
	}
}

// Line returns the number of the line last returned by Next, counting from 1.
func (r *Reader) Line() int64 { return r.line }

// Blank returns how many of the lines returned so far were empty, so that
// a caller can tell an input of blank lines from one with content.
func (r *Reader) Blank() int64 { return r.blank }

// Next returns the next line without its line ending. The slice is valid
// until the following call. At the end of input it returns io.EOF, after a
// last line without a newline if there is one. A line over the limit yields
// a *TooLongError, and the next call continues after it.
func (r *Reader) Next() ([]byte, error) {
	for {
		if len(r.cur) > 0 {
			l, rest, ok, err := r.split.Cut(r.cur)
			r.cur = rest
			if ok {
				r.line++
				return r.counted(l, err)
			}
		}
		if r.err != nil {
			if l, ok, err := r.split.Flush(); ok {
				r.line++
				return r.counted(l, err)
			}
			return nil, r.err
		}
		if err := r.fetch(); err != nil {
			return nil, err
		}
	}
}

// counted counts a blank line, for the verdict on empty input.
func (r *Reader) counted(l []byte, err error) ([]byte, error) {
	if err == nil && len(l) == 0 {
		r.blank++
	}
	return l, err
}

// fetch makes the next chunk current or records the end of input.
func (r *Reader) fetch() error {
	if r.curBuf != nil {
		select {
		case r.free <- r.curBuf[:cap(r.curBuf)]:
		default:
		}
		r.curBuf = nil
	}
	select {
	case <-r.opt.Stop:
		return r.interrupt()
	default:
	}
	if !r.stopping {
		select {
		case <-r.opt.Done:
			r.stopping = true
			r.deadline = time.Now().Add(r.opt.Drain)
		default:
		}
	}
	if r.stopping && !time.Now().Before(r.deadline) {
		return r.interrupt()
	}
	var c chunk
	select {
	case c = <-r.ch:
	default:
		if r.opt.OnIdle != nil {
			if err := r.opt.OnIdle(); err != nil {
				return err
			}
		}
		var ok bool
		var err error
		if c, ok, err = r.wait(); err != nil {
			return err
		} else if !ok {
			return r.interrupt()
		}
	}
	r.cur, r.curBuf = c.b, c.b
	if c.err != nil {
		r.err = c.err
	}
	return nil
}

func (r *Reader) interrupt() error {
	// An interrupted partial line is dropped: it was never finished, so it
	// is not a line of the input.
	r.split.Reset()
	r.cur = nil
	r.err = ErrInterrupted
	return nil
}

// wait blocks for the next chunk, honouring Done, the drain period and
// IdleEvery.
func (r *Reader) wait() (chunk, bool, error) {
	if !r.stopping {
		var every <-chan time.Time
		if r.opt.IdleEvery > 0 && r.opt.OnIdle != nil {
			t := time.NewTicker(r.opt.IdleEvery)
			defer t.Stop()
			every = t.C
		}
	waiting:
		for {
			select {
			case c := <-r.ch:
				return c, true, nil
			case <-every:
				if err := r.opt.OnIdle(); err != nil {
					return chunk{}, false, err
				}
			case <-r.opt.Done:
				r.stopping = true
				r.deadline = time.Now().Add(r.opt.Drain)
				break waiting
			case <-r.opt.Stop:
				return chunk{}, false, nil
			}
		}
	}
	d := time.Until(r.deadline)
	if d <= 0 {
		select {
		case c := <-r.ch:
			return c, true, nil
		default:
			return chunk{}, false, nil
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case c := <-r.ch:
		return c, true, nil
	case <-t.C:
		return chunk{}, false, nil
	case <-r.opt.Stop:
		return chunk{}, false, nil
	}
}
