package stage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Rejects reports malformed input lines: a message on stderr with the line
// number and the reason, a count, and optionally the raw line appended to a
// file so that nothing is lost. Messages are rate-limited (a burst of
// rejectBurst, then one a second) so that feeding a command the wrong file
// does not flood the terminal; the count at the end covers them all.
//
// Every message is also handed, as a notice record, to the stage's output
// (see SetNotices), so that a dashboard downstream can show it.
type Rejects struct {
	prog       string
	errw       io.Writer
	path       string
	file       *os.File
	buf        []byte // the line being written, with its newline
	saved      int64  // lines written to file
	dirty      bool   // written since the last fsync
	werr       error  // the first failure to write file
	count      int64
	first      []byte // the start of the first malformed line
	suppressed int64
	tokens     float64
	last       time.Time
	now        func() time.Time
	emit       func(*event.Notice)
	note       event.Notice
}

const rejectBurst = 10

// firstKept is how much of the first malformed line is kept, to quote in
// the message about input that is entirely wrong.
const firstKept = 60

// NewRejects returns a reporter that writes messages to errw, prefixed by
// prog, and appends raw lines to the file at path unless path is empty.
func NewRejects(prog string, errw io.Writer, path string) (*Rejects, error) {
	r := &Rejects{prog: prog, errw: errw, path: path, tokens: rejectBurst, now: time.Now}
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("--rejects: %w", err)
		}
		r.file = f
	}
	return r, nil
}

// SetNotices makes every message also go to emit as a notice record. emit
// is called from Report, Warn and Summary, so those must be called between
// records of the output, never in the middle of one.
func (r *Rejects) SetNotices(emit func(*event.Notice)) { r.emit = emit }

// Count returns the number of lines reported so far.
func (r *Rejects) Count() int64 { return r.count }

// First returns the start of the first malformed line, nil if none was
// reported or it was not kept (too long).
func (r *Rejects) First() []byte { return r.first }

// Report records one malformed line. where names the input (a file name) or
// is empty for standard input; raw may be nil when the line was not kept
// (too long).
func (r *Rejects) Report(where string, line int64, raw []byte, reason error) {
	r.count++
	if r.count == 1 && raw != nil {
		r.first = append([]byte(nil), raw[:min(len(raw), firstKept)]...)
	}
	if r.file != nil && raw != nil && r.werr == nil {
		r.write(raw)
	}
	r.notice(where, line, "%v", reason)
}

// write appends one line to the file at once, in one write, unbuffered:
// malformed lines are few, and a line held in a buffer would be lost to a
// crash or SIGKILL, for good when a checkpoint has moved past it. A
// failure is reported when it happens, and the lines that follow are not
// saved.
func (r *Rejects) write(raw []byte) {
	r.buf = append(append(r.buf[:0], raw...), '\n')
	n, err := r.file.Write(r.buf)
	r.dirty = r.dirty || n > 0
	if err != nil {
		r.fail(err)
		return
	}
	r.saved++
}

func (r *Rejects) fail(err error) {
	r.werr = fmt.Errorf("--rejects %s: %w", r.path, unwrapPath(err))
	r.buf = nil
	r.print(r.werr.Error() + "; malformed lines are no longer saved")
}

// unwrapPath drops the file name from an *os.PathError, which the message
// already gives.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Sync writes everything reported so far to the rejects file and waits for
// the disk to have it, so that a checkpoint written next may skip past the
// lines. It returns the first write error, which was also reported when it
// happened.
func (r *Rejects) Sync() error {
	if r.file == nil {
		return nil
	}
	if r.werr != nil || !r.dirty {
		return r.werr
	}
	if err := r.file.Sync(); err != nil && !unsyncable(err) {
		r.fail(err)
		return r.werr
	}
	r.dirty = false
	return nil
}

// unsyncable reports the errors of fsync on files that have no disk behind
// them, such as a pipe or /dev/stderr: what was written is as safe as it
// gets.
func unsyncable(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EROFS)
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
	msg := fmt.Sprintf(format, args...)
	if r.suppressed > 0 {
		msg += fmt.Sprintf(" (%d more not shown)", r.suppressed)
		r.suppressed = 0
	}
	prefix := ""
	if where != "" {
		prefix = where + ": "
	}
	r.print(fmt.Sprintf("%sline %d: %s", prefix, line, msg))
	r.emitNotice(where, line, msg, 0)
}

// Tell says something that concerns no one input line, such as a followed
// file that cannot be read, on stderr and as a notice record.
func (r *Rejects) Tell(msg string) {
	r.print(msg)
	r.emitNotice("", 0, msg, 0)
}

// print writes "prog: msg" on stderr, escaped: messages quote file names
// and log data.
func (r *Rejects) print(msg string) {
	b := make([]byte, 0, len(r.prog)+len(msg)+3)
	b = append(append(b, r.prog...), ": "...)
	b = append(textsafe.Append(b, []byte(msg)), '\n')
	r.errw.Write(b)
}

func (r *Rejects) emitNotice(where string, line int64, msg string, count int64) {
	if r.emit == nil {
		return
	}
	r.note = event.Notice{Stage: []byte(r.prog), Input: []byte(where), Line: line, Message: []byte(msg), Count: count}
	r.emit(&r.note)
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

// Summary prints the total, if anything was rejected, on stderr and as a
// notice.
func (r *Rejects) Summary() {
	if r.count == 0 {
		return
	}
	noun := "lines"
	if r.count == 1 {
		noun = "line"
	}
	msg := fmt.Sprintf("%d malformed input %s skipped", r.count, noun)
	switch {
	case r.werr != nil && r.saved == 0:
		msg += ", not saved: writing --rejects failed"
	case r.werr != nil:
		msg += fmt.Sprintf(", only %d saved to %s: writing it failed", r.saved, r.path)
	case r.path != "" && r.saved > 0:
		msg += ", saved to " + r.path
	}
	r.print(msg)
	r.emitNotice("", 0, msg, r.count)
}

// Close closes the rejects file and returns the first write error; it
// prints nothing (see Summary).
func (r *Rejects) Close() error {
	if r.file == nil {
		return r.werr
	}
	if err := r.file.Close(); err != nil && r.werr == nil {
		r.fail(err)
	}
	r.file = nil
	return r.werr
}

// Warn prints a notice about one input line under the same rate limit as
// malformed lines, without counting it as malformed: late records, for
// example, are valid input that could not be placed. The message is
// formatted with fmt only if it is printed.
func (r *Rejects) Warn(where string, line int64, format string, args ...any) {
	r.notice(where, line, format, args...)
}
