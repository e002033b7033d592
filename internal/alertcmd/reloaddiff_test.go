package alertcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReloadSaysWhatChanged rewrites the rules file under a running stream
// and checks the notice of each reload: a rule whose annotations changed
// (same monitor, new rule record) and one whose threshold changed (new
// monitor) are "changed", a new one "added", a removed one "removed", and
// a file whose rules are the same as before "unchanged".
func TestReloadSaysWhatChanged(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rules.yaml")
	steps := []struct {
		rules, want string
	}{
		{`rules:
  - name: a
    expr: hits > 0 over 1s
    annotations: {runbook: "one"}
  - "b: hits > 0 over 1s"
  - "c: hits > 0 over 1s"
`, ""},
		{`rules:
  - name: a
    expr: hits > 0 over 1s
    annotations: {runbook: "two"}
  - "b: hits > 1 over 1s"
  - "d: hits > 0 over 1s"
`, "reloaded (the file changed): 3 rules in force; added d; changed a, b; removed c"},
		{`# the same rules
rules:
  - name: a
    expr: hits > 0 over 1s
    annotations: {runbook: "two"}
  - "b: hits > 1 over 1s"
  - "d: hits > 0 over 1s"
`, "reloaded (the file changed): 3 rules in force, unchanged"},
	}
	if err := os.WriteFile(file, []byte(steps[0].rules), 0o644); err != nil {
		t.Fatal(err)
	}
	l := startAlert(t, "--rules", file)
	l.tick(1000, 1)
	l.until(`"kind":"tick"`)
	for _, s := range steps[1:] {
		if err := os.WriteFile(file, []byte(s.rules), 0o644); err != nil {
			t.Fatal(err)
		}
		got := l.until(`reloaded`)
		if last := got[len(got)-1]; !strings.Contains(last, s.want) {
			t.Errorf("notice %q, want %q", last, s.want)
		}
	}
	l.in.Close()
	if err := <-l.done; err != nil {
		t.Fatal(err)
	}
}
