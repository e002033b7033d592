package logfmt

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

const (
	clfLine  = `10.0.0.1 - - [09/May/2018:16:00:01 +0000] "GET /a HTTP/1.1" 200 1`
	csvLine  = `"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234`
	csvHead  = `"remotehost","rfc931","authuser","date","request","status","bytes"`
	tornLine = `"http://semicomplete.com/presentations/" "Mozilla/5.0 (X11; Linux x86_64)"`
)

// The format of an input is settled by the first line that parses in a
// format, not by the look of its first line; a line in another format is
// rejected as such; a run of them switches the input to their format.
func TestDetector(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format // given, Auto to detect
		lines  []string
		want   []string // per line: "ok", "header" or a part of the error
		final  Format
	}{
		{"torn first line", Auto, []string{tornLine, clfLine, clfLine},
			[]string{"junk after quoted remotehost", "ok", "ok"}, Combined},
		{"csv after a torn line", Auto, []string{"-01 +0000] \"GET / HTTP/1.1\" 200 1", csvLine},
			[]string{`missing " [" before timestamp`, "ok"}, CSV},
		{"clf first line", Auto, []string{clfLine, clfLine}, []string{"ok", "ok"}, Combined},
		{"csv header", Auto, []string{csvHead, csvLine, csvHead, csvLine},
			[]string{"header", "ok", "header", "ok"}, CSV},
		{"csv line in a clf log", Auto, []string{clfLine, csvLine, clfLine},
			[]string{"ok", `not in the detected combined format (missing " [" before timestamp)`, "ok"}, Combined},
		{"clf line in a csv log", Auto, []string{csvLine, clfLine, csvLine},
			[]string{"ok", "not in the detected csv format (missing rfc931 field)", "ok"}, CSV},
		{"garbage in a clf log keeps its reason", Auto, []string{clfLine, "garbage", "garbage", "garbage", clfLine},
			[]string{"ok", `missing " [" before timestamp`, `missing " [" before timestamp`, `missing " [" before timestamp`, "ok"}, Combined},
		{"a run of another format switches", Auto, []string{clfLine, csvLine, csvLine, csvLine, csvLine, clfLine},
			[]string{"ok", "not in the detected combined format", "not in the detected combined format", "ok", "ok", "not in the detected csv format"}, CSV},
		{"a run broken by a good line does not", Auto, []string{clfLine, csvLine, csvLine, clfLine, csvLine, csvLine, clfLine},
			[]string{"ok", "not in the detected", "not in the detected", "ok", "not in the detected", "not in the detected", "ok"}, Combined},
		{"given format is kept", CSV, []string{csvHead, clfLine, clfLine, clfLine, clfLine, csvLine},
			[]string{"header", "missing rfc931 field", "missing rfc931 field", "missing rfc931 field", "missing rfc931 field", "ok"}, CSV},
	} {
		t.Run(tc.name, func(t *testing.T) { checkDetector(t, tc.format, tc.lines, tc.want, tc.final) })
	}
}

// A real log read from the middle of a line, as `tail -n +N` or a
// follower starting at an offset gives it, loses only that line. The cut
// is inside the referer, so the first line starts with a quote.
func TestDetectorTornRealLog(t *testing.T) {
	lines := readLines(t, "elastic_apache_logs.log.gz")[659:]
	cut := bytes.Index(lines[0], []byte(`"http`))
	if cut < 0 {
		t.Fatalf("line 660 has no referer: %q", lines[0])
	}
	lines[0] = lines[0][cut:]
	d := NewDetector(Auto)
	var p Parser
	var r event.Request
	var bad []string
	for i, l := range lines {
		if _, err := d.Parse(&p, l, &r); err != nil {
			bad = append(bad, fmt.Sprintf("line %d: %v", i+1, err))
		}
	}
	if len(bad) != 1 || !strings.HasPrefix(bad[0], "line 1: ") {
		t.Fatalf("%d of %d lines rejected, want only the first: %q", len(bad), len(lines), bad[:min(len(bad), 3)])
	}
}

// A line in the settled format costs nothing more than Parse.
func TestDetectorAllocs(t *testing.T) {
	d := NewDetector(Auto)
	var p Parser
	var r event.Request
	line := []byte(clfLine)
	if n := testing.AllocsPerRun(100, func() { d.Parse(&p, line, &r) }); n != 0 {
		t.Fatalf("%v allocations per line", n)
	}
}

// checkDetector feeds lines to a Detector for format and checks each
// line's outcome, "ok", "header" or a part of its error, and the format
// it settles on.
func checkDetector(t *testing.T, format Format, lines, want []string, final Format) {
	t.Helper()
	d := NewDetector(format)
	var p Parser
	var r event.Request
	for i, l := range lines {
		header, err := d.Parse(&p, []byte(l), &r)
		got := "ok"
		switch {
		case err != nil:
			got = err.Error()
		case header:
			got = "header"
		}
		if got == "ok" && r.TS == 0 {
			t.Errorf("line %d: parsed, but the request is empty", i+1)
		}
		if !strings.Contains(got, want[i]) || (want[i] == "ok") != (got == "ok") {
			t.Errorf("line %d %.60q: got %q, want %q", i+1, l, got, want[i])
		}
	}
	if d.Format() != final {
		t.Errorf("format %v, want %v", d.Format(), final)
	}
}
