package reportcmd

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/lineio"
)

func tick(ts, hits string) string {
	return `{"kind":"tick","ts":` + ts + `,"hits":` + hits + `,"bytes":0,"status":{"1xx":0,"2xx":` + hits + `,"3xx":0,"4xx":0,"5xx":0,"other":0}}`
}

// TestRecorderTee reads input through the recorder's tee, as the
// dashboard does, in reads that split lines anywhere, and checks that
// every record is stored once: CRLF endings, blank lines, a damaged
// record, a line too long to read and a last line without its newline
// included.
func TestRecorderTee(t *testing.T) {
	input := tick("100", "1") + "\r\n\n" +
		tick("101", "2") + "\n" +
		"{not json\n" +
		`{"kind":"tick","ts":102,"pad":"` + strings.Repeat("x", lineio.DefaultMaxLine) + `","hits":50}` + "\n" +
		tick("103", "3") + "\n" +
		tick("104", "4")
	for _, tc := range []struct {
		name string
		in   func(string) io.Reader
	}{
		{"one read", func(s string) io.Reader { return strings.NewReader(s) }},
		{"a byte at a time", func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) }},
		{"half reads", func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.db")
			s, err := history.Open(path, history.Options{})
			if err != nil {
				t.Fatal(err)
			}
			w, err := s.NewWriter(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var errw bytes.Buffer
			rec := newRecorder("httpmon-report", path, s, w, &errw)
			got, err := io.ReadAll(rec.tee(tc.in(input)))
			if err != nil || string(got) != input {
				t.Fatalf("the tee changed the input: %v", err)
			}
			if err := rec.Close(nil); err != nil {
				t.Fatal(err)
			}
			if errw.Len() > 0 {
				t.Errorf("stderr %q", errw.String())
			}
			s, err = history.Open(path, history.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ser, err := s.Series(context.Background(), history.Range{From: 100, To: 105}, 5)
			if err != nil {
				t.Fatal(err)
			}
			var hits []int64
			for _, p := range ser.Points {
				hits = append(hits, p.Hits)
			}
			if want := []int64{1, 2, 0, 3, 4}; !slices.Equal(hits, want) {
				t.Errorf("hits by second %v, want %v", hits, want)
			}
		})
	}
}
