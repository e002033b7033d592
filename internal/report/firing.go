package report

import (
	"slices"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// firingAlert is an alert that fired and has not recovered: a rule with
// its labels, and when it started.
type firingAlert struct {
	id    string // name and labels, which tell one alert from another
	text  []byte // the name and labels, escaped, as shown
	since int64
	off   int32
}

// Fired reports whether any alert fired in the records rendered so far.
func (r *Renderer) Fired() bool { return r.fired }

// track follows the alerts that are firing, for the totals block.
func (r *Renderer) track(a *event.Alert) {
	id := make([]byte, 0, 64)
	id = append(id, a.Name...)
	for _, l := range a.Labels {
		id = append(id, 0)
		id = append(id, l.Name...)
		id = append(id, 0)
		id = append(id, l.Value...)
	}
	i := slices.IndexFunc(r.firing, func(f firingAlert) bool { return f.id == string(id) })
	switch string(a.State) {
	case event.StateFiring:
		r.fired = true
		if i >= 0 {
			return
		}
		since := a.StartsAt
		if since == 0 {
			since = a.TS
		}
		text := humane.AppendRuleName(nil, a.Name)
		for j, l := range a.Labels {
			if j == 0 {
				text = append(text, " ("...)
			} else {
				text = append(text, ' ')
			}
			text = textsafe.Append(text, l.Name)
			text = append(text, '=')
			text = textsafe.Append(text, l.Value)
		}
		if len(a.Labels) > 0 {
			text = append(text, ')')
		}
		r.firing = append(r.firing, firingAlert{id: string(id), text: text, since: since, off: a.UTCOffset})
	case event.StateResolved:
		if i >= 0 {
			r.firing = slices.Delete(r.firing, i, i+1)
		}
	}
}

// appendStillFiring appends a line for each alert firing at the end.
func (r *Renderer) appendStillFiring(b []byte) []byte {
	if len(r.firing) == 0 {
		return b
	}
	b = append(b, '\n')
	for _, f := range r.firing {
		b = append(b, "  "...)
		b = r.sgr(b, sgrRedBold)
		b = append(b, f.text...)
		b = append(b, " still firing since "...)
		b = time.Unix(f.since, 0).In(r.zone(f.off)).AppendFormat(b, humane.TimeLayout)
		b = r.sgr(b, sgrReset)
		b = append(b, '\n')
	}
	return b
}
