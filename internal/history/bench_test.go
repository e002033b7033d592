package history

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// BenchmarkStoreTicks stores an hour of ticks with latency sketches per
// op, as a replay of an old log sends them, in the writer's own batches.
func BenchmarkStoreTicks(b *testing.B) {
	s := open(b, Options{})
	w, err := s.NewWriter(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	const n = 3600
	hour := ticks(1_700_000_000, 1_700_000_000+n, 0, func(ts int64) int64 { return 5 + ts%20 })
	var size int64
	for _, l := range hour {
		size += int64(len(l)) + 1
	}
	var dec = event.NewDecoder()
	var t event.Tick
	b.SetBytes(size)
	b.ReportAllocs()
	shift := int64(0)
	for b.Loop() {
		for _, l := range hour {
			if err := dec.Tick(l, &t); err != nil {
				b.Fatal(err)
			}
			t.TS += shift
			if err := w.Tick(l, &t); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		shift += n
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "ticks/s")
}

// A year of history, built once per run of the benchmarks: the minutes,
// hours and hourly sections of a year, and the summaries with their ten
// sections of the last two days, by bulk SQL.
var (
	yearOnce  sync.Once
	yearStore *Store
	yearErr   error
	yearEnd   int64
	yearDir   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if yearStore != nil {
		yearStore.Close()
	}
	if yearDir != "" {
		os.RemoveAll(yearDir)
	}
	os.Exit(code)
}

const yearDays = 365

func year(b *testing.B) (*Store, Range) {
	yearOnce.Do(func() {
		// Kept across the benchmarks, and removed by TestMain.
		yearDir, yearErr = os.MkdirTemp("", "httpmon-history-bench-")
		if yearErr == nil {
			yearStore, yearErr = buildYear(yearDir)
		}
	})
	if yearErr != nil {
		b.Fatal(yearErr)
	}
	// The last 30 days, to a second that is not a whole hour.
	return yearStore, Range{From: yearEnd - 30*86400, To: yearEnd}
}

func buildYear(dir string) (*Store, error) {
	const end = 1_700_000_000 - 1_700_000_000%3600 + 1234
	yearEnd = end
	from := floorTo(end-yearDays*86400, 3600)
	s, err := Open(filepath.Join(dir, "year.db"), Options{})
	if err != nil {
		return nil, err
	}
	var sk sketch
	for i := range 30 {
		sk.addBin(int32(-300+5*i), int64(1+i%7))
	}
	for _, c := range sk.c {
		sk.count += c
	}
	sk.max = 2.5
	status := event.StatusCounts{0, 500, 50, 40, 10, 0}
	minute := sk.appendBlob(appendDetail(nil, &status, sk.count, sk.max, 0))
	var h sketch
	for range 60 {
		h.merge(&sk)
	}
	for i := range status {
		status[i] *= 60
	}
	hour := h.appendBlob(appendDetail(nil, &status, h.count, h.max, 0))
	var sections []event.SectionStat
	for i := range 10 {
		name := fmt.Sprintf("/s%d", i)
		sections = append(sections, event.SectionStat{Section: []byte(name), Hits: int64(10 * (10 - i)), Bytes: int64(100 * (10 - i)),
			Errors4x: int64(i), Errors5x: int64(10 - i), TopPath: []byte(name + "/doc"), TopBytes: 1000})
	}
	secs := appendSections(nil, sections)
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`WITH RECURSIVE m(ts) AS (SELECT ?1 UNION ALL SELECT ts + 60 FROM m WHERE ts + 60 < ?2)
			INSERT INTO minutes SELECT ts, '', 0, 600 + ts % 97, 60000, ?3 FROM m`,
			[]any{from, end, minute}},
		{`INSERT INTO hours SELECT ts - ts % 3600, '', 0, sum(hits), sum(bytes), ?1 FROM minutes GROUP BY 1`, []any{hour}},
		{`WITH RECURSIVE h(ts) AS (SELECT ?1 UNION ALL SELECT ts + 3600 FROM h WHERE ts + 3600 < ?2),
			k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 9)
			INSERT INTO section_hours SELECT ts, '', '/s' || i, 0, 3600 * (10 - i), 36000 * (10 - i), i, 10 - i,
				'/s' || i || '/doc' || (ts % 7), 1000 + ts % 5000, 0, 0 FROM h, k`, []any{from, end}},
		{`WITH RECURSIVE m(ts) AS (SELECT ?1 UNION ALL SELECT ts + 10 FROM m WHERE ts + 10 < ?2)
			INSERT INTO summaries SELECT ts, '', ts + 10, 10, 0, 550, 0, 0, ?3, '{"kind":"summary"}' FROM m`,
			[]any{end - 2*86400, end, secs}},
		{`INSERT INTO meta VALUES('newest', ?1)`, []any{end - 1}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s, nil
}

func BenchmarkSeries30Days(b *testing.B) {
	s, r := year(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ser, err := s.Series(ctx, r, 1000)
		if err != nil || len(ser.Points) != 721 || ser.Total.Latency.P99 == 0 {
			b.Fatalf("%d points, total %+v, %v", len(ser.Points), ser.Total, err)
		}
	}
}

func BenchmarkSections30Days(b *testing.B) {
	s, r := year(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rows, err := s.Sections(ctx, r, 10)
		if err != nil || len(rows) != 10 || rows[0].Section != "/s0" {
			b.Fatalf("%+v, %v", rows, err)
		}
	}
}

func BenchmarkHeatmap30Days(b *testing.B) {
	s, r := year(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		hm, err := s.Heatmap(ctx, r)
		if err != nil || hm[0][0] == 0 {
			b.Fatalf("%v, %v", hm, err)
		}
	}
}
