package progress

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// clock is a clock the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Unix(1_700_000_000, 0)} }
func readAll(t *testing.T, r io.Reader) {
	t.Helper()
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
}

// lines counts n lines on m.
func lines(m *Meter, n int) {
	for range n {
		m.Line()
	}
}

// last returns the last drawing in what the terminal got, without its
// control sequences.
func last(term string) string {
	i := strings.LastIndex(term, "\r")
	return strings.TrimSuffix(term[i+1:], "\x1b[K")
}

func TestLine(t *testing.T) {
	c := newClock()
	var term bytes.Buffer
	m := New(&term, Options{Prog: "httpmon-parse", Files: 2, Total: 4000, Now: c.now, Width: func() int { return 200 }})
	readAll(t, m.Start("a.log", strings.NewReader(strings.Repeat("x", 1000)), 0))
	if want := "httpmon-parse: file 1/2, 0 B/3.9 KiB (0%), 0 lines: a.log"; last(term.String()) != want {
		t.Errorf("at the start:\n got %q\nwant %q", last(term.String()), want)
	}
	// 2 s later, 1000/4000 bytes and 2048 lines are done: 1024
	// lines/s, and the 3000 bytes left take 6 s at 500 B/s.
	lines(m, 1024)
	c.advance(2 * time.Second)
	lines(m, 1024)
	if want := "httpmon-parse: file 1/2, 1000 B/3.9 KiB (25%), 2048 lines, 1024 lines/s, ETA 6s: a.log"; last(term.String()) != want {
		t.Errorf("after 2s:\n got %q\nwant %q", last(term.String()), want)
	}
	m.End()
	c.advance(time.Second)
	// At the start of the second file: 3000 bytes left at 1000 B in 3 s.
	readAll(t, m.Start("b.log.gz", strings.NewReader(strings.Repeat("x", 2000)), 0))
	if want := "httpmon-parse: file 2/2, 1000 B/3.9 KiB (25%), 2048 lines, 683 lines/s, ETA 9s: b.log.gz"; last(term.String()) != want {
		t.Errorf("second file:\n got %q\nwant %q", last(term.String()), want)
	}
	m.Done()
	if !strings.HasSuffix(term.String(), "\r\x1b[K") {
		t.Errorf("Done left %q, want the line cleared", term.String()[max(0, term.Len()-20):])
	}
	n := term.Len()
	m.Line()
	m.Writer().Write([]byte("late\n"))
	if got := term.String()[n:]; got != "late\n" {
		t.Errorf("after Done: %q, want the message alone", got)
	}
}

// TestThrottle checks that the line is drawn at most once per Every
// however many lines go by.
func TestThrottle(t *testing.T) {
	c := newClock()
	var term bytes.Buffer
	m := New(&term, Options{Prog: "p", Files: 1, Total: 10, Now: c.now})
	m.Start("a", strings.NewReader(""), 0)
	draws := func() int { return strings.Count(term.String(), "\r") }
	lines(m, 100*checkEvery)
	if got := draws(); got != 1 {
		t.Errorf("%d drawings without the clock moving, want 1", got)
	}
	for range 8 {
		c.advance(Every / 2)
		lines(m, checkEvery)
	}
	if got := draws(); got != 5 {
		t.Errorf("%d drawings over 4 periods, want 5", got)
	}
}

// TestMessages checks that a message clears the line and the line comes
// back after it, so the two never share a line.
func TestMessages(t *testing.T) {
	c := newClock()
	var term bytes.Buffer
	m := New(&term, Options{Prog: "p", Files: 1, Total: 10, Now: c.now})
	m.Start("a", strings.NewReader(""), 0)
	term.Reset()
	m.Writer().Write([]byte("p: line 3: bad status\n"))
	want := "\r\x1b[Kp: line 3: bad status\n\rp: file 1/1, 0 B/10 B (0%), 0 lines: a\x1b[K"
	if term.String() != want {
		t.Errorf("terminal got\n %q\nwant\n %q", term.String(), want)
	}
}

func TestWidthAndEscapes(t *testing.T) {
	tests := []struct {
		name  string
		width int
		want  string
	}{
		{"evil\x1b[2J.log", 80, `p: file 1/1, 0 B/10 B (0%), 0 lines: evil\x1b[2J.log`},
		{"a-very-long-file-name.log", 50, "p: file 1/1, 0 B/10 B (0%), 0 lines: a-very-long…"},
		{"a.log", 20, "p: file 1/1, 0 B/10"},
	}
	for _, tc := range tests {
		var term bytes.Buffer
		m := New(&term, Options{Prog: "p", Files: 1, Total: 10, Width: func() int { return tc.width }})
		m.Start(tc.name, strings.NewReader(""), 0)
		got := last(term.String())
		if got != tc.want {
			t.Errorf("%q at %d columns:\n got %q\nwant %q", tc.name, tc.width, got, tc.want)
		}
		if n := len([]rune(got)); n >= tc.width {
			t.Errorf("%q at %d columns: %d columns drawn", tc.name, tc.width, n)
		}
	}
}

func TestNil(t *testing.T) {
	var m *Meter
	r := strings.NewReader("x")
	if m.Start("a", r, 0) != io.Reader(r) {
		t.Error("a nil meter changed the reader")
	}
	m.Line()
	m.End()
	m.Done()
}

func TestRate(t *testing.T) {
	for _, tc := range []struct {
		r    float64
		want string
	}{{0.0333333, "0.0333"}, {2.5, "2.5"}, {99.94, "99.9"}, {812345.4, "812345"}} {
		if got := string(appendRate(nil, tc.r)); got != tc.want {
			t.Errorf("appendRate(%v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// BenchmarkLine is the cost a line pays for the meter.
func BenchmarkLine(b *testing.B) {
	m := New(io.Discard, Options{Prog: "p", Files: 1, Total: 10})
	m.Start("a", strings.NewReader(""), 0)
	b.ReportAllocs()
	for b.Loop() {
		m.Line()
	}
}

// TestStartAfterSeek checks that the bytes a seek jumped over leave the
// total: the fraction, the rate and the ETA are those of what is read.
func TestStartAfterSeek(t *testing.T) {
	c := newClock()
	var term bytes.Buffer
	// Two files of 3000 bytes; the first is read from byte 2000 on.
	m := New(&term, Options{Prog: "p", Files: 2, Total: 6000, Now: c.now, Width: func() int { return 200 }})
	r := m.Start("a.log", strings.NewReader(strings.Repeat("x", 1000)), 2000)
	if want := "p: file 1/2, 0 B/3.9 KiB (0%), 0 lines: a.log"; last(term.String()) != want {
		t.Errorf("at the start:\n got %q\nwant %q", last(term.String()), want)
	}
	readAll(t, r)
	// 1000 of the 4000 bytes to read in 2 s: 3000 left take 6 s.
	c.advance(2 * time.Second)
	lines(m, 1024)
	if want := "p: file 1/2, 1000 B/3.9 KiB (25%), 1024 lines, 512 lines/s, ETA 6s: a.log"; last(term.String()) != want {
		t.Errorf("after 2s:\n got %q\nwant %q", last(term.String()), want)
	}
	m.End()
	readAll(t, m.Start("b.log", strings.NewReader(strings.Repeat("x", 3000)), 0))
	c.advance(time.Second)
	lines(m, 1024)
	if want := "p: file 2/2, 3.9 KiB/3.9 KiB (100%), 2048 lines, 683 lines/s, ETA 0s: b.log"; last(term.String()) != want {
		t.Errorf("at the end:\n got %q\nwant %q", last(term.String()), want)
	}
}
