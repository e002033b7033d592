package follow

import (
	"bytes"
	"io"

	"github.com/httpmon/httpmon/internal/checkpoint"
)

// readBudget is how much one file may give in one pass, so that a fast
// file does not starve the others and a checkpoint is not held off.
const readBudget = 1 << 20

// read hands out the complete lines a file has past readTo. With
// checkTrunc, each chunk is checked against a truncation that happened
// before it was read, so that the middle of new content is never taken for
// old lines. got reports that there was new data, more that the budget ran
// out first.
func (fl *Follower) read(f *file, checkTrunc bool) (got, more bool, err error) {
	budget := readBudget
	for budget > 0 {
		n, rerr := f.osf.ReadAt(fl.buf, f.readTo)
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
		if err := fl.handOut(f, fl.buf[:n]); err != nil {
			return got, false, err
		}
		if n < len(fl.buf) {
			return got, false, nil
		}
	}
	return got, true, nil
}

// readToEnd reads a file to its end, whatever the budget.
func (fl *Follower) readToEnd(f *file) error {
	for {
		_, more, err := fl.read(f, false)
		if err != nil || !more {
			return err
		}
	}
}

// handOut hands out the lines that a chunk read at readTo ends.
func (fl *Follower) handOut(f *file, b []byte) error {
	if f.readTo < checkpoint.FingerprintLen {
		f.head = append(f.head, b[:min(int64(len(b)), checkpoint.FingerprintLen-f.readTo)]...)
	}
	end := f.readTo
	f.readTo += int64(len(b))
	for {
		text, rest, ok, err := f.split.Cut(b)
		if !ok {
			return nil
		}
		end += int64(len(b) - len(rest))
		b = rest
		f.lines++
		f.handedTo = end
		if err := fl.handle(Line{Path: f.path, Text: text, Err: err, file: f, n: f.lines}); err != nil {
			return err
		}
	}
}

// truncated reports whether a file no longer holds what was read from it:
// it is shorter than readTo, or its first bytes changed.
func (fl *Follower) truncated(f *file) (bool, error) {
	fi, err := f.osf.Stat()
	if err != nil {
		return false, fileError(f.path, err)
	}
	if fi.Size() < f.readTo {
		return true, nil
	}
	if len(f.head) == 0 {
		return false, nil
	}
	n, err := f.osf.ReadAt(fl.headBuf[:len(f.head)], 0)
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
		if err := fl.readToEnd(c); err != nil {
			c.osf.Close()
			return err
		}
		if err := fl.letGo(c); err != nil {
			return err
		}
	} else if err := fl.flushPartial(f); err != nil {
		return err
	}
	f.start, f.handedTo, f.readTo, f.lines = 0, 0, 0, 0
	f.before, f.counted = 0, true
	f.head = f.head[:0]
	f.split.Reset()
	return nil
}

// letGo closes a rotated or deleted file, handing out its last line if it
// had no newline.
func (fl *Follower) letGo(f *file) error {
	defer f.osf.Close()
	return fl.flushPartial(f)
}

// flushPartial hands out a line that was started and not ended, as a
// file's last.
func (fl *Follower) flushPartial(f *file) error {
	text, ok, err := f.split.Flush()
	if !ok {
		return nil
	}
	f.lines++
	f.handedTo = f.readTo
	return fl.handle(Line{Path: f.path, Text: text, Err: err, file: f, n: f.lines})
}
