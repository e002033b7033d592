// Package metrics exposes what reaches httpmon-report as Prometheus
// metrics: request and byte counters by section and status class, a
// histogram of request times, the alerts firing and the records rejected
// or late.
//
// The metrics are counts of the records that reached the report, in event
// time: a replay of a day's log adds the day's requests at once. They are
// counters of what was seen, not a rate of the wall clock.
package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/httpmon/httpmon/internal/event"
)

// Defaults of Options.
const (
	// DefaultSections is how many sections get a label of their own.
	DefaultSections = 20
	// DefaultSource labels the records that carry no source of their own,
	// which today is all of them: httpmon-window merges its inputs.
	DefaultSource = "all"
	// OtherLabel is the section label of the requests of every section
	// that has none of its own, and the stage label past MaxStages.
	OtherLabel = "other"
	// ReportStage is the stage label of the lines httpmon-report itself
	// rejected.
	ReportStage = "httpmon-report"
)

// Bounds on the values of labels that come from the stream, so that a
// stream cannot grow the number of series without limit.
const (
	MaxSections = 1000 // the most Options.Sections may ask for
	MaxAlerts   = 256  // alert names with a series; later names are not counted
	MaxStages   = 16   // stage names with a series; later ones count as OtherLabel
	maxLabel    = 256  // bytes kept of a label value from the stream
)

// Options configure Metrics.
type Options struct {
	// Source is the source label of records without a source; empty
	// means DefaultSource.
	Source string
	// Sections is how many sections get their own section label: the
	// first ones that appear in a summary's top list. Zero means
	// DefaultSections; it is capped at MaxSections.
	Sections int
	// Buckets are the upper bounds, in seconds, of the request-time
	// histogram's buckets, ascending; nil means prometheus.DefBuckets.
	Buckets []float64
}

// Metrics counts the records of a stream for a Prometheus scrape. Observe
// and Rejected may be called from one goroutine while the Handler serves
// scrapes from others.
type Metrics struct {
	mu       sync.Mutex
	dec      *event.Decoder
	sum      event.Summary
	tick     event.Tick
	alert    event.Alert
	rule     event.Rule
	notice   event.Notice
	source   string
	sections sectionTable
	hist     histogram
	late     int64
	newest   int64 // the newest tick's second, 0 before the first
	alerts   map[string]*alertState
	rejected labelCounts // malformed lines, by the stage that rejected them
	notices  labelCounts // notices, by the stage that gave them
	reg      *prometheus.Registry
}

type alertState struct {
	firing bool
}

// New returns Metrics with the options o.
func New(o Options) *Metrics {
	if o.Source == "" {
		o.Source = DefaultSource
	}
	if o.Sections <= 0 {
		o.Sections = DefaultSections
	}
	o.Sections = min(o.Sections, MaxSections)
	if o.Buckets == nil {
		o.Buckets = prometheus.DefBuckets
	}
	m := &Metrics{
		dec:      event.NewDecoder(),
		source:   o.Source,
		sections: newSectionTable(o.Sections),
		hist:     newHistogram(o.Buckets),
		alerts:   make(map[string]*alertState),
		rejected: newLabelCounts(MaxStages),
		notices:  newLabelCounts(MaxStages),
		reg:      prometheus.NewRegistry(),
	}
	m.reg.MustRegister((*collector)(m))
	return m
}

// Observe counts one record of the given kind. Records of kinds that
// carry no metric are ignored; a record that does not decode is returned
// as an error and counts nothing.
func (m *Metrics) Observe(kind, line []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch string(kind) {
	case event.KindSummary:
		if err := m.dec.Summary(line, &m.sum); err != nil {
			return err
		}
		m.summary(&m.sum)
	case event.KindTick:
		if err := m.dec.Tick(line, &m.tick); err != nil {
			return err
		}
		m.hist.add(&m.tick.Latency)
		m.newest = max(m.newest, m.tick.TS)
	case event.KindAlert:
		if err := m.dec.Alert(line, &m.alert); err != nil {
			return err
		}
		if a := m.alertOf(m.alert.Name); a != nil {
			a.firing = string(m.alert.State) == event.StateFiring
		}
	case event.KindRule:
		if err := m.dec.Rule(line, &m.rule); err != nil {
			return err
		}
		m.ruleInForce(&m.rule)
	case event.KindNotice:
		if err := m.dec.Notice(line, &m.notice); err != nil {
			return err
		}
		m.notices.add(m.notice.Stage, 1)
		// Only a stage's end-of-run notice carries a count, that of the
		// lines it rejected: its notices per line are rate-limited, and
		// warnings of valid input (late records) look the same.
		if m.notice.Count > 0 {
			m.rejected.add(m.notice.Stage, m.notice.Count)
		}
	}
	return nil
}

// Rejected counts n lines that httpmon-report itself rejected as
// malformed.
func (m *Metrics) Rejected(n int64) {
	m.mu.Lock()
	m.rejected.addString(ReportStage, n)
	m.mu.Unlock()
}

// Handler serves the metrics in Prometheus's text exposition format (or
// the format the scraper asks for).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError})
}

// summary counts the requests and bytes of an interval, by section and
// status class.
func (m *Metrics) summary(s *event.Summary) {
	m.late += s.Late
	m.sections.add(s)
}

// alertOf returns the state of the alert name, making it if there is room.
func (m *Metrics) alertOf(name []byte) *alertState {
	if a := m.alerts[string(name)]; a != nil {
		return a
	}
	if len(m.alerts) >= MaxAlerts {
		return nil
	}
	a := new(alertState)
	m.alerts[labelValue(name)] = a
	return a
}

// ruleInForce gives a rule's alert a series at 0 before it first fires,
// so that a query for it has data; a removed rule that is not firing
// loses its series.
func (m *Metrics) ruleInForce(r *event.Rule) {
	if r.Removed {
		if a := m.alerts[string(r.Name)]; a != nil && !a.firing {
			delete(m.alerts, string(r.Name))
		}
		return
	}
	m.alertOf(r.Name)
}
