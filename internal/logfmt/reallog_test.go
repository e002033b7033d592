package logfmt

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// readLines returns the lines of a gzipped file in testdata, without their
// line ends, as the caller of Parse would pass them.
func readLines(t testing.TB, name string) [][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return lines
}

// TestRealLogs parses every line of the real samples (gzipped copies of
// ../shared/data) and checks aggregates computed independently with awk and
// Python's strptime.
func TestRealLogs(t *testing.T) {
	for _, tc := range []struct {
		file            string
		format          Format
		header          bool
		lines           int
		bytes           int64 // sum over lines with a size
		dashBytes       int   // lines with "-" size
		firstTS, lastTS int64
		minTS, maxTS    int64
		offset          int32 // of every line
		status200       int
		raw             int // requests that did not split
	}{
		{file: "elastic_apache_logs.log.gz", format: Combined, lines: 10000, bytes: 2747282740, dashBytes: 669,
			firstTS: 1431857103, lastTS: 1432155915, minTS: 1431857100, maxTS: 1432155959, status200: 9126},
		{file: "lnav_zanbil_shop_access.log.gz", format: Combined, lines: 1000, bytes: 18963364,
			firstTS: 1548116774, lastTS: 1548116951, minTS: 1548116774, maxTS: 1548116951, offset: 12600, status200: 938},
		{file: "sample_csv.txt.gz", format: CSV, header: true, lines: 4830, bytes: 5939093,
			firstTS: 1549573860, lastTS: 1549574340, minTS: 1549573859, maxTS: 1549574340, status200: 3868},
	} {
		t.Run(tc.file, func(t *testing.T) {
			lines := readLines(t, tc.file)
			if got := Detect(lines[0]); got != tc.format {
				t.Errorf("Detect(first line) = %v, want %v", got, tc.format)
			}
			if tc.header {
				if !IsCSVHeader(lines[0]) {
					t.Fatalf("first line %q is not a header", lines[0])
				}
				lines = lines[1:]
			}
			var p Parser
			var r event.Request
			var n, dash, status200, raw int
			var sum int64
			var first, last, lo, hi int64
			for i, line := range lines {
				if err := p.Parse(tc.format, line, &r); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				n++
				if r.Bytes < 0 {
					dash++
				} else {
					sum += r.Bytes
				}
				if r.Status == 200 {
					status200++
				}
				if len(r.Request) > 0 {
					raw++
				}
				if r.UTCOffset != tc.offset {
					t.Errorf("line %d: offset %d, want %d", i+1, r.UTCOffset, tc.offset)
				}
				if len(r.Method) == 0 || len(r.Section) == 0 {
					t.Errorf("line %d: method %q, section %q", i+1, r.Method, r.Section)
				}
				if i == 0 {
					first, lo, hi = r.TS, r.TS, r.TS
				}
				last, lo, hi = r.TS, min(lo, r.TS), max(hi, r.TS)
			}
			got := []int64{int64(n), sum, int64(dash), first, last, lo, hi, int64(status200), int64(raw)}
			want := []int64{int64(tc.lines), tc.bytes, int64(tc.dashBytes), tc.firstTS, tc.lastTS, tc.minTS, tc.maxTS, int64(tc.status200), int64(tc.raw)}
			names := []string{"lines", "bytes", "dash bytes", "first TS", "last TS", "min TS", "max TS", "status 200", "raw requests"}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s = %d, want %d", names[i], got[i], want[i])
				}
			}
		})
	}
}

func TestClfSmall(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "clf_small.log"))
	if err != nil {
		t.Fatal(err)
	}
	var p Parser
	var r event.Request
	var n int
	for _, line := range bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue // the file ends with a blank line
		}
		if err := p.Parse(Common, line, &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		n++
	}
	if n != 4 {
		t.Errorf("parsed %d lines, want 4", n)
	}
}
