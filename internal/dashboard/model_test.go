package dashboard

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/httpmon/httpmon/internal/event"
)

// updating reports whether -update was given; the flag is defined by
// the golden-file package that teatest uses.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// model returns a dashboard that has taken the first n lines of the burst
// stream, and whether the feed said the input ended.
func model(t testing.TB, lines [][]byte, end bool) tea.Model {
	t.Helper()
	m := tea.Model(New(Options{Threshold: 10, Window: 120}))
	batches := feedAll(t, lines)
	if !end {
		last := &batches[len(batches)-1]
		last.End = false
	}
	for _, b := range batches {
		m, _ = m.Update(b)
	}
	// Batches are drawn on the refresh tick.
	m, _ = m.Update(refreshMsg{})
	return m
}

func resize(m tea.Model, w, h int) tea.Model {
	m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func press(m tea.Model, keys ...string) tea.Model {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		m, _ = m.Update(msg)
	}
	return m
}

// frame returns the screen as text, without styling.
func frame(m tea.Model) string { return ansi.Strip(m.View().Content) }

// checkGolden compares got with testdata/name.golden.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden frame:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// firingAt returns how many lines of the burst stream end 30 seconds
// after the alert fired, in the middle of the burst.
func firingAt(t testing.TB, lines [][]byte) int {
	for i, l := range lines {
		if bytes.Contains(l, []byte(`"state":"firing"`)) {
			return i + 33 // three summaries among the next 30 ticks
		}
	}
	t.Fatal("no firing alert in the stream")
	return 0
}

func TestGoldenFrames(t *testing.T) {
	lines := burstLines(t)
	firing := firingAt(t, lines)
	sizes := [][2]int{{80, 24}, {120, 40}}
	cases := []struct {
		name string
		m    func() tea.Model
	}{
		{"waiting", func() tea.Model { return New(Options{Threshold: 10, Window: 120}) }},
		{"firing", func() tea.Model { return model(t, lines[:firing], false) }},
		{"ended", func() tea.Model { return model(t, lines, true) }},
		{"ended_by_5xx", func() tea.Model { return press(model(t, lines, true), "s", "s", "s") }},
		{"paused_scrolled", func() tea.Model { return press(model(t, lines[:firing], false), "p", "down", "down") }},
	}
	for _, c := range cases {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s_%dx%d", c.name, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				checkGolden(t, name, frame(resize(c.m(), sz[0], sz[1])))
			})
		}
	}
}

// TestFrameFits checks that no size, however odd, draws a line wider than
// the terminal or more lines than it has.
func TestFrameFits(t *testing.T) {
	lines := burstLines(t)
	n := firingAt(t, lines)
	t.Run("one alert", func(t *testing.T) { checkFits(t, model(t, lines[:n], false)) })
	// Four rules firing at once take four banner rows from the body.
	more := slices.Clone(lines[:n])
	for _, name := range []string{"errors", "latency", "disk"} {
		more = append(more, []byte(`{"kind":"alert","name":"`+name+`","state":"firing","ts":1549574340,"hits":5,"threshold":1,"window":60,"rate":2}`))
	}
	t.Run("four alerts", func(t *testing.T) { checkFits(t, model(t, more, false)) })
}

func checkFits(t *testing.T, m tea.Model) {
	for w := 1; w <= 200; w += 7 {
		for h := 1; h <= 60; h++ {
			f := resize(m, w, h).View().Content
			rows := strings.Split(f, "\n")
			if len(rows) > h {
				t.Errorf("%dx%d: %d lines", w, h, len(rows))
			}
			for i, r := range rows {
				if rw := ansi.StringWidth(r); rw > w {
					t.Errorf("%dx%d: line %d is %d wide: %q", w, h, i, rw, ansi.Strip(r))
				}
			}
		}
	}
}

func TestBannerAndErrorsStandOut(t *testing.T) {
	lines := burstLines(t)
	m := resize(model(t, lines[:firingAt(t, lines)], false), 80, 24)
	f := m.View().Content
	banner := strings.Split(f, "\n")[1]
	if !strings.Contains(ansi.Strip(banner), "ALERT High traffic firing since 21:18:35 - hits = 1221") {
		t.Fatalf("second line is not the alert banner: %q", ansi.Strip(banner))
	}
	// Reverse video survives NO_COLOR, which only drops colours.
	if !strings.Contains(banner, "\x1b[1;7;31m") && !strings.Contains(banner, ";7") {
		t.Errorf("banner is not in reverse video: %q", banner)
	}
	var status string
	for _, l := range strings.Split(f, "\n") {
		if strings.HasPrefix(ansi.Strip(l), "since start") {
			status = l
		}
	}
	five := styleErr5.Render("5xx 33")
	if !strings.Contains(status, five) {
		t.Errorf("since-start 5xx count is not styled as an error: %q", status)
	}
}

func TestHostileLogDataIsEscaped(t *testing.T) {
	in := []byte(`{"kind":"tick","ts":100,"hits":1,"bytes":1,"status":{"5xx":1}}
{"kind":"summary","start":100,"end":110,"hits":1,"rps":0.1,"bytes":1,"status":{"5xx":1},"sections_total":1,"sections":[{"section":"/a\u001b[2J\u202e","hits":1,"bytes":1,"4xx":0,"5xx":1,"top_path":"/a\u001b]0;pwned\u0007","top_bytes":1}]}
{"kind":"alert","name":"evil\u001b[31m","state":"firing","ts":100,"hits":1,"threshold":10,"window":120,"rate":0.01}
`)
	ch := make(chan Batch)
	go Feed(bytes.NewReader(in), ch, FeedOptions{})
	m := tea.Model(New(Options{Threshold: 10, Window: 120}))
	for b := range ch {
		m, _ = m.Update(b)
		if b.End {
			break
		}
	}
	m = resize(m, 120, 30)
	f := m.View().Content
	for _, bad := range []string{"\x1b[2J", "\u202e", "\x1b]0", "\x07", "\x1b[31m"} {
		if strings.Contains(f, bad) {
			t.Errorf("frame contains %q from the log", bad)
		}
	}
	plain := frame(m)
	for _, want := range []string{`/a\x1b[2J\u202e`, `/a\x1b]0;pwned\x07`, `ALERT evil\x1b[31m firing`} {
		if !strings.Contains(plain, want) {
			t.Errorf("frame lacks the escaped form %s:\n%s", want, plain)
		}
	}
}

// TestOtherRules checks that a rule the dashboard knows nothing about is
// shown by its name, with what its records carry and nothing made up.
func TestOtherRules(t *testing.T) {
	m := tea.Model(New(Options{Threshold: 10, Window: 120}))
	m, _ = m.Update(Batch{Records: []Record{
		{Tick: &event.Tick{TS: 1549573860, Hits: 3}},
		{Alert: &Alert{Name: "error_ratio", Firing: true, TS: 1549573860}},
		{Alert: &Alert{Name: "disk_full", Firing: false, TS: 1549573860, Hits: 7}},
	}, End: true})
	f := frame(resize(m, 80, 24))
	have := map[string]bool{}
	for _, l := range strings.Split(f, "\n") {
		have[strings.TrimRight(l, " ")] = true
	}
	for _, want := range []string{
		" ▲ ALERT error_ratio firing since 21:11:00",
		"FIRING error_ratio fired 21:11:00",
		"disk_full (fired before input began)  resolved 21:11:00 hits = 7",
	} {
		if !have[want] {
			t.Errorf("frame lacks the line %q:\n%s", want, f)
		}
	}
	if !strings.Contains(f, "threshold 10 req/s") {
		t.Errorf("frame lacks the threshold from the flag:\n%s", f)
	}
}

func TestRefreshDrawsBatches(t *testing.T) {
	lines := burstLines(t)
	m := tea.Model(New(Options{Feed: make(chan Batch), Threshold: 10, Window: 120, Refresh: time.Second}))
	before := frame(m)
	b := feedAll(t, lines[:100])[0]
	b.End = false
	m, cmd := m.Update(b)
	if cmd == nil {
		t.Error("a batch that is not the last one asks for no more")
	}
	if frame(m) != before {
		t.Error("a batch redrew the screen before the refresh tick")
	}
	m, _ = m.Update(refreshMsg{})
	if frame(m) == before {
		t.Error("the refresh tick did not draw the batch")
	}
}

func TestPauseFreezesTheScreen(t *testing.T) {
	lines := burstLines(t)
	m := press(model(t, lines[:200], false), "p")
	paused := frame(m)
	if !strings.Contains(paused, "PAUSED") {
		t.Fatalf("no PAUSED marker:\n%s", paused)
	}
	for _, b := range feedAll(t, lines[200:400]) {
		b.End = false
		m, _ = m.Update(b)
	}
	m, _ = m.Update(refreshMsg{})
	if got := frame(m); got != paused {
		t.Errorf("paused screen changed:\n%s", got)
	}
	m = press(m, "p")
	if got := frame(m); strings.Contains(got, "PAUSED") || got == paused {
		t.Errorf("resuming did not show the records taken while paused:\n%s", got)
	}
}

func TestSortCyclesAndScrollClamps(t *testing.T) {
	lines := burstLines(t)
	m := resize(model(t, lines, true), 80, 24)
	for _, want := range []string{"bytes", "4xx", "5xx", "name", "hits"} {
		m = press(m, "s")
		if got := frame(m); !strings.Contains(got, "sort:"+want) || !strings.Contains(got, "by "+want) {
			t.Errorf("after s, want sort %s:\n%s", want, got)
		}
	}
	if m = press(m, "S"); !strings.Contains(frame(m), "sort:name") {
		t.Errorf("S does not go back to name:\n%s", frame(m))
	}
	m = press(m, "s")
	m = press(m, "down", "down", "down", "down", "down", "down", "down", "down", "down", "down")
	m = press(m, "up")
	got := frame(m)
	if !strings.Contains(got, "↑0") && !strings.Contains(got, "↑") {
		t.Errorf("no scroll marker:\n%s", got)
	}
	// Past the end, one up moves one row: the offset did not run on.
	if strings.Contains(got, "↓0") {
		t.Errorf("bad scroll marker:\n%s", got)
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []tea.KeyPressMsg{{Code: 'q', Text: "q"}, {Code: 'c', Mod: tea.ModCtrl}, {Code: tea.KeyEscape}} {
		_, cmd := New(Options{}).Update(k)
		if cmd == nil {
			t.Errorf("%s: no command", k)
			continue
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", k)
		}
	}
}

// TestProgram runs the model in a real Bubble Tea program, with the feed
// on its goroutine, and drives it with keys as a person would.
func TestProgram(t *testing.T) {
	lines := burstLines(t)
	ch := make(chan Batch)
	go Feed(bytes.NewReader(bytes.Join(lines, []byte("\n"))), ch, FeedOptions{})
	tm := teatest.NewTestModel(t, New(Options{Feed: ch, Threshold: 10, Window: 120, Refresh: 10 * time.Millisecond}),
		teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("input ended"))
	}, teatest.WithDuration(10*time.Second))
	tm.Type("s")
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	st := final.State()
	if st.total != 6800 || !st.ended || len(st.history) != 1 || !st.history[0].Resolved {
		t.Errorf("final state: total %d, ended %v, %d alerts", st.total, st.ended, len(st.history))
	}
	if final.ui.sort != SortBytes {
		t.Errorf("sort after s: %s", final.ui.sort)
	}
}

type panicky struct{ Model }

func (p panicky) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "x" {
		panic("boom")
	}
	m, cmd := p.Model.Update(msg)
	return panicky{m.(Model)}, cmd
}

// syncBuffer is a bytes.Buffer that the program's renderer may write
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPanicRestoresTerminal checks what the command relies on: Bubble Tea
// recovers a panic in the model, leaves the alternate screen, shows the
// cursor again, prints the panic and returns it as an error.
func TestPanicRestoresTerminal(t *testing.T) {
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = stderr // where Bubble Tea prints the panic
	defer func() { os.Stderr = saved }()

	var out syncBuffer
	keys, press := io.Pipe()
	go func() {
		// Crash only once the dashboard is on the screen.
		for !strings.Contains(out.String(), "waiting for records") {
			time.Sleep(5 * time.Millisecond)
		}
		press.Write([]byte("x"))
	}()
	p := tea.NewProgram(panicky{New(Options{})}, tea.WithInput(keys), tea.WithOutput(&out),
		tea.WithWindowSize(80, 24), tea.WithoutSignalHandler())
	_, err = p.Run()
	press.Close()
	if !errors.Is(err, tea.ErrProgramPanic) {
		t.Fatalf("Run: %v, want ErrProgramPanic", err)
	}
	s := out.String()
	enter := strings.Index(s, ansi.SetModeAltScreenSaveCursor)
	leave := strings.LastIndex(s, ansi.ResetModeAltScreenSaveCursor)
	if enter < 0 || leave < enter {
		t.Errorf("alternate screen not left: entered at %d, left at %d", enter, leave)
	}
	if !strings.Contains(s[max(0, leave):], ansi.ShowCursor) {
		t.Errorf("cursor not shown after leaving the alternate screen: %q", s[max(0, leave):])
	}
	msg, _ := os.ReadFile(stderr.Name())
	if !bytes.Contains(msg, []byte("Caught panic")) || !bytes.Contains(msg, []byte("boom")) {
		t.Errorf("panic not reported: %q", msg)
	}
}
