package history

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/httpmon/httpmon/internal/event"
)

// MaxBatch is the most records one transaction holds: a replay commits
// this often, a live stream whenever its input pauses (Flush).
const MaxBatch = 16384

// Writer stores records in the store, in transactions of many records.
// It is not safe for concurrent use; a store has one at a time.
type Writer struct {
	s     *Store
	ctx   context.Context
	dec   *event.Decoder
	src   sourceReader
	stmts map[string]*sql.Stmt
	tx    *sql.Tx
	txs   map[string]*sql.Stmt // stmts of tx
	n     int                  // records in tx
	lost  int64                // records not stored, of failed transactions

	tick event.Tick
	sum  event.Summary
	al   event.Alert
	rule event.Rule
	tot  event.Total
	ck   pendingCheckpoint

	batch   []batchTick // the ticks of tx, for their minutes
	arena   []event.Bin // their bins
	touched map[int64]struct{}
	secHour map[int64]struct{} // hours whose sections changed
	newest  int64
	pruned  int64 // the minute of newest at the last prune
	buf     []byte
	row     rollup
}

// batchTick is a tick of the transaction, its bins in Writer.arena.
type batchTick struct {
	source     string
	t          event.Tick
	lo, hi     int
	order      int
	latestSeen bool
	kept       bool // the stored tick of its second has more hits
}

// statements of the write path, prepared once.
var writeStatements = map[string]string{
	"tick": `INSERT INTO ticks VALUES(?,?,?,?,?,?) ON CONFLICT(ts, source) DO UPDATE
		SET utc_offset=excluded.utc_offset, hits=excluded.hits, bytes=excluded.bytes, detail=excluded.detail
		WHERE excluded.hits >= ticks.hits`,
	"minute":         `INSERT OR REPLACE INTO minutes VALUES(?,?,?,?,?,?)`,
	"hour":           `INSERT OR REPLACE INTO hours VALUES(?,?,?,?,?,?)`,
	"summarySeconds": `SELECT seconds FROM summaries WHERE start=? AND source=?`,
	"summary":        `INSERT OR REPLACE INTO summaries VALUES(?,?,?,?,?,?,?,?,?,?)`,
	"total":          `INSERT OR REPLACE INTO totals VALUES(?,?,?,?)`,
	"alert":          `INSERT OR REPLACE INTO alerts VALUES(?,?,?,?,?)`,
	"rule": `INSERT INTO rules VALUES(?,?,(SELECT coalesce(max(seq),0)+1 FROM rules))
		ON CONFLICT(name, line) DO UPDATE SET seq=excluded.seq`,
	"newest": `INSERT INTO meta VALUES('newest', ?) ON CONFLICT(key) DO UPDATE SET value=max(value, excluded.value)`,
}

// NewWriter returns the store's writer.
func (s *Store) NewWriter(ctx context.Context) (*Writer, error) {
	w := &Writer{s: s, ctx: ctx, dec: event.NewDecoder(), stmts: map[string]*sql.Stmt{},
		touched: map[int64]struct{}{}, secHour: map[int64]struct{}{}}
	for name, q := range writeStatements {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			w.Close()
			return nil, fileError(s.path, describe(err, s.opt.BusyTimeout))
		}
		w.stmts[name] = st
	}
	newest, ok, err := s.Newest(ctx)
	if err != nil {
		w.Close()
		return nil, err
	}
	if ok {
		w.newest, w.pruned = newest, floorTo(newest, 60)
	}
	return w, nil
}

// Close commits what is pending and releases the writer.
func (w *Writer) Close() error {
	err := w.Flush()
	for _, st := range w.stmts {
		st.Close()
	}
	return err
}

// BadRecord is the error of a record the writer could not read; it is
// skipped, and the stage that showed it has reported it already.
type BadRecord struct{ Err error }

// Error says what is wrong with the record.
func (e *BadRecord) Error() string { return e.Err.Error() }

// Unwrap returns the decoder's error.
func (e *BadRecord) Unwrap() error { return e.Err }

// Line stores one NDJSON record of any kind the history keeps (tick,
// summary, total, alert, rule, checkpoint) and ignores the others. An error other
// than a *BadRecord is the store's: the transaction of the record, and
// the records before it in the same transaction, are lost.
func (w *Writer) Line(line []byte) error {
	kind, err := w.dec.Kind(line)
	if err != nil {
		return &BadRecord{err}
	}
	switch string(kind) {
	case event.KindTick:
		if err := w.dec.Tick(line, &w.tick); err != nil {
			return &BadRecord{err}
		}
		return w.Tick(line, &w.tick)
	case event.KindSummary:
		if err := w.dec.Summary(line, &w.sum); err != nil {
			return &BadRecord{err}
		}
		return w.Summary(line, &w.sum)
	case event.KindTotal:
		if err := w.dec.Total(line, &w.tot); err != nil {
			return &BadRecord{err}
		}
		return w.Total(line, &w.tot)
	case event.KindAlert:
		if err := w.dec.Alert(line, &w.al); err != nil {
			return &BadRecord{err}
		}
		return w.Alert(line, &w.al)
	case event.KindRule:
		if err := w.dec.Rule(line, &w.rule); err != nil {
			return &BadRecord{err}
		}
		return w.Rule(line, &w.rule)
	case event.KindCheckpoint:
		return w.Checkpoint(line)
	}
	return nil
}

// Lost returns the number of records that were given to the writer and
// not stored, because their transaction failed.
func (w *Writer) Lost() int64 { return w.lost }

// begin counts a record and starts a transaction unless one is open.
func (w *Writer) begin() error {
	w.n++
	if w.tx != nil {
		return nil
	}
	tx, err := w.s.db.BeginTx(w.ctx, nil)
	if err != nil {
		return w.fail(err)
	}
	w.tx = tx
	w.txs = map[string]*sql.Stmt{}
	return nil
}

func (w *Writer) stmt(name string) *sql.Stmt {
	st, ok := w.txs[name]
	if !ok {
		st = w.tx.StmtContext(w.ctx, w.stmts[name])
		w.txs[name] = st
	}
	return st
}

func (w *Writer) exec(name string, args ...any) error {
	_, err := w.stmt(name).ExecContext(w.ctx, args...)
	return err
}

// fail ends the transaction after err, whose records are lost.
func (w *Writer) fail(err error) error {
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
	w.lost += int64(w.n)
	w.n = 0
	w.ck.set = false
	w.batch, w.arena = w.batch[:0], w.arena[:0]
	clear(w.touched)
	clear(w.secHour)
	return fileError(w.s.path, describe(err, w.s.opt.BusyTimeout))
}

// counted ends the storing of one record: it commits when the batch is
// full.
func (w *Writer) counted(err error) error {
	if err != nil {
		return w.fail(err)
	}
	if w.n >= MaxBatch {
		return w.Flush()
	}
	return nil
}

// Tick stores a tick; line is its record, for its "source". Of two ticks
// of the same second and source, the one with more hits is kept (the
// later one on a tie): the first and last second of a log that overlaps
// the stored history may hold only part of their requests.
func (w *Writer) Tick(line []byte, t *event.Tick) error {
	if err := w.begin(); err != nil {
		return err
	}
	src := w.src.source(line, w.s.opt.Source)
	l := &t.Latency
	w.buf = appendDetail(w.buf[:0], &t.Status, l.Count, l.Max, l.Zero)
	if l.Count > 0 {
		w.buf = appendBins(w.buf, l.Bins)
	}
	res, err := w.stmt("tick").ExecContext(w.ctx, t.TS, src, t.UTCOffset, t.Hits, t.Bytes, w.buf)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil {
		lo := len(w.arena)
		w.arena = append(w.arena, t.Latency.Bins...)
		bt := batchTick{source: src, t: *t, lo: lo, hi: len(w.arena), order: len(w.batch), kept: n == 0}
		bt.t.Latency.Bins = nil
		w.batch = append(w.batch, bt)
		w.newest = max(w.newest, t.TS)
	}
	return w.counted(err)
}

// Summary stores a summary and its sections. Of two summaries of the same
// interval and source, the one that observed more seconds is kept, so
// that the partial first interval of a replay that overlaps the stored
// history does not replace the whole one.
func (w *Writer) Summary(line []byte, s *event.Summary) error {
	if err := w.begin(); err != nil {
		return err
	}
	return w.counted(w.summary(line, s))
}

func (w *Writer) summary(line []byte, s *event.Summary) error {
	src := w.src.source(line, w.s.opt.Source)
	var seconds sql.NullInt64
	err := w.stmt("summarySeconds").QueryRowContext(w.ctx, s.Start, src).Scan(&seconds)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case seconds.Int64 > s.Seconds:
		return nil
	}
	approx, serr := 0, int64(0)
	if s.SectionsApprox {
		approx, serr = 1, s.SectionsError
	}
	w.buf = appendSections(w.buf[:0], s.Sections)
	if err := w.exec("summary", s.Start, src, s.End, s.Seconds, s.UTCOffset, s.Hits, approx, serr, w.buf, line); err != nil {
		return err
	}
	w.secHour[floorTo(s.Start, 3600)] = struct{}{}
	// A partial summary, the last one of an input that ended, runs past
	// the last second seen: the ticks say how far the data goes.
	if s.End > s.Start && !s.Partial {
		w.newest = max(w.newest, s.End-1)
	}
	return nil
}

// Total stores a total record.
func (w *Writer) Total(line []byte, t *event.Total) error {
	if err := w.begin(); err != nil {
		return err
	}
	return w.counted(w.exec("total", t.Start, t.End, w.src.source(line, w.s.opt.Source), line))
}

// Alert stores an alert record, keyed by its alert (name and labels),
// state and second.
func (w *Writer) Alert(line []byte, a *event.Alert) error {
	if err := w.begin(); err != nil {
		return err
	}
	return w.counted(w.exec("alert", alertKey(a), string(a.State), a.TS, w.src.source(line, w.s.opt.Source), line))
}

// alertKey identifies an alert: its name and labels, which the records
// keep sorted.
func alertKey(a *event.Alert) []byte {
	k := append([]byte(nil), a.Name...)
	for _, l := range a.Labels {
		k = append(k, 0)
		k = append(k, l.Name...)
		k = append(k, '=')
		k = append(k, l.Value...)
	}
	return k
}

// Rule stores a rule record. The same rule announced again is one record,
// made the newest of its name.
func (w *Writer) Rule(line []byte, r *event.Rule) error {
	if err := w.begin(); err != nil {
		return err
	}
	return w.counted(w.exec("rule", string(r.Name), bytes.Clone(line)))
}

// Flush brings the rollups of what the transaction stored up to date,
// prunes once a minute of stream time, and commits.
func (w *Writer) Flush() error {
	if w.tx == nil {
		return nil
	}
	if err := w.rollups(); err != nil {
		return w.fail(err)
	}
	if err := w.exec("newest", w.newest); err != nil {
		return w.fail(err)
	}
	if err := w.commitCheckpoint(); err != nil {
		return w.fail(err)
	}
	if m := floorTo(w.newest, 60); m != w.pruned {
		if err := w.prune(); err != nil {
			return w.fail(err)
		}
		w.pruned = m
	}
	err := w.tx.Commit()
	w.tx = nil
	if err != nil {
		return w.fail(err)
	}
	w.n = 0
	w.batch, w.arena = w.batch[:0], w.arena[:0]
	return nil
}

// rollups recomputes the minutes, hours and section hours that the
// transaction touched: from its own ticks for a minute it has all sixty
// seconds of, and stored, else from the stored ticks. Recomputing, not adding, keeps a
// replay from counting a second twice.
func (w *Writer) rollups() error {
	// By source and second, the last of equal ones winning.
	slices.SortFunc(w.batch, func(a, b batchTick) int {
		return cmp.Or(cmp.Compare(a.source, b.source), cmp.Compare(a.t.TS, b.t.TS), cmp.Compare(a.order, b.order))
	})
	clear(w.touched)
	for i := 0; i < len(w.batch); {
		src, m := w.batch[i].source, floorTo(w.batch[i].t.TS, 60)
		j := i
		seconds, kept := 0, false
		for j < len(w.batch) && w.batch[j].source == src && floorTo(w.batch[j].t.TS, 60) == m {
			kept = kept || w.batch[j].kept
			if j+1 == len(w.batch) || w.batch[j+1].t.TS != w.batch[j].t.TS || w.batch[j+1].source != src {
				w.batch[j].latestSeen = true
				seconds++
			}
			j++
		}
		w.touched[floorTo(m, 3600)] = struct{}{}
		if seconds == 60 && !kept {
			if err := w.minuteFromBatch(src, m, w.batch[i:j]); err != nil {
				return err
			}
		} else if err := rebuildMinutes(w.ctx, w.tx, m, m+60); err != nil {
			return err
		}
		i = j
	}
	for h := range w.touched {
		if err := rebuildHours(w.ctx, w.tx, h, h+3600); err != nil {
			return err
		}
	}
	for h := range w.secHour {
		if err := rebuildSectionHour(w.ctx, w.tx, h); err != nil {
			return err
		}
	}
	clear(w.secHour)
	return nil
}

func (w *Writer) minuteFromBatch(src string, m int64, ticks []batchTick) error {
	r := &w.row
	r.reset(m, src)
	for i := range ticks {
		bt := &ticks[i]
		if !bt.latestSeen {
			continue
		}
		bt.t.Latency.Bins = w.arena[bt.lo:bt.hi]
		r.addTick(&bt.t)
	}
	return r.write(w.ctx, w.stmt("minute"))
}

// prune deletes what is older than the retention, counted back from the
// newest stored second rather than the clock, so that a replay of an old
// log is kept. Summaries, a kilobyte or more each, are kept as long as the
// seconds: older ranges are told by the hourly rollup of their sections.
func (w *Writer) prune() error {
	secs, keep := w.newest-w.s.opt.KeepSeconds, w.newest-w.s.opt.Keep
	for _, q := range []struct {
		sql    string
		before int64
	}{
		{`DELETE FROM ticks WHERE ts < ?`, secs},
		{`DELETE FROM minutes WHERE ts < ?`, keep},
		{`DELETE FROM hours WHERE ts < ?`, keep},
		{`DELETE FROM summaries WHERE start < ?`, secs},
		{`DELETE FROM section_hours WHERE ts < ?`, keep},
		{`DELETE FROM totals WHERE "end" < ?`, keep},
		{`DELETE FROM alerts WHERE ts < ?`, keep},
	} {
		if _, err := w.tx.ExecContext(w.ctx, q.sql, q.before); err != nil {
			return fmt.Errorf("pruning: %w", err)
		}
	}
	return nil
}
