package windowcmd

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/logfmt"
)

// TestReplayReference checks the expectations of the end-to-end script
// window_replay_elastic against an independent, slow reader of the alert
// rule: sort every timestamp of the log and, for every second from the
// first to the last, count the requests in the window ending there. The
// script runs the real pipeline and demands exactly those transitions, so
// together they show that the replay placed every line in its own second.
func TestReplayReference(t *testing.T) {
	ar, err := txtar.ParseFile("../e2e/testdata/script/window_replay_elastic.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var log []byte
	for _, f := range ar.Files {
		if f.Name == "elastic.log" {
			log = f.Data
		}
	}
	var p logfmt.Parser
	var r event.Request
	var ts []int64
	for line := range bytes.Lines(log) {
		if err := p.Parse(logfmt.Combined, bytes.TrimSuffix(line, []byte("\n")), &r); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, r.TS)
	}
	if len(ts) < 1000 {
		t.Fatalf("only %d lines in the script's log", len(ts))
	}
	slices.Sort(ts)

	type transition struct {
		TS    int64  `json:"ts"`
		State string `json:"state"`
		Hits  int64  `json:"hits"`
	}
	const window, threshold = 120, 0.1 // httpmon-alert --threshold 0.1
	var want []transition
	firing := false
	for s := ts[0]; s <= ts[len(ts)-1]; s++ {
		hits := int64(sort.Search(len(ts), func(i int) bool { return ts[i] > s }) -
			sort.Search(len(ts), func(i int) bool { return ts[i] > s-window }))
		if now := float64(hits)/window > threshold; now != firing {
			firing = now
			state := event.StateResolved
			if now {
				state = event.StateFiring
			}
			want = append(want, transition{s, state, hits})
		}
	}

	var got []transition
	quoted := regexp.MustCompile(`(?m)^stdout '\^\\Q(.*)\\E\$'$`)
	for _, m := range quoted.FindAllSubmatch(ar.Comment, -1) {
		var tr transition
		if err := json.Unmarshal(m[1], &tr); err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		got = append(got, tr)
	}
	if len(want) < 10 {
		t.Fatalf("the reference has only %d transitions; the test needs a log that makes the alert fire", len(want))
	}
	if !slices.Equal(want, got) {
		t.Errorf("the script expects\n%v\nthe reference gives\n%v", got, want)
	}
}
