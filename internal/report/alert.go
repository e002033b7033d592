package report

import (
	"strconv"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// Alert renders a rule's transition as one line in the fixed wording that
// people and scripts grep for, followed by an indented line with what is
// behind it. The high-traffic rule of protocol v1 keeps its v1 lines:
//
//	High traffic generated an alert - hits = 1206, triggered at 2019-02-07 21:12:36 +0000
//	  rate 10.05 req/s over 2m, threshold 10 req/s
//
// Other rules show their metric's value where v1 has hits, and the rule
// with its labels:
//
//	api_errors generated an alert - 5xx_ratio = 7.5%, triggered at 2019-02-07 21:12:36 +0000
//	  rule 5xx_ratio > 5% over 5m, 312 requests; section=/api
//	api_errors alert recovered - 5xx_ratio = 1.25%, recovered at 2019-02-07 21:14:03 +0000
//	  rule 5xx_ratio > 5% over 5m, 320 requests; fired for 1m27s; section=/api
func (r *Renderer) Alert(a *event.Alert) error {
	// A v1 record, or one that says no more than v1 could, keeps the v1
	// wording.
	classic := a.ReadsAsV1()
	r.track(a)
	b := r.flushEmpty(r.buf[:0])
	if r.last == shapeBlock {
		b = append(b, '\n')
	}
	state := string(a.State)
	var at string
	switch state {
	case event.StateFiring:
		b = r.sgr(b, sgrRedBold)
		b = humane.AppendRuleName(b, a.Name)
		b = append(b, " generated an alert - "...)
		at = ", triggered at "
	case event.StateResolved:
		b = r.sgr(b, sgrGreen)
		b = humane.AppendRuleName(b, a.Name)
		b = append(b, " alert recovered - "...)
		at = ", recovered at "
	default:
		// A state from a newer protocol version: still show it, uncoloured,
		// rather than drop an alert.
		b = humane.AppendRuleName(b, a.Name)
		b = append(b, " alert "...)
		b = textsafe.Append(b, a.State)
		b = append(b, " - "...)
		at = ", at "
	}
	if classic {
		b = append(b, "hits = "...)
		b = strconv.AppendInt(b, a.Hits, 10)
	} else {
		b = textsafe.Append(b, a.Metric)
		b = append(b, " = "...)
		b = appendMetric(b, a.Metric, a.Value)
	}
	b = append(b, at...)
	b = time.Unix(a.TS, 0).In(r.zone(a.UTCOffset)).AppendFormat(b, humane.TimeLayout)
	switch state {
	case event.StateFiring, event.StateResolved:
		b = r.sgr(b, sgrReset)
	}
	b = append(b, '\n')
	if classic {
		b = appendRate(b, a)
	} else {
		b = appendRule(b, a)
	}
	r.last = shapeLine
	r.buf = b
	_, err := r.w.Write(b)
	return err
}

// appendRate appends the line under a v1 alert: hits alone do not say how
// close to the threshold the rule was; the rate does, without the reader
// doing the division.
func appendRate(b []byte, a *event.Alert) []byte {
	if a.Window <= 0 {
		return b
	}
	b = append(b, "  rate "...)
	b = appendFloat(b, a.Rate, 2)
	b = append(b, " req/s over "...)
	b = humane.AppendDuration(b, a.Window)
	b = append(b, ", threshold "...)
	b = appendFloat(b, a.Threshold, -1)
	return append(b, " req/s\n"...)
}

// appendRule appends the line under the alert of any other rule: the rule,
// the requests behind the value, how long it fired, and its labels.
func appendRule(b []byte, a *event.Alert) []byte {
	b = append(b, "  rule "...)
	b = textsafe.Append(b, a.Metric)
	b = append(b, ' ')
	b = textsafe.Append(b, a.Op)
	b = append(b, ' ')
	b = appendMetric(b, a.Metric, a.Threshold)
	b = append(b, " over "...)
	b = humane.AppendDuration(b, a.Window)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, a.Hits, 10)
	if a.Hits == 1 {
		b = append(b, " request"...)
	} else {
		b = append(b, " requests"...)
	}
	if string(a.State) == event.StateResolved && a.EndsAt >= a.StartsAt && a.StartsAt != 0 {
		b = append(b, "; fired for "...)
		b = humane.AppendDuration(b, a.EndsAt-a.StartsAt)
	}
	for i, l := range a.Labels {
		if i == 0 {
			b = append(b, "; "...)
		} else {
			b = append(b, ' ')
		}
		b = textsafe.Append(b, l.Name)
		b = append(b, '=')
		b = textsafe.Append(b, l.Value)
	}
	return append(b, '\n')
}

// appendMetric appends a value of a metric in its unit.
func appendMetric(b, metric []byte, v float64) []byte {
	return humane.AppendValue(b, string(metric), v)
}
