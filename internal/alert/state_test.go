package alert

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// bits turns "0110" into ticks from second 0: '1' is a second with one
// request, '0' one without, so that "hits > 0 over 1s" holds exactly at the
// '1's; '.' is a second without a tick at all.
func bits(s string) []event.Tick {
	var out []event.Tick
	for i, c := range s {
		if c == '.' {
			continue
		}
		out = append(out, event.Tick{TS: int64(i), Hits: int64(c - '0')})
	}
	return out
}

// states runs rules over ticks and writes the transitions as
// "name:state@ts" in emission order.
func states(t *testing.T, rules []Rule, ticks []event.Tick) string {
	t.Helper()
	e, err := NewEngine(rules)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var buf []event.Alert
	for i := range ticks {
		buf, err = e.Tick(&ticks[i], buf[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range buf {
			got = append(got, fmt.Sprintf("%s:%s@%d", a.Name, a.State, a.TS))
		}
	}
	return strings.Join(got, " ")
}

func mustRule(t testing.TB, s string) Rule {
	t.Helper()
	r, err := ParseRule(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return r
}

// TestStateMachine drives one rule per case with a controllable clock: the
// condition of "hits > 0 over 1s" is true exactly in the seconds marked 1.
func TestStateMachine(t *testing.T) {
	tests := []struct {
		name  string
		rule  string // clauses after "r: hits > 0 over 1s"
		input string
		want  string
	}{
		{"for 0 fires at once, resolves at once", "", "0110", "r:firing@1 r:resolved@3"},
		{"pending that clears is never announced", "for 3s", "011100000", ""},
		{"for: held one second short of for", "for 3s", "01110", ""},
		{"for: held exactly for", "for 3s", "011110", "r:firing@4 r:resolved@5"},
		{"for: held one second longer", "for 3s", "0111110", "r:firing@4 r:resolved@6"},
		{"for restarts after a gap in the condition", "for 2s", "0110111000", "r:firing@6 r:resolved@7"},
		// keep_firing_for 3s: false at 4, the alert keeps firing through
		// 4, 5 and 6 and resolves at 7 if the condition is still false.
		{"keep_firing_for: true again one second before it ends", "keep_firing_for 3s", "011100110000", "r:firing@1 r:resolved@11"},
		{"keep_firing_for: true again exactly when it ends", "keep_firing_for 3s", "011100010000", "r:firing@1 r:resolved@11"},
		{"keep_firing_for: true again one second after it ends", "keep_firing_for 3s", "011100001", "r:firing@1 r:resolved@7 r:firing@8"},
		{"flapping without hysteresis pages every time", "", "1010100", "r:firing@0 r:resolved@1 r:firing@2 r:resolved@3 r:firing@4 r:resolved@5"},
		{"flapping with keep_firing_for is one alert", "keep_firing_for 2s", "1010101000", "r:firing@0 r:resolved@9"},
		{"flapping never holds for long enough", "for 2s", "1101101101100", ""},
		{"for and keep_firing_for together", "for 2s keep_firing_for 2s", "0111101100000", "r:firing@3 r:resolved@10"},
		{"traffic stops: missing seconds resolve it", "keep_firing_for 2s", "111......1", "r:firing@0 r:resolved@5 r:firing@9"},
		{"traffic stops before for elapses: never announced", "for 5s", "111.........", ""},
		{"no traffic at all", "for 1s", "", ""},
		{"only empty seconds", "", "0000000000", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRule(t, "r: hits > 0 over 1s "+tc.rule)
			if got := states(t, []Rule{r}, bits(tc.input)); got != tc.want {
				t.Errorf("input %s\nwant %q\n got %q", tc.input, tc.want, got)
			}
		})
	}
}

// TestRulesTogether runs rules of every kind on one stream: their
// transitions come in time order, rule order within a second, and each
// keeps its own state.
func TestRulesTogether(t *testing.T) {
	rules := []Rule{
		mustRule(t, "busy: hits/s > 2 over 2s"),
		mustRule(t, "errors: 5xx > 1 over 3s"),
		mustRule(t, "ratio: 5xx_ratio >= 50% over 2s min_requests 4 for 1s"),
		mustRule(t, "quiet: hits/s < 1 over 3s for 2s"),
		mustRule(t, "heavy: bytes >= 1k over 1s keep_firing_for 1s"),
	}
	tk := func(ts, hits, e5, bytes int64) event.Tick {
		t := event.Tick{TS: ts, Hits: hits, Bytes: bytes}
		t.Status[event.Class5xx] = e5
		t.Status[event.Class2xx] = hits - e5
		return t
	}
	ticks := []event.Tick{
		tk(0, 3, 0, 100),
		tk(1, 3, 2, 1000), // busy, errors and heavy fire; ratio 2/6 is below 50%
		tk(2, 2, 2, 0),    // ratio 4/5: pending
		tk(3, 0, 0, 0),    // ratio 2/2 but of 2 requests: cleared, never announced
		// Seconds 4 to 19 are missing: errors resolves when its window
		// empties at 5, quiet fires after its "for".
		tk(20, 1, 0, 5000),
	}
	want := "busy:firing@1 errors:firing@1 heavy:firing@1 busy:resolved@3 heavy:resolved@3 errors:resolved@5 quiet:firing@6 heavy:firing@20"
	if got := states(t, rules, ticks); got != want {
		t.Errorf("want %q\n got %q", want, got)
	}
}

func TestRatioNeedsRequests(t *testing.T) {
	r := mustRule(t, "e: 5xx_ratio > 10% over 10s min_requests 5")
	tk := func(ts, hits, e5 int64) event.Tick {
		t := event.Tick{TS: ts, Hits: hits}
		t.Status[event.Class5xx] = e5
		return t
	}
	// One error in three requests is 33%, but three is not enough; two
	// more requests make it 20% of five, which is.
	got := states(t, []Rule{r}, []event.Tick{tk(0, 3, 1), tk(1, 0, 0), tk(2, 2, 0)})
	if want := "e:firing@2"; got != want {
		t.Errorf("want %q, got %q", want, got)
	}
}

// TestRecordFields checks what a rule's records carry.
func TestRecordFields(t *testing.T) {
	r := mustRule(t, "api: 5xx{section=/api} >= 2 over 4s for 1s keep_firing_for 1s")
	r.Labels = []Label{{"severity", "page"}}
	e, err := NewEngine([]Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	req := func(ts int64, section string, status int) {
		e.Request(&event.Request{TS: ts, Section: []byte(section), Status: status, Bytes: 10})
	}
	enc := event.NewEncoder()
	var lines []string
	tick := func(ts int64) {
		as, err := e.Tick(&event.Tick{TS: ts, UTCOffset: 3600, Hits: 99}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range as {
			b, _ := enc.Alert(&as[i])
			lines = append(lines, string(b))
		}
	}
	req(10, "/api", 500)
	req(10, "/web", 500)
	req(11, "/api", 503) // arrives before tick 10, counts in 11
	tick(10)
	req(10, "/api", 500) // late: tick 10 is out
	tick(11)             // 2 errors: pending
	req(12, "/api", 200)
	tick(12) // held 1s: fires
	tick(16) // 5xx drop to 1 at 14, keep_firing_for ends at 15
	want := []string{
		`{"kind":"alert","name":"api","state":"firing","ts":12,"utc_offset":3600,"hits":3,"threshold":2,"window":4,"rate":0.75,"metric":"5xx","op":">=","value":2,"labels":{"section":"/api","severity":"page"},"for":1,"keep_firing_for":1,"starts_at":12}` + "\n",
		`{"kind":"alert","name":"api","state":"resolved","ts":15,"utc_offset":3600,"hits":1,"threshold":2,"window":4,"rate":0.25,"metric":"5xx","op":">=","value":0,"labels":{"section":"/api","severity":"page"},"for":1,"keep_firing_for":1,"starts_at":12,"ends_at":15}` + "\n",
	}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("want\n%s\n got\n%s", strings.Join(want, ""), strings.Join(lines, ""))
	}
	if s := e.Stats(); s.Late != 1 || s.Requests != 3 {
		t.Errorf("stats %+v", s)
	}
}

// reference evaluates a rule the slow, obvious way: every second from the
// first tick to the last, the window summed afresh, the state machine of
// the package doc written out.
func reference(r Rule, ticks []event.Tick) []string {
	bySecond := map[int64]event.Tick{}
	for _, t := range ticks {
		bySecond[t.TS] = t
	}
	var out []string
	if len(ticks) == 0 {
		return out
	}
	st, activeAt, keepFiringSince, keepingFiring := "inactive", int64(0), int64(0), false
	for s := ticks[0].TS; s <= ticks[len(ticks)-1].TS; s++ {
		var base, hits int64
		for u := s - r.Window + 1; u <= s; u++ {
			c := tickCounts(&event.Tick{}, r.Metric.Base)
			if t, ok := bySecond[u]; ok {
				c = tickCounts(&t, r.Metric.Base)
			}
			base += c.base
			hits += c.hits
		}
		var v float64
		enough := true
		switch r.Metric.Form {
		case FormCount:
			v = float64(base)
		case FormRate:
			v = float64(base) / float64(r.Window)
		case FormRatio:
			if hits > 0 {
				v = float64(base) / float64(hits)
			}
			enough = hits > 0 && hits >= r.MinRequests
		}
		// Less than over a window reaching before the first tick is
		// not known.
		if r.Metric.Form != FormRatio && (r.Op == OpLT || r.Op == OpLE) && s-ticks[0].TS+1 < r.Window {
			enough = false
		}
		cond := enough && r.Op.holds(v, r.Threshold)
		switch st {
		case "inactive":
			if cond {
				st, activeAt = "pending", s
			}
		case "pending":
			if !cond {
				st = "inactive"
			}
		case "firing":
			if cond {
				keepingFiring = false
			} else {
				if !keepingFiring {
					keepingFiring, keepFiringSince = true, s
				}
				if s-keepFiringSince >= r.KeepFiringFor {
					st, keepingFiring = "inactive", false
					out = append(out, fmt.Sprintf("%s:resolved@%d", r.Name, s))
				}
			}
		}
		if st == "pending" && s-activeAt >= r.For {
			st = "firing"
			out = append(out, fmt.Sprintf("%s:firing@%d", r.Name, s))
		}
	}
	return out
}

// TestAgainstReferenceMachine compares the engine with reference on random
// rules of every metric and comparison, over random streams with bursts,
// silences and gaps longer than windows, for and keep_firing_for.
func TestAgainstReferenceMachine(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	metrics := []string{"hits", "hits/s", "4xx", "5xx/s", "bytes", "bytes/s", "4xx_ratio", "5xx_ratio"}
	ops := []string{">", ">=", "<", "<="}
	for iter := 0; iter < 400; iter++ {
		m := metrics[rng.IntN(len(metrics))]
		var th string
		if strings.HasSuffix(m, "_ratio") {
			th = fmt.Sprintf("%d%% min_requests %d", rng.IntN(5)*25, rng.IntN(6))
		} else {
			th = fmt.Sprint(float64(rng.IntN(12)) / 2)
		}
		text := fmt.Sprintf("r: %s %s %s over %ds for %ds keep_firing_for %ds",
			m, ops[rng.IntN(len(ops))], th, 1+rng.IntN(8), rng.IntN(5), rng.IntN(5))
		r := mustRule(t, text)
		var ticks []event.Tick
		ts := rng.Int64N(1000)
		for len(ticks) < 150 {
			tk := event.Tick{TS: ts}
			if rng.IntN(3) > 0 {
				tk.Hits = rng.Int64N(6)
				tk.Status[event.Class4xx] = rng.Int64N(tk.Hits + 1)
				tk.Status[event.Class5xx] = rng.Int64N(tk.Hits - tk.Status[event.Class4xx] + 1)
				tk.Bytes = rng.Int64N(4)
			}
			ticks = append(ticks, tk)
			if rng.IntN(12) == 0 {
				ts += 1 + rng.Int64N(30)
			} else {
				ts++
			}
		}
		want := strings.Join(reference(r, ticks), " ")
		if got := states(t, []Rule{r}, ticks); got != want {
			t.Fatalf("%s\nticks %v\nwant %q\n got %q", text, ticks, want, got)
		}
	}
}

// BenchmarkEngine measures one tick through several rules at once, the
// cost per second of event time.
func BenchmarkEngine(b *testing.B) {
	for _, n := range []int{1, 8} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			var rules []Rule
			for i := range n {
				rules = append(rules, mustRule(b, fmt.Sprintf("r%d: %s > 0.5 over 2m for 30s keep_firing_for 1m",
					i, []string{"hits/s", "5xx", "4xx_ratio", "bytes/s"}[i%4])))
			}
			e, _ := NewEngine(rules)
			var buf []event.Alert
			tk := event.Tick{}
			b.ReportAllocs()
			for b.Loop() {
				tk.TS++
				tk.Hits = tk.TS % 23
				tk.Status[event.Class5xx] = tk.TS % 3
				buf, _ = e.Tick(&tk, buf[:0])
			}
		})
	}
}

// BenchmarkSectionRequests measures counting request records for rules
// over sections, one tick per 50 requests.
func BenchmarkSectionRequests(b *testing.B) {
	e, _ := NewEngine([]Rule{
		mustRule(b, "a: 5xx{section=/api} > 5 over 1m"),
		mustRule(b, "b: hits{section=/static} > 500 over 1m"),
	})
	sections := [][]byte{[]byte("/api"), []byte("/static"), []byte("/images"), []byte("/")}
	var buf []event.Alert
	var r event.Request
	var i int64
	b.ReportAllocs()
	for b.Loop() {
		i++
		r = event.Request{TS: i/50 + 1, Section: sections[i%4], Status: 200 + int(i%7)*50}
		e.Request(&r)
		if i%50 == 49 {
			buf, _ = e.Tick(&event.Tick{TS: i / 50}, buf[:0])
		}
	}
}
