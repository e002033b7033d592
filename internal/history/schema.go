package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
)

// ApplicationID marks an SQLite file as an httpmon history, in its header
// ("PRAGMA application_id"): "htmn".
const ApplicationID = 0x68746d6e

// SchemaVersion is the version of the schema this package writes, kept in
// "PRAGMA user_version": the number of migrations applied.
const SchemaVersion = 2

// migrations bring a history from version i to i+1, in order. They only
// ever add: a file of version i holds nothing that version i+1 drops.
var migrations = []func(ctx context.Context, tx *sql.Tx) error{
	migrateBase,
	migrateRollups,
}

// Tables of version 1: what the stream carries, keyed so that a record
// stored again replaces itself. Times lead the keys, so that a range of
// every source is one scan of the key. The status classes and the latency
// sketch of a second, minute or hour are one blob, "detail" (see
// appendDetail): a row is written with few values, which is most of the
// cost of storing a tick. A summary's sections are a blob too (see
// appendSections), read when their hour is rolled up. Tables of whole
// records are rowid tables, which keep long rows compactly, unlike those
// WITHOUT ROWID.
const schemaBase = `
CREATE TABLE meta(key TEXT PRIMARY KEY, value ANY) WITHOUT ROWID;
CREATE TABLE ticks(
	ts INTEGER NOT NULL, source TEXT NOT NULL, utc_offset INTEGER NOT NULL,
	hits INTEGER NOT NULL, bytes INTEGER NOT NULL, detail BLOB NOT NULL,
	PRIMARY KEY(ts, source)) WITHOUT ROWID;
CREATE TABLE summaries(
	start INTEGER NOT NULL, source TEXT NOT NULL, "end" INTEGER NOT NULL, seconds INTEGER NOT NULL,
	utc_offset INTEGER NOT NULL, hits INTEGER NOT NULL,
	approx INTEGER NOT NULL, err INTEGER NOT NULL, sections BLOB NOT NULL, line BLOB NOT NULL,
	PRIMARY KEY(start, source));
CREATE TABLE totals(
	start INTEGER NOT NULL, "end" INTEGER NOT NULL, source TEXT NOT NULL, line BLOB NOT NULL,
	PRIMARY KEY(start, "end", source));
CREATE TABLE alerts(
	key BLOB NOT NULL, state TEXT NOT NULL, ts INTEGER NOT NULL, source TEXT NOT NULL, line BLOB NOT NULL,
	PRIMARY KEY(key, state, ts));
CREATE INDEX alerts_ts ON alerts(ts);
CREATE INDEX alerts_key_ts ON alerts(key, ts);
CREATE TABLE rules(
	name TEXT NOT NULL, line BLOB NOT NULL, seq INTEGER NOT NULL,
	PRIMARY KEY(name, line));
`

func migrateBase(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, schemaBase)
	return err
}

// Tables of version 2: the rollups that answer long ranges, per minute and
// per hour of every source, and the sections per hour; filled from what
// version 1 stored.
const schemaRollups = `
CREATE TABLE minutes(
	ts INTEGER NOT NULL, source TEXT NOT NULL, utc_offset INTEGER NOT NULL,
	hits INTEGER NOT NULL, bytes INTEGER NOT NULL, detail BLOB NOT NULL,
	PRIMARY KEY(ts, source)) WITHOUT ROWID;
CREATE TABLE hours(
	ts INTEGER NOT NULL, source TEXT NOT NULL, utc_offset INTEGER NOT NULL,
	hits INTEGER NOT NULL, bytes INTEGER NOT NULL, detail BLOB NOT NULL,
	PRIMARY KEY(ts, source)) WITHOUT ROWID;
CREATE TABLE section_hours(
	ts INTEGER NOT NULL, source TEXT NOT NULL, section TEXT NOT NULL,
	utc_offset INTEGER NOT NULL, hits INTEGER NOT NULL, bytes INTEGER NOT NULL,
	e4 INTEGER NOT NULL, e5 INTEGER NOT NULL, top_path TEXT NOT NULL, top_bytes INTEGER NOT NULL,
	approx INTEGER NOT NULL, err INTEGER NOT NULL,
	PRIMARY KEY(ts, source, section)) WITHOUT ROWID;
CREATE INDEX section_hours_section ON section_hours(section, ts);
`

func migrateRollups(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, schemaRollups); err != nil {
		return err
	}
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(ts), max(ts) FROM ticks`).Scan(&lo, &hi); err != nil {
		return err
	}
	if lo.Valid {
		if err := rebuildMinutes(ctx, tx, floorTo(lo.Int64, 60), hi.Int64+1); err != nil {
			return err
		}
		if err := rebuildHours(ctx, tx, floorTo(lo.Int64, 3600), hi.Int64+1); err != nil {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT min(start), max(start) FROM summaries`).Scan(&lo, &hi); err != nil {
		return err
	}
	if lo.Valid {
		for h := floorTo(lo.Int64, 3600); h <= hi.Int64; h += 3600 {
			if err := rebuildSectionHour(ctx, tx, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// init checks the file and brings its schema up to date. It reads before
// it writes, so that a file it refuses is left as it was.
func (s *Store) init(ctx context.Context) error {
	var app, version, objects int64
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)`).Scan(&app, &version, &objects)
	if err != nil {
		return describe(err, s.opt.BusyTimeout)
	}
	if err := identify(app, version, objects); err != nil {
		return err
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode); err != nil {
		return describe(err, s.opt.BusyTimeout)
	}
	// Taking the write lock, even with nothing to migrate, tells a file
	// another writer holds now rather than at the first batch.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return describe(err, s.opt.BusyTimeout)
	}
	defer tx.Rollback()
	for v := version; v < SchemaVersion; v++ {
		if err := migrations[v](ctx, tx); err != nil {
			return fmt.Errorf("migrating the schema from version %d: %w", v, describe(err, s.opt.BusyTimeout))
		}
	}
	if version < SchemaVersion {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id=%d; PRAGMA user_version=%d`, ApplicationID, SchemaVersion)); err != nil {
			return describe(err, s.opt.BusyTimeout)
		}
	}
	return describe(tx.Commit(), s.opt.BusyTimeout)
}

// identify checks what an SQLite file's header and schema say it is: an
// httpmon history of a version this binary knows, or a new, empty file.
func identify(app, version, objects int64) error {
	switch {
	case app == 0 && version == 0 && objects == 0:
		// A new file, or an empty one: ours to make.
	case app != ApplicationID:
		return ErrNotHistory
	case version > SchemaVersion:
		return fmt.Errorf("its schema version %d is newer than this httpmon knows (%d): use a newer httpmon", version, SchemaVersion)
	}
	return nil
}

// SQLite's primary result codes that have a message of their own.
const (
	codeBusy    = 5
	codeLocked  = 6
	codeCorrupt = 11
	codeFull    = 13
	codeNotADB  = 26
)

// ErrFull is the error of a write that found the disk or the file's bound
// full.
var ErrFull = errors.New("the disk or the history's size bound is full")

// describe turns SQLite's errors that a person can act on into sentences,
// keeping SQLite's own text after them.
func describe(err error, busy time.Duration) error {
	var e *sqlite.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	switch e.Code() & 0xff {
	case codeBusy, codeLocked:
		return fmt.Errorf("locked by another writer for longer than %s: %w", busy, err)
	case codeCorrupt, codeNotADB:
		return fmt.Errorf("not an SQLite database, or a damaged one: %w", err)
	case codeFull:
		return fmt.Errorf("%w: %w", ErrFull, err)
	}
	return err
}

// floorTo rounds ts down to a multiple of step, also for times before 1970.
func floorTo(ts, step int64) int64 {
	r := ts % step
	if r < 0 {
		r += step
	}
	return ts - r
}
