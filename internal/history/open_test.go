package history

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

func TestOpenMakesAPrivateWALHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	store(t, s, [][]byte{tickLine(1000, 0, 3, true)})
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q, %v; want wal", mode, err)
	}
	if got := count(t, s, `PRAGMA application_id`); got != ApplicationID {
		t.Errorf("application_id %#x, want %#x", got, ApplicationID)
	}
	if got := count(t, s, `PRAGMA user_version`); got != SchemaVersion {
		t.Errorf("user_version %d, want %d", got, SchemaVersion)
	}
}

func TestOpenTempRemovesItsFile(t *testing.T) {
	s, err := OpenTemp(Options{})
	if err != nil {
		t.Fatal(err)
	}
	store(t, s, [][]byte{tickLine(1000, 0, 3, true)})
	path := s.Path()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("temporary history %s: %v, %v", path, fi, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close, %s: %v, want it gone", filepath.Dir(path), err)
	}
}

// TestOpenRefusesAndLeavesTheFile opens files that are not a history of
// this version, and checks that each is refused with an error naming the
// file and left byte for byte as it was.
func TestOpenRefusesAndLeavesTheFile(t *testing.T) {
	sqliteFile := func(t *testing.T, path string, stmts string) {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(stmts); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		{"not sqlite", func(t *testing.T, path string) {
			os.WriteFile(path, bytes.Repeat([]byte("not a database at all\n"), 300), 0o644)
		}, "not an SQLite database"},
		{"another application's", func(t *testing.T, path string) {
			sqliteFile(t, path, `CREATE TABLE notes(x); INSERT INTO notes VALUES(1)`)
		}, "not an httpmon history"},
		{"another application id", func(t *testing.T, path string) {
			sqliteFile(t, path, `PRAGMA application_id=1234; CREATE TABLE notes(x)`)
		}, "not an httpmon history"},
		{"newer schema", func(t *testing.T, path string) {
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			store(t, s, [][]byte{tickLine(1000, 0, 3, true)})
			s.db.Exec(`PRAGMA user_version=99`)
			s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			s.Close()
		}, "schema version 99 is newer"},
		{"damaged", func(t *testing.T, path string) {
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			store(t, s, [][]byte{tickLine(1000, 0, 3, true)})
			s.Close()
			b, _ := os.ReadFile(path)
			// Keep the header's first 16 bytes, spoil the rest of it.
			for i := 16; i < 100; i++ {
				b[i] = 0xff
			}
			os.WriteFile(path, b, 0o600)
		}, "not an SQLite database, or a damaged one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			tc.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q, want it to name %s and say %q", err, path, tc.want)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("the file was changed")
			}
		})
	}
}

func TestOpenLockedFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s := func() *Store {
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	defer s.Close()
	conn, err := s.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	other, err := Open(path, Options{BusyTimeout: 50 * time.Millisecond})
	if err == nil {
		other.Close()
		t.Fatal("a second Open of a locked file succeeded")
	}
	if !strings.Contains(err.Error(), "locked by another writer for longer than 50ms") {
		t.Errorf("error %q", err)
	}
}

// TestMigrateFromVersion1 builds a history of version 1, as the first
// release of the store wrote it, and checks that Open keeps its data and
// builds the rollups of version 2 from it.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateBase(ctx, tx); err != nil {
		t.Fatal(err)
	}
	// Two minutes and a bit of seconds, 2 hits each, with the v1 columns.
	for ts := int64(3590); ts < 3725; ts++ {
		if _, err := tx.Exec(`INSERT INTO ticks VALUES(?, '', 0, 2, 20, x'00010000010000')`, ts); err != nil {
			t.Fatal(err)
		}
	}
	secs := appendSections(nil, []event.SectionStat{{Section: []byte("/a"), Hits: 5, Bytes: 50, Errors4x: 1, Errors5x: 2, TopPath: []byte("/a/x"), TopBytes: 30}})
	if _, err := tx.Exec(`INSERT INTO summaries VALUES(3600, '', 3610, 10, 0, 5, 0, 0, ?, '{"kind":"summary"}')`, secs); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`PRAGMA application_id=1752460654; PRAGMA user_version=1`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := count(t, s, `PRAGMA user_version`); got != SchemaVersion {
		t.Errorf("user_version %d, want %d", got, SchemaVersion)
	}
	if got := count(t, s, `SELECT count(*) FROM ticks`); got != 135 {
		t.Errorf("%d ticks after the migration, want 135", got)
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT hits FROM minutes WHERE ts = 3540`, 20},  // 3590…3599
		{`SELECT hits FROM minutes WHERE ts = 3600`, 120}, // a whole minute
		{`SELECT hits FROM minutes WHERE ts = 3720`, 10},  // 3720…3724
		{`SELECT sum(hits) FROM hours`, 270},
		{`SELECT hits FROM hours WHERE ts = 3600`, 250},
		{`SELECT detail = x'007d00007d0000' FROM hours WHERE ts = 3600`, 1}, // 125 2xx, 125 5xx
		{`SELECT hits FROM section_hours WHERE ts = 3600 AND section = '/a' AND top_path = '/a/x' AND e5 = 2`, 5},
	} {
		if got := count(t, s, c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.q, got, c.want)
		}
	}
}
