package parsecmd

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/stage"
)

// historyResume reads where to resume from the history at path, read-only:
// the follower's state, and the resume checkpoint record to write before
// any line, nil when the history holds no position yet. Of several
// sources' positions it takes the one that follows the most of the same
// files.
func historyResume(path string, patterns []string) (*checkpoint.State, []byte, error) {
	rs, err := history.ReadResume(path)
	if err != nil {
		var fe *history.FileError
		if errors.As(err, &fe) {
			err = fe.Err
		}
		return nil, nil, cli.Exit(stateError(path, err).Error(), stage.ExitError)
	}
	empty := &checkpoint.State{Version: checkpoint.Version}
	abs := make([]string, 0, len(patterns))
	for _, p := range patterns {
		if a, err := filepath.Abs(p); err == nil {
			abs = append(abs, a)
		}
	}
	dec := event.NewDecoder()
	var best *history.Resume
	var ck event.Checkpoint
	bestScore := 0
	for i := range rs {
		if err := dec.Checkpoint(rs[i].Checkpoint, &ck); err != nil {
			continue
		}
		score := 0
		for _, p := range ck.Patterns {
			if slices.Contains(abs, string(p)) {
				score++
			}
		}
		for _, f := range ck.Files {
			if slices.Contains(abs, string(f.Path)) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = &rs[i], score
		}
	}
	if best == nil {
		return empty, nil, nil
	}
	return resumeFrom(path, best.Checkpoint, best.Alerted, best.HasAlerted)
}

// resumeFrom returns the follower's state of the stored checkpoint raw,
// and the resume checkpoint record to write before any line, carrying the
// newest alert transition the store holds, if any.
func resumeFrom(path string, raw []byte, alerted int64, hasAlerted bool) (*checkpoint.State, []byte, error) {
	var ck event.Checkpoint
	if err := event.NewDecoder().Checkpoint(raw, &ck); err != nil {
		return nil, nil, cli.Exit(stateError(path, fmt.Errorf("its checkpoint is not valid: %w", err)).Error(), stage.ExitError)
	}
	s := &checkpoint.State{Version: checkpoint.Version}
	for _, f := range ck.Files {
		if len(f.Path) == 0 || f.Offset < 0 || f.FingerprintLen < 0 || f.FingerprintLen > checkpoint.FingerprintLen || f.FingerprintLen > f.Offset {
			return nil, nil, cli.Exit(stateError(path, errors.New("its checkpoint is not valid (a bad file entry)")).Error(), stage.ExitError)
		}
		s.Files = append(s.Files, checkpoint.File{Path: string(f.Path), Dev: f.Dev, Ino: f.Ino,
			FingerprintLen: f.FingerprintLen, Fingerprint: string(f.Fingerprint), Offset: f.Offset, Line: f.Line})
	}
	for _, p := range ck.Patterns {
		s.Patterns = append(s.Patterns, string(p))
	}
	ck.Resume = true
	ck.Alerted, ck.HasAlerted = alerted, hasAlerted
	line, err := event.NewEncoder().Checkpoint(&ck)
	if err != nil {
		return nil, nil, err
	}
	return s, bytes.Clone(line), nil
}
