package dashboard

import (
	"fmt"
	"strconv"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/httpmon/httpmon/internal/humane"
)

// banners returns one reverse-video line per rule firing now.
func banners(st *State, w int) []string {
	var out []string
	firing := st.Firing()
	for i, sp := range firing {
		if i == 2 && len(firing) > 3 {
			out = append(out, styleBanner.Render(padRight(fmt.Sprintf(" ▲ and %d more alerts firing", len(firing)-2), w)))
			break
		}
		text := fmt.Sprintf(" ▲ ALERT %s firing since %s", humane.RuleName(sp.Name), formatTime(sp.FiredTS, sp.UTCOffset, time.TimeOnly))
		// Rules that are not about request rates may carry no hits or
		// window; what a record does not say is left out, not shown as 0.
		if sp.FiredHits > 0 || sp.Window > 0 {
			text += " - hits = " + strconv.FormatInt(sp.FiredHits, 10)
		}
		if sp.Window > 0 {
			text += ", " + strconv.FormatFloat(sp.Rate, 'f', 2, 64) + " req/s"
			if sp.Threshold > 0 {
				text += " > " + formatNum(sp.Threshold)
			}
		}
		out = append(out, styleBanner.Render(padRight(ansi.Truncate(text, w, "…"), w)))
	}
	return out
}

// alertHistory lists alert spans, newest first, rows tall.
func alertHistory(st *State, rows int) []string {
	title := fmt.Sprintf("Alerts (%d)", len(st.history))
	if st.forgotten > 0 {
		title = fmt.Sprintf("Alerts (%d; %d older firing ones not kept)", len(st.history), st.forgotten)
	}
	out := []string{styleTitle.Render(title) + ruleList(st)}
	if len(st.history) == 0 {
		return append(out, styleFaint.Render("none so far"))
	}
	day := formatTime(st.last, st.utcOffset, time.DateOnly)
	at := func(ts int64, off int32) string {
		if formatTime(ts, off, time.DateOnly) != day {
			return formatTime(ts, off, "2006-01-02 15:04:05")
		}
		return formatTime(ts, off, time.TimeOnly)
	}
	for i := len(st.history) - 1; i >= 0 && len(out) <= rows; i-- {
		sp := st.history[i]
		hits := func(n int64) string {
			if n > 0 || sp.Window > 0 {
				return " hits = " + strconv.FormatInt(n, 10)
			}
			return ""
		}
		line := humane.RuleName(sp.Name) + " (fired before input began)"
		if sp.Fired {
			line = humane.RuleName(sp.Name) + " fired " + at(sp.FiredTS, sp.UTCOffset) + hits(sp.FiredHits)
		}
		if sp.Resolved {
			line += styleResolved.Render("  resolved " + at(sp.ResolvedTS, sp.UTCOffset) + hits(sp.ResolvedHits))
		} else {
			line = styleBanner.Render("FIRING") + " " + line
		}
		out = append(out, line)
	}
	return out
}
