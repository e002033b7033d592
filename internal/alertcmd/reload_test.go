package alertcmd

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// liveAlert runs the command in-process with its standard input and
// output as pipes, so a test can wait for what it writes before going on.
type liveAlert struct {
	t      *testing.T
	in     *io.PipeWriter
	lines  chan string
	stderr *lockedBuffer
	done   chan error
}

func startAlert(t *testing.T, args ...string) *liveAlert {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	l := &liveAlert{t: t, in: inW, lines: make(chan string, 1000), stderr: &lockedBuffer{}, done: make(chan error, 1)}
	app := New()
	app.Reader, app.Writer, app.ErrWriter = inR, outW, l.stderr
	app.ExitErrHandler = func(*cli.Context, error) {}
	go func() {
		err := app.RunContext(context.Background(), append([]string{name}, args...))
		outW.Close()
		l.done <- err
	}()
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			l.lines <- sc.Text()
		}
		close(l.lines)
	}()
	t.Cleanup(func() { inW.Close() })
	return l
}

// tick writes a tick record.
func (l *liveAlert) tick(ts, hits int) {
	fmt.Fprintf(l.in, `{"kind":"tick","ts":%d,"hits":%d,"bytes":0}`+"\n", ts, hits)
}

// request writes a request record of a section.
func (l *liveAlert) request(ts int64, section string) {
	fmt.Fprintf(l.in, `{"kind":"request","ts":%d,"section":%q,"status":200,"bytes":1}`+"\n", ts, section)
}

// until returns the output lines up to and including the first that
// contains want, or fails after a deadline.
func (l *liveAlert) until(want string) []string {
	l.t.Helper()
	var got []string
	deadline := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-l.lines:
			if !ok {
				l.t.Fatalf("output ended without %q; got %q; stderr %s", want, got, l.stderr.String())
			}
			got = append(got, line)
			if strings.Contains(line, want) {
				return got
			}
		case <-deadline:
			l.t.Fatalf("no %q within 10s; got %q; stderr %s", want, got, l.stderr.String())
		}
	}
}

// alerts returns the "name:state@ts" of the alert records among lines.
func alerts(t *testing.T, lines []string) []string {
	t.Helper()
	var out []string
	for _, line := range lines {
		var r struct {
			Kind, Name, State string
			TS                int64
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if r.Kind == "alert" {
			out = append(out, fmt.Sprintf("%s:%s@%d", r.Name, r.State, r.TS))
		}
	}
	return out
}

const rulesV1 = `rules:
  - "kept: hits > 0 over 1s"
  - "gone: hits > 0 over 1s"
`

// TestReloadWhenTheFileChanges edits the rules file under a running
// stream: a file that does not parse keeps the rules in force and says why
// with file:line, on stderr and in the stream; a good one takes effect at
// once, the removed rule's alert resolved, the unchanged rule still
// firing without a second notification, and the new rules announced.
func TestReloadWhenTheFileChanges(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(file, []byte(rulesV1), 0o644); err != nil {
		t.Fatal(err)
	}
	l := startAlert(t, "--rules", file)
	l.tick(1000, 1)
	l.tick(1001, 1)
	l.until(`"name":"gone","state":"firing"`)

	bad := rulesV1 + "  - \"oops: hits > lots over 1s\"\n"
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	got := l.until(`"kind":"notice"`)
	want := "--rules not reloaded (the file changed): " + file + ":4: column 14: want a threshold"
	var n struct{ Stage, Message string }
	json.Unmarshal([]byte(got[len(got)-1]), &n)
	if n.Stage != name || !strings.HasPrefix(n.Message, want) || !strings.HasSuffix(n.Message, "; the 2 rules in force stay") {
		t.Errorf("notice %q, want %q…", got[len(got)-1], want)
	}
	if !strings.Contains(l.stderr.String(), name+": "+want) {
		t.Errorf("stderr %q", l.stderr.String())
	}

	good := "rules:\n  - \"kept: hits > 0 over 1s\"\n  - \"added: hits > 5 over 1s\"\n"
	if err := os.WriteFile(file, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	got = l.until(`reloaded`)
	if a := alerts(t, got); strings.Join(a, " ") != "gone:resolved@1001" {
		t.Errorf("alerts at the reload: %q", a)
	}
	var rules []string
	for _, line := range got {
		var r struct {
			Kind, Name string
			Removed    bool
		}
		json.Unmarshal([]byte(line), &r)
		if r.Kind == "rule" {
			rules = append(rules, fmt.Sprintf("%s removed=%v", r.Name, r.Removed))
		}
	}
	if w := "kept removed=false,added removed=false,gone removed=true"; strings.Join(rules, ",") != w {
		t.Errorf("rule records: want %s\n got %s", w, strings.Join(rules, ","))
	}
	if w := "reloaded (the file changed): 2 rules in force; added added; removed gone"; !strings.Contains(got[len(got)-1], w) {
		t.Errorf("notice %q, want %q", got[len(got)-1], w)
	}

	// kept was firing and stays so: no second firing, and it resolves
	// when its condition ends.
	l.tick(1002, 1)
	l.tick(1003, 0)
	got = l.until(`"state":"resolved"`)
	if a := alerts(t, got); strings.Join(a, " ") != "kept:resolved@1003" {
		t.Errorf("after the reload: %q", a)
	}
	l.in.Close()
	if err := <-l.done; err != nil {
		t.Fatal(err)
	}
}
