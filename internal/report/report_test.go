package report

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/httpmon/httpmon/internal/event"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// 2019-02-07 21:11:00 UTC, the start of the sample log's busy minute.
const t0 = 1549573860

func sec(name, path string, hits, e4, e5, top int64) event.SectionStat {
	return event.SectionStat{
		Section: []byte(name), Hits: hits, Bytes: hits * 1000,
		Errors4x: e4, Errors5x: e5, TopPath: []byte(path), TopBytes: top,
	}
}

func normalSummary() *event.Summary {
	return &event.Summary{
		Start: t0, End: t0 + 10, Seconds: 10,
		Hits: 1206, RPS: 120.6, Bytes: 3_456_789,
		Status: event.StatusCounts{event.Class2xx: 1100, event.Class3xx: 75, event.Class4xx: 28, event.Class5xx: 3},
		Sections: []event.SectionStat{
			sec("/api", "/api/v1/users?page=2", 900, 20, 3, 131_072),
			sec("/static", "/static/app.3f9c1e.js", 250, 8, 0, 1_234_567),
			sec("/", "/", 50, 0, 0, 612),
			sec("", "", 6, 0, 0, 0),
		},
		SectionsTotal: 4,
	}
}

func partialSummary() *event.Summary {
	return &event.Summary{
		Start: t0 + 10, End: t0 + 20, Seconds: 7, Partial: true,
		Hits: 42, RPS: 6, Bytes: 1023,
		Status: event.StatusCounts{event.Class1xx: 1, event.Class2xx: 38, event.ClassOther: 3},
		Late:   2,
		Sections: []event.SectionStat{
			sec("/health", "/health", 40, 0, 0, 2),
			sec("/", "/", 2, 0, 0, 1021),
		},
		SectionsTotal: 2,
	}
}

func emptySummary(start int64) *event.Summary {
	return &event.Summary{Start: start, End: start + 10, Seconds: 10}
}

// manySections has more sections than the window passed on, names and
// paths too long for 80 columns, wide numbers, and ends on the next day.
func manySections() *event.Summary {
	s := &event.Summary{
		Start: 1549583990, End: 1549584000, Seconds: 10,
		Hits: 98_765_432, RPS: 9_876_543.2, Bytes: 5 << 40,
		Status:        event.StatusCounts{event.Class2xx: 98_000_000, event.Class4xx: 700_000, event.Class5xx: 65_432},
		SectionsTotal: 57,
	}
	for i := range 10 {
		name := fmt.Sprintf("/section-%d", i)
		if i%3 == 0 {
			name += "-with-a-name-that-nobody-would-type-twice"
		}
		path := name + "/index.html"
		if i%2 == 0 {
			path = name + "/search?q=" + strings.Repeat("é", 40) + "&page=" + fmt.Sprint(i)
		}
		s.Sections = append(s.Sections, sec(name, path, 10_000_000/int64(i+1), int64(i*i*1000), int64(i%4*17), int64(1)<<(3*i+5)))
	}
	return s
}

func firing(name string) *event.Alert {
	return &event.Alert{
		Name: []byte(name), State: []byte(event.StateFiring), TS: t0 + 96,
		Hits: 1206, Threshold: 10, Window: 120, Rate: 10.05,
	}
}

func resolved(name string) *event.Alert {
	return &event.Alert{
		Name: []byte(name), State: []byte(event.StateResolved), TS: t0 + 183,
		Hits: 1199, Threshold: 10, Window: 120, Rate: 9.991666,
	}
}

// ruleAlerts are alerts of rules other than the v1 high-traffic one: a
// ratio with a section label, a count, a rate, the classic metric with
// "for" (which gets the rule line), and a hostile label.
func ruleAlerts() []any {
	ratio := func(state string, ts int64, v float64, hits int64) *event.Alert {
		a := &event.Alert{
			Name: []byte("api_errors"), State: []byte(state), TS: ts, Hits: hits, Threshold: 0.05, Window: 300,
			Rate: float64(hits) / 300, Metric: []byte("5xx_ratio"), Op: []byte(">"), Value: v,
			Labels:   []event.Label{{Name: []byte("section"), Value: []byte("/api")}, {Name: []byte("severity"), Value: []byte("page")}},
			For:      60,
			StartsAt: t0 + 96,
		}
		if state == event.StateResolved {
			a.EndsAt = ts
		}
		return a
	}
	count := &event.Alert{
		Name: []byte("errors"), State: []byte(event.StateFiring), TS: t0 + 100, Hits: 1, Threshold: 0, Window: 60,
		Rate: 1.0 / 60, Metric: []byte("5xx"), Op: []byte(">"), Value: 1, StartsAt: t0 + 100,
	}
	quiet := &event.Alert{
		Name: []byte("quiet"), State: []byte(event.StateFiring), TS: t0 + 200, Hits: 12, Threshold: 0.5, Window: 60,
		Rate: 0.2, Metric: []byte("hits/s"), Op: []byte("<"), Value: 0.2, For: 600, StartsAt: t0 + 200,
	}
	slow := &event.Alert{
		Name: []byte("high_traffic"), State: []byte(event.StateResolved), TS: t0 + 300, Hits: 1190, Threshold: 10, Window: 120,
		Rate: 9.916666, Metric: []byte("hits/s"), Op: []byte(">"), Value: 9.916666, KeepFiringFor: 60, StartsAt: t0 + 100, EndsAt: t0 + 300,
	}
	evil := ratio(event.StateFiring, t0+400, 0.123456, 7)
	evil.Labels = []event.Label{{Name: []byte(evilName), Value: []byte(evilSection)}}
	evil.Metric = []byte(evilName)
	return []any{
		ratio(event.StateFiring, t0+96, 0.075, 312), count, quiet,
		ratio(event.StateResolved, t0+183, 0.0125, 320), slow, evil,
	}
}

// Attacker-chosen bytes in every field that comes from the log: cursor
// movement, screen clearing, a title change, carriage returns that would
// overwrite the line, the C1 CSI, invalid UTF-8 and a fake alert line.
const (
	evilSection = "/\x1b[2J\x1b[H\xc2\x9b31m\xff"
	evilPath    = "/x\rHigh traffic alert recovered\x1b]0;pwned\x07\xc2\x85/\xfe\xed\xa0\x80?q=\x1b[8m" +
		"\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b"
	evilName = "evil\x1b[32m\r\nHigh traffic alert recovered\x9b\x7f"
)

func hostile() []any {
	s := normalSummary()
	s.Sections[0].Section = []byte(evilSection)
	s.Sections[0].TopPath = []byte(evilPath)
	s.Sections[1].TopPath = []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
	f, r := firing(evilName), resolved(evilName)
	f.State = []byte(evilSection) // an unknown state is shown too
	return []any{s, f, r}
}

var goldenCases = []struct {
	name  string
	color bool
	in    func() []any
}{
	{"summary_normal", false, func() []any { return []any{normalSummary()} }},
	{"summary_partial", false, func() []any { return []any{partialSummary()} }},
	{"summary_empty", false, func() []any {
		e := emptySummary(t0 + 30)
		e.Partial, e.Seconds, e.Late = true, 4, 1
		return []any{emptySummary(t0 + 20), e}
	}},
	{"summary_many_sections", false, func() []any { return []any{manySections()} }},
	{"summary_approx_sections", false, func() []any {
		s := manySections()
		s.SectionsTotal, s.SectionsApprox, s.SectionsError = 48211, true, 1234
		return []any{s}
	}},
	{"alert_pair", false, func() []any { return []any{firing("high_traffic"), resolved("high_traffic")} }},
	{"alert_rule_name", false, func() []any {
		a := firing("api_burst")
		a.State = []byte("pending")
		return []any{firing("api_burst"), resolved("api_burst"), a, firing("")}
	}},
	{"alert_rules", false, ruleAlerts},
	{"alert_rules_color", true, ruleAlerts},
	{"offset_0330", false, func() []any {
		s, a := normalSummary(), firing("high_traffic")
		s.UTCOffset, a.UTCOffset = 3*3600+30*60, 3*3600+30*60
		w := manySections()
		w.UTCOffset = -(9*3600 + 30*60)
		return []any{s, a, w}
	}},
	{"color_off", false, stream},
	{"color_on", true, stream},
	{"hostile_plain", false, hostile},
	{"hostile_color", true, hostile},
}

// stream is a mixed run of records, to show how blocks, one-line empty
// intervals and alerts are spaced.
func stream() []any {
	return []any{
		normalSummary(),
		emptySummary(t0 + 10),
		emptySummary(t0 + 20),
		firing("high_traffic"),
		partialSummary(),
		resolved("high_traffic"),
		manySections(),
	}
}

// render renders in through a fresh Renderer, checking each summary's
// lines against the margin as it goes; alerts are exempt, their wording is
// fixed.
func render(t testing.TB, color bool, in []any) []byte {
	t.Helper()
	return renderWith(t, Options{Color: color}, in)
}

// renderWith renders in with opt, then flushes as the command does at the
// end of input. Lines of the totals block are checked against the margin
// when opt.Cut asks for them to fit.
func renderWith(t testing.TB, opt Options, in []any) []byte {
	t.Helper()
	var out bytes.Buffer
	r := New(&out, opt)
	for _, rec := range in {
		n := out.Len()
		switch rec := rec.(type) {
		case *event.Summary:
			if err := r.Summary(rec); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(stripSGR(out.Bytes()[n:])), "\n") {
				if w := utf8.RuneCountInString(line); w > margin {
					t.Errorf("line is %d columns, want ≤ %d:\n%s", w, margin, line)
				}
			}
		case *event.Alert:
			if err := r.Alert(rec); err != nil {
				t.Fatal(err)
			}
		case *Totals:
			if err := r.Totals(rec); err != nil {
				t.Fatal(err)
			}
			if !opt.Cut {
				break
			}
			for _, line := range strings.Split(string(stripSGR(out.Bytes()[n:])), "\n") {
				if w := utf8.RuneCountInString(line); w > margin && !strings.Contains(line, "still firing") {
					t.Errorf("line is %d columns, want ≤ %d:\n%s", w, margin, line)
				}
			}
		}
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var ownSGR = regexp.MustCompile(regexp.QuoteMeta(sgrReset) + "|" + regexp.QuoteMeta(sgrBold) + "|" +
	regexp.QuoteMeta(sgrRedBold) + "|" + regexp.QuoteMeta(sgrRed) + "|" +
	regexp.QuoteMeta(sgrGreen) + "|" + regexp.QuoteMeta(sgrYellow))

func stripSGR(b []byte) []byte { return ownSGR.ReplaceAll(b, nil) }

// checkTerminalSafe fails if out could do anything to a terminal but print
// text and end lines: after removing the renderer's own SGR sequences (in
// colour mode only) no control byte other than \n, no DEL, no C1 control
// and no invalid UTF-8 may remain.
func checkTerminalSafe(t *testing.T, out []byte, color bool) {
	t.Helper()
	if color {
		out = stripSGR(out)
	}
	if !utf8.Valid(out) {
		t.Errorf("output is not valid UTF-8: %q", out)
	}
	for i, r := range string(out) {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
			t.Errorf("control character %U at byte %d: %q", r, i, out[max(0, i-20):min(len(out), i+20)])
		}
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.color, tc.in())
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

// TestColorOnlyAddsSGR checks that colour changes nothing but the escape
// sequences, so that alignment and wording are the same on a terminal, in
// a file and in mail.
func TestColorOnlyAddsSGR(t *testing.T) {
	for _, in := range [][]any{stream(), hostile(), ruleAlerts()} {
		plain := render(t, false, in)
		color := render(t, true, in)
		if !bytes.Contains(color, []byte("\x1b[")) {
			t.Fatal("colour output has no SGR sequences")
		}
		if got := stripSGR(color); !bytes.Equal(plain, got) {
			t.Errorf("colour output without SGR differs from plain output\nplain:\n%s\nstripped:\n%s", plain, got)
		}
	}
}

// TestAlertWording pins the first line of each alert, which other tests
// and people's scripts grep for.
func TestAlertWording(t *testing.T) {
	tests := []struct {
		a    *event.Alert
		want string
	}{
		{firing("high_traffic"), "High traffic generated an alert - hits = 1206, triggered at 2019-02-07 21:12:36 +0000\n"},
		{resolved("high_traffic"), "High traffic alert recovered - hits = 1199, recovered at 2019-02-07 21:14:03 +0000\n"},
		{firing("api_burst"), "api_burst generated an alert - hits = 1206, triggered at 2019-02-07 21:12:36 +0000\n"},
		{resolved("api_burst"), "api_burst alert recovered - hits = 1199, recovered at 2019-02-07 21:14:03 +0000\n"},
	}
	for _, tc := range tests {
		for _, color := range []bool{false, true} {
			out := stripSGR(render(t, color, []any{tc.a}))
			first, _, _ := bytes.Cut(out, []byte("\n"))
			if got := string(first) + "\n"; got != tc.want {
				t.Errorf("color=%v:\nwant %q\ngot  %q", color, tc.want, got)
			}
		}
	}
}

type errWriter struct{}

var errWrite = errors.New("disk full")

func (errWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteError(t *testing.T) {
	r := New(errWriter{}, Options{})
	if err := r.Summary(normalSummary()); !errors.Is(err, errWrite) {
		t.Errorf("Summary: got %v, want %v", err, errWrite)
	}
	if err := r.Alert(firing("high_traffic")); !errors.Is(err, errWrite) {
		t.Errorf("Alert: got %v, want %v", err, errWrite)
	}
}

func BenchmarkSummary(b *testing.B) {
	for _, bc := range []struct {
		name string
		s    *event.Summary
	}{
		{"normal", normalSummary()},
		{"many", manySections()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := New(io.Discard, Options{Color: true})
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Summary(bc.s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
