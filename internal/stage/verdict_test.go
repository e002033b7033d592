package stage

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
)

// ndjsonApp is a stage that reads "request" records, like httpmon-window,
// or, with kinds, only those kinds, like httpmon-report.
func ndjsonApp(role Role) *cli.App {
	a := app(func(c *cli.Context) error {
		st, err := New(c)
		if err != nil {
			return err
		}
		err = st.Records(event.NewDecoder(),
			func(kind []byte) bool { return role.Kinds != nil || string(kind) == event.KindRequest },
			func([]byte, []byte) error { return nil })
		return st.Finish(err)
	})
	a.Metadata = role.Metadata()
	return a
}

func TestVerdict(t *testing.T) {
	window := Role{Input: "request records", From: "httpmon-parse"}
	report := Role{Kinds: []string{event.KindSummary, event.KindAlert}, Advice: "put httpmon-window before it", TextOutput: true}
	tests := []struct {
		name   string
		role   Role
		args   []string
		input  string
		code   int
		stderr string // its last line
		stdout string // its last line, for a stage that writes notices
	}{
		{"records", window, nil, `{"kind":"request","ts":1}` + "\n", ExitOK, "", ""},
		{"one bad among good", window, nil, "x\n" + `{"kind":"request","ts":1}` + "\n", ExitOK, "httpmon-test: 1 malformed input line skipped",
			`{"kind":"notice","stage":"httpmon-test","message":"1 malformed input line skipped","count":1}`},
		{"all bad", window, nil, "1.1.1.1 - - GET\nx\n", ExitError,
			`httpmon-test: all 2 input lines were rejected; the first: "1.1.1.1 - - GET"; it is not NDJSON: did you mean to put httpmon-parse first?`,
			`{"kind":"notice","stage":"httpmon-test","message":"all 2 input lines were rejected; the first: \"1.1.1.1 - - GET\"; it is not NDJSON: did you mean to put httpmon-parse first?","count":2}`},
		{"all bad, strict", window, []string{"--strict"}, "x\n", ExitError, `httpmon-test: all 1 input lines were rejected; the first: "x"; it is not NDJSON: did you mean to put httpmon-parse first?`, ""},
		{"empty", window, nil, "", ExitOK, "httpmon-test: the input was empty", `{"kind":"notice","stage":"httpmon-test","message":"the input was empty"}`},
		{"blank lines are empty", window, nil, "\n\r\n", ExitOK, "httpmon-test: the input was empty", ""},
		{"only notices from upstream", window, nil, `{"kind":"notice","stage":"httpmon-parse","message":"the input was empty"}` + "\n", ExitOK, "", ""},
		{"kinds not read", report, nil, `{"kind":"request","ts":1}` + "\n" + `{"kind":"tick","ts":1}` + "\n", ExitError,
			"httpmon-test: the input has no summary or alert records, only request and tick records; put httpmon-window before it", ""},
		{"kinds read", report, nil, `{"kind":"request","ts":1}` + "\n" + `{"kind":"summary"}` + "\n", ExitOK, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(ndjsonApp(tc.role), append([]string{"httpmon-test"}, tc.args...), strings.NewReader(tc.input), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if got := lastLine(stderr.String()); got != tc.stderr {
				t.Errorf("stderr ends with\n%s\nwant\n%s", got, tc.stderr)
			}
			if tc.stdout != "" {
				if got := lastLine(stdout.String()); got != tc.stdout {
					t.Errorf("stdout ends with\n%s\nwant\n%s", got, tc.stdout)
				}
			}
			if tc.role.TextOutput && strings.Contains(stdout.String(), "notice") {
				t.Errorf("notice records in text output: %q", stdout.String())
			}
		})
	}
}

func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
