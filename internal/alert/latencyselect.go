package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// latencySelectorError explains why a latency rule cannot watch one
// section or source, and what to run instead. Its percentile would have
// to come from the request times of that section's requests in the
// window, and nothing the stages pass on has them: a tick's sketch is of
// every request of its second, and a summary's sections carry
// percentiles, not sketches, and only for its top sections, so that no
// percentile of a window (of seconds or of whole intervals) can be added
// up from them exactly. A pipeline fed the section's requests alone has
// ticks whose sketches are those of the section, and there the rule is
// exact.
func latencySelectorError(r *Rule) error {
	plain := *r
	plain.Section, plain.Source = "", ""
	rule := shellQuote(plain.Name + ": " + plain.Expr())
	var b strings.Builder
	b.WriteString(r.Metric.String())
	b.WriteByte('{')
	if r.Section != "" {
		b.WriteString("section=" + strconv.Quote(r.Section))
		if r.Source != "" {
			b.WriteByte(',')
		}
	}
	if r.Source != "" {
		b.WriteString("source=" + strconv.Quote(r.Source))
	}
	b.WriteString("} cannot be exact: ticks carry one sketch of request times for all ")
	if r.Section != "" {
		b.WriteString("sections")
	} else {
		b.WriteString("sources")
	}
	b.WriteString(", and summaries only percentiles (of their top sections), which no window's percentile can be added up from; ")
	if r.Section != "" {
		b.WriteString("watch the section with the rule in a pipeline of its requests alone: httpmon-parse LOG" +
			" | grep -F " + shellQuote(`"section":`+jsonString(r.Section)))
	} else {
		b.WriteString("watch the source with the rule in a pipeline of its input alone: httpmon-parse LOG")
	}
	b.WriteString(" | httpmon-window | httpmon-alert --rule " + rule)
	if r.Source != "" {
		b.WriteString(", LOG being the input of source " + strconv.Quote(r.Source))
	}
	return errors.New(b.String())
}

// jsonString returns s as httpmon-parse writes it in a record: a JSON
// string, with <, > and & as themselves.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
