package parsecmd

import (
	"io"
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/httpmon/httpmon/internal/progress"
)

// progressFlag is the flag that turns the progress line off.
func progressFlag() cli.Flag {
	return &cli.BoolFlag{Name: "progress", Value: true,
		Usage: "when stderr is a terminal, show how far the file inputs have got (--progress=false: never)"}
}

// meter is the progress line over the inputs that are files, with the
// names it counts; nil when there is none to show.
type meter struct {
	*progress.Meter
	counted map[string]bool
}

// newMeter returns the progress line for a run over cfg.files, or nil:
// without --progress, with --follow (which has no end to measure), when
// stderr is no terminal, or when no input is a regular file. It then sends
// the command's other messages through the line, so that they clear it.
// Standard input counts when it is a file (< access.log).
func newMeter(c *cli.Context, cfg *config) *meter {
	tty, ok := c.App.ErrWriter.(*os.File)
	if !c.Bool("progress") || cfg.follow || !ok || !term.IsTerminal(int(tty.Fd())) {
		return nil
	}
	m := &meter{counted: make(map[string]bool)}
	var total int64
	for _, arg := range cfg.files {
		var names []string
		if arg == "-" {
			names = []string{"-"}
		} else {
			names, _ = expand(arg) // the read loop reports what this misses
		}
		for _, name := range names {
			if fi, err := statInput(c, name); err == nil && fi.Mode().IsRegular() && !m.counted[name] {
				m.counted[name] = true
				total += fi.Size()
			}
		}
	}
	if len(m.counted) == 0 {
		return nil
	}
	m.Meter = progress.New(tty, progress.Options{
		Prog:  name,
		Files: len(m.counted),
		Total: total,
		Width: func() int {
			w, _, _ := term.GetSize(int(tty.Fd()))
			return w
		},
	})
	c.App.ErrWriter = m.Writer()
	return m
}

// statInput stats the input name, "-" for standard input.
func statInput(c *cli.Context, name string) (os.FileInfo, error) {
	if name != "-" {
		return os.Stat(name)
	}
	if f, ok := c.App.Reader.(*os.File); ok {
		return f.Stat()
	}
	return nil, os.ErrInvalid
}

// start begins the input at path, read from byte from on (after a seek
// for --since), returning in counted when the meter counts it, and what
// ends it.
func (m *meter) start(path string, in io.Reader, from int64) (io.Reader, func()) {
	if m == nil || !m.counted[path] {
		return in, func() {}
	}
	shown := path
	if path == "-" {
		shown = "standard input"
	}
	return m.Start(shown, in, from), m.End
}

// line counts a line read.
func (m *meter) line() {
	if m != nil {
		m.Line()
	}
}

// done clears the line for good.
func (m *meter) done() {
	if m != nil {
		m.Done()
	}
}
