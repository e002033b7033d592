package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/httpmon/httpmon/internal/textsafe"

	// The pure-Go SQLite, so that go install needs no C compiler.
	_ "modernc.org/sqlite"
)

// Retention defaults: a week of seconds, and a little over a year of
// minutes, hours and summaries, so that a year ago today is still there.
const (
	DefaultKeepSeconds = 7 * 86400
	DefaultKeep        = 400 * 86400
)

// DefaultBusyTimeout is how long a write waits for another writer of the
// same file before it fails as locked.
const DefaultBusyTimeout = 5 * time.Second

// Options configure a Store.
type Options struct {
	// Source labels the records that carry no "source" member of their
	// own; "" stands for this pipeline.
	Source string
	// KeepSeconds is how long per-second data is kept and Keep how long
	// everything else is (minutes, hours, summaries, totals, alerts), in
	// seconds before the newest stored second; zero means the defaults.
	KeepSeconds, Keep int64
	// BusyTimeout is how long to wait for another writer; zero means
	// DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MaxPages bounds the file to this many pages of 4 KiB, beyond which
	// writes fail as if the disk were full; zero means no bound.
	MaxPages int64
}

// Store is a history in one SQLite file. Its Reader methods are safe for
// concurrent use; it has one Writer at a time.
type Store struct {
	db   *sql.DB
	path string
	opt  Options
	temp bool // remove the file at Close
}

// ErrNotHistory is the error of a file that is an SQLite database but not
// an httpmon history.
var ErrNotHistory = errors.New("not an httpmon history")

// Open opens the history in the file at path, creating it with mode 0600
// when it does not exist. An existing file is read before anything is
// written to it: one that is not an SQLite database, not an httpmon
// history, or of a schema newer than this binary knows, is refused and left
// as it was. Open takes the write lock once, so that a file another writer
// holds for longer than the busy timeout fails here rather than later.
func Open(path string, opt Options) (*Store, error) {
	if opt.KeepSeconds <= 0 {
		opt.KeepSeconds = DefaultKeepSeconds
	}
	if opt.Keep <= 0 {
		opt.Keep = DefaultKeep
	}
	if opt.BusyTimeout <= 0 {
		opt.BusyTimeout = DefaultBusyTimeout
	}
	if err := create(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, opt))
	if err != nil {
		return nil, fileError(path, err)
	}
	s := &Store{db: db, path: path, opt: opt}
	if err := s.init(context.Background()); err != nil {
		db.Close()
		return nil, fileError(path, err)
	}
	return s, nil
}

// OpenTemp opens a history in a new private file of the temporary
// directory, removed at Close: the store of a web page that was not asked
// to keep what it shows.
func OpenTemp(opt Options) (*Store, error) {
	dir, err := os.MkdirTemp("", "httpmon-history-")
	if err != nil {
		return nil, err
	}
	s, err := Open(filepath.Join(dir, "history.db"), opt)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.temp = true
	return s, nil
}

// create makes the file with mode 0600 unless it exists, so that SQLite,
// which would create it with the umask's mode, finds it there; its WAL
// and shared-memory files take the database file's mode.
func create(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, os.ErrExist):
		return nil
	case err != nil:
		return err
	}
	return f.Close()
}

// dsn is the data source name of path for modernc.org/sqlite: pragmas
// that every connection of the pool needs, and writes that take the lock
// when they begin, so that two writers wait for each other instead of
// failing when one of them upgrades its lock.
func dsn(path string, opt Options) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opt.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "synchronous(NORMAL)")
	if opt.MaxPages > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", opt.MaxPages))
	}
	q.Set("_txlock", "immediate")
	// A URI, so that a name with "?" or "#" in it is a name.
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}
	return u.String()
}

// fileError names the file in err, escaped as text from outside.
func fileError(path string, err error) error {
	return &FileError{Path: path, Err: err}
}

// FileError is an error of the history file Path.
type FileError struct {
	Path string
	Err  error
}

// Error names the file, escaped for a terminal, and says what is wrong.
func (e *FileError) Error() string {
	return "history " + textsafe.String(e.Path) + ": " + e.Err.Error()
}

// Unwrap returns the error of the file.
func (e *FileError) Unwrap() error { return e.Err }

// Path returns the file of the store.
func (s *Store) Path() string { return s.path }

// Close closes the store, and removes the file of one from OpenTemp.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.temp {
		os.RemoveAll(filepath.Dir(s.path))
	}
	return err
}
