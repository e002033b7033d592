package web

import (
	"testing"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/latency"
)

// A year of history in a real store, for BenchmarkPage30Days, written
// through the store's Writer like the rest: a tick per minute (so that the
// minutes and hours of a year are there, as many rows as a year of seconds
// leaves once its seconds are pruned), an hourly summary with ten sections
// (the sections' hourly rollup), the last day per second with summaries of
// 10 s, and an alert that fires and resolves every day.
const yearDays = 365

var yearDB = &testStore{name: "httpmon-web-year", from: fakeEnd - yearDays*86400, to: fakeEnd, records: yearRecords}

func yearStore(b *testing.B) *history.Store { return yearDB.get(b) }

func yearRecords(from, to int64, emit func([]byte) error) error {
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
	lastDay := to - 86400
	var sk latency.Sketch
	f := &fakeReader{offset: 3600}
	var hour event.Summary
	for m := from; m < lastDay; m += 60 {
		p := f.point(m+30, 60)
		t := event.Tick{TS: m + 30, UTCOffset: 3600, Hits: p.Hits, Bytes: p.Bytes, Status: p.Status}
		sk.Reset()
		for i := range 30 {
			sk.Add(p.Latency.P50 * (0.5 + float64((m/60+int64(i))%20)/4))
		}
		sk.Sketch(&t.Latency)
		line, err := enc.Tick(&t)
		if err != nil {
			return err
		}
		if err := emit(line); err != nil {
			return err
		}
		if m%3600 == 0 {
			hour = event.Summary{Start: m, End: m + 3600, UTCOffset: 3600, Seconds: 3600, SectionsTotal: int64(len(base.sections))}
		}
		hour.Hits += p.Hits
		hour.Bytes += p.Bytes
		hour.Status.Add(&p.Status)
		if m%3600 == 3540 {
			hour.RPS = float64(hour.Hits) / 3600
			hour.Sections = hour.Sections[:0]
			for _, sec := range base.sections {
				h := int64(float64(hour.Hits) * sec.share)
				hour.Sections = append(hour.Sections, event.SectionStat{Section: []byte(sec.name), Hits: h, Bytes: h * 4000,
					Errors4x: h / 25, Errors5x: h / 50, TopPath: []byte(sec.top), TopBytes: sec.topBytes + m%5000})
			}
			if line, err = enc.Summary(&hour); err != nil {
				return err
			}
			if err := emit(line); err != nil {
				return err
			}
		}
		if m%86400 == 12*3600 || m%86400 == 13*3600 {
			state := event.StateFiring
			if m%86400 == 13*3600 {
				state = event.StateResolved
			}
			a := fakeAlert("errors_5xx", state, m, nil)
			if line, err = enc.Alert(&a); err != nil {
				return err
			}
			if err := emit(line); err != nil {
				return err
			}
		}
	}
	return fakeRecords(lastDay, to, emit)
}
