// Package follow reads log files as they grow, like `tail -F`, across
// rotation, truncation, deletion and restarts, and hands out their complete
// lines.
//
// It is written here rather than taken from github.com/nxadm/tail because
// that library fails what a monitor that counts requests needs: when a file
// is renamed away it reopens by path at once, so the lines a server still
// writes to the old file before it reopens its log are lost, and a
// truncation is noticed only if the file is smaller at the next look (in a
// trial with 600 lines written across a rename and a copytruncate it
// delivered 350 with inotify and 200 with polling). It also has no notion
// of a file's identity to checkpoint. github.com/fsnotify/fsnotify is used,
// but only to wake the poll loop early: every decision is taken by polling,
// which sees the same thing on every file system, and polling at a bounded
// interval keeps going if the watcher cannot be set up.
//
// The rules:
//
//   - Files that exist when following starts are read from their end (from
//     just after their last complete line), or whole with FromStart. Files
//     that appear later, at a waited-for path or matching a pattern, have
//     not been seen and are read from their start; so are those that
//     appeared after the resumed state was taken, at a path or matching a
//     pattern it had seen (State lists the patterns once the first pass
//     is over).
//   - Only regular files are read. A path is opened without blocking and
//     its type checked on the file opened, every time: a FIFO would block
//     the open, a directory fail the read, a device never end. Such a
//     path, or one that cannot be looked at (a symbolic link loop), is
//     reported once and skipped while the others go on.
//   - A file renamed away or deleted is kept open and read for Linger after
//     its last new data, since a server goes on writing to it until it
//     reopens its log; the new file at the path is read at the same time,
//     from its start. The old file is read before the new one in each pass.
//     When it is let go, a last line without a newline is handed out.
//   - A file that is truncated (it is smaller than the read offset, or its
//     first bytes changed) is read again from its start. Before that, a copy
//     of it in the same directory (copytruncate) whose first bytes match and
//     that is long enough is read from the old offset to its end, so the
//     lines written between the last read and the truncation are not lost.
//   - A line without its newline yet is held until the newline arrives.
//   - State gives, per file, its absolute name, its identity (device, inode
//     and a fingerprint of its first bytes) and the offset after the last
//     line handed out; Options.Resume picks up from such a state, finding a
//     file that was rotated meanwhile among the files of its directory.
package follow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Defaults for Options.
const (
	DefaultPoll   = 250 * time.Millisecond
	DefaultLinger = 5 * time.Second
)

// readBudget is how much one file may give in one pass, so that a fast
// file does not starve the others and a checkpoint is not held off.
const readBudget = 1 << 20

const chunkSize = 64 << 10

// Line is one line of a followed file.
type Line struct {
	// Path is the name the file was followed under, also after it was
	// rotated away from it.
	Path string
	// Text is the line without its ending; it is valid until the handler
	// returns.
	Text []byte
	// Err is a *lineio.TooLongError for a line over the limit, whose Text
	// is nil.
	Err error
	f   *file
	n   int64 // lines of f since its start offset, this one included
}

// No returns the line's number in its file, counting from 1. For a file
// followed from its end, the lines before are counted the first time a
// number is asked for, which is when a line is reported, so that starting
// on a large log costs no read of it.
func (l Line) No() int64 { return l.f.base() + l.n }

// Options configures a Follower.
type Options struct {
	// Patterns are file names or filepath.Match globs. A name that does not
	// exist yet is waited for; globs are matched again on every pass.
	Patterns []string
	// FromStart reads the files that exist at the start whole instead of
	// from their end.
	FromStart bool
	// Resume is a saved State to continue from.
	Resume *checkpoint.State
	// Poll is the longest wait between passes; 0 means DefaultPoll.
	Poll time.Duration
	// Linger is how long a rotated or deleted file is still read after its
	// last new data; 0 means DefaultLinger.
	Linger time.Duration
	// MaxLine is the longest line accepted; 0 means lineio.DefaultMaxLine.
	MaxLine int
	// Warn receives problems that do not stop following, such as a file
	// that cannot be opened. It may be nil.
	Warn func(error)
	// Now is the clock for Linger; nil means time.Now.
	Now func() time.Time
}

// Follower follows the files matched by a set of patterns.
type Follower struct {
	opt      Options
	handle   func(Line) error
	active   map[string]*file // by path
	draining []*file
	started  bool            // the first pass is over
	warned   map[string]bool // paths whose problem was reported
	buf      []byte
	headBuf  []byte
	dirs     map[string]bool // directories of the patterns and files, for the watcher
	wd       string          // the working directory, for absolute names in the state
	absPats  []string        // the patterns, absolute
	// known tells, per pattern, that the resumed state had seen all its
	// files: one it does not list appeared since and is new.
	known []bool
}

type file struct {
	path     string
	f        *os.File
	id       ident
	head     []byte // the file's first bytes, up to checkpoint.FingerprintLen
	off      int64  // just after the last line handed out
	pos      int64  // read position: off plus the held partial line
	split    lineio.Splitter
	start    int64 // where reading started
	lines    int64 // lines handed out since start
	before   int64 // lines before start; -1 until counted
	lastData time.Time
}

// base returns the number of lines before the start offset, counting them
// the first time. A file that cannot be read is numbered from its start
// offset.
func (f *file) base() int64 {
	if f.before >= 0 {
		return f.before
	}
	f.before = 0
	buf := make([]byte, chunkSize)
	for pos := int64(0); pos < f.start; {
		n, err := f.f.ReadAt(buf[:min(int64(len(buf)), f.start-pos)], pos)
		f.before += int64(bytes.Count(buf[:n], []byte{'\n'}))
		pos += int64(n)
		if err != nil {
			break
		}
	}
	return f.before
}

// New returns a follower that passes every line to handle; an error from
// handle stops Poll and Run and is returned by them. A Resume state is
// applied at once; files are opened on the first pass.
func New(opt Options, handle func(Line) error) (*Follower, error) {
	if len(opt.Patterns) == 0 {
		return nil, errors.New("no files to follow")
	}
	for _, p := range opt.Patterns {
		if _, err := filepath.Match(p, ""); err != nil {
			return nil, fmt.Errorf("bad pattern %q: %v", p, err)
		}
	}
	if opt.Poll <= 0 {
		opt.Poll = DefaultPoll
	}
	if opt.Linger <= 0 {
		opt.Linger = DefaultLinger
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = lineio.DefaultMaxLine
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Warn == nil {
		opt.Warn = func(error) {}
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("finding the working directory: %v", err)
	}
	fl := &Follower{
		wd:      wd,
		opt:     opt,
		handle:  handle,
		active:  map[string]*file{},
		warned:  map[string]bool{},
		buf:     make([]byte, chunkSize),
		headBuf: make([]byte, checkpoint.FingerprintLen),
		dirs:    map[string]bool{},
	}
	known := map[string]bool{}
	if opt.Resume != nil {
		for _, p := range opt.Resume.Patterns {
			known[fl.abs(p)] = true
		}
	}
	for _, p := range opt.Patterns {
		fl.absPats = append(fl.absPats, fl.abs(p))
		fl.known = append(fl.known, known[fl.abs(p)])
	}
	if opt.Resume != nil {
		fl.resume(opt.Resume.Files)
	}
	return fl, nil
}

// Close closes the files; State still tells where they were left. Lines
// held without their newline are not handed out: they are read again by a
// follower resumed from State.
func (fl *Follower) Close() error {
	for _, f := range fl.active {
		f.f.Close()
	}
	for _, f := range fl.draining {
		f.f.Close()
	}
	return nil
}

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
	paths := make([]string, 0, len(fl.active))
	for p := range fl.active {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		s.Files = append(s.Files, fl.active[p].checkpoint(fl.abs(p)))
	}
	return s
}

// checkpoint returns the file's checkpoint under the name path.
func (f *file) checkpoint(path string) checkpoint.File {
	n := min(int64(len(f.head)), f.off)
	return checkpoint.File{
		Path:           path,
		Dev:            f.id.dev,
		Ino:            f.id.ino,
		FingerprintLen: n,
		Fingerprint:    checkpoint.Fingerprint(f.head[:n]),
		Offset:         f.off,
		Line:           f.line(),
	}
}

// line returns the number of the last line handed out, or 0 if the lines
// before the start were not counted.
func (f *file) line() int64 {
	if f.before < 0 {
		return 0
	}
	return f.before + f.lines
}

// Run makes passes until ctx is done, waiting up to Options.Poll between
// passes that found nothing more to read, or less when the file system
// reports a change. After each pass it calls step with waiting true if it is
// about to wait: the moment to flush output. It returns nil when ctx is
// done.
func (fl *Follower) Run(ctx context.Context, step func(waiting bool) error) error {
	w := newWaker()
	defer w.close()
	t := time.NewTicker(fl.opt.Poll)
	defer t.Stop()
	for {
		more, err := fl.Poll()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		if err := step(!more); err != nil {
			return err
		}
		if more {
			continue
		}
		if w.watch(fl.dirs) {
			// A change between the pass and the new watch would wake
			// nobody until the next tick; one more pass catches it.
			continue
		}
		if !w.wait(ctx, t.C) {
			return nil
		}
	}
}

// Poll makes one pass: it matches the patterns again, reads what every file
// has, and notices rotation, truncation and deletion. more reports that
// some file has more to give than one pass takes.
func (fl *Follower) Poll() (more bool, err error) {
	if err := fl.match(); err != nil {
		return false, err
	}
	fl.started = true
	now := fl.opt.Now()
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
	paths := make([]string, 0, len(fl.active))
	for p := range fl.active {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		m, err := fl.poll(fl.active[p])
		if err != nil {
			return false, err
		}
		more = more || m
	}
	return more, nil
}

// poll reads an active file and checks whether its path still names it.
func (fl *Follower) poll(f *file) (more bool, err error) {
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
	nf, err := fl.open(f.path, 0)
	if err != nil || nf == nil {
		return false, err
	}
	_, more, err = fl.read(nf, true)
	return more, err
}

// letGo closes a rotated or deleted file, handing out its last line if it
// had no newline.
func (fl *Follower) letGo(f *file) error {
	defer f.f.Close()
	return fl.flushPartial(f)
}

func (fl *Follower) flushPartial(f *file) error {
	text, ok, err := f.split.Flush()
	if !ok {
		return nil
	}
	f.lines++
	f.off = f.pos
	return fl.handle(Line{Path: f.path, Text: text, Err: err, f: f, n: f.lines})
}

// match opens the files newly matched by the patterns.
func (fl *Follower) match() error {
	for i, pat := range fl.opt.Patterns {
		fl.dirs[filepath.Dir(pat)] = true
		paths := []string{pat}
		if hasMeta(pat) {
			var err error
			if paths, err = filepath.Glob(pat); err != nil {
				return err
			}
			if len(paths) == 0 && !fl.started {
				fl.warnOnce(pat, fmt.Errorf("%s: no file matches yet, waiting for one", textsafe.String(pat)))
			}
		}
		for _, p := range paths {
			if fl.active[p] != nil {
				continue
			}
			fi, err := os.Stat(p)
			if errors.Is(err, os.ErrNotExist) {
				if !fl.started {
					fl.warnOnce(p, fmt.Errorf("%s: no such file yet, waiting for it", textsafe.String(p)))
				}
				continue
			}
			if err != nil {
				// A symbolic link loop, a directory that cannot be
				// searched: said once, and looked at again each pass.
				fl.warnOnce(p, notice(p, err))
				continue
			}
			if !fi.Mode().IsRegular() {
				fl.warnOnce(p, notice(p, errNotRegular))
				continue
			}
			if fl.reclaim(p, identOf(fi)) || fl.isOpen(identOf(fi)) {
				continue // another name of a file already followed
			}
			// A file that appears while following is new, and so is one
			// that appeared since the state resumed from saw its pattern.
			var start int64
			if !fl.started && !fl.opt.FromStart && !fl.known[i] {
				start = -1
			}
			if _, err := fl.open(p, start); err != nil {
				return err
			}
		}
	}
	return nil
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

// open starts following the file at path from offset start, or from just
// after its last complete line if start is -1. It returns nil without an
// error if the file cannot be opened, after a warning.
func (fl *Follower) open(path string, start int64) (*file, error) {
	f, err := fl.openFile(path, start, 0)
	if err != nil || f == nil {
		return nil, err
	}
	fl.active[path] = f
	fl.dirs[filepath.Dir(path)] = true
	return f, nil
}

// openFile opens the file at path to be read from start, after before
// lines (-1: not known), or from just after its last complete line if
// start is -1. It returns nil without an error if the file cannot be
// opened, after a warning.
func (fl *Follower) openFile(path string, start, before int64) (*file, error) {
	osf, fi, err := openRegular(path)
	if errors.Is(err, errNotRegular) {
		fl.warnOnce(path, notice(path, err))
		return nil, nil
	}
	if err != nil {
		fl.warnOnce(path, fileError(path, err))
		return nil, nil
	}
	delete(fl.warned, path)
	f := &file{path: path, f: osf, id: identOf(fi), split: lineio.NewSplitter(fl.opt.MaxLine), lastData: fl.opt.Now(), before: before}
	if start == -1 {
		var skipping bool
		if start, skipping, err = fl.lastLineEnd(osf, fi.Size()); err != nil {
			osf.Close()
			return nil, fileError(path, err)
		}
		if skipping {
			f.split.Skip()
		}
		f.before = -1
	}
	if start == 0 {
		f.before = 0
	}
	f.off, f.pos, f.start = start, start, start
	if start > 0 {
		n, err := osf.ReadAt(fl.headBuf[:min(start, checkpoint.FingerprintLen)], 0)
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

// read hands out the complete lines a file has past its read position.
// With checkTrunc, each chunk is checked against a truncation that
// happened before it was read, so that the middle of new content is never
// taken for old lines. got reports that there was new data, more that the
// budget ran out first.
func (fl *Follower) read(f *file, checkTrunc bool) (got, more bool, err error) {
	budget := readBudget
	for budget > 0 {
		n, rerr := f.f.ReadAt(fl.buf, f.pos)
		if rerr != nil && rerr != io.EOF {
			return got, false, fileError(f.path, rerr)
		}
		if checkTrunc {
			truncated, err := fl.truncated(f)
			if err != nil {
				return got, false, err
			}
			if truncated {
				if err := fl.restart(f); err != nil {
					return got, false, err
				}
				continue
			}
		}
		if n == 0 {
			return got, false, nil
		}
		got = true
		budget -= n
		if err := fl.lines(f, fl.buf[:n]); err != nil {
			return got, false, err
		}
		if n < len(fl.buf) {
			return got, false, nil
		}
	}
	return got, true, nil
}

// truncated reports whether a file no longer holds what was read from it:
// it is shorter than the read position, or its first bytes changed.
func (fl *Follower) truncated(f *file) (bool, error) {
	fi, err := f.f.Stat()
	if err != nil {
		return false, fileError(f.path, err)
	}
	if fi.Size() < f.pos {
		return true, nil
	}
	if len(f.head) == 0 {
		return false, nil
	}
	n, err := f.f.ReadAt(fl.headBuf[:len(f.head)], 0)
	if err != nil && err != io.EOF {
		return false, fileError(f.path, err)
	}
	return !bytes.Equal(fl.headBuf[:n], f.head), nil
}

// restart reads a truncated file again from its start, after the rest of
// what it held from a copy, if there is one.
func (fl *Follower) restart(f *file) error {
	c, err := fl.findCopy(f.checkpoint(f.path))
	if err != nil {
		return err
	}
	if c != nil {
		c.path = f.path
		if _, _, err := fl.readAll(c); err != nil {
			c.f.Close()
			return err
		}
		if err := fl.letGo(c); err != nil {
			return err
		}
	} else if err := fl.flushPartial(f); err != nil {
		return err
	}
	f.off, f.pos, f.start, f.lines, f.before = 0, 0, 0, 0, 0
	f.head = f.head[:0]
	f.split.Reset()
	return nil
}

func (fl *Follower) readAll(f *file) (got, more bool, err error) {
	for {
		g, m, err := fl.read(f, false)
		got = got || g
		if err != nil || !m {
			return got, false, err
		}
	}
}

// lines splits a chunk read at f.pos into lines and hands them out.
func (fl *Follower) lines(f *file, b []byte) error {
	if f.pos < checkpoint.FingerprintLen {
		f.head = append(f.head, b[:min(int64(len(b)), checkpoint.FingerprintLen-f.pos)]...)
	}
	end := f.pos
	f.pos += int64(len(b))
	for {
		text, rest, ok, err := f.split.Cut(b)
		if !ok {
			return nil
		}
		end += int64(len(b) - len(rest))
		b = rest
		f.lines++
		f.off = end
		if err := fl.handle(Line{Path: f.path, Text: text, Err: err, f: f, n: f.lines}); err != nil {
			return err
		}
	}
}

// resume opens the files of a saved state. Files still at their path come
// first, so that a rotated file's entry does not take its path for a new
// file. A saved path that is relative, as older versions wrote them, is
// taken relative to the working directory.
func (fl *Follower) resume(saved []checkpoint.File) {
	var rest []checkpoint.File
	for _, c := range saved {
		name, ok := fl.nameFor(fl.abs(c.Path))
		if !ok || fl.active[name] != nil {
			continue
		}
		c.Path = name
		f, err := fl.openFile(c.Path, c.Offset, savedBefore(c))
		if err != nil || f == nil {
			rest = append(rest, c)
			continue
		}
		// The same file, or a copy of it put in its place: the file that
		// was followed, unless nothing was read to fingerprint it.
		if (f.id == ident{c.Dev, c.Ino} || c.FingerprintLen > 0) && fl.fileHolds(f.f, c) && !fl.isOpen(f.id) {
			fl.active[c.Path] = f
			fl.dirs[filepath.Dir(c.Path)] = true
			continue
		}
		f.f.Close()
		rest = append(rest, c)
	}
	for _, c := range rest {
		old, err := fl.findCopy(c)
		if err != nil {
			fl.opt.Warn(err)
		}
		if old != nil {
			fl.draining = append(fl.draining, old)
		}
		if fl.active[c.Path] != nil {
			continue
		}
		// What is at the path now came after the saved state: new.
		if _, err := os.Stat(c.Path); err == nil {
			if _, err := fl.open(c.Path, 0); err != nil {
				fl.opt.Warn(err)
			}
		}
	}
}

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

// holds reports whether the file at path is at least c.Offset long and
// starts with the bytes c fingerprints.
func (fl *Follower) holds(path string, c checkpoint.File) bool {
	f, _, err := openRegular(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return fl.fileHolds(f, c)
}

func (fl *Follower) fileHolds(f *os.File, c checkpoint.File) bool {
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

// findCopy looks in the directory of c.Path for the file c describes: the
// same file under another name (renamed by rotation), or else a copy of it
// (copytruncate) that starts with the same bytes and is at least as long.
// Files already followed are not candidates. The file found is open at c's
// offset, under c's path, and not yet in any list.
func (fl *Follower) findCopy(c checkpoint.File) (*file, error) {
	dir := filepath.Dir(c.Path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil
	}
	want := ident{c.Dev, c.Ino}
	var best string
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
			if fl.holds(p, c) {
				best = p
				break
			}
			continue
		}
		if c.FingerprintLen > 0 && best == "" && fl.holds(p, c) {
			best = p
		}
	}
	if best == "" {
		return nil, nil
	}
	f, err := fl.openFile(best, c.Offset, savedBefore(c))
	if err != nil || f == nil {
		return nil, err
	}
	if !fl.fileHolds(f.f, c) {
		// Replaced between the look and the open.
		f.f.Close()
		return nil, nil
	}
	f.path = c.Path
	return f, nil
}

// savedBefore returns the lines before a checkpoint's offset, -1 if they
// were not counted.
func savedBefore(c checkpoint.File) int64 {
	if c.Line == 0 && c.Offset > 0 {
		return -1
	}
	return c.Line
}
