package dashboard

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"os"
	"testing"
)

// burstLines returns the lines of testdata/burst.ndjson.gz, the output of
//
//	genlog -n 6800 -rate 8 -bursts -format combined | httpmon-parse | httpmon-window | httpmon-alert
//
// fifteen minutes of log with one burst: the alert fires at 21:18:35 and
// resolves at 21:22:21.
func burstLines(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open("testdata/burst.ndjson.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// feedAll runs Feed over lines and returns the batches it sent.
func feedAll(t testing.TB, lines [][]byte) []Batch {
	t.Helper()
	in := bytes.Join(lines, []byte("\n"))
	ch := make(chan Batch)
	go Feed(bytes.NewReader(in), ch, FeedOptions{})
	var out []Batch
	for b := range ch {
		out = append(out, b)
		if b.End {
			break
		}
	}
	return out
}
