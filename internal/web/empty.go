package web

import (
	"context"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
)

// emptyReader is a history with nothing stored: the page of the live
// stream alone.
type emptyReader struct{}

func (emptyReader) Newest(context.Context) (int64, bool, error) { return 0, false, nil }

func (emptyReader) Series(_ context.Context, r history.Range, maxPoints int) (history.Series, error) {
	step := (r.To - r.From + int64(maxPoints) - 1) / int64(max(maxPoints, 1))
	step = max(step, 1)
	s := history.Series{Step: step}
	for ts := r.From - r.From%step; ts < r.To; ts += step {
		s.Points = append(s.Points, history.Point{TS: ts})
	}
	return s, nil
}

func (emptyReader) Sections(context.Context, history.Range, int) ([]history.SectionRow, error) {
	return nil, nil
}
func (emptyReader) Heatmap(context.Context, history.Range) (history.Heatmap, error) {
	return history.Heatmap{}, nil
}
func (emptyReader) Alerts(context.Context, history.Range) ([]event.Alert, error) { return nil, nil }
func (emptyReader) Firing(context.Context) ([]event.Alert, error)                { return nil, nil }
func (emptyReader) Rules(context.Context) ([]event.Rule, error)                  { return nil, nil }
func (emptyReader) Ticks(context.Context, history.Range, func([]byte) error) error {
	return nil
}
func (emptyReader) Summaries(context.Context, history.Range, func([]byte) error) error {
	return nil
}
func (emptyReader) AlertRecords(context.Context, history.Range, func([]byte) error) error {
	return nil
}
func (emptyReader) Totals(context.Context, history.Range, func([]byte) error) error { return nil }
