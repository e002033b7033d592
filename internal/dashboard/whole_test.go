package dashboard

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// totalLine returns a total record of the burst stream, counted from its
// summaries as httpmon-window counts it, for the whole-run view.
func totalLine(t testing.TB, lines [][]byte) []byte {
	t.Helper()
	dec := event.NewDecoder()
	var s event.Summary
	type entry struct {
		Key   string `json:"key"`
		Hits  int64  `json:"hits"`
		Bytes int64  `json:"bytes"`
	}
	secs := map[string]*entry{}
	tot := struct {
		Kind     string           `json:"kind"`
		Start    int64            `json:"start"`
		End      int64            `json:"end"`
		Seconds  int64            `json:"seconds"`
		Hits     int64            `json:"hits"`
		Bytes    int64            `json:"bytes"`
		Status   map[string]int64 `json:"status"`
		Sections []*entry         `json:"sections"`
	}{Kind: "total", Status: map[string]int64{}}
	for _, l := range lines {
		if k, err := dec.Kind(l); err != nil || string(k) != event.KindSummary {
			continue
		}
		if err := dec.Summary(l, &s); err != nil {
			t.Fatal(err)
		}
		if tot.Start == 0 {
			tot.Start = s.Start
		}
		tot.End = s.End
		tot.Seconds += s.Seconds
		tot.Hits += s.Hits
		tot.Bytes += s.Bytes
		for c, n := range s.Status {
			tot.Status[event.ClassNames[c]] += n
		}
		for _, sec := range s.Sections {
			e := secs[string(sec.Section)]
			if e == nil {
				e = &entry{Key: string(sec.Section)}
				secs[e.Key] = e
				tot.Sections = append(tot.Sections, e)
			}
			e.Hits += sec.Hits
			e.Bytes += sec.Bytes
		}
	}
	slices.SortStableFunc(tot.Sections, func(a, b *entry) int { return cmp.Compare(b.Hits, a.Hits) })
	b, err := json.Marshal(tot)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWholeRunToggle checks that after a replay the t key switches the
// status line and the table between the last interval and the whole run,
// and that the key is offered only once a total record came.
func TestWholeRunToggle(t *testing.T) {
	lines := burstLines(t)
	plain := frame(press(resize(model(t, lines, true), 120, 40), "t"))
	if strings.Contains(plain, "whole run") || strings.Contains(plain, "view:") {
		t.Errorf("without a total record, t changed the screen or is offered:\n%s", plain)
	}
	withTotal := append(slices.Clip(lines), totalLine(t, lines))
	last := resize(model(t, withTotal, true), 120, 40)
	lastFrame := frame(last)
	for _, want := range []string{"t view:last", "Top sections 21:", "last 10s"} {
		if !strings.Contains(lastFrame, want) {
			t.Errorf("the last interval's frame lacks %q:\n%s", want, lastFrame)
		}
	}
	whole := press(last, "t")
	checkGolden(t, "whole_run_120x40", frame(whole))
	wholeFrame := frame(whole)
	for _, want := range []string{"t view:whole run", "Top sections of the whole run", "whole run   2xx"} {
		if !strings.Contains(wholeFrame, want) {
			t.Errorf("the whole run's frame lacks %q:\n%s", want, wholeFrame)
		}
	}
	if back := frame(press(whole, "t")); back != lastFrame {
		t.Errorf("t twice does not come back to the last interval:\n%s", back)
	}
	checkGolden(t, "whole_run_80x24", frame(resize(whole, 80, 24)))
}
