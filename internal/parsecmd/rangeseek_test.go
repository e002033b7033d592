package parsecmd

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

func TestIsCompressed(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("10.0.0.1 - - [09/May/2018:16:00:01 +0000] \"GET /a HTTP/1.1\" 200 1\n"))
	w.Close()
	for _, tc := range []struct {
		name    string
		content []byte
		want    bool
	}{
		{"gzip", gz.Bytes(), true},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0}, true},
		{"plain", []byte("10.0.0.1 - - [09/May/2018:16:00:01 +0000]\n"), false},
		{"one byte", []byte{0x1f}, false},
		{"empty", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log")
			if err := os.WriteFile(path, tc.content, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := isCompressed(f, int64(len(tc.content))); got != tc.want {
				t.Errorf("isCompressed = %v, want %v", got, tc.want)
			}
			// The file is left where it was, for the reader.
			if off, _ := f.Seek(0, 1); off != 0 {
				t.Errorf("offset %d after isCompressed, want 0", off)
			}
		})
	}
}
