package dashboard

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestNotices: upstream stages' notice records are shown, escaped, in a
// line of their own, the latest one with the count; after the dashboard
// closes the last maxNotices are printed with a count of the rest.
func TestNotices(t *testing.T) {
	lines := []string{tick1}
	for i := 1; i <= maxNotices+5; i++ {
		lines = append(lines, fmt.Sprintf(`{"kind":"notice","stage":"httpmon-window","input":"a.log","line":%d,"message":"field \"ts\": want a number \u001b[2J%d"}`, i, i))
	}
	lines = append(lines, `{"kind":"notice","stage":"httpmon-parse","message":"3 malformed input lines skipped","count":3}`)
	var ls [][]byte
	for _, l := range lines {
		ls = append(ls, []byte(l))
	}
	m := model(t, ls, false).(Model)
	f := m.frame
	if strings.Contains(f, "\x1b[2J") {
		t.Fatalf("raw escape from a notice on the screen")
	}
	rows := strings.Split(ansi.Strip(f), "\n")
	if len(rows) != 24 || !strings.HasPrefix(rows[22], "! httpmon-parse: 3 malformed input lines skipped  (26 notices") {
		t.Errorf("notice line: %q of %d rows", rows[len(rows)-2], len(rows))
	}
	var out bytes.Buffer
	WriteNotices(&out, m.State(), "httpmon-report")
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != maxNotices+1 || got[0] != "httpmon-report: 6 earlier notices from upstream stages not kept; the latest 20:" ||
		got[1] != `httpmon-window: a.log: line 7: field "ts": want a number \x1b[2J7` ||
		got[maxNotices] != "httpmon-parse: 3 malformed input lines skipped" {
		t.Errorf("after close:\n%s", out.String())
	}
	if bad := feedAll(t, [][]byte{[]byte(`{"kind":"notice","message":"x"}`)}); bad[len(bad)-1].Malformed != 1 {
		t.Errorf("a notice without its stage is not malformed")
	}
}

// TestRefreshRepaintsAll: every refresh redraws the whole screen, not only
// the cells that changed, so that anything another process wrote over the
// dashboard (the stderr of the stages before it) is gone within one refresh.
func TestRefreshRepaintsAll(t *testing.T) {
	// A short refresh, so that running the refresh clock's command is quick.
	m := tea.Model(New(Options{Threshold: 10, Window: 120, Refresh: time.Millisecond}))
	_, cmd := m.Update(refreshMsg{})
	if !yields(cmd, fmt.Sprintf("%T", tea.ClearScreen())) {
		t.Error("the refresh does not repaint the screen")
	}
	m = press(m, "p")
	if _, cmd = m.Update(refreshMsg{}); !yields(cmd, fmt.Sprintf("%T", tea.ClearScreen())) {
		t.Error("the paused refresh does not repaint the screen")
	}
}

// yields reports whether cmd, run with the batches it makes, produces a
// message of the type named.
func yields(cmd tea.Cmd, typ string) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			if c != nil && fmt.Sprintf("%T", c()) == typ {
				return true
			}
		}
	default:
		return fmt.Sprintf("%T", msg) == typ
	}
	return false
}
