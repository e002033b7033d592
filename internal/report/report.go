// Package report renders httpmon summaries and alerts as text for a person:
// an operator watching a terminal, a file that is tailed later, or the mail
// cron sends. Summaries fit in 80 columns; alert lines keep a fixed wording
// so that they can be grepped. Everything that came from the log is passed
// through textsafe.Append, because log data is attacker-controlled and the output
// goes straight to a terminal.
package report

import (
	"io"
	"strconv"
	"time"
)

// Options configure a Renderer.
type Options struct {
	// Color makes the output use ANSI colour and bold. The caller decides,
	// from --color auto|always|never, isatty and NO_COLOR, because only it
	// knows where the output goes.
	Color bool
	// Top is how many rows of each top list the totals block shows;
	// DefaultTop when zero.
	Top int
	// Cut makes the totals block cut keys at the margin, which the caller
	// asks for when the output is a terminal; a file or a mail keeps them
	// whole, as they may be what the reader searches for.
	Cut bool
}

// Renderer writes summaries and alerts to an io.Writer, one Write call per
// record, so the caller's buffering decides when text reaches the screen.
// A Renderer remembers what it wrote last, to separate blocks by blank
// lines; it is not safe for concurrent use.
type Renderer struct {
	w     io.Writer
	color bool
	buf   []byte // the record being rendered, reused
	tmp   []byte // one number or cell being measured, reused
	loc   *time.Location
	off   int32 // UTC offset that loc was made for
	last  int   // the shape of the previous record, for spacing
	top   int
	cut   bool
	empty emptyRun // empty intervals not yet written
	// firing are the alerts firing now, in the order they fired, for
	// the totals block; fired says whether any alert fired at all.
	firing []firingAlert
	fired  bool
}

// Shapes of a rendered record; a multi-line block gets a blank line around
// it, one-line records (alerts, empty intervals) stack without one.
const (
	shapeNone = iota
	shapeLine
	shapeBlock
)

// margin is the right margin of summaries: the classic terminal, and a
// line length that mail clients do not rewrap.
const margin = 80

// SGR sequences; the renderer writes no other escape sequences.
const (
	sgrReset   = "\x1b[0m"
	sgrBold    = "\x1b[1m"
	sgrRedBold = "\x1b[1;31m"
	sgrRed     = "\x1b[31m"
	sgrGreen   = "\x1b[32m"
	sgrYellow  = "\x1b[33m"
)

// New returns a Renderer that writes to w.
func New(w io.Writer, opt Options) *Renderer {
	top := opt.Top
	if top <= 0 {
		top = DefaultTop
	}
	return &Renderer{w: w, color: opt.Color, top: top, cut: opt.Cut}
}

// sgr appends an SGR sequence when colour is on.
func (r *Renderer) sgr(b []byte, seq string) []byte {
	if !r.color {
		return b
	}
	return append(b, seq...)
}

// zone returns the log's own time zone; it is cached because FixedZone
// allocates and a stream almost never changes offset.
func (r *Renderer) zone(off int32) *time.Location {
	if r.loc == nil || off != r.off {
		r.loc = time.FixedZone("", int(off))
		r.off = off
	}
	return r.loc
}

// digits returns the width of n in decimal.
func digits(n int64) int {
	w, u := 1, uint64(n)
	if n < 0 {
		w, u = 2, -u // in uint64 so that the most negative int64 negates
	}
	for ; u >= 10; u /= 10 {
		w++
	}
	return w
}

// appendFloat appends f with prec decimals, or as few as needed for -1.
func appendFloat(b []byte, f float64, prec int) []byte {
	return strconv.AppendFloat(b, f, 'f', prec, 64)
}
