package dashboard

import (
	"slices"

	"github.com/httpmon/httpmon/internal/event"
)

// Rule is a sanitized copy of a rule record: one alert rule in force in an
// httpmon-alert stage upstream.
type Rule struct {
	Name      string
	Expr      string
	Metric    string
	Threshold float64
	Window    int64
	// Selects is set for a rule over one section or source, which the
	// graph of all requests cannot show.
	Selects bool
	// Removed is set when the record takes the rule out of force, as a
	// reload of httpmon-alert's rules file does.
	Removed bool
}

// NewRule copies a decoded rule record.
func NewRule(r *event.Rule) *Rule {
	return &Rule{
		Name: sanitized(r.Name), Expr: sanitized(r.Expr), Metric: sanitized(r.Metric),
		Threshold: r.Threshold, Window: r.Window, Selects: r.Selects(), Removed: r.Removed,
	}
}

// maxRules bounds the rules kept; a stream could send any number.
const maxRules = 256

// graphRate returns the threshold of a rule in requests per second over
// all requests, the unit of the graph, and false for rules the graph cannot
// show (errors, bytes, ratios, one section).
func graphRate(metric string, selects bool, threshold float64, window int64) (float64, bool) {
	if selects || window <= 0 {
		return 0, false
	}
	switch event.MetricOrV1(metric) {
	case event.V1Metric:
		return threshold, true
	case "hits":
		return threshold / float64(window), true
	}
	return 0, false
}

// rule takes a rule record. A rule of the same name replaces the one
// before (httpmon-alert announces its rules again when they change), and
// one marked removed goes. The graph draws the first rule over the request
// rate of all requests, in pipeline order, and keeps drawing it while it is
// in force.
func (s *State) rule(r *Rule) {
	i := 0
	for i < len(s.rules) && s.rules[i].Name != r.Name {
		i++
	}
	if r.Removed {
		s.removeRule(i)
		return
	}
	switch {
	case i < len(s.rules):
		s.rules[i] = r
	case len(s.rules) < maxRules:
		s.rules = append(s.rules, r)
	default:
		s.moreRules = true
	}
	if s.graphRule != "" && s.graphRule != r.Name {
		return
	}
	if th, ok := graphRate(r.Metric, r.Selects, r.Threshold, r.Window); ok {
		s.graphRule = r.Name
		s.threshold, s.window = th, r.Window
	}
}

// removeRule drops the rule at index i of the rules, if there is one, and
// when the graph drew it, moves the graph to the first rule in force that
// it can draw. httpmon-alert writes the rules in force before the removed
// ones, so a rule that replaced it under another name is there already.
func (s *State) removeRule(i int) {
	if i >= len(s.rules) {
		return
	}
	name := s.rules[i].Name
	s.rules = slices.Delete(s.rules, i, i+1)
	if s.graphRule != name {
		return
	}
	s.graphRule = ""
	for _, r := range s.rules {
		if th, ok := graphRate(r.Metric, r.Selects, r.Threshold, r.Window); ok {
			s.graphRule = r.Name
			s.threshold, s.window = th, r.Window
			return
		}
	}
}

// graphAlert lets an alert record set the graph's threshold and window
// when the stream has no rule records (an older httpmon-alert), from a
// rule over the request rate only: the threshold of a 5xx ratio drawn on
// a requests-per-second graph would mean nothing.
func (s *State) graphAlert(a *Alert) {
	if len(s.rules) > 0 || s.graphRule != "" && s.graphRule != a.Name {
		return
	}
	if th, ok := graphRate(a.Metric, a.Selects, a.Threshold, a.Window); ok && th > 0 {
		s.threshold, s.window = th, a.Window
	}
}

// Rules returns the rules announced so far, in the order they came.
func (s *State) Rules() []*Rule { return s.rules }

// ruleList is the end of the alerts' title: the names of the rules in
// force, so that a person sees what is watched, every alert stage's.
func ruleList(st *State) string {
	if len(st.rules) == 0 {
		return ""
	}
	b := []byte("  rules: ")
	for i, r := range st.rules {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, r.Name...)
	}
	if st.moreRules {
		b = append(b, ", …"...)
	}
	return styleFaint.Render(string(b))
}
