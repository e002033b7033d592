package parsecmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/logfmt"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// isPattern reports whether an argument is to be taken as a glob: it has
// metacharacters, is a valid pattern and names no file. A pattern quoted
// for --follow is often given without it too, and a shell would have
// expanded it unquoted; like a shell, a name that is no valid pattern is
// taken as it is, so a missing file with a "[" in its name is reported as
// missing.
func isPattern(arg string) bool {
	if arg == "-" || !strings.ContainsAny(arg, `*?[\`) {
		return false
	}
	if _, err := filepath.Match(arg, ""); err != nil {
		return false
	}
	_, err := os.Lstat(arg)
	return err != nil
}

// noMatchError is a pattern that matched no file, reported like a missing
// file.
type noMatchError struct{ pattern string }

func (e *noMatchError) Error() string {
	return textsafe.String(e.pattern) + ": no file matches"
}

// expand returns the files an argument names: itself, or the matches of a
// pattern, in order.
func expand(arg string) ([]string, error) {
	if !isPattern(arg) {
		return []string{arg}, nil
	}
	m, err := filepath.Glob(arg)
	if err == nil && len(m) == 0 {
		err = &noMatchError{arg}
	}
	return m, err
}

// open opens an input file. Opening a FIFO waits for a writer, which may
// never come, so it is waited for the way a read is: a signal ends the
// wait, and what was read from the files before is flushed first.
func (cmd *command) open(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err != nil || fi.Mode().IsRegular() {
		return os.Open(path)
	}
	if err := cmd.st.Out.Flush(); err != nil {
		return nil, err
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-cmd.st.Ctx.Done():
		// The open may still succeed; the process is on its way out.
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, lineio.ErrInterrupted
	}
}

// input is what is kept while one input is parsed.
type input struct {
	where  string // its name for messages, escaped; "" for standard input
	source []byte // the label of its records
	format logfmt.Detector
}

// newInput returns what to keep while parsing the input at path ("-" for
// standard input), whose records are labelled label, or by default its
// name.
func (cmd *command) newInput(path, label string) *input {
	in := &input{format: logfmt.NewDetector(cmd.format)}
	if path != "-" {
		in.where = textsafe.String(path)
	}
	switch {
	case label != "":
	case path == "-":
		label = "stdin"
	default:
		label = path
	}
	in.source = []byte(label)
	return in
}

// inputError returns the message for an input that could not be read,
// with the file name escaped.
func inputError(err error) string {
	return fmt.Sprintf("%s: %s", name, textsafe.String(err.Error()))
}
