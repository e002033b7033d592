package parsecmd

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/follow"
	"github.com/httpmon/httpmon/internal/logfmt"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// follow runs --follow: it parses the lines of the files as they are
// written until interrupted, which is a normal end.
//
// The checkpoint is written only after the output it covers was flushed,
// so that it never counts a line a crash could lose: after a crash the
// lines since the last checkpoint are written again, after SIGINT or
// SIGTERM none are.
func (p *parser) follow(c *cli.Context, files []string) error {
	if len(files) == 0 {
		p.st.Finish(nil)
		return stage.UsageError("--follow needs at least one file")
	}
	for _, f := range files {
		if f == "-" {
			p.st.Finish(nil)
			return stage.UsageError("--follow cannot follow standard input; give file names")
		}
	}
	poll := c.Duration("poll")
	if poll <= 0 {
		p.st.Finish(nil)
		return stage.UsageError("--poll must be above 0, got %s", poll)
	}
	interval := c.Duration("state-interval")
	if interval <= 0 {
		p.st.Finish(nil)
		return stage.UsageError("--state-interval must be above 0, got %s", interval)
	}
	statePath := c.String("state")
	var resume *checkpoint.State
	if statePath != "" {
		s, err := checkpoint.Load(statePath)
		if err != nil {
			p.st.Finish(nil)
			return cli.Exit(stateError(statePath, err).Error(), stage.ExitError)
		}
		resume = &s
	}
	errw := c.App.ErrWriter
	label := c.String("source")
	fl, err := follow.New(follow.Options{
		Patterns:  files,
		FromStart: c.Bool("from-start"),
		Resume:    resume,
		Poll:      poll,
		Warn:      func(err error) { fmt.Fprintf(errw, "%s: %s\n", name, textsafe.String(err.Error())) },
	}, func(l follow.Line) error {
		if l.Err != nil {
			p.st.Rejects.Report(p.where(l.Path), l.No(), nil, l.Err)
			return nil
		}
		format := p.formats[l.Path]
		if format == nil {
			d := logfmt.NewDetector(p.format)
			format = &d
			p.formats[l.Path] = format
		}
		bad, err := p.line(l.Text, format, p.source(l.Path, label))
		if bad != nil {
			p.st.Rejects.Report(p.where(l.Path), l.No(), l.Text, bad)
		}
		return err
	})
	if err != nil {
		p.st.Finish(nil)
		return stage.UsageError("%v", err)
	}
	defer fl.Close()
	if statePath != "" {
		// A state that cannot be written fails now, not at the end.
		if err := checkpoint.Save(statePath, fl.State()); err != nil {
			p.st.Finish(nil)
			return cli.Exit(stateError(statePath, err).Error(), stage.ExitError)
		}
	}

	var (
		lastSave      time.Time
		saved         []checkpoint.File // what the state file holds
		savedPatterns []string
		failing       bool
	)
	// checkpointNow returns only output errors: a checkpoint that cannot
	// be written costs duplicates after a crash, not lines, so it is
	// reported once and following goes on. An unchanged state is not
	// written again, so a quiet log costs no disk writes. Like the
	// output, the rejected lines it covers must be on disk first, or a
	// crash would lose them; while they cannot be, the checkpoint stays
	// where it was.
	checkpointNow := func() error {
		if err := p.st.Out.Flush(); err != nil {
			return err
		}
		lastSave = time.Now()
		st := fl.State()
		if saved != nil && slices.Equal(st.Files, saved) && slices.Equal(st.Patterns, savedPatterns) {
			return nil
		}
		err := p.st.Rejects.Sync()
		if err == nil {
			err = checkpoint.Save(statePath, st)
			if err != nil {
				err = stateError(statePath, err)
			}
		}
		if err != nil && !failing {
			fmt.Fprintf(errw, "%s: %v\n", name, err)
		}
		failing = err != nil
		if err == nil {
			saved, savedPatterns = st.Files, st.Patterns
		}
		return nil
	}
	err = fl.Run(p.st.Ctx, func(waiting bool) error {
		if statePath != "" && time.Since(lastSave) >= interval {
			return checkpointNow()
		}
		if waiting {
			return p.st.Out.Flush()
		}
		return nil
	})
	if err == nil {
		err = p.st.Out.Flush()
	}
	if err == nil && statePath != "" {
		err = p.st.Rejects.Sync()
		if err == nil {
			if serr := checkpoint.Save(statePath, fl.State()); serr != nil {
				err = stateError(statePath, serr)
			}
		}
	}
	return p.st.Finish(err)
}

// stateError names the state file, as the user gave it, in an error about
// it.
func stateError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("--state %s: %w", textsafe.String(path), err)
}

// where returns the name of a followed file for messages, escaped once
// per file rather than once per message.
func (p *parser) where(path string) string {
	if p.wheres == nil {
		p.wheres = map[string]string{}
	}
	w, ok := p.wheres[path]
	if !ok {
		w = textsafe.String(path)
		p.wheres[path] = w
	}
	return w
}

// source returns the label of a followed file's records.
func (p *parser) source(path, label string) []byte {
	if label == "" {
		label = path
	}
	if p.sources == nil {
		p.sources = map[string][]byte{}
	}
	b, ok := p.sources[label]
	if !ok {
		b = []byte(label)
		p.sources[label] = b
	}
	return b
}
