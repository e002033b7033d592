package alert

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/humane"
)

// DefaultName is the name of the high-traffic rule in alert records.
const DefaultName = event.DefaultRuleName

// presets are rules known by name alone: --rule server_errors. The map is
// read, never written: ParseRule is all that reaches it.
var presets = map[string]string{
	// The classic rule, the default when no rule is given.
	DefaultName: DefaultName + ": " + event.V1Metric + " > " + strconv.Itoa(event.DefaultThreshold) + " over " + humane.Duration(event.DefaultWindow),
	// Five percent of requests failing on the server side for a minute,
	// out of at least 20 in five minutes, is an outage for someone.
	"server_errors": "server_errors: 5xx_ratio > 5% over 5m min_requests 20 for 1m",
	// Client errors are noisier (scanners, stale links): a quarter of
	// requests over ten minutes, sustained, is a broken deploy or client.
	"client_errors": "client_errors: 4xx_ratio > 25% over 10m min_requests 100 for 5m",
}

// presetNames lists the presets for messages, sorted.
func presetNames() string {
	return strings.Join(slices.Sorted(maps.Keys(presets)), ", ")
}
