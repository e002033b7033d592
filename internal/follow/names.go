package follow

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// errNotRegular is why a FIFO, a directory, a device or a socket at a
// followed path is skipped: reading it would block, fail or never end.
var errNotRegular = errors.New("not a regular file, skipped")

// fileError returns err about the file at path with the name escaped for a
// terminal: file names are outside text, and a glob matches whatever
// names are in a directory.
func fileError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &os.PathError{Op: pe.Op, Path: textsafe.String(pe.Path), Err: pe.Err}
	}
	return fmt.Errorf("%s: %w", textsafe.String(path), err)
}

// notice returns a message about the file at path, such as "not a regular
// file" or, from an *os.PathError, "too many levels of symbolic links".
func notice(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", textsafe.String(path), err)
}

// abs returns the absolute, clean form of a path or pattern, which the
// state holds so that it means the same from any working directory.
func (fl *Follower) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(fl.wd, p)
}

// nameFor returns the name under which this follower follows the file at
// the absolute path abs, as a pattern names it or a glob would match it,
// and false if no pattern matches it.
func (fl *Follower) nameFor(abs string) (string, bool) {
	for i, p := range fl.opt.Patterns {
		if !hasMeta(p) {
			if fl.absPats[i] == abs {
				return p, true
			}
			continue
		}
		if ok, _ := filepath.Match(fl.absPats[i], abs); !ok {
			continue
		}
		if filepath.IsAbs(p) {
			return abs, true
		}
		if r, err := filepath.Rel(fl.wd, abs); err == nil {
			return r, true
		}
		return abs, true
	}
	return "", false
}
