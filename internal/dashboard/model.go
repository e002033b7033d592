// Package dashboard is the live terminal view of httpmon-report: a Bubble
// Tea model that shows the traffic graph, status classes, top sections and
// alerts from the records of an httpmon pipeline.
//
// Records are read and decoded on their own goroutine (Feed) and reach the
// model in batches; the model applies them to a State at once but draws the
// screen only on its refresh tick, on a key or a resize, so a fast replay
// costs one frame per refresh, not one per record.
package dashboard

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Options configure a Model.
type Options struct {
	// Feed delivers the records; Feed (the function) fills it.
	Feed <-chan Batch
	// Refresh is how often the screen is redrawn while records arrive.
	Refresh time.Duration
	// Threshold, in requests per second, and Window, in seconds, are the
	// alert rule's, drawn on the graph until an alert record carries its
	// own.
	Threshold float64
	Window    int64
	// Interrupt is called on Ctrl-C, which the terminal in raw mode hands
	// to the dashboard as a key instead of sending SIGINT to the whole
	// pipeline: it lets the command pass the interrupt on, so that one
	// Ctrl-C ends every stage as it would without the dashboard.
	Interrupt func()
}

// Model is the dashboard's Bubble Tea model.
type Model struct {
	opt   Options
	live  *State
	shown *State // a frozen copy while paused, else live
	ui    ui
	frame string
	dirty bool
}

type refreshMsg struct{}

// New returns a Model for an 80x24 terminal until told the real size.
func New(opt Options) Model {
	if opt.Refresh <= 0 {
		opt.Refresh = time.Second
	}
	st := NewState(opt.Threshold, opt.Window)
	m := Model{opt: opt, live: st, shown: st, ui: ui{width: 80, height: 24}}
	m.frame = render(m.shown, m.ui)
	return m
}

// Init starts reading batches and the refresh clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.next(), m.tick())
}

func (m Model) next() tea.Cmd {
	if m.opt.Feed == nil {
		return nil
	}
	feed := m.opt.Feed
	return func() tea.Msg {
		b, ok := <-feed
		if !ok {
			return Batch{End: true}
		}
		return b
	}
}

func (m Model) tick() tea.Cmd {
	return tea.Tick(m.opt.Refresh, func(time.Time) tea.Msg { return refreshMsg{} })
}

// Update applies a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case Batch:
		m.live.take(&msg)
		if !msg.End {
			m.dirty = true
			return m, m.next()
		}
		// A person waits for this one; it is drawn now, not at the next
		// refresh. A paused screen still learns that input ended.
		if m.ui.paused {
			m.shown.end(msg.Err)
		}
		m.redraw()
		return m, nil
	case refreshMsg:
		if m.dirty && !m.ui.paused {
			m.redraw()
		}
		// The whole screen is written again, not only the cells that
		// changed: the stages before the report share its terminal, and
		// their stderr lands on it. What they wrote is gone within one
		// refresh (and their notices are on the dashboard's own line).
		return m, tea.Batch(m.tick(), tea.ClearScreen)
	case tea.WindowSizeMsg:
		m.ui.width, m.ui.height = msg.Width, msg.Height
		m.redraw()
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch k.String() {
	case "ctrl+c":
		if m.opt.Interrupt != nil {
			m.opt.Interrupt()
		}
		return m, tea.Quit
	case "q", "esc":
		return m, tea.Quit
	case "p", "space":
		m.ui.paused = !m.ui.paused
		if m.ui.paused {
			m.shown = m.live.Clone()
		} else {
			m.shown = m.live
		}
	case "s":
		m.ui.sort = (m.ui.sort + 1) % numSortKeys
		m.ui.scroll = 0
	case "S":
		m.ui.sort = (m.ui.sort + numSortKeys - 1) % numSortKeys
		m.ui.scroll = 0
	case "t":
		// Between the last interval and the whole run of a replay.
		m.ui.whole = !m.ui.whole
		m.ui.scroll = 0
	case "up", "k":
		m.ui.scroll = max(0, m.clampScroll()-1)
	case "down", "j":
		m.ui.scroll = m.clampScroll() + 1
	case "pgup":
		m.ui.scroll = max(0, m.clampScroll()-10)
	case "pgdown":
		m.ui.scroll = m.clampScroll() + 10
	case "home", "g":
		m.ui.scroll = 0
	default:
		return m, nil
	}
	m.redraw()
	return m, nil
}

// clampScroll returns the scroll offset the view really uses, so that
// keys pressed past the end do not pile up.
func (m Model) clampScroll() int {
	return min(m.ui.scroll, maxScroll(m.shown.view(m.ui.whole), m.sectionRows()))
}

// sectionRows returns how many section rows the layout has room for.
func (m Model) sectionRows() int {
	st := m.shown.view(m.ui.whole)
	p, _ := layout(st, bodyRows(st, m.ui.height))
	return p.sections
}

func (m *Model) redraw() {
	m.ui.scroll = m.clampScroll()
	m.frame = render(m.shown, m.ui)
	m.dirty = false
}

// View returns the last frame drawn, on the alternate screen so that the
// shell's scrollback is left as it was.
func (m Model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	return v
}

// InputErr returns the error that ended the input, or nil when it ended
// normally or has not ended.
func (m Model) InputErr() error { return m.live.err }

// State returns the live state, for tests and for the command to report
// on after the program ends.
func (m Model) State() *State { return m.live }
