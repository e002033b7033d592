package history

import (
	"database/sql"
	"errors"
	"os"
	"strings"

	"github.com/httpmon/httpmon/internal/event"
)

// Checkpoints are kept in the meta table, one row per source under
// checkpointKey+source: the newest committed position of the pipeline
// that stores under that source, as its record. alertedKey+source keeps
// the newest second of an alert transition that a resume took back (see
// Writer.Checkpoint), so that a restart after it still knows what was
// notified.
// takebackKey+source keeps, with the checkpoint, the second after which
// the records of its pipeline came from lines after its position: its
// through, or for a checkpoint before any request the newest second
// stored before it.
const (
	checkpointKey = "checkpoint:"
	alertedKey    = "alerted:"
	takebackKey   = "takeback:"
)

// checkpoint statements of the write path, prepared with writeStatements.
var checkpointStatements = map[string]string{
	"checkpoint": `INSERT INTO meta VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value`,
	"alerted": `INSERT INTO meta SELECT ?, max(ts) FROM alerts
		WHERE source=? AND ts>(SELECT value FROM meta WHERE key=?) HAVING max(ts) IS NOT NULL
		ON CONFLICT(key) DO UPDATE SET value=max(value, excluded.value)`,
	"newestAlert": `SELECT max(ts) FROM alerts WHERE source=?`,
	"unalert":     `DELETE FROM alerts WHERE source=? AND ts>(SELECT value FROM meta WHERE key=?)`,
}

func init() {
	for k, v := range checkpointStatements {
		writeStatements[k] = v
	}
}

// pendingCheckpoint is the newest checkpoint of the open transaction,
// written at its commit.
type pendingCheckpoint struct {
	rec      event.Checkpoint
	line     []byte
	takeback int64
	set      bool
}

// Checkpoint stores a checkpoint record: the transaction that commits it
// commits every record before it, so that the stored position never runs
// ahead of the stored records. Once a transaction has failed, no later
// checkpoint is stored by this writer: the lost records came before it,
// and a restart must read them again from the last position committed.
//
// A resume checkpoint, first in a restarted pipeline, also takes back the
// stored alert transitions after the committed checkpoint's Through (or,
// for one before any request, after the newest second stored before it):
// the restarted pipeline writes them again, from the same lines, and a
// transition that the run before made from a partial second (the last
// seconds of its input when a stage died) would otherwise stay. Ticks
// and summaries need no such care: the re-written ones replace them, or
// are the less full ones.
func (w *Writer) Checkpoint(line []byte) error {
	ck := &w.ck
	if err := w.dec.Checkpoint(line, &ck.rec); err != nil {
		return &BadRecord{err}
	}
	if w.lost > 0 {
		return nil
	}
	if err := w.begin(); err != nil {
		return err
	}
	src := w.s.opt.Source
	if ck.rec.Resume {
		if err := w.exec("alerted", alertedKey+src, src, takebackKey+src); err != nil {
			return w.counted(err)
		}
		if err := w.exec("unalert", src, takebackKey+src); err != nil {
			return w.counted(err)
		}
	}
	ck.takeback = w.newest
	if ck.rec.HasThrough {
		// The rules may have seen seconds after through (the window
		// let ticks go on the wall clock's word while the checkpoint
		// waited): their transitions up to then are in the states and
		// not written again.
		ck.takeback = ck.rec.Through
		for i := range ck.rec.Rules {
			ck.takeback = max(ck.takeback, ck.rec.Rules[i].Last)
		}
	} else {
		var alerted sql.NullInt64
		if err := w.stmt("newestAlert").QueryRowContext(w.ctx, src).Scan(&alerted); err != nil {
			return w.counted(err)
		}
		ck.takeback = max(ck.takeback, alerted.Int64)
	}
	ck.line = append(ck.line[:0], line...)
	ck.set = true
	return w.counted(nil)
}

// commitCheckpoint writes the transaction's newest checkpoint, before
// the commit.
func (w *Writer) commitCheckpoint() error {
	if !w.ck.set {
		return nil
	}
	w.ck.set = false
	if err := w.exec("checkpoint", takebackKey+w.s.opt.Source, w.ck.takeback); err != nil {
		return err
	}
	return w.exec("checkpoint", checkpointKey+w.s.opt.Source, w.ck.line)
}

// Resume is where a pipeline storing under Source restarts from: the
// newest checkpoint committed, as its record, and the newest second of a
// stored alert transition of that source. NatsStream and NatsSeq are the
// checkpoint's position in a NATS stream, for a merge that reads one;
// NatsStream is empty for the others.
type Resume struct {
	Source     string
	Checkpoint []byte
	Alerted    int64
	HasAlerted bool
	NatsStream string
	NatsSeq    uint64
}

// ReadResume returns the committed checkpoint of every source of the
// history at path, ordered by source; none for a new, empty history. It
// opens the file read-only and writes nothing to it. A file that is not
// an httpmon history, or of a newer schema, is an error.
func ReadResume(path string) ([]Resume, error) {
	db, err := sql.Open("sqlite", readOnlyDSN(path))
	if err != nil {
		return nil, fileError(path, err)
	}
	defer db.Close()
	var app, version, objects int64
	err = db.QueryRow(`SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)`).Scan(&app, &version, &objects)
	if err == nil {
		err = identify(app, version, objects)
	}
	if err != nil || objects == 0 {
		return nil, fileErrorOrNil(path, describe(err, DefaultBusyTimeout))
	}
	// The checkpoints' keys run from "checkpoint:" to before
	// "checkpoint;", the next character.
	rows, err := db.Query(`SELECT substr(c.key, 12), c.value,
		max(coalesce((SELECT max(ts) FROM alerts WHERE source=substr(c.key, 12)), -9223372036854775808),
		    coalesce((SELECT value FROM meta WHERE key='alerted:' || substr(c.key, 12)), -9223372036854775808))
		FROM meta c WHERE c.key >= 'checkpoint:' AND c.key < 'checkpoint;' ORDER BY c.key`)
	if err != nil {
		return nil, fileError(path, describe(err, DefaultBusyTimeout))
	}
	defer rows.Close()
	var out []Resume
	dec := event.NewDecoder()
	var ck event.Checkpoint
	for rows.Next() {
		var r Resume
		var alerted int64
		if err := rows.Scan(&r.Source, &r.Checkpoint, &alerted); err != nil {
			return nil, fileError(path, err)
		}
		if alerted != -1<<63 {
			r.Alerted, r.HasAlerted = alerted, true
		}
		// A checkpoint that does not decode is still returned: its
		// reader says what it makes of it.
		if dec.Checkpoint(r.Checkpoint, &ck) == nil {
			r.NatsStream, r.NatsSeq = string(ck.Nats.Stream), ck.Nats.Seq
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fileError(path, describe(err, DefaultBusyTimeout))
	}
	return out, nil
}

func fileErrorOrNil(path string, err error) error {
	if err == nil {
		return nil
	}
	return fileError(path, err)
}

// readOnlyDSN is the data source name of path opened for reading only.
// Without a write-ahead log beside it, no writer has the file open or
// left commits outside it, and it is read as immutable: SQLite then
// creates no -wal and -shm files either, so a file that is refused is
// left exactly as it was.
func readOnlyDSN(path string) string {
	d := dsn(path, Options{BusyTimeout: DefaultBusyTimeout})
	q := "?mode=ro&"
	if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) {
		q += "immutable=1&"
	}
	return strings.Replace(d, "?", q, 1)
}

// sqliteMagic begins every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// IsSQLite reports whether head, the first bytes of a file, are those of
// an SQLite database: a file that a reader of --state takes for a history
// rather than a state file.
func IsSQLite(head []byte) bool {
	return len(head) >= len(sqliteMagic) && string(head[:len(sqliteMagic)]) == sqliteMagic
}
