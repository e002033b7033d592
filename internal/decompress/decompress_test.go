package decompress

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

const text = "10.0.0.1 - - [09/May/2018:16:00:01 +0000] \"GET /a HTTP/1.1\" 200 1\n"

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zst(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReader(t *testing.T) {
	long := strings.Repeat(text, 5000)
	for _, tc := range []struct {
		name   string
		in     []byte
		want   string
		format string
	}{
		{"plain", []byte(text), text, ""},
		{"empty", nil, "", ""},
		{"one byte", []byte("a"), "a", ""},
		{"gzip's first byte alone", []byte{0x1f}, "\x1f", ""},
		{"zstd's first bytes alone", []byte{0x28, 0xb5, 0x2f}, "\x28\xb5\x2f", ""},
		{"a parenthesis", []byte("(x) y\n"), "(x) y\n", ""},
		{"gzip", gz(t, text), text, "gzip"},
		{"gzip, long", gz(t, long), long, "gzip"},
		{"gzip, two members (concatenated .gz files)", append(gz(t, text), gz(t, "second\n")...), text + "second\n", "gzip"},
		{"zstd", zst(t, long), long, "zstd"},
		{"gzip, then a newline", append(gz(t, text), '\n'), text, "gzip"},
		{"gzip, then zeros", append(gz(t, text), make([]byte, 512)...), text, "gzip"},
	} {
		for _, oneByte := range []bool{false, true} {
			var src io.Reader = bytes.NewReader(tc.in)
			if oneByte {
				src = iotest.OneByteReader(src)
			}
			d := NewReader(src)
			got, err := io.ReadAll(d)
			d.Close()
			if err != nil {
				t.Errorf("%s (one byte at a time: %v): %v", tc.name, oneByte, err)
				continue
			}
			if string(got) != tc.want || d.Format() != tc.format {
				t.Errorf("%s (one byte at a time: %v): got %d bytes (format %q), want %d (%q)", tc.name, oneByte, len(got), d.Format(), len(tc.want), tc.format)
			}
		}
	}
}

// A truncated or corrupt stream is an *Error naming the compression,
// after what could be decompressed.
func TestReaderCorrupt(t *testing.T) {
	long := strings.Repeat(text, 5000)
	full := gz(t, long)
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"truncated gzip", full[:len(full)/2], "gzip: unexpected EOF"},
		{"bad gzip checksum", append(append([]byte{}, full[:len(full)-8]...), 0, 0, 0, 0, 0, 0, 0, 0), "gzip: invalid checksum"},
		{"gzip magic, bad header", []byte{0x1f, 0x8b, 0x00, 0x00}, "gzip:"},
		{"truncated zstd", zst(t, long)[:40], "zstd:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewReader(bytes.NewReader(tc.in))
			defer d.Close()
			got, err := io.ReadAll(d)
			var de *Error
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an *Error with %q", err, tc.want)
			}
			if !strings.HasPrefix(long, string(got)) {
				t.Fatalf("the %d bytes read before the error are not the start of the content", len(got))
			}
		})
	}
}

// Nothing is read before the first Read, so that a reader that waits for
// input waits in Read.
func TestReaderLazy(t *testing.T) {
	r := &countingReader{r: strings.NewReader(text)}
	d := NewReader(r)
	if r.reads != 0 {
		t.Fatalf("%d reads before the first Read", r.reads)
	}
	if _, err := io.ReadAll(d); err != nil || r.reads == 0 {
		t.Fatalf("ReadAll: %v after %d reads", err, r.reads)
	}
}

type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

// A source error is returned as it is.
func TestReaderSourceError(t *testing.T) {
	boom := errors.New("boom")
	d := NewReader(iotest.ErrReader(boom))
	if _, err := io.ReadAll(d); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}
