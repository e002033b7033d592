package parsecmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/follow"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// follow runs --follow: it parses the lines of the files as they are
// written until interrupted, which is a normal end. Problems that do not
// stop it go to errw.
func (cmd *command) follow(errw io.Writer, cfg config) error {
	var resume *checkpoint.State
	if cfg.state != "" {
		s, err := checkpoint.Load(cfg.state)
		if err != nil {
			return cli.Exit(stateError(cfg.state, err).Error(), stage.ExitError)
		}
		resume = &s
	}
	fl, err := follow.New(follow.Options{
		Patterns:  cfg.files,
		FromStart: cfg.fromStart,
		Resume:    resume,
		Poll:      cfg.poll,
		Warn:      func(err error) { fmt.Fprintf(errw, "%s: %s\n", name, textsafe.String(err.Error())) },
	}, func(l follow.Line) error { return cmd.followedLine(l, cfg.label) })
	if err != nil {
		return stage.UsageError("%v", err)
	}
	defer fl.Close()
	var ck *checkpointer
	if cfg.state != "" {
		ck = &checkpointer{path: cfg.state, interval: cfg.stateInterval, st: cmd.st, fl: fl, errw: errw}
		if err := ck.start(); err != nil {
			return cli.Exit(err.Error(), stage.ExitError)
		}
	}
	err = fl.Run(cmd.st.Ctx, func(waiting bool) error {
		if ck != nil && ck.due() {
			return ck.step()
		}
		if waiting {
			return cmd.st.Out.Flush()
		}
		return nil
	})
	if err == nil {
		err = cmd.st.Out.Flush()
	}
	if err == nil && ck != nil {
		err = ck.save()
	}
	return err
}

// followedLine parses a line of a followed file, whose records are
// labelled label, or by default the file's name.
func (cmd *command) followedLine(l follow.Line, label string) error {
	in := cmd.followed[l.Path]
	if in == nil {
		in = cmd.newInput(l.Path, label)
		if cmd.followed == nil {
			cmd.followed = map[string]*input{}
		}
		cmd.followed[l.Path] = in
	}
	if l.Err != nil {
		cmd.st.Rejects.Report(in.where, l.No(), nil, l.Err)
		return nil
	}
	bad, err := cmd.line(l.Text, &in.format, in.source)
	if bad != nil {
		cmd.st.Rejects.Report(in.where, l.No(), l.Text, bad)
	}
	return err
}

// checkpointer keeps the --state file. It writes the state only after the
// output and the rejected lines it covers are on disk, so that it never
// counts a line a crash could lose: after a crash the lines since the last
// checkpoint are written again, after SIGINT or SIGTERM none are.
type checkpointer struct {
	path     string // as the user gave it
	interval time.Duration
	st       *stage.Stage
	fl       *follow.Follower
	errw     io.Writer
	last     time.Time        // when a checkpoint was last due
	saved    checkpoint.State // what the file holds, once written by step
	written  bool
	failing  bool // the last step could not write, and said so
}

// due reports whether a checkpoint is due.
func (k *checkpointer) due() bool { return time.Since(k.last) >= k.interval }

// step writes a checkpoint on the way. It returns only output errors: a
// checkpoint that cannot be written costs duplicates after a crash, not
// lines, so it is reported once and following goes on. An unchanged state
// is not written again, so a quiet log costs no disk writes. While the
// rejected lines cannot be synced, the checkpoint stays where it was.
func (k *checkpointer) step() error {
	if err := k.st.Out.Flush(); err != nil {
		return err
	}
	k.last = time.Now()
	s := k.fl.State()
	if k.written && slices.Equal(s.Files, k.saved.Files) && slices.Equal(s.Patterns, k.saved.Patterns) {
		return nil
	}
	err := k.write(s)
	if err != nil && !k.failing {
		fmt.Fprintf(k.errw, "%s: %v\n", name, err)
	}
	k.failing = err != nil
	if err == nil {
		k.saved, k.written = s, true
	}
	return nil
}

// start writes the state before following, so that a state file that
// cannot be written fails now, not at the end.
func (k *checkpointer) start() error {
	if err := checkpoint.Save(k.path, k.fl.State()); err != nil {
		return stateError(k.path, err)
	}
	return nil
}

// save writes the last checkpoint, after the output was flushed; its
// error is the command's.
func (k *checkpointer) save() error {
	return k.write(k.fl.State())
}

// write syncs the rejected lines and writes s.
func (k *checkpointer) write(s checkpoint.State) error {
	if err := k.st.Rejects.Sync(); err != nil {
		return err
	}
	if err := checkpoint.Save(k.path, s); err != nil {
		return stateError(k.path, err)
	}
	return nil
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
