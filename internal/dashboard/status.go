package dashboard

import (
	"strconv"
	"strings"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
)

// statusLines shows the status classes of the last interval and since
// start, with server errors in reverse video.
func statusLines(st *State) []string {
	line := func(label string, c *event.StatusCounts) string {
		var b strings.Builder
		b.WriteString(styleTitle.Render(padRight(label, 12)))
		for class := event.Class1xx; class < event.NumClasses; class++ {
			n := c[class]
			if (class == event.Class1xx || class == event.ClassOther) && n == 0 {
				continue
			}
			cell := event.ClassNames[class] + " " + strconv.FormatInt(n, 10)
			switch {
			case class == event.Class5xx && n > 0:
				cell = styleErr5.Render(cell)
			case class == event.Class4xx && n > 0:
				cell = styleErr4.Render(cell)
			}
			b.WriteString(padRight(cell, 13))
		}
		return b.String()
	}
	last := "no interval yet"
	if st.interval != nil {
		label := "last " + humane.ShortDuration(st.interval.End-st.interval.Start)
		if st.interval.Whole {
			label = "whole run"
		}
		last = line(label, &st.interval.Status)
	} else {
		last = styleTitle.Render(padRight("last", 12)) + styleFaint.Render(last)
	}
	return []string{last, line("since start", &st.status)}
}
