package history

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// wantStored checks the stored ticks against want, hits by second, and
// that the minutes and hours are the sums of those seconds.
func wantStored(t *testing.T, s *Store, want map[int64]int64) {
	t.Helper()
	var sum int64
	for _, h := range want {
		sum += h
	}
	if got := count(t, s, `SELECT count(*) FROM ticks`); got != int64(len(want)) {
		t.Errorf("%d ticks stored, want %d", got, len(want))
	}
	for ts, h := range want {
		if got := count(t, s, `SELECT hits FROM ticks WHERE ts = ?`, ts); got != h {
			t.Fatalf("second %d: %d hits, want %d", ts, got, h)
		}
	}
	for _, table := range []string{"ticks", "minutes", "hours"} {
		if got := count(t, s, `SELECT coalesce(sum(hits), 0) FROM `+table); got != sum {
			t.Errorf("%s: %d hits in all, want %d", table, got, sum)
		}
	}
	checkRollups(t, s)
}

// checkRollups checks that every minute is the sum of its seconds and
// every hour of its minutes, latency sketches included.
func checkRollups(t *testing.T, s *Store) {
	t.Helper()
	sums := func(table string, step int64) map[string]*rollup {
		rows, err := s.db.Query(`SELECT ts, source, ` + rollupColumns + ` FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]*rollup{}
		var row storedRow
		for rows.Next() {
			if err := row.scan(rows); err != nil {
				t.Fatal(err)
			}
			key := row.source + "@" + itoa(floorTo(row.ts, step))
			r := out[key]
			if r == nil {
				r = &rollup{}
				r.reset(floorTo(row.ts, step), row.source)
				out[key] = r
			}
			if err := r.addRow(&row); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	for _, c := range []struct {
		from, to string
		step     int64
	}{{"ticks", "minutes", 60}, {"minutes", "hours", 3600}} {
		want, got := sums(c.from, c.step), sums(c.to, c.step)
		if len(got) != len(want) {
			t.Errorf("%d rows of %s for %d of their %s", len(got), c.to, len(want), c.from)
		}
		for k, w := range want {
			g := got[k]
			if g == nil {
				t.Errorf("%s: no row of %s", k, c.to)
				continue
			}
			wb, gb := w.lat.appendBlob(nil), g.lat.appendBlob(nil)
			if g.hits != w.hits || g.bytes != w.bytes || g.status != w.status || g.off != w.off ||
				g.lat.count != w.lat.count || g.lat.max != w.lat.max || g.lat.zero != w.lat.zero || !slices.Equal(gb, wb) {
				t.Errorf("%s: %s row %+v is not the sum of its %s, %+v", k, c.to, *g, c.from, *w)
			}
		}
	}
}

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func TestReplaysCountEachSecondOnce(t *testing.T) {
	const t0 = 1_700_000_000 - 1_700_000_000%3600 // an hour's start
	hits := func(ts int64) int64 { return ts % 7 }
	double := func(ts int64) int64 { return 2 * (ts % 7) }
	want := func(from, to int64, f func(int64) int64, m map[int64]int64) map[int64]int64 {
		if m == nil {
			m = map[int64]int64{}
		}
		for ts := from; ts < to; ts++ {
			m[ts] = f(ts)
		}
		return m
	}
	for _, tc := range []struct {
		name string
		runs [][][][]byte // writer runs, each of batches
		want map[int64]int64
	}{
		{"once", [][][][]byte{{ticks(t0, t0+300, 0, hits)}}, want(t0, t0+300, hits, nil)},
		{"the same log twice", [][][][]byte{
			{ticks(t0, t0+300, 0, hits)},
			{ticks(t0, t0+300, 0, hits)},
		}, want(t0, t0+300, hits, nil)},
		{"overlapping logs", [][][][]byte{
			{ticks(t0, t0+200, 0, hits)},
			{ticks(t0+130, t0+4000, 0, hits)},
		}, want(t0, t0+4000, hits, nil)},
		{"an older log after a newer one", [][][][]byte{
			{ticks(t0+130, t0+400, 0, hits)},
			{ticks(t0, t0+200, 0, hits)},
		}, want(t0, t0+400, hits, nil)},
		{"a changed replay replaces the seconds it has", [][][][]byte{
			{ticks(t0, t0+300, 0, hits)},
			{ticks(t0+100, t0+150, 0, double)},
		}, want(t0+100, t0+150, double, want(t0, t0+300, hits, nil))},
		{"a replay with fewer hits keeps the fuller seconds", [][][][]byte{
			{ticks(t0, t0+300, 0, double)},
			{ticks(t0+100, t0+150, 0, hits)},
		}, want(t0, t0+300, double, nil)},
		{"fewer hits within a batch", [][][][]byte{
			{ticks(t0, t0+120, 0, double), ticks(t0+30, t0+90, 0, hits)},
		}, want(t0, t0+120, double, nil)},
		{"the same second twice in one batch", [][][][]byte{
			{ticks(t0, t0+120, 0, hits), ticks(t0+30, t0+90, 0, double)},
		}, want(t0+30, t0+90, double, want(t0, t0+120, hits, nil))},
		{"batches that split minutes", [][][][]byte{
			{ticks(t0, t0+17, 0, hits), ticks(t0+17, t0+95, 0, hits), ticks(t0+95, t0+3700, 0, hits)},
		}, want(t0, t0+3700, hits, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, Options{})
			for _, run := range tc.runs {
				store(t, s, run...)
			}
			wantStored(t, s, tc.want)
		})
	}
}

func TestSummaryReplays(t *testing.T) {
	const t0 = 1_700_000_000 - 1_700_000_000%3600
	full := event.Summary{Start: t0, End: t0 + 10, Seconds: 10, Hits: 30,
		Sections: []event.SectionStat{
			{Section: []byte("/a"), Hits: 20, Bytes: 200, TopPath: []byte("/a/big"), TopBytes: 90},
			{Section: []byte("/b"), Hits: 10, Bytes: 100, Errors5x: 3, TopPath: []byte("/b/x"), TopBytes: 40},
		}}
	partial := full
	partial.Seconds, partial.Partial, partial.Hits = 4, true, 12
	partial.Sections = []event.SectionStat{{Section: []byte("/a"), Hits: 12, Bytes: 120, TopPath: []byte("/a/y"), TopBytes: 10}}
	changed := full
	changed.Sections = []event.SectionStat{{Section: []byte("/c"), Hits: 30, Bytes: 300, TopPath: []byte("/c/z"), TopBytes: 30}}
	for _, tc := range []struct {
		name string
		sent []*event.Summary
		want []SectionRow
	}{
		{"once", []*event.Summary{&full}, []SectionRow{
			{Section: "/a", Hits: 20, Bytes: 200, TopPath: "/a/big", TopBytes: 90},
			{Section: "/b", Hits: 10, Bytes: 100, Errors5x: 3, TopPath: "/b/x", TopBytes: 40}}},
		{"re-sent", []*event.Summary{&full, &full}, []SectionRow{
			{Section: "/a", Hits: 20, Bytes: 200, TopPath: "/a/big", TopBytes: 90},
			{Section: "/b", Hits: 10, Bytes: 100, Errors5x: 3, TopPath: "/b/x", TopBytes: 40}}},
		{"a partial one does not replace the whole", []*event.Summary{&full, &partial}, []SectionRow{
			{Section: "/a", Hits: 20, Bytes: 200, TopPath: "/a/big", TopBytes: 90},
			{Section: "/b", Hits: 10, Bytes: 100, Errors5x: 3, TopPath: "/b/x", TopBytes: 40}}},
		{"the whole one replaces a partial", []*event.Summary{&partial, &full}, []SectionRow{
			{Section: "/a", Hits: 20, Bytes: 200, TopPath: "/a/big", TopBytes: 90},
			{Section: "/b", Hits: 10, Bytes: 100, Errors5x: 3, TopPath: "/b/x", TopBytes: 40}}},
		{"a changed one replaces its sections", []*event.Summary{&full, &changed}, []SectionRow{
			{Section: "/c", Hits: 30, Bytes: 300, TopPath: "/c/z", TopBytes: 30}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, Options{})
			for _, sum := range tc.sent {
				store(t, s, [][]byte{summaryLine(sum)})
			}
			if got := count(t, s, `SELECT count(*) FROM summaries`); got != 1 {
				t.Errorf("%d summaries stored, want 1", got)
			}
			// Within the hour (from the summaries' sections) and over
			// whole hours (from the hourly rollup) alike.
			for _, r := range []Range{{From: t0, To: t0 + 60}, {From: t0 - 3600, To: t0 + 7200}} {
				got, err := s.Sections(context.Background(), r, 10)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("Sections(%d…%d):\n got %+v\nwant %+v", r.From-t0, r.To-t0, got, tc.want)
				}
			}
		})
	}
}

func TestRetentionCountsFromTheNewestSecond(t *testing.T) {
	const old = 1_500_000_000 - 1_500_000_000%3600 // 2017: older than any retention by the clock
	one := func(int64) int64 { return 1 }
	s := open(t, Options{KeepSeconds: 600, Keep: 2 * 3600})
	store(t, s, [][]byte{summaryLine(&event.Summary{Start: old, End: old + 10, Seconds: 10, Hits: 1,
		Sections: []event.SectionStat{{Section: []byte("/a"), Hits: 1}}})})
	// Nothing is pruned while the newest second is the log's own.
	if got := count(t, s, `SELECT count(*) FROM summaries`); got != 1 {
		t.Errorf("%d summaries of an old log kept, want 1", got)
	}
	store(t, s, ticks(old, old+3*3600, 0, one))
	newest := int64(old + 3*3600 - 1)
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT min(ts) FROM ticks`, newest - 600},
		{`SELECT count(*) FROM ticks`, 601},
		{`SELECT min(ts) FROM minutes`, floorTo(newest-2*3600+59, 60)},
		{`SELECT min(ts) FROM hours`, old + 3600},
		{`SELECT count(*) FROM summaries`, 0},
		{`SELECT count(*) FROM section_hours`, 0},
	} {
		if got := count(t, s, c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.q, got, c.want)
		}
	}
	ts, ok, err := s.Newest(context.Background())
	if err != nil || !ok || ts != newest {
		t.Errorf("Newest() = %d, %v, %v; want %d", ts, ok, err, newest)
	}
}

func TestFullDiskFailsBatchesAndTheWriterGoesOn(t *testing.T) {
	s := open(t, Options{MaxPages: 40})
	w, err := s.NewWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var full int
	const t0 = 1_700_000_000
	for ts := int64(t0); ts < t0+20000; ts++ {
		err := w.Line(tickLine(ts, 0, 5, true))
		if err == nil && (ts-t0)%1000 == 999 {
			err = w.Flush()
		}
		switch {
		case errors.Is(err, ErrFull):
			full++
		case err != nil:
			t.Fatalf("second %d: %v, want nil or ErrFull", ts, err)
		}
	}
	if full == 0 {
		t.Fatal("no write failed on a full file")
	}
	// What was committed is whole.
	if n := count(t, s, `SELECT count(*) FROM ticks`); n == 0 {
		t.Error("no tick kept")
	}
	checkRollups(t, s)
}

// TestOldSectionsFromTheHours checks that once the summaries are pruned,
// with the seconds, their sections are still told per hour.
func TestOldSectionsFromTheHours(t *testing.T) {
	const h0 = 1_700_000_000 - 1_700_000_000%3600
	s := open(t, Options{KeepSeconds: 600})
	var lines [][]byte
	for start := int64(h0); start < h0+3600; start += 10 {
		lines = append(lines, summaryLine(&event.Summary{Start: start, End: start + 10, Seconds: 10, Hits: 2,
			Sections: []event.SectionStat{{Section: []byte("/a"), Hits: 2, Bytes: 4, TopPath: []byte("/a/x"), TopBytes: 2}}}))
	}
	store(t, s, lines)
	store(t, s, ticks(h0, h0+3*3600, 0, func(int64) int64 { return 1 }))
	if n := count(t, s, `SELECT count(*) FROM summaries`); n != 0 {
		t.Fatalf("%d summaries kept, want them pruned with the seconds", n)
	}
	ctx := context.Background()
	got, err := s.Sections(ctx, Range{From: h0 + 100, To: h0 + 200}, 5)
	want := []SectionRow{{Section: "/a", Hits: 720, Bytes: 1440, TopPath: "/a/x", TopBytes: 2}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Sections of a pruned range: %+v, %v; want the hour's %+v", got, err, want)
	}
	ser, err := s.Series(ctx, Range{From: h0, To: h0 + 600, Section: "/a"}, 60)
	if err != nil || ser.Step != 3600 || ser.Total.Hits != 720 {
		t.Errorf("Series of a pruned range: step %d, total %+v, %v; want the hour's 720 hits", ser.Step, ser.Total, err)
	}
}

// The last summary of an input that ended is partial and runs past the
// last tick; the newest second is the last tick's, so that the page's
// default range ends on the data.
func TestNewestIgnoresThePartialSummaryEnd(t *testing.T) {
	s := open(t, Options{})
	const from, to = 1_000_000, 1_000_025 // the last tick is 1_000_024
	store(t, s, ticks(from, to, 0, func(int64) int64 { return 1 }),
		[][]byte{
			summaryLine(&event.Summary{Start: from, End: from + 10, Seconds: 10, Hits: 10}),
			summaryLine(&event.Summary{Start: from + 20, End: from + 30, Seconds: 5, Partial: true, Hits: 5}),
		})
	ts, ok, err := s.Newest(context.Background())
	if err != nil || !ok || ts != to-1 {
		t.Errorf("Newest() = %d, %v, %v; want %d", ts, ok, err, to-1)
	}
}
