package alert

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
)

// Base is the per-second count a metric is built from.
type Base uint8

// Bases of metrics.
const (
	BaseHits  Base = iota // requests
	Base4xx               // requests answered 4xx
	Base5xx               // requests answered 5xx
	BaseBytes             // response bytes
	// The latency bases are not counts: their metrics are percentiles
	// and the maximum of the request times of the window, FormLatency.
	BaseP50
	BaseP90
	BaseP99
	BaseMax
)

var baseNames = [...]string{BaseHits: "hits", Base4xx: "4xx", Base5xx: "5xx", BaseBytes: "bytes",
	BaseP50: "latency_p50", BaseP90: "latency_p90", BaseP99: "latency_p99", BaseMax: "latency_max"}

// numCountBases is the number of bases that are per-second counts.
const numCountBases = int(BaseBytes) + 1

// Form is how a metric turns the counts of its window into one number.
type Form uint8

// Forms of metrics.
const (
	FormRate  Form = iota // count / window seconds, per second
	FormCount             // count over the window
	FormRatio             // count / requests over the window, 0 to 1
	// FormLatency is a percentile or the maximum of the request times of
	// the window, in seconds; the window's requests without one do not
	// count, and without any the condition is false.
	FormLatency
)

// Metric is what a rule measures over its window. The zero Metric is
// "hits/s", the metric of the classic high-traffic rule.
type Metric struct {
	Base Base
	Form Form
}

// String returns the metric's name as written in rules and alert records:
// "hits", "hits/s", "5xx", "5xx/s", "5xx_ratio", "bytes/s" and so on.
func (m Metric) String() string {
	switch m.Form {
	case FormRate:
		return baseNames[m.Base] + "/s"
	case FormRatio:
		return baseNames[m.Base] + "_ratio"
	}
	return baseNames[m.Base] // FormCount and FormLatency
}

// ParseMetric reads a metric name.
func ParseMetric(s string) (Metric, bool) {
	form := FormCount
	if b, ok := strings.CutSuffix(s, "/s"); ok {
		s, form = b, FormRate
	} else if b, ok := strings.CutSuffix(s, "_ratio"); ok {
		s, form = b, FormRatio
	}
	for b, name := range baseNames {
		if s == name {
			m := Metric{Base(b), form}
			if b >= numCountBases {
				m.Form = FormLatency
				if form != FormCount { // no latency_p99/s
					return Metric{}, false
				}
			}
			if form == FormRatio && m.Base != Base4xx && m.Base != Base5xx {
				return Metric{}, false
			}
			return m, true
		}
	}
	return Metric{}, false
}

// metricNames lists the metrics for error messages.
const metricNames = "hits, 4xx, 5xx, bytes (counts over the window), the same with /s (per second), 4xx_ratio, 5xx_ratio, " +
	"latency_p50, latency_p90, latency_p99, latency_max (request times)"

// Op is a comparison of a metric with a threshold. The zero Op is ">".
type Op uint8

// Comparisons.
const (
	OpGT Op = iota
	OpGE
	OpLT
	OpLE
)

var opNames = [...]string{OpGT: ">", OpGE: ">=", OpLT: "<", OpLE: "<="}

// String returns the operator as written in rules.
func (o Op) String() string { return opNames[o] }

// holds compares v with t.
func (o Op) holds(v, t float64) bool {
	switch o {
	case OpGE:
		return v >= t
	case OpLT:
		return v < t
	case OpLE:
		return v <= t
	}
	return v > t
}

// Label is a label an alert carries besides its name.
type Label struct{ Name, Value string }

// MaxSeconds is the limit of rule durations: a week, the longest window
// anyone watches an access log over with per-second resolution.
const MaxSeconds = 7 * 24 * 3600

// DefaultMinRequests is the fewest requests a ratio rule needs in its
// window before it can fire: one error in three requests is not news.
const DefaultMinRequests = 20

// DefaultWindow is the window of a rule that does not give one, that of
// the default rule.
const DefaultWindow = event.DefaultWindow

// Rule is one alert rule. The zero values of Metric and Op make the
// classic rule "hits/s > Threshold over Window".
type Rule struct {
	Name      string
	Metric    Metric
	Op        Op
	Threshold float64 // in the metric's unit; ratios are 0 to 1
	Window    int64   // seconds, at least 1

	// Section and Source restrict the rule to requests of one site section
	// or one log source; they need request records, not only ticks.
	Section, Source string
	// MinRequests is how many requests a ratio rule needs in its window;
	// with fewer its condition is false, whatever the ratio.
	MinRequests int64
	// For is how long, in seconds, the condition must hold before the
	// alert fires; meanwhile it is pending, which is never announced.
	For int64
	// KeepFiringFor is how long, in seconds, a firing alert stays firing
	// after its condition stopped holding, so that a flapping value does
	// not page on every crossing.
	KeepFiringFor int64
	// Labels are extra labels of the rule's alerts, like severity.
	Labels []Label
	// Annotations are texts for people that notifications carry, like a
	// description or a runbook URL; they do not identify the alert.
	Annotations []Label
	// V1 marks the implicit default rule, whose records httpmon-alert
	// writes with the fields of protocol v1 only, so that existing
	// consumers see no change. Monitors ignore it: notifications get the
	// whole record.
	V1 bool
	// Origin says where the rule was written, for messages: a file and
	// line, or the flag.
	Origin string
}

// Selected reports whether the rule counts requests of one section or
// source rather than all of them.
func (r *Rule) Selected() bool { return r.Section != "" || r.Source != "" }

var namePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

var labelPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate reports a rule that cannot be evaluated.
func (r *Rule) Validate() error {
	if r.Name == "" {
		// Names from --name are free text, as they were in protocol v1;
		// ParseRule holds names it reads to namePattern.
		return errors.New("rule name must not be empty")
	}
	if err := checkSeconds("over", r.Window, 1); err != nil {
		return err
	}
	if err := checkThreshold(r.Threshold, r.Metric); err != nil {
		return err
	}
	if r.Metric.Form == FormLatency && r.Selected() {
		return latencySelectorError(r)
	}
	if err := checkMinRequests(r.MinRequests); err != nil {
		return err
	}
	if r.MinRequests != 0 {
		if err := minRequestsApplies(r.Metric); err != nil {
			return err
		}
	}
	if err := checkSeconds("for", r.For, 0); err != nil {
		return err
	}
	if err := checkSeconds("keep_firing_for", r.KeepFiringFor, 0); err != nil {
		return err
	}
	for _, l := range r.Labels {
		if !labelPattern.MatchString(l.Name) {
			return fmt.Errorf("label name %q: want letters, digits and '_', not starting with a digit", l.Name)
		}
		switch l.Name {
		case "alertname", "section", "source":
			return fmt.Errorf("label %q is set by httpmon-alert", l.Name)
		}
	}
	return nil
}

// The checks below are the limits of a rule's values, each written once:
// Validate applies them to a whole rule, and the parser to each value as
// it reads it, adding the column and the text it read.

// checkSeconds reports n seconds of clause outside least to a week.
func checkSeconds(clause string, n, least int64) error {
	if n < least || n > MaxSeconds {
		return fmt.Errorf("%s must be from %ds to 168h", clause, least)
	}
	return nil
}

// checkThreshold reports a threshold that metric m cannot be compared
// with.
func checkThreshold(v float64, m Metric) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
		return errors.New(thresholdWant(m))
	case m.Form == FormRatio && v > 1:
		return errors.New("a ratio threshold is at most 100%")
	case m.Form == FormLatency && v >= maxLatency:
		return errors.New("a latency threshold is below 1e9s, the longest request time the protocol carries")
	}
	return nil
}

// maxLatency bounds latency thresholds: request times are below it.
const maxLatency = 1e9

// thresholdWant says what a threshold of metric m looks like.
func thresholdWant(m Metric) string {
	if m.Form == FormRatio {
		return fmt.Sprintf("want a threshold like 5%% or 0.05 for %s", m)
	}
	if m.Form == FormLatency {
		return fmt.Sprintf("want a duration like 500ms or 1.5s for %s", m)
	}
	return fmt.Sprintf("want a threshold like 10, 2.5 or 10k for %s", m)
}

// minRequestsWant says what min_requests takes.
const minRequestsWant = "min_requests wants a whole number, 0 or more"

// checkMinRequests reports a negative min_requests.
func checkMinRequests(n int64) error {
	if n < 0 {
		return errors.New(minRequestsWant)
	}
	return nil
}

// minRequestsApplies reports a min_requests clause on a metric other than
// a ratio, which has no use for one.
func minRequestsApplies(m Metric) error {
	if m.Form != FormRatio {
		return fmt.Errorf("min_requests applies to ratio metrics (4xx_ratio, 5xx_ratio), not %s", m)
	}
	return nil
}

// String writes the rule in the syntax ParseRule reads, with every clause
// that differs from its default, name included.
func (r *Rule) String() string { return r.Name + ": " + r.Expr() }

// Expr writes the rule after its name, in the syntax ParseRule reads:
// "hits/s > 10 over 2m".
func (r *Rule) Expr() string {
	var b strings.Builder
	b.WriteString(r.Metric.String())
	if r.Selected() {
		b.WriteByte('{')
		if r.Section != "" {
			b.WriteString("section=")
			b.WriteString(strconv.Quote(r.Section))
		}
		if r.Source != "" {
			if r.Section != "" {
				b.WriteByte(',')
			}
			b.WriteString("source=")
			b.WriteString(strconv.Quote(r.Source))
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(r.Op.String())
	b.WriteByte(' ')
	if r.Metric.Form == FormLatency {
		b.Write(humane.AppendDurationOf(nil, time.Duration(math.Round(r.Threshold*1e9))))
	} else {
		b.WriteString(strconv.FormatFloat(r.Threshold, 'g', -1, 64))
	}
	b.WriteString(" over ")
	b.WriteString(humane.Duration(r.Window))
	if r.Metric.Form == FormRatio && r.MinRequests != DefaultMinRequests {
		b.WriteString(" min_requests ")
		b.WriteString(strconv.FormatInt(r.MinRequests, 10))
	}
	if r.For > 0 {
		b.WriteString(" for ")
		b.WriteString(humane.Duration(r.For))
	}
	if r.KeepFiringFor > 0 {
		b.WriteString(" keep_firing_for ")
		b.WriteString(humane.Duration(r.KeepFiringFor))
	}
	return b.String()
}
