package web

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/latency"
)

// The tests of what the page shows read a real store, filled the way
// httpmon-report fills it: NDJSON records of the generated traffic given
// to the store's Writer one line at a time. The fake reader stays for
// what a store cannot be asked to do, such as failing on cue.

// storeSeconds is the per-second history of the shared store: a day and a
// little more, so that the last 24 hours are all per-second data.
const storeSeconds = 26 * 3600

// storeInterval is the summaries' interval, httpmon-window's default.
const storeInterval = 10

// testStore is a store of generated history, written once for the tests
// that only read it, and removed by TestMain.
type testStore struct {
	name     string // of its directory
	from, to int64
	records  func(from, to int64, emit func(line []byte) error) error

	once sync.Once
	db   *history.Store
	err  error
	dir  string
}

// get returns the store, written at its first use.
func (s *testStore) get(tb testing.TB) *history.Store {
	tb.Helper()
	s.once.Do(func() {
		if s.dir, s.err = os.MkdirTemp("", s.name); s.err != nil {
			return
		}
		if s.db, s.err = history.Open(filepath.Join(s.dir, "h.db"), history.Options{}); s.err == nil {
			s.err = fill(s.db, s.from, s.to, s.records)
		}
	})
	if s.err != nil {
		tb.Fatal(s.err)
	}
	return s.db
}

func (s *testStore) close() {
	if s.db != nil {
		s.db.Close()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// theStore is the day of history that the page's tests read.
var theStore = &testStore{name: "httpmon-web-store", from: fakeEnd - storeSeconds, to: fakeEnd, records: fakeRecords}

// sharedStore is the store of generated history of the page's tests.
func sharedStore(tb testing.TB) *history.Store { return theStore.get(tb) }

// fill stores through the store's Writer the records that gen writes for
// the seconds [from, to).
func fill(s *history.Store, from, to int64, gen func(from, to int64, emit func([]byte) error) error) error {
	w, err := s.NewWriter(context.Background())
	if err != nil {
		return err
	}
	err = gen(from, to, func(line []byte) error {
		return w.Line(bytes.TrimSuffix(line, []byte("\n")))
	})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// fakeRecords writes what httpmon-alert would hand the report for the
// generated traffic of [from, to) (see rate and fakeReader.point): the
// rules first, a tick per second with the sketch of its request times, a
// summary per interval whose sections include the hostile ones, and the
// alerts of fakeReader as they fire and resolve.
func fakeRecords(from, to int64, emit func([]byte) error) error {
	f := &fakeReader{offset: 3600}
	base := newFakeReader(0)
	enc := event.NewEncoder()
	for i := range base.rules {
		line, err := enc.Rule(&base.rules[i])
		if err != nil {
			return err
		}
		if err := emit(line); err != nil {
			return err
		}
	}
	alerts := base.alerts
	var sk latency.Sketch
	var sum event.Summary
	for ts := from; ts < to; ts++ {
		p := f.point(ts, 1)
		t := event.Tick{TS: ts, UTCOffset: 3600, Hits: p.Hits, Bytes: p.Bytes, Status: p.Status}
		sk.Reset()
		for i := range p.Hits {
			// Times around the point's median, spread over a decade.
			sk.Add(p.Latency.P50 * (0.5 + float64((ts+i)%20)/4))
		}
		if p.Hits > 0 {
			sk.Sketch(&t.Latency)
		}
		line, err := enc.Tick(&t)
		if err != nil {
			return err
		}
		if err := emit(line); err != nil {
			return err
		}
		if ts%storeInterval == 0 {
			sum = event.Summary{Start: ts, End: ts + storeInterval, UTCOffset: 3600, Seconds: storeInterval,
				SectionsTotal: int64(len(base.sections))}
		}
		sum.Hits += p.Hits
		sum.Bytes += p.Bytes
		sum.Status.Add(&p.Status)
		if ts%storeInterval == storeInterval-1 {
			sum.RPS = float64(sum.Hits) / storeInterval
			sum.Sections = sum.Sections[:0]
			for _, sec := range base.sections {
				h := int64(float64(sum.Hits) * sec.share)
				st := event.SectionStat{Section: []byte(sec.name), Hits: h, Bytes: h * 4000,
					Errors4x: h / 25, Errors5x: h / 50, TopPath: []byte(sec.top), TopBytes: sec.topBytes}
				st.Status[event.Class4xx], st.Status[event.Class5xx] = st.Errors4x, st.Errors5x
				st.Status[event.Class2xx] = h - st.Errors4x - st.Errors5x
				sum.Sections = append(sum.Sections, st)
			}
			line, err := enc.Summary(&sum)
			if err != nil {
				return err
			}
			if err := emit(line); err != nil {
				return err
			}
		}
		for len(alerts) > 0 && alerts[0].TS <= ts {
			line, err := enc.Alert(&alerts[0])
			if err != nil {
				return err
			}
			if err := emit(line); err != nil {
				return err
			}
			alerts = alerts[1:]
		}
	}
	return nil
}
