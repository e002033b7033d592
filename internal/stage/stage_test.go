package stage

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

func app(action cli.ActionFunc) *cli.App {
	return &cli.App{
		Name:   "httpmon-test",
		Flags:  append([]cli.Flag{&cli.IntFlag{Name: "n", Value: 1}}, InputFlags("httpmon-test")...),
		Action: action,
	}
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		action     cli.ActionFunc
		code       int
		stdout     string
		stderrLike string
	}{
		{"ok", nil, func(c *cli.Context) error { fmt.Fprint(c.App.Writer, "out"); return nil }, ExitOK, "out", ""},
		{"unknown flag", []string{"--nope"}, nil, ExitUsage, "", "httpmon-test: unknown flag --nope (see --help)\n"},
		{"bad value", []string{"--n", "x"}, nil, ExitUsage, "", `httpmon-test: -n: "x" is not a whole number (see --help)` + "\n"},
		{"usage error from action", nil, func(*cli.Context) error { return UsageError("--n must be odd") }, ExitUsage, "", "httpmon-test: --n must be odd (see --help)\n"},
		{"runtime error", nil, func(*cli.Context) error { return errors.New("disk full") }, ExitError, "", "httpmon-test: disk full\n"},
		{"outside text escaped", nil, func(*cli.Context) error { return fmt.Errorf("open %s: no such file", "a\x1b[2Jb") }, ExitError, "", `httpmon-test: open a\x1b[2Jb: no such file` + "\n"},
		{"exit message escaped", nil, func(*cli.Context) error { return UsageError("--rules %s: bad", "\x9b31m") }, ExitUsage, "", `httpmon-test: --rules \x9b31m: bad (see --help)` + "\n"},
		{"broken pipe is quiet", nil, func(*cli.Context) error { return fmt.Errorf("write: %w", syscall.EPIPE) }, ExitOK, "", ""},
		{"strict", nil, func(*cli.Context) error { return cli.Exit("", ExitBadInput) }, ExitBadInput, "", ""},
		{"panic", nil, func(*cli.Context) error { panic("boom") }, ExitError, "", "httpmon-test: internal error: boom\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := app(tc.action)
			if tc.action == nil {
				a.Action = func(*cli.Context) error { t.Error("action ran"); return nil }
			}
			var stdout, stderr bytes.Buffer
			code := run(a, append([]string{"httpmon-test"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr.String())
			}
			if stdout.String() != tc.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tc.stdout)
			}
			if tc.name == "panic" {
				if !strings.HasPrefix(stderr.String(), tc.stderrLike) {
					t.Errorf("stderr %q", stderr.String())
				}
				return
			}
			if stderr.String() != tc.stderrLike {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.stderrLike)
			}
		})
	}
}

func TestRejectsRateLimit(t *testing.T) {
	var errw bytes.Buffer
	path := filepath.Join(t.TempDir(), "rejects")
	r, err := NewRejects("p", &errw, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	r.now = func() time.Time { return now }
	for i := 1; i <= 25; i++ {
		r.Report("f.log", int64(i), []byte(fmt.Sprintf("bad %d", i)), errors.New("nope"))
	}
	now = now.Add(1500 * time.Millisecond)
	r.Report("f.log", 26, []byte("bad 26"), errors.New("nope"))
	r.Summary()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(errw.String()), "\n")
	// 10 in the burst, then the one after the pause with the count of the
	// hidden ones, then the total.
	if len(lines) != 12 {
		t.Fatalf("got %d lines:\n%s", len(lines), errw.String())
	}
	if lines[0] != "p: f.log: line 1: nope" {
		t.Errorf("first: %q", lines[0])
	}
	if lines[10] != "p: f.log: line 26: nope (15 more not shown)" {
		t.Errorf("after pause: %q", lines[10])
	}
	if lines[11] != "p: 26 malformed input lines skipped, saved to "+path {
		t.Errorf("total: %q", lines[11])
	}
	saved, _ := os.ReadFile(path)
	if n := strings.Count(string(saved), "\n"); n != 26 {
		t.Errorf("rejects file has %d lines", n)
	}
	if r.Count() != 26 {
		t.Errorf("count %d", r.Count())
	}
}

func TestEnvVar(t *testing.T) {
	if got := EnvVar("httpmon-window", "max-gap"); got != "HTTPMON_WINDOW_MAX_GAP" {
		t.Errorf("got %q", got)
	}
}
