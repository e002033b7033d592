package alert

import (
	"fmt"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// TestReplace swaps an engine's rules between ticks, as a reload does,
// with the ticks as the clock: a rule that did not change keeps its state
// (firing, without a new firing), a removed or changed rule's firing alert
// is resolved at the last second evaluated, and new rules start empty.
func TestReplace(t *testing.T) {
	e, err := NewEngine([]Rule{
		mustRule(t, "kept: hits > 0 over 1s"),
		mustRule(t, "gone: hits > 0 over 1s"),
		mustRule(t, "changed: hits > 0 over 1s"),
		mustRule(t, "quiet: hits > 5 over 1s"),
		mustRule(t, "api: hits{section=/api} > 0 over 1s"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var buf []event.Alert
	log := func(as []event.Alert) {
		for _, a := range as {
			got = append(got, fmt.Sprintf("%s:%s@%d", a.Name, a.State, a.TS))
		}
	}
	tick := func(ts, hits int64) {
		t.Helper()
		if hits > 0 {
			e.Request(&event.Request{TS: ts, Section: []byte("/api"), Status: 200})
		}
		buf, err = e.Tick(&event.Tick{TS: ts, Hits: hits, UTCOffset: 3600}, buf[:0])
		if err != nil {
			t.Fatal(err)
		}
		log(buf)
	}
	tick(10, 1)
	tick(11, 1)
	if want := "kept:firing@10 gone:firing@10 changed:firing@10 api:firing@10"; strings.Join(got, " ") != want {
		t.Fatalf("before: want %s\n got %s", want, strings.Join(got, " "))
	}
	got = nil

	kept := e.Monitors()[0]
	// A request of a second not ticked yet is counted across the swap
	// for the selectors that stay.
	e.Request(&event.Request{TS: 12, Section: []byte("/api"), Status: 200})
	buf, err = e.Replace([]Rule{
		mustRule(t, "new: hits > 0 over 1s"),
		mustRule(t, "kept: hits > 0 over 1s"),
		mustRule(t, "changed: hits > 0 over 2s"),
		mustRule(t, "quiet: hits > 5 over 1s"),
		mustRule(t, "api: hits{section=/api} > 0 over 1s"),
	}, buf[:0])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range buf {
		if a.UTCOffset != 3600 || a.EndsAt != 11 || a.StartsAt != 10 {
			t.Errorf("resolution %+v: want the zone of the last tick, starts 10, ends 11", a)
		}
	}
	log(buf)
	if want := "gone:resolved@11 changed:resolved@11"; strings.Join(got, " ") != want {
		t.Errorf("at the swap: want %s\n got %s", want, strings.Join(got, " "))
	}
	if e.Monitors()[1] != kept || kept.state != firing {
		t.Errorf("the unchanged rule lost its state")
	}
	var names []string
	for _, m := range e.Monitors() {
		names = append(names, m.Rule().Name)
	}
	if strings.Join(names, " ") != "new kept changed quiet api" {
		t.Errorf("monitors in rule order: %v", names)
	}
	got = nil
	buf, err = e.Tick(&event.Tick{TS: 12, Hits: 1}, buf[:0])
	if err != nil {
		t.Fatal(err)
	}
	log(buf)
	tick(13, 0)
	if want := "new:firing@12 changed:firing@12 new:resolved@13 kept:resolved@13 api:resolved@13"; strings.Join(got, " ") != want {
		t.Errorf("after: want %s\n got %s", want, strings.Join(got, " "))
	}

	// Names must stay distinct; a failed swap changes nothing.
	before := e.Monitors()
	if _, err := e.Replace([]Rule{mustRule(t, "x: hits > 1 over 1s"), mustRule(t, "x: hits > 2 over 1s")}, nil); err == nil {
		t.Error("duplicate names accepted")
	}
	if len(e.Monitors()) != len(before) || e.Monitors()[0] != before[0] {
		t.Error("a failed swap changed the rules")
	}
}
