package dashboard

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestCtrlCInterrupts: Ctrl-C quits the dashboard and passes the interrupt
// on, so that the rest of the pipeline ends with it; q quits alone.
func TestCtrlCInterrupts(t *testing.T) {
	for _, tc := range []struct {
		key  tea.KeyPressMsg
		want int
	}{
		{tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, 1},
		{tea.KeyPressMsg{Code: 'q', Text: "q"}, 0},
	} {
		calls := 0
		m := tea.Model(New(Options{Interrupt: func() { calls++ }}))
		_, cmd := m.Update(tc.key)
		if cmd == nil {
			t.Fatalf("%s: does not quit", tc.key)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s: does not quit", tc.key)
		}
		if calls != tc.want {
			t.Errorf("%s: Interrupt called %d times, want %d", tc.key, calls, tc.want)
		}
	}
}
