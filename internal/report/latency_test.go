package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// latencySummary is normalSummary with request times: the interval's and
// those of the sections that logged them, one a hostile name.
func latencySummary() *event.Summary {
	s := normalSummary()
	s.Latency = event.Latency{Count: 1150, P50: 0.01249, P90: 0.0813, P99: 0.3107, Max: 75.25}
	s.Sections[0].Latency = event.Latency{Count: 900, P50: 0.0151, P90: 0.0952, P99: 0.4, Max: 75.25}
	s.Sections[1].Latency = event.Latency{Count: 250, P50: 0.000412, P90: 0.00099, P99: 0.0021, Max: 1.5}
	s.Sections[1].Section = []byte(evilSection)
	s.Sections[2].Latency = event.Latency{Count: 1, P50: 0, P90: 0, P99: 0, Max: 0}
	return s
}

func TestLatencyGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		color bool
	}{{"summary_latency", false}, {"summary_latency_color", true}} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.color, []any{latencySummary(), latencyAlert()})
			checkTerminalSafe(t, got, tc.color)
			file := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("output differs from %s (run go test -update to accept)\nwant:\n%s\ngot:\n%s", file, want, got)
			}
		})
	}
}

// latencyAlert is the firing of a latency rule, whose value and threshold
// are seconds.
func latencyAlert() *event.Alert {
	return &event.Alert{
		Name: []byte("slow"), State: []byte(event.StateFiring), TS: t0 + 10, Hits: 1206, Threshold: 0.5, Window: 300,
		Rate: 4.02, Metric: []byte("latency_p99"), Op: []byte(">"), Value: 0.8957860577179274, For: 60, StartsAt: t0 + 10,
	}
}
