// Package history is the record of what reached httpmon-report, kept so
// that it can be looked at later: the per-second traffic, the summaries with
// their sections, the totals, the alerts and the rules in force.
//
// This file holds what the readers of a history (the web page, its API)
// depend on; the SQLite store that keeps it is in the other files.
package history

import (
	"context"

	"github.com/httpmon/httpmon/internal/event"
)

// Range selects stored data: the seconds [From, To), optionally of one
// section and one source. An empty Section or Source means all of them.
type Range struct {
	From, To int64
	Section  string
	Source   string
}

// Point is the traffic of one step of a series: the seconds [TS, TS+Step).
type Point struct {
	TS     int64
	Hits   int64
	Bytes  int64
	Status event.StatusCounts
	// Latency is the merged sketch of the step's request times, with its
	// percentiles filled in; its Count is zero when none were logged.
	Latency event.Latency
}

// Series is the traffic of a range in equal steps, oldest first. Steps
// without data are present with zero counts, so that a graph of Points has
// one point per step.
type Series struct {
	Step      int64 // seconds per point: 1 from per-second data, 60 or more from rollups
	UTCOffset int32 // the log's zone, the latest offset in the range
	Points    []Point
	// Total is the sum of all points, with the percentiles of the whole
	// range.
	Total Point
}

// SectionRow is the traffic of one section over a range, with its heaviest
// document: the largest single response of the range.
type SectionRow struct {
	Section  string
	Hits     int64
	Bytes    int64
	Errors4x int64
	Errors5x int64
	TopPath  string
	TopBytes int64
	// Approx says the hits may be over by up to Error, because some stored
	// summaries counted their sections approximately.
	Approx bool
	Error  int64
}

// Heatmap is the hits of a range by day of week (0 Sunday) and hour of day,
// both in the log's own zone.
type Heatmap [7][24]int64

// Reader answers the questions of the web page and its API. Its methods are
// safe for concurrent use.
type Reader interface {
	// Newest returns the newest stored second; ok is false when nothing is
	// stored yet.
	Newest(ctx context.Context) (ts int64, ok bool, err error)
	// Series returns the traffic of r in at most maxPoints steps, from the
	// per-second data while it covers r and from the rollups beyond. With
	// r.Section set it counts only that section, from the summaries.
	Series(ctx context.Context, r Range, maxPoints int) (Series, error)
	// Sections returns the top n sections of r by hits.
	Sections(ctx context.Context, r Range, n int) ([]SectionRow, error)
	// Heatmap returns the hits of r by weekday and hour.
	Heatmap(ctx context.Context, r Range) (Heatmap, error)
	// Alerts returns the alert records of r, oldest first, and before them
	// the firing record of each alert that was still firing at r.From.
	Alerts(ctx context.Context, r Range) ([]event.Alert, error)
	// Firing returns the alerts firing after the newest stored transition.
	Firing(ctx context.Context) ([]event.Alert, error)
	// Rules returns the rules in force: the newest record of each rule
	// name, without those removed.
	Rules(ctx context.Context) ([]event.Rule, error)

	// Ticks, Summaries, Alerts and Totals of the API call fn with each
	// stored record of r in wire form (one NDJSON line, no newline), oldest
	// first; fn's error stops the walk and is returned.
	Ticks(ctx context.Context, r Range, fn func(line []byte) error) error
	Summaries(ctx context.Context, r Range, fn func(line []byte) error) error
	AlertRecords(ctx context.Context, r Range, fn func(line []byte) error) error
	Totals(ctx context.Context, r Range, fn func(line []byte) error) error
}
