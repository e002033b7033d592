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

var _ Reader = (*Store)(nil)

// Newest returns the newest stored second: of a tick, or the last second
// of a summary.
func (s *Store) Newest(ctx context.Context) (int64, bool, error) {
	var ts int64
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'newest'`).Scan(&ts)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, s.err(err)
	}
	return ts, true, nil
}

func (s *Store) err(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fileError(s.path, describe(err, s.opt.BusyTimeout))
}

// MaxPoints bounds the points of a series, whatever maxPoints asks.
const MaxPoints = 100_000

// steps are the lengths of a series' steps, in seconds: past a day, whole
// days.
var steps = []int64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}

// stepFor returns the shortest step that fits span in maxPoints, or at
// least least.
func stepFor(span int64, maxPoints int, least int64) int64 {
	want := max((span+int64(maxPoints)-1)/int64(maxPoints), least, 1)
	for _, st := range steps {
		if st >= want {
			return st
		}
	}
	return (want + 86399) / 86400 * 86400
}

// sourceFilter is the condition on the source of r, with its argument.
func sourceFilter(r Range, args []any) (string, []any) {
	if r.Source == "" {
		return "", args
	}
	return " AND source = ?", append(args, r.Source)
}

// Series returns the traffic of r in at most maxPoints steps. A step under
// a minute is read from the per-second ticks, while they still cover
// r.From; longer steps, and ranges older than the kept seconds, from the
// minutes, and steps of an hour or more from the hours. Points are aligned
// to multiples of the step since the epoch, so the first may begin before
// r.From. With r.Section set the points count that section's hits, bytes
// and 4xx and 5xx responses, from the summaries, in steps of at least
// their interval, or from the sections' hourly rollup in steps of an hour
// or more once the summaries of r.From are gone.
func (s *Store) Series(ctx context.Context, r Range, maxPoints int) (Series, error) {
	if r.To <= r.From || maxPoints < 1 {
		return Series{}, nil
	}
	maxPoints = min(maxPoints, MaxPoints)
	if r.Section != "" {
		return s.sectionSeries(ctx, r, maxPoints)
	}
	step := stepFor(r.To-r.From, maxPoints, 1)
	table := "ticks"
	if step < 60 {
		covered, err := s.secondsCover(ctx, r.From)
		if err != nil {
			return Series{}, err
		}
		if !covered {
			step = 60
		}
	}
	switch {
	case step >= 3600:
		table = "hours"
	case step >= 60:
		table = "minutes"
	}
	ser := newSeries(r, step)
	a := ser.Points[0].TS
	cond, args := sourceFilter(r, []any{a, r.To})
	rows, err := s.db.QueryContext(ctx, `SELECT ts, source, `+rollupColumns+` FROM `+table+
		` WHERE ts >= ? AND ts < ?`+cond+` ORDER BY ts`, args...)
	if err != nil {
		return Series{}, s.err(err)
	}
	defer rows.Close()
	var row storedRow
	var cur, all sketch
	at, seen := -1, false
	done := func() {
		if at >= 0 {
			ser.Points[at].Latency = cur.latency()
			all.merge(&cur)
			cur.reset()
		}
	}
	for rows.Next() {
		if err := row.scan(rows); err != nil {
			return Series{}, s.err(err)
		}
		i := int((row.ts - a) / step)
		if i != at {
			done()
			at = i
		}
		p := &ser.Points[i]
		p.Hits += row.hits
		p.Bytes += row.bytes
		p.Status.Add(&row.status)
		if err := cur.addBlob(row.count, row.max, row.zero, row.bins); err != nil {
			return Series{}, s.err(err)
		}
		ser.UTCOffset, seen = row.off, true
	}
	if err := rows.Err(); err != nil {
		return Series{}, s.err(err)
	}
	done()
	ser.total()
	ser.Total.Latency = all.latency()
	if !seen {
		if ser.UTCOffset, err = s.offsetBefore(ctx, r.To); err != nil {
			return Series{}, err
		}
	}
	return ser, nil
}

// newSeries returns the zero points of r in steps of step.
func newSeries(r Range, step int64) Series {
	a := floorTo(r.From, step)
	n := (r.To - a + step - 1) / step
	ser := Series{Step: step, Points: make([]Point, n)}
	for i := range ser.Points {
		ser.Points[i].TS = a + int64(i)*step
	}
	return ser
}

// total sums the points into Total, its TS the first point's.
func (ser *Series) total() {
	ser.Total = Point{TS: ser.Points[0].TS}
	for i := range ser.Points {
		p := &ser.Points[i]
		ser.Total.Hits += p.Hits
		ser.Total.Bytes += p.Bytes
		ser.Total.Status.Add(&p.Status)
	}
}

// secondsCover reports whether the ticks cover from: the oldest kept tick
// is not after it, or the history has nothing older than its ticks.
func (s *Store) secondsCover(ctx context.Context, from int64) (bool, error) {
	var tick, minute sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT min(ts) FROM ticks), (SELECT min(ts) FROM minutes)`).Scan(&tick, &minute)
	if err != nil {
		return false, s.err(err)
	}
	return !tick.Valid || tick.Int64 <= from || minute.Int64 >= floorTo(tick.Int64, 60), nil
}

// offsetBefore returns the zone of the newest minute before to, or 0.
func (s *Store) offsetBefore(ctx context.Context, to int64) (int32, error) {
	var off int32
	err := s.db.QueryRowContext(ctx, `SELECT utc_offset FROM minutes WHERE ts < ? ORDER BY ts DESC LIMIT 1`, to).Scan(&off)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, s.err(err)
	}
	return off, nil
}

func (s *Store) sectionSeries(ctx context.Context, r Range, maxPoints int) (Series, error) {
	var interval int64
	err := s.db.QueryRowContext(ctx, `SELECT "end" - start FROM summaries WHERE start >= ? AND start < ? AND seconds = "end" - start LIMIT 1`,
		r.From, r.To).Scan(&interval)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Series{}, s.err(err)
	}
	step := stepFor(r.To-r.From, maxPoints, interval)
	var oldest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT min(start) FROM summaries`).Scan(&oldest); err != nil {
		return Series{}, s.err(err)
	}
	if !oldest.Valid || oldest.Int64 > r.From {
		// The summaries are gone: hours it is.
		step = max(step, 3600)
	}
	ser := newSeries(r, step)
	a := ser.Points[0].TS
	seen := false
	addTo := func(t int64, off int32, hits, bytes, e4, e5 int64) {
		p := &ser.Points[(t-a)/step]
		p.Hits += hits
		p.Bytes += bytes
		p.Status[event.Class4xx] += e4
		p.Status[event.Class5xx] += e5
		ser.UTCOffset, seen = off, true
	}
	if step < 3600 {
		err = eachSummary(ctx, s.db, r.Source, a, r.To, func(row *summaryRow) error {
			return eachSection(row.sections, func(sec *sectionStat) {
				if string(sec.name) == r.Section {
					addTo(row.start, row.off, sec.hits, sec.bytes, sec.e4, sec.e5)
				}
			})
		})
	} else {
		err = s.sectionHours(ctx, r, a, func(t int64, off int32, hits, bytes, e4, e5 int64) error {
			addTo(t, off, hits, bytes, e4, e5)
			return nil
		})
	}
	if err != nil {
		return Series{}, s.err(err)
	}
	ser.total()
	if !seen {
		if ser.UTCOffset, err = s.offsetBefore(ctx, r.To); err != nil {
			return Series{}, err
		}
	}
	return ser, nil
}

// sectionHours calls fn with the hourly rollup of r.Section from the hour
// from up to r.To.
func (s *Store) sectionHours(ctx context.Context, r Range, from int64, fn func(t int64, off int32, hits, bytes, e4, e5 int64) error) error {
	cond, args := sourceFilter(r, []any{r.Section, from, r.To})
	rows, err := s.db.QueryContext(ctx, `SELECT ts, utc_offset, hits, bytes, e4, e5 FROM section_hours
		WHERE section = ? AND ts >= ? AND ts < ?`+cond+` ORDER BY ts`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t, hits, bytes, e4, e5 int64
		var off int32
		if err := rows.Scan(&t, &off, &hits, &bytes, &e4, &e5); err != nil {
			return err
		}
		if err := fn(t, off, hits, bytes, e4, e5); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Sections returns the top n sections of r by hits, ties by name, from the
// summaries that start in r: the hours wholly inside r from the sections'
// hourly rollup, the rest from the summaries' own sections while they are
// kept (as long as the seconds), and in whole hours after that.
func (s *Store) Sections(ctx context.Context, r Range, n int) ([]SectionRow, error) {
	if r.To <= r.From || n < 1 {
		return nil, nil
	}
	rows := map[string]*SectionRow{}
	merge := func(o *SectionRow) {
		row := rows[o.Section]
		if row == nil {
			row = &SectionRow{Section: o.Section}
			rows[o.Section] = row
		}
		row.Hits += o.Hits
		row.Bytes += o.Bytes
		row.Errors4x += o.Errors4x
		row.Errors5x += o.Errors5x
		if o.TopBytes > row.TopBytes || row.TopPath == "" && o.TopBytes == row.TopBytes {
			row.TopBytes, row.TopPath = o.TopBytes, o.TopPath
		}
		row.Approx = row.Approx || o.Approx
		row.Error += o.Error
	}
	// hours adds the hourly rollup of [lo, hi).
	hours := func(lo, hi int64) error {
		if lo >= hi {
			return nil
		}
		cond, args := sourceFilter(r, []any{lo, hi})
		if r.Section != "" {
			cond += " AND section = ?"
			args = append(args, r.Section)
		}
		q, err := s.db.QueryContext(ctx, `SELECT section, hits, bytes, e4, e5, top_path, top_bytes, approx, err FROM section_hours
			WHERE ts >= ? AND ts < ?`+cond, args...)
		if err != nil {
			return err
		}
		defer q.Close()
		var o SectionRow
		var approx int64
		for q.Next() {
			if err := q.Scan(&o.Section, &o.Hits, &o.Bytes, &o.Errors4x, &o.Errors5x, &o.TopPath, &o.TopBytes, &approx, &o.Error); err != nil {
				return err
			}
			o.Approx = approx > 0
			merge(&o)
		}
		return q.Err()
	}
	// summaries adds the sections of the summaries that start in [lo, hi).
	summaries := func(lo, hi int64) error {
		if lo >= hi {
			return nil
		}
		acc := sectionSums{}
		err := eachSummary(ctx, s.db, r.Source, lo, hi, func(row *summaryRow) error { return acc.add(row, r.Section) })
		for _, o := range acc {
			merge(o)
		}
		return err
	}
	hLo, hHi := floorTo(r.From+3599, 3600), floorTo(r.To, 3600)
	// Where the summaries are gone, the hours that r starts and ends in
	// count whole.
	var oldest sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT min(start) FROM summaries`).Scan(&oldest); err != nil {
		return nil, s.err(err)
	}
	if !oldest.Valid || oldest.Int64 > r.From {
		hLo = floorTo(r.From, 3600)
	}
	if !oldest.Valid || oldest.Int64 >= r.To {
		hHi = floorTo(r.To+3599, 3600)
	}
	var err error
	if hLo < hHi {
		err = errors.Join(hours(hLo, hHi), summaries(r.From, hLo), summaries(hHi, r.To))
	} else {
		err = summaries(r.From, r.To)
	}
	if err != nil {
		return nil, s.err(err)
	}
	out := make([]SectionRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b SectionRow) int {
		return cmp.Or(cmp.Compare(b.Hits, a.Hits), cmp.Compare(a.Section, b.Section))
	})
	return out[:min(n, len(out))], nil
}

// Heatmap returns the hits of r by weekday and hour in the log's zone, from
// the minutes, whose zone is that of their latest second; with r.Section
// set, from the sections' hourly rollup, in whole hours of UTC moved to the
// log's zone, which in a zone of half or quarter hours is the nearest.
func (s *Store) Heatmap(ctx context.Context, r Range) (Heatmap, error) {
	var hm Heatmap
	if r.To <= r.From {
		return hm, nil
	}
	var q string
	var args []any
	if r.Section == "" {
		q = `SELECT (ts + utc_offset) / 3600, sum(hits) FROM minutes WHERE ts >= ? AND ts < ?`
		args = []any{floorTo(r.From, 60), r.To}
	} else {
		q = `SELECT (ts + utc_offset) / 3600, sum(hits) FROM section_hours WHERE section = ? AND ts >= ? AND ts < ?`
		args = []any{r.Section, floorTo(r.From, 3600), r.To}
	}
	cond, args := sourceFilter(r, args)
	rows, err := s.db.QueryContext(ctx, q+cond+` GROUP BY 1`, args...)
	if err != nil {
		return hm, s.err(err)
	}
	defer rows.Close()
	for rows.Next() {
		var h, hits int64
		if err := rows.Scan(&h, &hits); err != nil {
			return hm, s.err(err)
		}
		day := floorTo(h, 24) / 24
		// 1970-01-01 was a Thursday.
		hm[day+4-floorTo(day+4, 7)][h-floorTo(h, 24)] += hits
	}
	return hm, s.err(rows.Err())
}

// Alerts returns the alert records of r, oldest first, after the firing
// record of each alert still firing at r.From: one whose latest record
// before r.From is its firing. With r.Section set, the alerts of rules
// over another section are left out.
func (s *Store) Alerts(ctx context.Context, r Range) ([]event.Alert, error) {
	cond, args := sourceFilter(r, []any{r.From, r.From})
	var out []event.Alert
	collect := func(line []byte) error {
		var a event.Alert
		if err := event.NewDecoder().Alert(line, &a); err != nil {
			return fmt.Errorf("a stored alert: %w", err)
		}
		if r.Section == "" || alertSection(&a, r.Section) {
			out = append(out, a)
		}
		return nil
	}
	err := s.lines(ctx, `SELECT line FROM alerts a WHERE ts < ? AND state = 'firing'
		AND ts = (SELECT max(ts) FROM alerts b WHERE b.key = a.key AND b.ts < ?)`+cond+` ORDER BY ts, key`, args, collect)
	if err != nil {
		return nil, err
	}
	if r.To > r.From {
		if err := s.AlertRecords(ctx, r, collect); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// alertSection reports whether a is of a rule over all sections or over
// section.
func alertSection(a *event.Alert, section string) bool {
	for _, l := range a.Labels {
		if string(l.Name) == "section" {
			return string(l.Value) == section
		}
	}
	return true
}

// Firing returns the alerts whose newest stored record is their firing,
// by name and labels.
func (s *Store) Firing(ctx context.Context) ([]event.Alert, error) {
	var out []event.Alert
	err := s.lines(ctx, `SELECT line FROM alerts a WHERE state = 'firing'
		AND ts = (SELECT max(ts) FROM alerts b WHERE b.key = a.key) ORDER BY key`, nil, func(line []byte) error {
		var a event.Alert
		if err := event.NewDecoder().Alert(line, &a); err != nil {
			return fmt.Errorf("a stored alert: %w", err)
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// Rules returns the newest record of each rule name, by name, without
// those that removed their rule.
func (s *Store) Rules(ctx context.Context) ([]event.Rule, error) {
	var out []event.Rule
	err := s.lines(ctx, `SELECT line FROM rules r WHERE seq = (SELECT max(seq) FROM rules b WHERE b.name = r.name) ORDER BY name`, nil,
		func(line []byte) error {
			var rule event.Rule
			if err := event.NewDecoder().Rule(line, &rule); err != nil {
				return fmt.Errorf("a stored rule: %w", err)
			}
			if !rule.Removed {
				out = append(out, rule)
			}
			return nil
		})
	return out, err
}

// lines calls fn with the column line of each row of q, a copy that fn
// may keep. An error of fn is returned as it is.
func (s *Store) lines(ctx context.Context, q string, args []any, fn func(line []byte) error) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return s.err(err)
	}
	defer rows.Close()
	for rows.Next() {
		var line []byte
		if err := rows.Scan(&line); err != nil {
			return s.err(err)
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return s.err(rows.Err())
}

// Ticks calls fn with the ticks of r in wire form, by second and source;
// a tick of a source other than the store's default carries it as
// "source". Ticks are of all sections: r.Section does not select them.
func (s *Store) Ticks(ctx context.Context, r Range, fn func(line []byte) error) error {
	cond, args := sourceFilter(r, []any{r.From, r.To})
	rows, err := s.db.QueryContext(ctx, `SELECT ts, source, `+rollupColumns+` FROM ticks WHERE ts >= ? AND ts < ?`+cond+` ORDER BY ts, source`, args...)
	if err != nil {
		return s.err(err)
	}
	defer rows.Close()
	enc := event.NewEncoder()
	var row storedRow
	var t event.Tick
	var line []byte
	for rows.Next() {
		if err := row.scan(rows); err != nil {
			return s.err(err)
		}
		t = event.Tick{TS: row.ts, UTCOffset: row.off, Hits: row.hits, Bytes: row.bytes, Status: row.status,
			Latency: event.Latency{Count: row.count, Max: row.max, Zero: row.zero, Bins: t.Latency.Bins[:0]}}
		if err := eachBin(row.bins, func(i int32, c int64) {
			t.Latency.Bins = append(t.Latency.Bins, event.Bin{Index: i, Count: c})
		}); err != nil {
			return s.err(err)
		}
		b, err := enc.Tick(&t)
		if err != nil {
			return s.err(err)
		}
		line = withSource(append(line[:0], bytes.TrimSuffix(b, newline)...), row.source)
		if err := fn(line); err != nil {
			return err
		}
	}
	return s.err(rows.Err())
}

var newline = []byte("\n")

// withSource adds the member "source" to the record line unless source is
// empty.
func withSource(line []byte, source string) []byte {
	if source == "" || len(line) == 0 {
		return line
	}
	st := jsonConfig.BorrowStream(nil)
	defer jsonConfig.ReturnStream(st)
	st.WriteString(source)
	line = append(line[:len(line)-1], `,"source":`...)
	line = append(line, st.Buffer()...)
	return append(line, '}')
}

// Summaries calls fn with the stored summaries that start in r, oldest
// first; with r.Section set, those that list the section.
func (s *Store) Summaries(ctx context.Context, r Range, fn func(line []byte) error) error {
	cond, args := sourceFilter(r, []any{r.From, r.To})
	rows, err := s.db.QueryContext(ctx, `SELECT sections, line FROM summaries WHERE start >= ? AND start < ?`+cond+` ORDER BY start, source`, args...)
	if err != nil {
		return s.err(err)
	}
	defer rows.Close()
	var secs sql.RawBytes
	var line []byte
	for rows.Next() {
		if err := rows.Scan(&secs, &line); err != nil {
			return s.err(err)
		}
		if r.Section != "" {
			listed := false
			if err := eachSection(secs, func(sec *sectionStat) { listed = listed || string(sec.name) == r.Section }); err != nil {
				return s.err(err)
			}
			if !listed {
				continue
			}
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return s.err(rows.Err())
}

// AlertRecords calls fn with the alert records of r, oldest first; with
// r.Section set, without those of rules over another section.
func (s *Store) AlertRecords(ctx context.Context, r Range, fn func(line []byte) error) error {
	cond, args := sourceFilter(r, []any{r.From, r.To})
	dec := event.NewDecoder()
	var a event.Alert
	return s.lines(ctx, `SELECT line FROM alerts WHERE ts >= ? AND ts < ?`+cond+` ORDER BY ts, key`, args, func(line []byte) error {
		if r.Section != "" {
			if err := dec.Alert(line, &a); err != nil || !alertSection(&a, r.Section) {
				return nil
			}
		}
		return fn(line)
	})
}

// Totals calls fn with the stored total records that overlap r, oldest
// first.
func (s *Store) Totals(ctx context.Context, r Range, fn func(line []byte) error) error {
	cond, args := sourceFilter(r, []any{r.To, r.From})
	return s.lines(ctx, `SELECT line FROM totals WHERE start < ? AND "end" > ?`+cond+` ORDER BY start, "end", source`, args, fn)
}
