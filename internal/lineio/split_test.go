package lineio

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// splitAll feeds input to a splitter in chunks of size bytes, as a reader
// would, and flushes it at the end.
func splitAll(s *Splitter, input string, size int) []result {
	var out []result
	add := func(line []byte, err error) {
		if err != nil {
			out = append(out, result{err: err.Error()})
			return
		}
		out = append(out, result{line: string(line)})
	}
	b := []byte(input)
	for len(b) > 0 {
		chunk := b[:min(size, len(b))]
		b = b[len(chunk):]
		for {
			line, rest, ok, err := s.Cut(chunk)
			if !ok {
				break
			}
			add(line, err)
			chunk = rest
		}
	}
	if line, ok, err := s.Flush(); ok {
		add(line, err)
	}
	return out
}

func TestSplitter(t *testing.T) {
	long := strings.Repeat("x", 20)
	tooLong := result{err: "line longer than 10 bytes, skipped"}
	tests := []struct {
		name  string
		input string
		skip  bool // start inside a line over the limit
		want  []result
	}{
		{"empty", "", false, nil},
		{"lines", "a\nbc\n", false, []result{{line: "a"}, {line: "bc"}}},
		{"no final newline", "a\nb", false, []result{{line: "a"}, {line: "b"}}},
		{"crlf", "a\r\nb\r", false, []result{{line: "a"}, {line: "b"}}},
		{"lone cr kept inside", "a\rb\n", false, []result{{line: "a\rb"}}},
		{"empty lines", "\n\nx\n", false, []result{{line: ""}, {line: ""}, {line: "x"}}},
		{"exactly max", "0123456789\n", false, []result{{line: "0123456789"}}},
		{"cr counts toward max", "0123456789\r\n", false, []result{tooLong}},
		{"too long", "ok\n" + long + "\nnext\n", false, []result{{line: "ok"}, tooLong, {line: "next"}}},
		{"too long at end", "ok\n" + long, false, []result{{line: "ok"}, tooLong}},
		{"skip to newline", "rest of a long one\nnext\n", true, []result{tooLong, {line: "next"}}},
		{"skip to end", "rest", true, []result{tooLong}},
	}
	for _, tc := range tests {
		for _, size := range []int{1, 2, 3, 7, 11, 1 << 10} {
			s := NewSplitter(10)
			if tc.skip {
				s.Skip()
			}
			got := splitAll(&s, tc.input, size)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s, chunks of %d:\nwant %q\n got %q", tc.name, size, tc.want, got)
			}
		}
	}
}

func TestSplitterReset(t *testing.T) {
	s := NewSplitter(10)
	if _, _, ok, _ := s.Cut([]byte("half a")); ok {
		t.Fatal("a chunk without a newline gave a line")
	}
	s.Reset()
	line, _, ok, err := s.Cut([]byte("b\n"))
	if !ok || err != nil || string(line) != "b" {
		t.Fatalf("after Reset want line %q, got %q, %v, %v", "b", line, ok, err)
	}
	s.Skip()
	s.Reset()
	if _, ok, _ := s.Flush(); ok {
		t.Fatal("Reset kept the line being skipped")
	}
}

func TestSplitterDefaultMax(t *testing.T) {
	s := NewSplitter(0)
	if s.MaxLine() != DefaultMaxLine {
		t.Fatalf("want MaxLine %d, got %d", DefaultMaxLine, s.MaxLine())
	}
	_, _, _, err := s.Cut([]byte(strings.Repeat("x", DefaultMaxLine+1) + "\n"))
	var tl *TooLongError
	if !errors.As(err, &tl) || tl.Limit != DefaultMaxLine {
		t.Fatalf("want a *TooLongError with the default limit, got %v", err)
	}
}

// TestSplitterAllocs checks that lines within one chunk, and a line carried
// across chunks once the carry has grown, cost no allocation.
func TestSplitterAllocs(t *testing.T) {
	s := NewSplitter(0)
	whole := []byte("GET / HTTP/1.1 200\nGET /a HTTP/1.1 404\n")
	head, tail := []byte("GET /b HT"), []byte("TP/1.1 500\n")
	s.Cut(head)
	s.Cut(tail)
	n := testing.AllocsPerRun(100, func() {
		for b := whole; ; {
			_, rest, ok, _ := s.Cut(b)
			if !ok {
				break
			}
			b = rest
		}
		s.Cut(head)
		s.Cut(tail)
	})
	if n != 0 {
		t.Fatalf("want 0 allocations per run, got %v", n)
	}
}

func BenchmarkCut(b *testing.B) {
	input := []byte(strings.Repeat(strings.Repeat("a", 180)+"\n", 1000))
	s := NewSplitter(0)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		for c := input; ; {
			_, rest, ok, _ := s.Cut(c)
			if !ok {
				break
			}
			c = rest
		}
	}
}
