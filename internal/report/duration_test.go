package report

import (
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// TestDurationsReadLikeRules checks that every duration the report shows
// is written as rules write it: "over 2m", not time.Duration's "2m0s".
func TestDurationsReadLikeRules(t *testing.T) {
	resolvedRule := &event.Alert{Name: []byte("slow"), State: []byte(event.StateResolved), TS: t0 + 300,
		Hits: 40, Threshold: 5, Window: 3600, Rate: 0.01, Metric: []byte("5xx"), Op: []byte(">="),
		For: 60, StartsAt: t0 + 180, EndsAt: t0 + 300}
	partial := partialSummary()
	partial.Start, partial.End, partial.Seconds = t0, t0+3600, 60
	out := string(render(t, false, []any{firing("high_traffic"), resolvedRule, partial}))
	for _, want := range []string{
		"  rate 10.05 req/s over 2m, threshold 10 req/s\n",
		"  rule 5xx >= 5 over 1h, 40 requests; fired for 2m\n",
		"(partial, 1m)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
