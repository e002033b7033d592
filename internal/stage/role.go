package stage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Role says what a command reads and writes, for the messages about
// missing or wrong input. Commands set it with Role.Metadata in their
// cli.App.
type Role struct {
	// Input names what the command reads, for people: "request records".
	Input string
	// From names the command that makes the input, "httpmon-parse"; empty
	// for a command that reads logs.
	From string
	// Kinds, if set, are the only record kinds the command reads: an
	// input with none of them, only other kinds, is wrong input too.
	Kinds []string
	// Advice says what to do about an input without any of Kinds.
	Advice string
	// Hint, given the start of the first rejected line, says what to do
	// about an input of which every line was rejected; nil gives the hint
	// for NDJSON stages.
	Hint func(first []byte) string
	// TextOutput marks a command that writes text for people: notice
	// records would be noise in it.
	TextOutput bool
}

const roleKey = "httpmon/stage.Role"

// Metadata returns r as the Metadata of a cli.App.
func (r Role) Metadata() map[string]any { return map[string]any{roleKey: r} }

func roleOf(app *cli.App) Role {
	r, _ := app.Metadata[roleKey].(Role)
	return r
}

// tally counts the records read, for the verdict on the input at the end.
type tally struct {
	records  bool  // Records read the input, and counted
	accepted int64 // records handled or passed on
	about    int64 // records that describe the stream: notices, rules
	unread   int64 // records of kinds outside Role.Kinds
	kinds    []string
}

// record counts one well-formed record of kind.
func (t *tally) record(r *Role, kind []byte) {
	switch {
	case event.DescribesStream(kind):
		t.about++
	case r.Kinds == nil || has(r.Kinds, kind):
		t.accepted++
	default:
		t.unread++
		if len(t.kinds) < 3 && !has(t.kinds, kind) {
			t.kinds = append(t.kinds, string(kind))
		}
	}
}

func has(list []string, s []byte) bool {
	for _, l := range list {
		if l == string(s) {
			return true
		}
	}
	return false
}

// verdict judges the input as a whole at the end of a run. Input of which
// every line was rejected, or with none of the kinds the command reads,
// fails with one line that says what came and what to do: GoAccess does
// the same, and cron must be able to tell a wrong file from a quiet one.
// Empty input is said on stderr but is a success: a night without traffic
// leaves an empty rotated log. When the output's reader went away, or when
// the input never went through Reader (followed files, where an idle start
// is normal), there is nothing to judge; an interrupted run is judged only
// on what it read.
func (s *Stage) verdict() error {
	if len(s.readers) == 0 || errors.Is(context.Cause(s.Ctx), ErrReaderGone) {
		return nil
	}
	rejected := s.Rejects.Count()
	accepted, about, unread := s.tally.accepted, s.tally.about, s.tally.unread
	if !s.tally.records {
		for _, r := range s.readers {
			accepted += r.Line() - r.Blank()
		}
		accepted -= rejected
	}
	switch {
	case accepted > 0:
		return nil
	case unread > 0:
		msg := fmt.Sprintf("the input has no %s records, only %s records", orList(s.role.Kinds), strings.Join(s.tally.kinds, " and "))
		if s.role.Advice != "" {
			msg += "; " + s.role.Advice
		}
		return s.wrong(msg, unread)
	case rejected > 0:
		first := "(a line too long to show)"
		if f := s.Rejects.First(); f != nil {
			first = quote(f)
		}
		hint := s.role.Hint
		if hint == nil {
			hint = ndjsonHint(s.role.From)
		}
		return s.wrong(fmt.Sprintf("all %d input lines were rejected; the first: %s; %s", rejected, first, hint(s.Rejects.First())), rejected)
	case about > 0 || s.Ctx.Err() != nil:
		// The stage before said what was wrong; an interrupted wait for
		// input is no news.
		return nil
	}
	s.Rejects.Tell("the input was empty")
	return nil
}

// wrong emits msg as a notice and returns it as the command's error.
func (s *Stage) wrong(msg string, count int64) error {
	s.Rejects.emitNotice("", 0, msg, count)
	return cli.Exit(msg, ExitError)
}

// ndjsonHint is the hint of the NDJSON stages about rejected input.
func ndjsonHint(from string) func([]byte) string {
	return func(first []byte) string {
		if first != nil && !bytes.HasPrefix(bytes.TrimLeft(first, " \t"), []byte("{")) {
			return "it is not NDJSON: did you mean to put httpmon-parse first?"
		}
		if from == "" {
			return "it is not httpmon records"
		}
		return "it is not httpmon records: the input should come from " + from
	}
}

// tellTerminal says, once, what the command expects when in is a
// terminal: a stage started with nothing piped in would otherwise wait in
// silence. Reading goes on, for a person who types or pastes input.
func (s *Stage) tellTerminal(in io.Reader) {
	if s.told || !isTerminal(in) {
		return
	}
	s.told = true
	what, advice := s.role.Input, "pipe "+s.role.From+" into me"
	if what == "" {
		what = "input"
	}
	if s.role.From == "" {
		advice = "give a file name or pipe a log into me"
	}
	fmt.Fprintf(s.Rejects.errw, "%s: reading %s from the terminal; %s (Ctrl-D ends)\n", s.Name, what, advice)
}

// isTerminal reports whether r is a terminal. It goes through Control
// rather than Fd, which would switch the file to blocking mode.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	c, err := f.SyscallConn()
	if err != nil {
		return false
	}
	tty := false
	_ = c.Control(func(fd uintptr) { tty = term.IsTerminal(int(fd)) })
	return tty
}

// quote quotes the start of an input line for a message: escaped for the
// terminal, its quotes escaped so that the quoted text has clear ends, and
// "..." after it when it was cut.
func quote(b []byte) string {
	q := append([]byte{'"'}, textsafe.Append(nil, bytes.ReplaceAll(b, []byte(`"`), []byte(`\"`)))...)
	q = append(q, '"')
	if len(b) == firstKept {
		q = append(q, "..."...)
	}
	return string(q)
}

// orList joins names as people list alternatives: "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) < 3 {
		return strings.Join(names, " or ")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
