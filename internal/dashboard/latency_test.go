package dashboard

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// latencyStream is a few seconds and a summary with request times, the
// slowest listed section named with escape sequences.
const latencyStream = `{"kind":"tick","ts":100,"hits":3,"bytes":1,"status":{"2xx":3},"latency":{"count":3,"max":2.5,"bins":[[-152,1],[-69,1],[46,1]]}}
{"kind":"summary","start":100,"end":110,"seconds":1,"partial":true,"hits":3,"rps":3,"bytes":1,"status":{"2xx":3},"latency":{"count":3,"p50":0.0317,"p90":2.5,"p99":2.5,"max":2.5},"sections_total":2,"sections":[{"section":"/api","hits":2,"bytes":1,"4xx":0,"5xx":0,"top_path":"/api/x","top_bytes":1,"latency":{"count":2,"p50":0.00125,"p90":0.0317,"p99":0.0317,"max":0.0317}},{"section":"/slow\u001b[2J","hits":1,"bytes":0,"4xx":0,"5xx":0,"top_path":"/slow","top_bytes":0,"latency":{"count":1,"p50":2.5,"p90":2.5,"p99":2.5,"max":2.5}}]}
`

func latencyModel(t *testing.T, in string) tea.Model {
	t.Helper()
	ch := make(chan Batch)
	go Feed(bytes.NewReader([]byte(in)), ch, FeedOptions{})
	m := tea.Model(New(Options{Threshold: 10, Window: 120}))
	for b := range ch {
		m, _ = m.Update(b)
		if b.End {
			break
		}
	}
	return m
}

func TestLatencyLine(t *testing.T) {
	m := latencyModel(t, latencyStream)
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		name := fmt.Sprintf("latency_%dx%d", sz[0], sz[1])
		t.Run(name, func(t *testing.T) {
			f := resize(m, sz[0], sz[1])
			if strings.Contains(f.View().Content, "\x1b[2J") {
				t.Error("the frame has a section's escape sequence raw")
			}
			checkGolden(t, name, frame(f))
		})
	}
	plain := frame(resize(m, 120, 40))
	for _, want := range []string{"p50 31.7ms", "p99 2.5s", `slowest /slow\x1b[2J p99 2.5s`} {
		if !strings.Contains(plain, want) {
			t.Errorf("frame lacks %q:\n%s", want, plain)
		}
	}
	t.Run("fits", func(t *testing.T) { checkFits(t, m) })

	// Without request times there is no latency line at all.
	none := strings.ReplaceAll(latencyStream, `"latency"`, `"x"`)
	if f := frame(resize(latencyModel(t, none), 120, 40)); strings.Contains(f, "latency") {
		t.Errorf("a latency line without request times:\n%s", f)
	}
}
