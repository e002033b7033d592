package follow

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/httpmon/httpmon/internal/lineio"
)

func benchLog(b *testing.B) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "access.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100000 {
		fmt.Fprintf(f, `10.0.0.%d - - [09/May/2018:16:00:%02d +0000] "GET /api/user/%d HTTP/1.1" 200 %d`+"\n", i%256, i%60, i, i%5000)
	}
	fi, _ := f.Stat()
	f.Close()
	return path, fi.Size()
}

// BenchmarkFollowFromStart reads a whole log through the follower; compare
// with BenchmarkLineReader, the reader of the commands without --follow.
func BenchmarkFollowFromStart(b *testing.B) {
	path, size := benchLog(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		fl, err := New(Options{Patterns: []string{path}, FromStart: true}, func(Line) error { n++; return nil })
		if err != nil {
			b.Fatal(err)
		}
		for more := true; more; {
			if more, err = fl.Poll(); err != nil {
				b.Fatal(err)
			}
		}
		fl.Close()
		if n != 100000 {
			b.Fatalf("%d lines", n)
		}
	}
}

func BenchmarkLineReader(b *testing.B) {
	path, size := benchLog(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := lineio.NewReader(f, lineio.Options{})
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		f.Close()
		if n != 100000 {
			b.Fatalf("%d lines", n)
		}
	}
}
