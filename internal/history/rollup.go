package history

import (
	"context"
	"database/sql"

	"github.com/httpmon/httpmon/internal/event"
)

// rollup is the traffic of a minute or an hour of one source: the sum of
// its seconds or minutes, with their latency sketches merged.
type rollup struct {
	ts     int64
	source string
	off    int32
	hits   int64
	bytes  int64
	status event.StatusCounts
	lat    sketch
	blob   []byte
}

func (r *rollup) reset(ts int64, source string) {
	lat, blob := r.lat, r.blob
	lat.reset()
	*r = rollup{ts: ts, source: source, lat: lat, blob: blob[:0]}
}

// addTick adds a second; the rollup takes the offset of the latest.
func (r *rollup) addTick(t *event.Tick) {
	r.off = t.UTCOffset
	r.hits += t.Hits
	r.bytes += t.Bytes
	r.status.Add(&t.Status)
	r.lat.add(&t.Latency)
}

// rollupColumns are the columns of ticks, minutes and hours after ts and
// source, in the order storedRow.scan reads them.
const rollupColumns = `utc_offset, hits, bytes, detail`

// storedRow is one row of ticks, minutes or hours as read.
type storedRow struct {
	ts     int64
	source string
	off    int32
	hits   int64
	bytes  int64
	detail sql.RawBytes
	// From detail:
	status event.StatusCounts
	count  int64
	max    float64
	zero   int64
	bins   []byte
}

// scan reads "ts, source, " + rollupColumns.
func (s *storedRow) scan(rows *sql.Rows) error {
	if err := rows.Scan(&s.ts, &s.source, &s.off, &s.hits, &s.bytes, &s.detail); err != nil {
		return err
	}
	var err error
	s.count, s.max, s.zero, s.bins, err = parseDetail(s.detail, &s.status)
	return err
}

// addRow adds a stored second or minute.
func (r *rollup) addRow(s *storedRow) error {
	r.off = s.off
	r.hits += s.hits
	r.bytes += s.bytes
	r.status.Add(&s.status)
	return r.lat.addBlob(s.count, s.max, s.zero, s.bins)
}

// write stores the rollup with st, an insert of a row of minutes or hours.
func (r *rollup) write(ctx context.Context, st *sql.Stmt) error {
	r.blob = appendDetail(r.blob[:0], &r.status, r.lat.count, r.lat.max, r.lat.zero)
	if r.lat.count > 0 {
		r.blob = r.lat.appendBlob(r.blob)
	}
	_, err := st.ExecContext(ctx, r.ts, r.source, r.off, r.hits, r.bytes, r.blob)
	return err
}

// rebuildMinutes recomputes the minutes of [lo, hi), lo a whole minute,
// from the stored ticks.
func rebuildMinutes(ctx context.Context, tx *sql.Tx, lo, hi int64) error {
	return rebuild(ctx, tx, "ticks", "minutes", 60, lo, hi)
}

// rebuildHours recomputes the hours of [lo, hi), lo a whole hour, from the
// stored minutes.
func rebuildHours(ctx context.Context, tx *sql.Tx, lo, hi int64) error {
	return rebuild(ctx, tx, "minutes", "hours", 3600, lo, hi)
}

// rebuild sums the rows of table from in [lo, hi) into rows of step
// seconds of table to, per source.
func rebuild(ctx context.Context, tx *sql.Tx, from, to string, step, lo, hi int64) error {
	ins, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO `+to+` VALUES(?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	rows, err := tx.QueryContext(ctx, `SELECT ts, source, `+rollupColumns+` FROM `+from+` WHERE ts >= ? AND ts < ? ORDER BY ts`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	// One rollup per source of the current step; a few sources at most.
	open := map[string]*rollup{}
	cur := int64(0)
	flush := func() error {
		for src, r := range open {
			if err := r.write(ctx, ins); err != nil {
				return err
			}
			delete(open, src)
		}
		return nil
	}
	var s storedRow
	for rows.Next() {
		if err := s.scan(rows); err != nil {
			return err
		}
		if t := floorTo(s.ts, step); t != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = t
		}
		r := open[s.source]
		if r == nil {
			r = &rollup{}
			r.reset(cur, s.source)
			open[s.source] = r
		}
		if err := r.addRow(&s); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// rebuildSectionHour recomputes the sections of the hour h from the
// sections of the summaries that start in it, in the zone of the latest.
func rebuildSectionHour(ctx context.Context, tx *sql.Tx, h int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM section_hours WHERE ts = ?`, h); err != nil {
		return err
	}
	acc := sectionSums{}
	var off int32
	err := eachSummary(ctx, tx, "", h, h+3600, func(row *summaryRow) error {
		off = row.off
		return acc.add(row, "")
	})
	if err != nil {
		return err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO section_hours VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for k, r := range acc {
		approx := 0
		if r.Approx {
			approx = 1
		}
		if _, err := ins.ExecContext(ctx, h, k.source, r.Section, off, r.Hits, r.Bytes, r.Errors4x, r.Errors5x,
			r.TopPath, r.TopBytes, approx, r.Error); err != nil {
			return err
		}
	}
	return nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// summaryRow is a stored summary, without its line.
type summaryRow struct {
	start    int64
	source   string
	off      int32
	approx   bool
	err      int64
	sections sql.RawBytes
}

// eachSummary calls fn with the summaries that start in [lo, hi), of
// source unless it is empty, oldest first.
func eachSummary(ctx context.Context, q querier, source string, lo, hi int64, fn func(*summaryRow) error) error {
	query := `SELECT start, source, utc_offset, approx, err, sections FROM summaries WHERE start >= ? AND start < ?`
	args := []any{lo, hi}
	if source != "" {
		query += ` AND source = ?`
		args = append(args, source)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY start`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var row summaryRow
	for rows.Next() {
		if err := rows.Scan(&row.start, &row.source, &row.off, &row.approx, &row.err, &row.sections); err != nil {
			return err
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sectionKey is a section of a source.
type sectionKey struct{ source, section string }

// sectionSums adds up the sections of summaries, by source and section.
type sectionSums map[sectionKey]*SectionRow

// add adds the sections of a summary, or only section unless it is empty.
func (acc sectionSums) add(row *summaryRow, section string) error {
	return eachSection(row.sections, func(sec *sectionStat) {
		if section != "" && string(sec.name) != section {
			return
		}
		k := sectionKey{row.source, string(sec.name)}
		r := acc[k]
		if r == nil {
			r = &SectionRow{Section: k.section}
			acc[k] = r
		}
		r.Hits += sec.hits
		r.Bytes += sec.bytes
		r.Errors4x += sec.e4
		r.Errors5x += sec.e5
		if sec.topBytes > r.TopBytes || r.TopPath == "" && sec.topBytes == r.TopBytes {
			r.TopBytes, r.TopPath = sec.topBytes, string(sec.topPath)
		}
		if row.approx {
			r.Approx = true
			r.Error += row.err
		}
	})
}
