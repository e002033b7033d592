package follow

import (
	"os"
	"path/filepath"

	"github.com/httpmon/httpmon/internal/checkpoint"
)

// State returns the checkpoint of every open file, where the lines handed
// out so far end, under its absolute name. It also lists the patterns
// whose files it has seen (all of them once the first pass is over), so
// that a follower resumed from it knows that a file it does not list is
// new.
func (fl *Follower) State() checkpoint.State {
	s := checkpoint.State{Version: checkpoint.Version, Files: []checkpoint.File{}}
	for i, p := range fl.absPats {
		// Before the first pass, what the resumed state knew still holds.
		if fl.started || fl.known[i] {
			s.Patterns = append(s.Patterns, p)
		}
	}
	for _, f := range fl.draining {
		s.Files = append(s.Files, f.checkpoint(fl.abs(f.path)))
	}
	for _, p := range fl.appendActive(make([]string, 0, len(fl.active))) {
		s.Files = append(s.Files, fl.active[p].checkpoint(fl.abs(p)))
	}
	return s
}

// checkpoint returns the file's checkpoint under the name path.
func (f *file) checkpoint(path string) checkpoint.File {
	n := min(int64(len(f.head)), f.handedTo)
	return checkpoint.File{
		Path:           path,
		Dev:            f.id.dev,
		Ino:            f.id.ino,
		FingerprintLen: n,
		Fingerprint:    checkpoint.Fingerprint(f.head[:n]),
		Offset:         f.handedTo,
		Line:           f.line(),
	}
}

// fromCheckpoint returns where to go on reading the file a checkpoint
// describes.
func fromCheckpoint(c checkpoint.File) from {
	// A line of 0 past the start means that the lines were not counted.
	return from{off: c.Offset, before: c.Line, counted: c.Line != 0 || c.Offset <= 0}
}

// resume opens the files of a saved state. Files still at their path come
// first, so that a rotated file's entry does not take its path for a new
// file. A saved path that is relative, as older versions wrote them, is
// taken relative to the working directory.
func (fl *Follower) resume(saved []checkpoint.File) {
	var moved []checkpoint.File
	for _, c := range saved {
		name, ok := fl.nameFor(fl.abs(c.Path))
		if !ok || fl.active[name] != nil {
			continue
		}
		c.Path = name
		if !fl.resumeAtPath(c) {
			moved = append(moved, c)
		}
	}
	for _, c := range moved {
		fl.resumeMoved(c)
	}
}

// resumeAtPath follows the file a checkpoint describes from its offset if
// it is still at its path, and reports whether it was.
func (fl *Follower) resumeAtPath(c checkpoint.File) bool {
	osf, fi, ok := fl.tryOpen(c.Path)
	if !ok {
		return false
	}
	// The same file, or a copy of it put in its place: the file that was
	// followed, unless nothing was read to fingerprint it.
	id := identOf(fi)
	if !(id == ident{c.Dev, c.Ino} || c.FingerprintLen > 0) || !fl.holds(osf, c) || fl.isOpen(id) {
		osf.Close()
		return false
	}
	f, err := fl.newFile(c.Path, osf, fi, fromCheckpoint(c))
	if err != nil {
		return false
	}
	fl.active[c.Path] = f
	fl.dirs[filepath.Dir(c.Path)] = true
	return true
}

// resumeMoved drains the file a checkpoint describes where it was rotated
// to, and follows what is at its path now from its start: it came after
// the state was taken.
func (fl *Follower) resumeMoved(c checkpoint.File) {
	old, err := fl.findCopy(c)
	if err != nil {
		fl.opt.Warn(err)
	}
	if old != nil {
		fl.draining = append(fl.draining, old)
	}
	if fl.active[c.Path] != nil {
		return
	}
	if _, err := os.Stat(c.Path); err == nil {
		if err := fl.add(c.Path, fromStart); err != nil {
			fl.opt.Warn(err)
		}
	}
}
