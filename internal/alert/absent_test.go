package alert

import (
	"fmt"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// TestNoFiringFromAbsentData: a rule over a section sees nothing until
// request records arrive, and a "<" rule cannot hold on seconds before its
// data began. "api_down: hits/s{section=/api} < 1" must stay quiet while
// /api gets 7 requests a second, with or without the request records, and
// fire only once /api really goes quiet for its window.
func TestNoFiringFromAbsentData(t *testing.T) {
	rules := []Rule{
		mustRule(t, "api_down: hits/s{section=/api} < 1 over 10s"),
		mustRule(t, "api_le: hits{section=/api} <= 5 over 10s"),
		mustRule(t, "api_busy: hits{section=/api} > 0 over 10s"),
	}
	run := func(withRequests func(ts int64) bool, last int64) string {
		e, err := NewEngine(rules)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for ts := int64(100); ts <= last; ts++ {
			if withRequests(ts) {
				for range 7 {
					e.Request(&event.Request{TS: ts, Section: []byte("/api"), Status: 200})
				}
			}
			e.Request(&event.Request{TS: ts, Section: []byte("/web"), Status: 200})
			as, err := e.Tick(&event.Tick{TS: ts, Hits: 8}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				got = append(got, fmt.Sprintf("%s:%s@%d", a.Name, a.State, a.TS))
			}
		}
		return strings.Join(got, " ")
	}
	// Without request records at all: no data, no alert of any kind.
	e, _ := NewEngine(rules)
	for ts := int64(100); ts < 200; ts++ {
		if as, _ := e.Tick(&event.Tick{TS: ts, Hits: 7}, nil); len(as) > 0 {
			t.Fatalf("second %d: alert %s %s from no data", ts, as[0].Name, as[0].State)
		}
	}
	// /api busy throughout: only the ">" rule fires, at once.
	if got, want := run(func(int64) bool { return true }, 150), "api_busy:firing@100"; got != want {
		t.Errorf("busy: want %q, got %q", want, got)
	}
	// /api stops after second 119: from 128 its window holds only the 7
	// of second 119, 0.7 a second; from 129 none.
	got := run(func(ts int64) bool { return ts < 120 }, 140)
	if want := "api_busy:firing@100 api_down:firing@128 api_le:firing@129 api_busy:resolved@129"; got != want {
		t.Errorf("stops: want %q, got %q", want, got)
	}
}

// TestLessThanWaitsForAFullWindow: for rules over the ticks too, the
// seconds before the first tick are not seconds without requests; a "<"
// count or rate can only hold once the window is all inside the data.
func TestLessThanWaitsForAFullWindow(t *testing.T) {
	r := mustRule(t, "quiet: hits < 1 over 3s")
	if got, want := states(t, []Rule{r}, bits("000100001")), "quiet:firing@2 quiet:resolved@3 quiet:firing@6 quiet:resolved@8"; got != want {
		t.Errorf("want %q, got %q", want, got)
	}
	r = mustRule(t, "busy: hits > 0 over 3s")
	if got, want := states(t, []Rule{r}, bits("1000")), "busy:firing@0 busy:resolved@3"; got != want {
		t.Errorf("want %q, got %q", want, got)
	}
}
