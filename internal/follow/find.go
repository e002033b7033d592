package follow

import (
	"io"
	"os"
	"path/filepath"

	"github.com/httpmon/httpmon/internal/checkpoint"
)

// reclaim makes a rotated file active again if it is back at its path
// (renamed away and back), so that it is not read again from its start
// once let go.
func (fl *Follower) reclaim(path string, id ident) bool {
	for i, f := range fl.draining {
		if f.id == id && f.path == path {
			fl.draining = append(fl.draining[:i], fl.draining[i+1:]...)
			fl.active[path] = f
			return true
		}
	}
	return false
}

// isOpen reports whether a file is being followed already.
func (fl *Follower) isOpen(id ident) bool {
	for _, f := range fl.active {
		if f.id == id {
			return true
		}
	}
	for _, f := range fl.draining {
		if f.id == id {
			return true
		}
	}
	return false
}

// findCopy looks in the directory of c.Path for the file c describes: the
// same file under another name (renamed by rotation), or else a copy of it
// (copytruncate) that starts with the same bytes and is at least as long.
// Files already followed are not candidates. The file found is open at c's
// offset, under c's path, and not yet in any list; it is nil if there is
// none.
func (fl *Follower) findCopy(c checkpoint.File) (*file, error) {
	p := fl.lookFor(c)
	if p == "" {
		return nil, nil
	}
	osf, fi, ok := fl.tryOpen(p)
	if !ok {
		return nil, nil
	}
	if !fl.holds(osf, c) {
		// Replaced between the look and the open.
		osf.Close()
		return nil, nil
	}
	f, err := fl.newFile(p, osf, fi, fromCheckpoint(c))
	if err != nil {
		return nil, err
	}
	f.path = c.Path
	return f, nil
}

// lookFor returns the name of the file in the directory of c.Path that
// findCopy takes, or "".
func (fl *Follower) lookFor(c checkpoint.File) string {
	dir := filepath.Dir(c.Path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	want := ident{c.Dev, c.Ino}
	var copied string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil || fi.Size() < c.Offset || fl.isOpen(identOf(fi)) {
			continue
		}
		if sameFile(fi, want) {
			if fl.pathHolds(p, c) {
				return p
			}
			continue
		}
		if c.FingerprintLen > 0 && copied == "" && fl.pathHolds(p, c) {
			copied = p
		}
	}
	return copied
}

// pathHolds is holds for the file at path.
func (fl *Follower) pathHolds(path string, c checkpoint.File) bool {
	f, _, err := openRegular(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return fl.holds(f, c)
}

// holds reports whether a file is at least c.Offset long and starts with
// the bytes c fingerprints.
func (fl *Follower) holds(f *os.File, c checkpoint.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Size() < c.Offset {
		return false
	}
	n, err := f.ReadAt(fl.headBuf[:c.FingerprintLen], 0)
	if int64(n) != c.FingerprintLen || err != nil && err != io.EOF {
		return false
	}
	return checkpoint.Fingerprint(fl.headBuf[:n]) == c.Fingerprint
}
