package follow

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/lineio"
)

// chunkSize is how much one read of a file takes.
const chunkSize = 64 << 10

// file is a followed file, open, with how far it was read. Its offsets
// only grow, except when it is truncated and read again from 0:
// start <= handedTo <= readTo.
type file struct {
	path  string // the name it is followed under, also once rotated away
	osf   *os.File
	id    ident
	head  []byte // the file's first bytes, up to checkpoint.FingerprintLen
	split lineio.Splitter
	// start is where reading started, handedTo is just after the last line
	// handed out (what a checkpoint saves) and readTo is how far it was
	// read: handedTo plus the start of a line that has not ended yet.
	start, handedTo, readTo int64
	lines                   int64     // lines handed out since start
	before                  int64     // lines before start, once counted
	counted                 bool      // before is known
	lastData                time.Time // when it last had new data, for Linger
}

// from is where a file starts being read.
type from struct {
	off     int64
	before  int64 // the lines before off, if counted
	counted bool
	end     bool // from just after its last complete line instead of off
}

var (
	fromStart = from{counted: true}
	fromEnd   = from{end: true}
)

// add starts following the file at path, read from at. A file that cannot
// be opened is said so once and not added.
func (fl *Follower) add(path string, at from) error {
	osf, fi, ok := fl.tryOpen(path)
	if !ok {
		return nil
	}
	f, err := fl.newFile(path, osf, fi, at)
	if err != nil {
		return err
	}
	fl.active[path] = f
	fl.dirs[filepath.Dir(path)] = true
	return nil
}

// tryOpen opens the regular file at path, or says once why it cannot and
// returns false.
func (fl *Follower) tryOpen(path string) (*os.File, os.FileInfo, bool) {
	osf, fi, err := openRegular(path)
	if errors.Is(err, errNotRegular) {
		fl.warnOnce(path, notice(path, err))
		return nil, nil, false
	}
	if err != nil {
		fl.warnOnce(path, fileError(path, err))
		return nil, nil, false
	}
	delete(fl.warned, path)
	return osf, fi, true
}

// newFile makes the file opened from path, described by fi, to be read from
// at. It closes osf if it fails.
func (fl *Follower) newFile(path string, osf *os.File, fi os.FileInfo, at from) (*file, error) {
	f := &file{path: path, osf: osf, id: identOf(fi), split: lineio.NewSplitter(fl.opt.MaxLine),
		lastData: fl.opt.Now(), before: at.before, counted: at.counted}
	if at.end {
		var skipping bool
		var err error
		if at.off, skipping, err = fl.lastLineEnd(osf, fi.Size()); err != nil {
			osf.Close()
			return nil, fileError(path, err)
		}
		if skipping {
			f.split.Skip()
		}
		f.counted = false
	}
	if at.off == 0 {
		f.before, f.counted = 0, true
	}
	f.start, f.handedTo, f.readTo = at.off, at.off, at.off
	if at.off > 0 {
		n, err := osf.ReadAt(fl.headBuf[:min(at.off, checkpoint.FingerprintLen)], 0)
		if err != nil && err != io.EOF {
			osf.Close()
			return nil, fileError(path, err)
		}
		f.head = append(f.head, fl.headBuf[:n]...)
	}
	return f, nil
}

// lastLineEnd returns the offset just after the last newline of a file,
// looking back no further than the longest line, so that a line being
// written when following starts is read whole. Further back than that it
// is inside a line too long to take, which is skipped.
func (fl *Follower) lastLineEnd(f *os.File, size int64) (end int64, skipping bool, err error) {
	pos := size
	for pos > 0 && size-pos <= int64(fl.opt.MaxLine) {
		n := min(int64(len(fl.buf)), pos)
		pos -= n
		if _, err := f.ReadAt(fl.buf[:n], pos); err != nil && err != io.EOF {
			return 0, false, err
		}
		if i := bytes.LastIndexByte(fl.buf[:n], '\n'); i >= 0 {
			return pos + int64(i) + 1, false, nil
		}
	}
	if pos == 0 {
		return 0, false, nil
	}
	return size, true, nil
}

// base returns the number of lines before the start offset, counting them
// the first time. A file that cannot be read is numbered from its start
// offset.
func (f *file) base() int64 {
	if f.counted {
		return f.before
	}
	f.before, f.counted = 0, true
	buf := make([]byte, chunkSize)
	for pos := int64(0); pos < f.start; {
		n, err := f.osf.ReadAt(buf[:min(int64(len(buf)), f.start-pos)], pos)
		f.before += int64(bytes.Count(buf[:n], []byte{'\n'}))
		pos += int64(n)
		if err != nil {
			break
		}
	}
	return f.before
}

// line returns the number of the last line handed out, or 0 if the lines
// before the start were not counted.
func (f *file) line() int64 {
	if !f.counted {
		return 0
	}
	return f.before + f.lines
}

// openRegular opens a regular file for reading, and fails with
// errNotRegular for anything else. It checks the type of what it opened,
// not of what a look before found at the path, which can change between
// the two.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotRegular
	}
	return f, fi, nil
}
