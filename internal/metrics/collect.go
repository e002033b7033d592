package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/httpmon/httpmon/internal/event"
)

var (
	descRequests = prometheus.NewDesc("httpmon_requests_total",
		"Requests in the summaries that reached the report, by section (the first sections of the top lists; the rest are \"other\") and status class.",
		[]string{"source", "section", "status"}, nil)
	descBytes = prometheus.NewDesc("httpmon_response_bytes_total",
		"Response bytes in the summaries that reached the report, by section as httpmon_requests_total.",
		[]string{"source", "section"}, nil)
	descDuration = prometheus.NewDesc("httpmon_request_duration_seconds",
		"Request times from the ticks' latency sketches; each bucket bound is exact to within 1%.",
		[]string{"source"}, nil)
	descAlerts = prometheus.NewDesc("httpmon_alerts_firing",
		"1 while the alert fires, 0 once it resolved or while its rule has not fired.",
		[]string{"alertname"}, nil)
	descLate = prometheus.NewDesc("httpmon_late_records_total",
		"Requests that arrived after their second was final, from the summaries' late counts.",
		[]string{"source"}, nil)
	descRejected = prometheus.NewDesc("httpmon_rejected_records_total",
		"Malformed lines, by the stage that rejected them: upstream stages' end-of-run counts, the report's own as they come.",
		[]string{"stage"}, nil)
	descNotices = prometheus.NewDesc("httpmon_notices_total",
		"Warnings that stages passed downstream (malformed lines, late records; rate-limited at the source).",
		[]string{"stage"}, nil)
	descNewest = prometheus.NewDesc("httpmon_newest_second",
		"The newest second of event time that a tick brought, in unix seconds.",
		[]string{"source"}, nil)
)

// collector is Metrics seen by a Prometheus registry: it builds constant
// metrics from the counts at each scrape, so that counting costs no
// label lookups per record.
type collector Metrics

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descBytes, descDuration, descAlerts, descLate, descRejected, descNotices, descNewest} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	m := (*Metrics)(c)
	m.mu.Lock()
	defer m.mu.Unlock()
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	section := func(name string, t *traffic) {
		for class, n := range t.status {
			counter(descRequests, n, m.source, name, event.ClassNames[class])
		}
		counter(descBytes, t.bytes, m.source, name)
	}
	for i := range m.sections.rows {
		if name := m.sections.labels.values[i]; name != OtherLabel {
			section(name, &m.sections.rows[i])
		}
	}
	section(OtherLabel, &m.sections.other)
	if m.hist.count > 0 {
		ch <- prometheus.MustNewConstHistogram(descDuration, m.hist.count, m.hist.sum, m.hist.cumulative(), m.source)
	}
	for name, a := range m.alerts {
		v := 0.0
		if a.firing {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.GaugeValue, v, name)
	}
	counter(descLate, m.late, m.source)
	m.rejected.each(func(stage string, n int64) { counter(descRejected, n, stage) })
	m.notices.each(func(stage string, n int64) { counter(descNotices, n, stage) })
	if m.newest != 0 {
		ch <- prometheus.MustNewConstMetric(descNewest, prometheus.GaugeValue, float64(m.newest), m.source)
	}
}
