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
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// loadState reads the --state file to resume from; there is none
// without --state.
func loadState(path string) (*checkpoint.State, error) {
	if path == "" {
		return nil, nil
	}
	s, err := checkpoint.Load(path)
	if err != nil {
		return nil, cli.Exit(stateError(path, err).Error(), stage.ExitError)
	}
	return &s, nil
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
	last     time.Time        // when a checkpoint was last due
	saved    checkpoint.State // what the file holds, once written by step
	written  bool
	failing  bool  // the last step could not write, and said so
	records  bool  // --checkpoints
	history  bool  // the state is a history, which the records fill
	syncErr  error // of the rejected lines, before the last record
	record   checkpointRecord
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
	if err := k.emit(s); err != nil {
		return err
	}
	err := k.write(s)
	if err != nil && !k.failing {
		k.st.Rejects.Tell(err.Error())
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
	if k.history {
		return nil
	}
	if err := checkpoint.Save(k.path, k.fl.State()); err != nil {
		return stateError(k.path, err)
	}
	return nil
}

// begin writes the checkpoint of where following starts, before any
// line, for a history: so that the history has a position before it has
// any record of this pipeline, and a restart after the first run died
// resumes, and takes back what that run stored, rather than starting
// afresh.
func (k *checkpointer) begin() error {
	s := k.fl.State()
	if err := k.emit(s); err != nil {
		return err
	}
	k.saved, k.written = s, true
	return nil
}

// save writes the last checkpoint, after the output was flushed; its
// error is the command's.
func (k *checkpointer) save() error {
	s := k.fl.State()
	if err := k.emit(s); err != nil {
		return err
	}
	return k.write(s)
}

// emit writes the checkpoint record of s after the lines it covers, and
// flushes it with them, before the state file is written: the stages
// downstream see every position that the state file ever holds.
func (k *checkpointer) emit(s checkpoint.State) error {
	if !k.records {
		return nil
	}
	if k.history {
		// The record is the checkpoint: the rejected lines it covers
		// are synced before it goes, and while they cannot be it does
		// not go (write tells why).
		if k.syncErr = k.st.Rejects.Sync(); k.syncErr != nil {
			return nil
		}
	}
	if err := k.st.Emit(k.record.line(s)); err != nil {
		return err
	}
	return k.st.Out.Flush()
}

// write syncs the rejected lines and writes s.
func (k *checkpointer) write(s checkpoint.State) error {
	if k.history {
		return k.syncErr
	}
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
