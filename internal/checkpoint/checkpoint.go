// Package checkpoint saves and loads where a follower of log files got to,
// so that a restarted httpmon-parse --follow resumes after the last line it
// emitted.
//
// A file is identified by its device and inode and by a fingerprint of its
// first bytes: the inode alone is not enough, because a rotated file that is
// deleted frees its inode for the next file created, often the new log at
// the same path. The fingerprint covers the first FingerprintLen bytes, or
// fewer when fewer had been read; those bytes never change in an
// append-only file, so the fingerprint can be checked again at any later
// size, and a copytruncate that wrote new lines past the old offset is still
// told apart from the file that was followed.
//
// The state is a small JSON document, written atomically: to a temporary
// file in the same directory, synced, renamed over the old one, and the
// directory synced, so that a crash at any moment leaves either the previous
// state or the new one, never a mix.
package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	jsoniter "github.com/json-iterator/go"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// Version is the format version written in the state file.
const Version = 1

// FingerprintLen is how many leading bytes of a file its fingerprint covers
// at most.
const FingerprintLen = 1024

// File is the checkpoint of one followed file.
type File struct {
	// Path is the absolute name the file was followed under (older
	// versions wrote it as given, relative to the working directory).
	// After a rotation the file may be found under another name in the
	// same directory.
	Path string `json:"path"`
	Dev  uint64 `json:"dev"`
	Ino  uint64 `json:"ino"`
	// FingerprintLen and Fingerprint are the length and the SHA-256 (hex)
	// of the file's first bytes; a length of 0 means nothing had been
	// read and only the device and inode identify the file.
	FingerprintLen int64  `json:"fingerprint_len"`
	Fingerprint    string `json:"fingerprint"`
	// Offset is the byte offset just after the last line emitted, and Line
	// the number of that line, 0 when it is not known (the lines before
	// where following started were not counted).
	Offset int64 `json:"offset"`
	Line   int64 `json:"line"`
}

// State is the content of a state file.
type State struct {
	Version int    `json:"version"`
	Files   []File `json:"files"`
	// Patterns are the absolute paths and globs whose files had all been
	// seen when the state was taken: a file matching one of them that
	// has no entry in Files appeared later, so it is new and is read from
	// its start. Older versions did not write them.
	Patterns []string `json:"patterns,omitempty"`
}

// stateJSON encodes and decodes the state file; HTML characters in paths
// are written as they are.
var stateJSON = jsoniter.Config{EscapeHTML: false, SortMapKeys: true}.Froze()

// Fingerprint returns the fingerprint of a file's first bytes.
func Fingerprint(head []byte) string {
	sum := sha256.Sum256(head)
	return hex.EncodeToString(sum[:])
}

// Load reads the state file at path. A missing file is an empty state: the
// first run has none. Errors do not name the file, which the caller knows
// under the name the user gave.
func Load(path string) (State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{Version: Version}, nil
	}
	if err != nil {
		return State{}, bare(err)
	}
	var s State
	if err := stateJSON.Unmarshal(b, &s); err != nil {
		return State{}, invalid(whyNotState(b, err))
	}
	if s.Version != Version {
		return State{}, fmt.Errorf("state file version %d, want %d", s.Version, Version)
	}
	for _, f := range s.Files {
		if f.Path == "" || f.Offset < 0 || f.FingerprintLen < 0 || f.FingerprintLen > FingerprintLen || f.FingerprintLen > f.Offset {
			return State{}, invalid(fmt.Sprintf("bad entry for %q", cut(f.Path)))
		}
	}
	return s, nil
}

// Save writes s to path atomically.
func Save(path string, s State) error {
	s.Version = Version
	if s.Files == nil {
		s.Files = []File{}
	}
	b, err := stateJSON.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return dirError(dir, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing: %w", bare(err))
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing: %w", bare(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing: %w", bare(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing it: %w", bare(err))
	}
	// The rename is durable only once the directory is.
	d, err := os.Open(dir)
	if err != nil {
		return dirError(dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("syncing directory %s: %w", textsafe.String(dir), bare(err))
	}
	return nil
}
