package event

// The default rule of protocol v1. Before rules could be written, httpmon-
// alert had one rule, "more than 10 requests per second on average over
// two minutes", and its alert records carry only the fields up to "rate".
// Every stage that names, draws or renders that rule derives it from here.
const (
	// DefaultRuleName is the name of the default rule in alert records.
	DefaultRuleName = "high_traffic"
	// DefaultThreshold is the default rule's threshold, in requests per
	// second.
	DefaultThreshold = 10
	// DefaultWindow is the default rule's window, in seconds.
	DefaultWindow = 120
	// V1Metric is what a record without "metric" measures: requests per
	// second over the window, compared with ">", its value being Rate.
	V1Metric = "hits/s"
)

// IsV1 reports whether a is a record of protocol v1: one without a
// metric, read as "hits/s > Threshold" with the value Rate.
func (a *Alert) IsV1() bool { return len(a.Metric) == 0 }

// ReadsAsV1 reports whether a says no more than a v1 record could: it is
// one, or its rule is "hits/s > threshold" with no labels, for or
// keep_firing_for, so that people can be shown it in the v1 wording.
func (a *Alert) ReadsAsV1() bool {
	return a.IsV1() ||
		(string(a.Metric) == V1Metric && string(a.Op) == ">" && len(a.Labels) == 0 && a.For == 0 && a.KeepFiringFor == 0)
}

// StripToV1 leaves a with the fields of protocol v1 only, so that the
// encoder writes the record byte for byte as v1 did.
func (a *Alert) StripToV1() { a.Metric = nil }

// MetricOrV1 returns metric, or V1Metric for the empty metric of a v1
// record.
func MetricOrV1(metric string) string {
	if metric == "" {
		return V1Metric
	}
	return metric
}
