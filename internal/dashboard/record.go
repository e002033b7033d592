package dashboard

import (
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/report"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Record is one decoded input record, owned by the dashboard: its strings
// are copies, already passed through textsafe.Append, so that nothing
// from the log can reach the terminal as a control sequence. Exactly one
// of Tick, Interval, Total, Alert, Rule and Notice is set, or Source alone
// for a request.
type Record struct {
	Tick     *event.Tick
	Interval *Interval
	// Total is the whole run, from a total record, shaped as an interval
	// so that the same status lines and table show it.
	Total *Interval
	Alert *Alert
	Rule  *Rule
	// Notice is an upstream stage's warning, as its stderr line.
	Notice string
	// Source identifies the label of the input a request record came
	// from by its hash, non-zero: the dashboard only counts distinct
	// labels, and a label from the log may be a megabyte long.
	Source uint64
}

// Interval is a sanitized copy of a summary record.
type Interval struct {
	Start, End    int64
	UTCOffset     int32
	Seconds       int64
	Partial       bool
	Hits          int64
	RPS           float64
	Bytes         int64
	Status        event.StatusCounts
	Late          int64
	Sections      []Section
	SectionsTotal int64
	Latency       Latency
	// Whole marks the whole run of a total record rather than one
	// interval; its sections have no error counts nor documents.
	Whole bool
}

// Section is a sanitized copy of one row of a summary's top sections.
type Section struct {
	Name     string
	Hits     int64
	Bytes    int64
	Errors4x int64
	Errors5x int64
	TopPath  string
	TopBytes int64
	Latency  Latency
}

// Alert is a sanitized copy of an alert record.
type Alert struct {
	Name      string // the rule's name as sent, sanitized
	Firing    bool
	TS        int64
	UTCOffset int32
	Hits      int64
	Threshold float64
	Window    int64
	Rate      float64
	Metric    string // "" in records of protocol v1, which mean "hits/s"
	Selects   bool   // a rule over one section or source
}

func sanitized(b []byte) string { return string(textsafe.Append(nil, b)) }

// NewInterval copies a decoded summary, whose byte slices alias the
// decoder's buffer.
func NewInterval(s *event.Summary) *Interval {
	iv := &Interval{
		Start: s.Start, End: s.End, UTCOffset: s.UTCOffset, Seconds: s.Seconds,
		Partial: s.Partial, Hits: s.Hits, RPS: s.RPS, Bytes: s.Bytes,
		Status: s.Status, Late: s.Late, SectionsTotal: s.SectionsTotal,
		Sections: make([]Section, len(s.Sections)), Latency: newLatency(&s.Latency),
	}
	for i := range s.Sections {
		in := &s.Sections[i]
		iv.Sections[i] = Section{
			Name: sanitized(in.Section), Hits: in.Hits, Bytes: in.Bytes,
			Errors4x: in.Errors4x, Errors5x: in.Errors5x,
			TopPath: sanitized(in.TopPath), TopBytes: in.TopBytes,
			Latency: newLatency(&in.Latency),
		}
	}
	return iv
}

// NewTotal copies a decoded total record as the interval of the whole
// run. The record's sections have no error counts nor heaviest document:
// they are -1, which the table shows as "-".
func NewTotal(t *report.Totals) *Interval {
	secs := t.Seconds
	if secs <= 0 {
		secs = t.End - t.Start
	}
	iv := &Interval{
		Start: t.Start, End: t.End, UTCOffset: t.UTCOffset, Seconds: secs,
		Hits: t.Hits, Bytes: t.Bytes, Status: t.Status, Late: t.Late,
		Latency: newLatency(&t.Latency), Whole: true,
	}
	if secs > 0 {
		iv.RPS = float64(t.Hits) / float64(secs)
	}
	list := t.Lists[report.ListSections]
	iv.SectionsTotal = int64(len(list))
	iv.Sections = make([]Section, len(list))
	for i, e := range list {
		iv.Sections[i] = Section{Name: sanitized(e.Key), Hits: e.Hits, Bytes: e.Bytes,
			Errors4x: -1, Errors5x: -1, TopBytes: -1}
	}
	return iv
}

// NewAlert copies a decoded alert.
func NewAlert(a *event.Alert) *Alert {
	return &Alert{
		Name: sanitized(a.Name), Firing: string(a.State) == event.StateFiring,
		TS: a.TS, UTCOffset: a.UTCOffset, Hits: a.Hits,
		Threshold: a.Threshold, Window: a.Window, Rate: a.Rate,
		Metric: sanitized(a.Metric), Selects: selects(a.Labels),
	}
}

func selects(ls []event.Label) bool {
	for _, l := range ls {
		if string(l.Name) == "section" || string(l.Name) == "source" {
			return true
		}
	}
	return false
}
