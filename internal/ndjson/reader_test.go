package ndjson

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/lineio"
)

func TestReader(t *testing.T) {
	long := `{"kind":"tick","pad":"` + strings.Repeat("x", 100) + `"}`
	tests := []struct {
		name string
		in   string
		// want lists the records as "line:kind", bad the malformed lines
		// as "line:raw" (raw "-" when it was not kept).
		want, bad string
	}{
		{"empty", "", "", ""},
		{"records", "{\"kind\":\"tick\"}\n{\"kind\":\"summary\"}\n", "1:tick 2:summary", ""},
		{"blank lines skipped", "\n{\"kind\":\"tick\"}\n\r\n\n", "2:tick", ""},
		{"no newline at the end", "{\"kind\":\"tick\"}", "1:tick", ""},
		{"not json", "x\n{\"kind\":\"tick\"}\n", "2:tick", "1:x"},
		{"no kind", "{\"ts\":1}\n", "", "1:{\"ts\":1}"},
		{"too long", "{\"kind\":\"a\"}\n" + long + "\n{\"kind\":\"b\"}\n", "1:a 3:b", "2:-"},
		{"crlf", "{\"kind\":\"tick\"}\r\n", "1:tick", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var bad []string
			lines := lineio.NewReader(strings.NewReader(tc.in), lineio.Options{MaxLine: 64})
			r := NewReader(lines, Options{OnBad: func(line int64, raw []byte, err error) {
				if err == nil {
					t.Errorf("line %d reported without a reason", line)
				}
				text := "-"
				if raw != nil {
					text = string(raw)
				}
				bad = append(bad, fmt.Sprintf("%d:%s", line, text))
			}})
			var got []string
			for {
				kind, _, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				got = append(got, fmt.Sprintf("%d:%s", r.Line(), kind))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("records %q, want %q", g, tc.want)
			}
			if g := strings.Join(bad, " "); g != tc.bad {
				t.Errorf("malformed %q, want %q", g, tc.bad)
			}
		})
	}
}

func TestReaderReject(t *testing.T) {
	var got []string
	lines := lineio.NewReader(strings.NewReader("{\"kind\":\"a\"}\n{\"kind\":\"b\"}\n"), lineio.Options{})
	r := NewReader(lines, Options{OnBad: func(line int64, raw []byte, err error) {
		got = append(got, fmt.Sprintf("%d:%s:%v", line, raw, err))
	}})
	for {
		kind, line, err := r.Next()
		if err != nil {
			break
		}
		if string(kind) == "b" {
			r.Reject(line, errors.New("no b here"))
		}
	}
	if want := `2:{"kind":"b"}:no b here`; strings.Join(got, " ") != want {
		t.Errorf("reported %q, want %q", got, want)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestReaderPassesReadErrors(t *testing.T) {
	r := NewReader(lineio.NewReader(failingReader{}, lineio.Options{}), Options{})
	if _, _, err := r.Next(); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Next: %v, want %v", err, io.ErrClosedPipe)
	}
}

func TestReaderPassesInterruption(t *testing.T) {
	done := make(chan struct{})
	close(done)
	in, w := io.Pipe()
	defer w.Close()
	r := NewReader(lineio.NewReader(in, lineio.Options{Done: done}), Options{})
	if _, _, err := r.Next(); !errors.Is(err, lineio.ErrInterrupted) {
		t.Errorf("Next: %v, want %v", err, lineio.ErrInterrupted)
	}
}

func TestReaderAllocatesNothingPerRecord(t *testing.T) {
	input := strings.Repeat(`{"kind":"tick","ts":1,"hits":2}`+"\n", 1000)
	allocs := testing.AllocsPerRun(20, func() {
		r := NewReader(lineio.NewReader(strings.NewReader(input), lineio.Options{}), Options{})
		for {
			if _, _, err := r.Next(); err != nil {
				return
			}
		}
	})
	// The lineio and decoder setup allocates a few times per run; one per
	// record would be at least 1000.
	if allocs > 100 {
		t.Errorf("%v allocations for 1000 records", allocs)
	}
}
