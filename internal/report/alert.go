package report

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// alertLayout is the time of an alert line, with its zone, so that a line
// grepped out of a mail or a file still says when.
const alertLayout = "2006-01-02 15:04:05 -0700"

// Alert renders a rule's transition as one line in the fixed wording that
// people and scripts grep for, followed by an indented line with what is
// behind it. The high-traffic rule of protocol v1 keeps its v1 lines:
//
//	High traffic generated an alert - hits = 1206, triggered at 2019-02-07 21:12:36 +0000
//	  rate 10.05 req/s over 2m0s, threshold 10 req/s
//
// Other rules show their metric's value where v1 has hits, and the rule
// with its labels:
//
//	api_errors generated an alert - 5xx_ratio = 7.5%, triggered at 2019-02-07 21:12:36 +0000
//	  rule 5xx_ratio > 5% over 5m0s, 312 requests; section=/api
//	api_errors alert recovered - 5xx_ratio = 1.25%, recovered at 2019-02-07 21:14:03 +0000
//	  rule 5xx_ratio > 5% over 5m0s, 320 requests; fired for 1m27s; section=/api
func (r *Renderer) Alert(a *event.Alert) error {
	classic := classicAlert(a)
	b := r.buf[:0]
	if r.last == shapeBlock {
		b = append(b, '\n')
	}
	state := string(a.State)
	var at string
	switch state {
	case event.StateFiring:
		b = r.sgr(b, sgrRedBold)
		b = appendRuleName(b, a.Name)
		b = append(b, " generated an alert - "...)
		at = ", triggered at "
	case event.StateResolved:
		b = r.sgr(b, sgrGreen)
		b = appendRuleName(b, a.Name)
		b = append(b, " alert recovered - "...)
		at = ", recovered at "
	default:
		// A state from a newer protocol version: still show it, uncoloured,
		// rather than drop an alert.
		b = appendRuleName(b, a.Name)
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
	b = time.Unix(a.TS, 0).In(r.zone(a.UTCOffset)).AppendFormat(b, alertLayout)
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

// classicAlert reports whether a is the high-traffic rule of protocol v1,
// whose lines keep their v1 wording: a record without a metric, or one of
// the same rule, "hits/s > threshold", with no labels to show.
func classicAlert(a *event.Alert) bool {
	return len(a.Metric) == 0 ||
		(string(a.Metric) == "hits/s" && string(a.Op) == ">" && len(a.Labels) == 0 && a.For == 0 && a.KeepFiringFor == 0)
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
	b = append(b, (time.Duration(a.Window) * time.Second).String()...)
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
	b = append(b, (time.Duration(a.Window) * time.Second).String()...)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, a.Hits, 10)
	if a.Hits == 1 {
		b = append(b, " request"...)
	} else {
		b = append(b, " requests"...)
	}
	if string(a.State) == event.StateResolved && a.EndsAt >= a.StartsAt && a.StartsAt != 0 {
		b = append(b, "; fired for "...)
		b = append(b, (time.Duration(a.EndsAt-a.StartsAt) * time.Second).String()...)
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

// appendMetric appends a value of a metric in its unit: ratios as
// percentages, rates with two decimals, counts whole.
func appendMetric(b, metric []byte, v float64) []byte {
	m := string(metric)
	switch {
	case strings.HasSuffix(m, "_ratio"):
		b = strconv.AppendFloat(b, math.Round(v*1e4)/1e2, 'f', -1, 64)
		return append(b, '%')
	case strings.HasSuffix(m, "/s"):
		return strconv.AppendFloat(b, math.Round(v*100)/100, 'f', -1, 64)
	case strings.HasPrefix(m, "latency_"):
		return appendLatencyValue(b, v)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// appendRuleName appends the name people know the default rule by, and
// any other rule's own name, sanitized.
func appendRuleName(b, name []byte) []byte {
	switch string(name) {
	case "high_traffic":
		return append(b, "High traffic"...)
	case "":
		return append(b, "(unnamed)"...)
	}
	return textsafe.Append(b, name)
}
