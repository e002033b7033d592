package lineio

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

type result struct {
	line string
	err  string
}

func readAll(t *testing.T, r *Reader) []result {
	t.Helper()
	var out []result
	for {
		l, err := r.Next()
		if err == io.EOF || errors.Is(err, ErrInterrupted) {
			return out
		}
		if err != nil {
			out = append(out, result{err: err.Error()})
			continue
		}
		out = append(out, result{line: string(l)})
	}
}

func TestNext(t *testing.T) {
	long := strings.Repeat("x", 20)
	tests := []struct {
		name  string
		input string
		max   int
		want  []result
	}{
		{"empty", "", 0, nil},
		{"one line", "a\n", 0, []result{{line: "a"}}},
		{"no final newline", "a\nb", 0, []result{{line: "a"}, {line: "b"}}},
		{"crlf", "a\r\nb\r\n", 0, []result{{line: "a"}, {line: "b"}}},
		{"lone cr kept inside", "a\rb\n", 0, []result{{line: "a\rb"}}},
		{"empty lines", "\n\nx\n", 0, []result{{line: ""}, {line: ""}, {line: "x"}}},
		{"too long skipped", "ok\n" + long + "\nnext\n", 10, []result{{line: "ok"}, {err: "line longer than 10 bytes, skipped"}, {line: "next"}}},
		{"too long at end", "ok\n" + long, 10, []result{{line: "ok"}, {err: "line longer than 10 bytes, skipped"}}},
		{"exactly max", "0123456789\n", 10, []result{{line: "0123456789"}}},
	}
	for _, tc := range tests {
		for _, wrap := range []struct {
			name string
			f    func(io.Reader) io.Reader
		}{{"whole", func(r io.Reader) io.Reader { return r }}, {"bytewise", iotest.OneByteReader}} {
			t.Run(tc.name+"/"+wrap.name, func(t *testing.T) {
				r := NewReader(wrap.f(strings.NewReader(tc.input)), Options{MaxLine: tc.max})
				got := readAll(t, r)
				if len(got) != len(tc.want) {
					t.Fatalf("want %q\n got %q", tc.want, got)
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Fatalf("want %q\n got %q", tc.want, got)
					}
				}
			})
		}
	}
}

func TestLineNumbers(t *testing.T) {
	r := NewReader(strings.NewReader("a\n"+strings.Repeat("y", 50)+"\nc\n"), Options{MaxLine: 8})
	var nums []int64
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		nums = append(nums, r.Line())
	}
	if len(nums) != 3 || nums[0] != 1 || nums[1] != 2 || nums[2] != 3 {
		t.Fatalf("line numbers %v", nums)
	}
}

func TestLongLinesAcrossChunks(t *testing.T) {
	big := strings.Repeat("z", 3*chunkSize+17)
	r := NewReader(strings.NewReader("a\n"+big+"\nb\n"), Options{})
	got := readAll(t, r)
	if len(got) != 3 || got[1].line != big || got[2].line != "b" {
		t.Fatalf("got %d lines", len(got))
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(boom)), Options{})
	if l, err := r.Next(); err != nil || string(l) != "a" {
		t.Fatalf("got %q %v", l, err)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Fatalf("want boom, got %v", err)
	}
}

// A pipe lets the test control when input arrives, as a live tail does.
func TestIdleAndDone(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	idle := 0
	r := NewReader(pr, Options{Done: done, OnIdle: func() error { idle++; return nil }})
	go func() { _, _ = pw.Write([]byte("one\n")) }()
	if l, err := r.Next(); err != nil || string(l) != "one" {
		t.Fatalf("got %q %v", l, err)
	}
	if idle == 0 {
		t.Error("OnIdle did not run before blocking")
	}
	go func() { _, _ = pw.Write([]byte("partial")) }()
	time.Sleep(20 * time.Millisecond)
	close(done)
	if _, err := r.Next(); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("want ErrInterrupted, got %v", err)
	}
}

func TestDrainAfterDone(t *testing.T) {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	close(done)
	r := NewReader(pr, Options{Done: done, Drain: 5 * time.Second})
	go func() {
		_, _ = pw.Write([]byte("late\n"))
		pw.Close()
	}()
	if l, err := r.Next(); err != nil || string(l) != "late" {
		t.Fatalf("drain lost a line: %q %v", l, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func TestIdleError(t *testing.T) {
	pr, _ := io.Pipe()
	boom := errors.New("flush failed")
	r := NewReader(pr, Options{OnIdle: func() error { return boom }})
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Fatalf("want idle error, got %v", err)
	}
}

// While input stays silent, OnIdle keeps running at IdleEvery, and an error
// from a later call ends the wait.
func TestIdleEvery(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	calls := make(chan int, 10)
	n := 0
	stop := errors.New("enough")
	r := NewReader(pr, Options{IdleEvery: time.Millisecond, OnIdle: func() error {
		n++
		calls <- n
		if n == 3 {
			return stop
		}
		return nil
	}})
	if _, err := r.Next(); !errors.Is(err, stop) {
		t.Fatalf("want the third OnIdle's error, got %v", err)
	}
	if len(calls) != 3 {
		t.Fatalf("OnIdle ran %d times, want 3", len(calls))
	}
}

func BenchmarkNext(b *testing.B) {
	line := strings.Repeat("a", 180) + "\n"
	input := strings.Repeat(line, 10000)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(strings.NewReader(input), Options{})
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}

// Stop ends reading at once, even while a drain period is running: the
// output has nowhere to go.
func TestStopSkipsDrain(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	done, stop := make(chan struct{}), make(chan struct{})
	r := NewReader(pr, Options{Done: done, Stop: stop, Drain: time.Hour})
	close(done)
	go func() {
		pw.Write([]byte("a\n"))
		close(stop)
	}()
	for {
		_, err := r.Next()
		if errors.Is(err, ErrInterrupted) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestBlank(t *testing.T) {
	r := NewReader(strings.NewReader("\n\r\nx\n\n"), Options{})
	readAll(t, r)
	if r.Line() != 4 || r.Blank() != 3 {
		t.Errorf("lines %d blank %d, want 4 and 3", r.Line(), r.Blank())
	}
}
