package stage

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"
)

// Rejects reports malformed input lines: a message on stderr with the line
// number and the reason, a count, and optionally the raw line appended to a
// file so that nothing is lost. Messages are rate-limited (a burst of
// rejectBurst, then one a second) so that feeding a command the wrong file
// does not flood the terminal; the count at the end covers them all.
type Rejects struct {
	prog       string
	errw       io.Writer
	path       string
	file       *os.File
	w          *bufio.Writer
	count      int64
	suppressed int64
	tokens     float64
	last       time.Time
	now        func() time.Time
}

const rejectBurst = 10

// NewRejects returns a reporter that writes messages to errw, prefixed by
// prog, and appends raw lines to the file at path unless path is empty.
func NewRejects(prog string, errw io.Writer, path string) (*Rejects, error) {
	r := &Rejects{prog: prog, errw: errw, path: path, tokens: rejectBurst, now: time.Now}
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("--rejects: %w", err)
		}
		r.file, r.w = f, bufio.NewWriter(f)
	}
	return r, nil
}

// Count returns the number of lines reported so far.
func (r *Rejects) Count() int64 { return r.count }

// Report records one malformed line. where names the input (a file name) or
// is empty for standard input; raw may be nil when the line was not kept
// (too long).
func (r *Rejects) Report(where string, line int64, raw []byte, reason error) {
	r.count++
	if r.w != nil && raw != nil {
		r.w.Write(raw)
		r.w.WriteByte('\n')
	}
	r.notice(where, line, "%v", reason)
}

// notice prints "prog: [where: ]line N: message" unless the rate limit
// holds it back, and mentions how many were held back since the last one.
// The message is formatted only when it is printed, so that a flood of
// suppressed notices costs no formatting.
func (r *Rejects) notice(where string, line int64, format string, args ...any) {
	if !r.allow() {
		r.suppressed++
		return
	}
	prefix := r.prog + ": "
	if where != "" {
		prefix += where + ": "
	}
	msg := fmt.Sprintf("%sline %d: ", prefix, line) + fmt.Sprintf(format, args...)
	if r.suppressed > 0 {
		msg += fmt.Sprintf(" (%d more not shown)", r.suppressed)
		r.suppressed = 0
	}
	fmt.Fprintln(r.errw, msg)
}

func (r *Rejects) allow() bool {
	now := r.now()
	if !r.last.IsZero() {
		r.tokens += now.Sub(r.last).Seconds()
		if r.tokens > rejectBurst {
			r.tokens = rejectBurst
		}
	}
	r.last = now
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

// Close flushes the rejects file and prints the total if anything was
// rejected.
func (r *Rejects) Close() error {
	var err error
	if r.w != nil {
		err = r.w.Flush()
		if cerr := r.file.Close(); err == nil {
			err = cerr
		}
		r.w = nil
	}
	if r.count > 0 {
		where := ""
		if r.path != "" {
			where = ", saved to " + r.path
		}
		noun := "lines"
		if r.count == 1 {
			noun = "line"
		}
		fmt.Fprintf(r.errw, "%s: %d malformed input %s skipped%s\n", r.prog, r.count, noun, where)
	}
	if err != nil {
		return fmt.Errorf("--rejects: %w", err)
	}
	return nil
}

// Warn prints a notice about one input line under the same rate limit as
// malformed lines, without counting it as malformed: late records, for
// example, are valid input that could not be placed. The message is
// formatted with fmt only if it is printed.
func (r *Rejects) Warn(where string, line int64, format string, args ...any) {
	r.notice(where, line, format, args...)
}
