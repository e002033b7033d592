// Package progress draws one line on a terminal that says how far a long
// read of files has got, and keeps it out of the way of other messages.
package progress

import (
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpmon/httpmon/internal/humane"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Every is the least time between two drawings: more often than a few
// times a second cannot be read and costs the terminal.
const Every = 250 * time.Millisecond

// checkEvery is how many lines go by between looks at the clock, so that
// a line costs an increment and a test.
const checkEvery = 1024

// Options describe the work a Meter follows.
type Options struct {
	Prog  string // the command's name, which starts the line
	Files int    // how many inputs there are
	Total int64  // their bytes, as read (compressed bytes for gzip)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Width returns the terminal's columns, or 0 when unknown; the line
	// is cut to fit, as a wrapped line could not be cleared.
	Width func() int
}

// Meter draws the progress line. Its methods may be called on a nil
// *Meter, which does nothing, so callers need not test for one.
type Meter struct {
	opt Options
	w   io.Writer // the terminal

	mu      sync.Mutex // held while drawing or printing a message
	file    int        // inputs started
	done    int64      // bytes of the inputs finished
	cur     *counter   // the input being read
	name    []byte     // its name, as given
	lines   int64
	start   time.Time
	next    time.Time // the earliest time of the next drawing
	shown   bool      // the line is on the terminal
	stopped bool      // Done was called
	buf     []byte
}

// New returns a meter that draws on w, a terminal.
func New(w io.Writer, opt Options) *Meter {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Width == nil {
		opt.Width = func() int { return 0 }
	}
	return &Meter{opt: opt, w: w}
}

// counter counts the bytes read from an input; atomic because a
// decompressor may read in a goroutine of its own.
type counter struct {
	r io.Reader
	n atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Start begins the next input, named name, and returns r counted: read
// from what it returns, before any decompression, so that a compressed
// input is measured in the bytes its size is in. from is the byte of the
// input that r starts at, past the start when a seek (httpmon-parse
// --since) jumped over the bytes before it: those leave the total rather
// than count as done, since they are never read, and the line's rate and
// ETA are those of the bytes that are (counted as done, they would make
// the rate of a run that seeks to the last hour of a big file look like
// gigabytes a second, and its ETA nothing).
func (m *Meter) Start(name string, r io.Reader, from int64) io.Reader {
	if m == nil {
		return r
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.endLocked()
	m.opt.Total = max(0, m.opt.Total-from)
	m.file++
	m.cur = &counter{r: r}
	m.name = []byte(name)
	now := m.opt.Now()
	if m.start.IsZero() {
		m.start = now
	}
	m.drawLocked(now)
	return m.cur
}

// End finishes the input begun by Start.
func (m *Meter) End() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.endLocked()
}

func (m *Meter) endLocked() {
	if m.cur != nil {
		m.done += m.cur.n.Load()
		m.cur = nil
	}
}

// Line counts a line read, and now and then redraws.
func (m *Meter) Line() {
	if m == nil {
		return
	}
	m.lines++
	if m.lines%checkEvery == 0 {
		m.tick()
	}
}

func (m *Meter) tick() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drawLocked(m.opt.Now())
}

// Done clears the line for good.
func (m *Meter) Done() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearLocked()
	m.stopped = true
}

// Writer returns a writer for the command's other messages to the same
// terminal: each clears the line before it and redraws it after, so that
// the two never share a line. A message is expected whole in one Write.
func (m *Meter) Writer() io.Writer { return messages{m} }

type messages struct{ m *Meter }

func (w messages) Write(p []byte) (int, error) {
	m := w.m
	m.mu.Lock()
	defer m.mu.Unlock()
	shown := m.shown
	m.clearLocked()
	n, err := m.w.Write(p)
	if shown && !m.stopped {
		m.next = time.Time{}
		m.drawLocked(m.opt.Now())
	}
	return n, err
}

// clear is what erases the line: back to its start, erase to its end.
const clear = "\r\x1b[K"

func (m *Meter) clearLocked() {
	if m.shown {
		m.w.Write([]byte(clear))
		m.shown = false
	}
}

func (m *Meter) drawLocked(now time.Time) {
	if m.stopped || now.Before(m.next) {
		return
	}
	m.next = now.Add(Every)
	m.buf = append(m.buf[:0], '\r')
	m.buf = m.appendLine(m.buf, now)
	m.buf = append(m.buf, "\x1b[K"...)
	m.w.Write(m.buf)
	m.shown = true
}

// appendLine appends the text of the line, cut to the terminal's width:
// "httpmon-parse: file 2/5, 1.2 GiB/3.4 GiB (35%), 4123456 lines,
// 812345 lines/s, ETA 42s: access.log.2.gz".
func (m *Meter) appendLine(b []byte, now time.Time) []byte {
	start := len(b)
	done := m.done
	if m.cur != nil {
		done += m.cur.n.Load()
	}
	total := max(m.opt.Total, done) // a file may grow while it is read
	b = append(b, m.opt.Prog...)
	b = append(b, ": file "...)
	b = strconv.AppendInt(b, int64(m.file), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(max(m.opt.Files, m.file)), 10)
	b = append(b, ", "...)
	b = humane.AppendBytes(b, done)
	b = append(b, '/')
	b = humane.AppendBytes(b, total)
	if total > 0 {
		b = append(b, " ("...)
		b = strconv.AppendInt(b, done*100/total, 10)
		b = append(b, "%)"...)
	}
	b = append(b, ", "...)
	b = strconv.AppendInt(b, m.lines, 10)
	b = append(b, " lines"...)
	// A rate over less than a second is noise.
	if elapsed := now.Sub(m.start).Seconds(); elapsed >= 1 {
		b = append(b, ", "...)
		b = appendRate(b, float64(m.lines)/elapsed)
		b = append(b, " lines/s"...)
		if done > 0 {
			left := float64(total-done) / (float64(done) / elapsed)
			b = append(b, ", ETA "...)
			b = append(b, humane.ShortDuration(int64(left+0.5))...)
		}
	}
	b = append(b, ": "...)
	width := m.opt.Width()
	if width <= 0 {
		width = 80
	}
	// One column short of the width: writing the last column leaves the
	// cursor on the next line on some terminals.
	room := width - 1 - (len(b) - start)
	if room < 4 {
		return b[:start+max(0, min(len(b)-start, width-1))]
	}
	b, _ = textsafe.AppendCell(b, m.name, room)
	return b
}

// appendRate appends a rate with three significant digits below 100, and
// whole above: 0.0333, 2.50, 812345.
func appendRate(b []byte, r float64) []byte {
	if r >= 100 {
		return strconv.AppendInt(b, int64(r+0.5), 10)
	}
	return strconv.AppendFloat(b, r, 'g', 3, 64)
}
