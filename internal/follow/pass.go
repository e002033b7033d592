package follow

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// Poll makes one pass: it matches the patterns again, reads what every file
// has, and notices rotation, truncation and deletion. more reports that
// some file has more to give than one pass takes.
func (fl *Follower) Poll() (more bool, err error) {
	if err := fl.match(); err != nil {
		return false, err
	}
	fl.started = true
	if more, err = fl.readDraining(fl.opt.Now()); err != nil {
		return false, err
	}
	if more {
		// A file rotated away still has a backlog, as after a restart
		// from an older position: the lines at the paths now were
		// written after it, and wait until it is read, so that they
		// come in the order they were written and a window downstream
		// does not count the older lines as late.
		return true, nil
	}
	for _, p := range fl.appendActive(make([]string, 0, len(fl.active))) {
		m, err := fl.readActive(fl.active[p])
		if err != nil {
			return false, err
		}
		more = more || m
	}
	return more, nil
}

// appendActive appends the paths of the active files to dst in order, so
// that every pass reads them, and the state lists them, in the same order.
// The caller makes dst, which can then stay on its stack.
func (fl *Follower) appendActive(dst []string) []string {
	for p := range fl.active {
		dst = append(dst, p)
	}
	sort.Strings(dst)
	return dst
}

// readDraining reads the files rotated away or deleted, and lets go of
// those with nothing new for Linger.
func (fl *Follower) readDraining(now time.Time) (more bool, err error) {
	kept := fl.draining[:0]
	for _, f := range fl.draining {
		got, m, err := fl.read(f, false)
		if err != nil {
			return false, err
		}
		more = more || m
		if got {
			f.lastData = now
		}
		if m || now.Sub(f.lastData) < fl.opt.Linger {
			kept = append(kept, f)
			continue
		}
		if err := fl.letGo(f); err != nil {
			return false, err
		}
	}
	clear(fl.draining[len(kept):])
	fl.draining = kept
	return more, nil
}

// readActive reads an active file and checks whether its path still names
// it.
func (fl *Follower) readActive(f *file) (more bool, err error) {
	_, more, err = fl.read(f, true)
	if err != nil || more {
		return more, err
	}
	fi, err := os.Stat(f.path)
	if err == nil && sameFile(fi, f.id) {
		return false, nil
	}
	// Renamed away or deleted: the writer may still add to it until it
	// reopens its log, so it is read for a while longer.
	delete(fl.active, f.path)
	f.lastData = fl.opt.Now()
	fl.draining = append(fl.draining, f)
	if err != nil {
		return false, nil // the path is waited for again
	}
	if fl.reclaim(f.path, identOf(fi)) || fl.isOpen(identOf(fi)) {
		return false, nil // another name of a file already followed
	}
	if err := fl.add(f.path, fromStart); err != nil {
		return false, err
	}
	nf := fl.active[f.path]
	if nf == nil {
		return false, nil // it could not be opened; said so
	}
	_, more, err = fl.read(nf, true)
	return more, err
}

// match opens the files newly matched by the patterns.
func (fl *Follower) match() error {
	for i, pat := range fl.opt.Patterns {
		fl.dirs[filepath.Dir(pat)] = true
		if !hasMeta(pat) {
			if err := fl.matched(pat, fl.known[i]); err != nil {
				return err
			}
			continue
		}
		paths, err := filepath.Glob(pat)
		if err != nil {
			return err
		}
		if len(paths) == 0 && !fl.started {
			fl.warnOnce(pat, fmt.Errorf("%s: no file matches yet, waiting for one", textsafe.String(pat)))
		}
		for _, p := range paths {
			if err := fl.matched(p, fl.known[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// matched starts following the file at a path that a pattern names, if it
// is a regular file not followed yet under this name or another. known
// tells that the resumed state had seen all the files of the pattern.
func (fl *Follower) matched(p string, known bool) error {
	if fl.active[p] != nil {
		return nil
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if !fl.started {
			fl.warnOnce(p, fmt.Errorf("%s: no such file yet, waiting for it", textsafe.String(p)))
		}
		return nil
	case err != nil:
		// A symbolic link loop, a directory that cannot be searched: said
		// once, and looked at again each pass.
		fl.warnOnce(p, notice(p, err))
		return nil
	case !fi.Mode().IsRegular():
		fl.warnOnce(p, notice(p, errNotRegular))
		return nil
	}
	if fl.reclaim(p, identOf(fi)) || fl.isOpen(identOf(fi)) {
		return nil // another name of a file already followed
	}
	// A file that appears while following is new, and so is one that
	// appeared since the state resumed from saw its pattern.
	at := fromStart
	if !fl.started && !fl.opt.FromStart && !known {
		at = fromEnd
	}
	return fl.add(p, at)
}

func (fl *Follower) warnOnce(p string, err error) {
	if !fl.warned[p] {
		fl.warned[p] = true
		fl.opt.Warn(err)
	}
}

func hasMeta(p string) bool {
	return strings.ContainsAny(p, `*?[\`)
}
