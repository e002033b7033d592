// Package decompress reads gzip- and zstd-compressed input as if it were
// plain: the compression is told from the magic bytes the input starts
// with, not from a file name, so that rotated logs (access.log.2.gz) and
// compressed standard input are read like any other log.
package decompress

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// The magic bytes that start a compressed stream.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Reader reads the decompressed content of its source, or the source
// itself when it is not compressed. It decides at its first Read, not
// when it is made, so that a reader that waits for input (a pipe, a
// FIFO) waits in Read, where the caller expects it to.
type Reader struct {
	src    io.Reader
	r      io.Reader // nil until the first Read has looked at the start
	head   [4]byte
	n      int
	format string
	zr     *zstd.Decoder
}

// NewReader returns a Reader of src.
func NewReader(src io.Reader) *Reader { return &Reader{src: src} }

// Format returns "gzip" or "zstd" once a Read has found the input
// compressed, and "" for plain input.
func (d *Reader) Format() string { return d.format }

// Read reads decompressed bytes. An error of the decompressor (a corrupt
// or truncated stream) is an *Error; what was decompressed before it has
// been returned by earlier Reads.
func (d *Reader) Read(p []byte) (int, error) {
	if d.r == nil {
		if err := d.sniff(); err != nil {
			return 0, err
		}
	}
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF && d.format != "" {
		err = &Error{Format: d.format, Err: err}
	}
	return n, err
}

// sniff reads as much of the start as it takes to tell the compression:
// one byte for most text, two for gzip, four for zstd.
func (d *Reader) sniff() error {
	var err error
	for d.n < len(d.head) && d.undecided() {
		var n int
		n, err = d.src.Read(d.head[d.n:])
		d.n += n
		if err != nil {
			break
		}
	}
	if err != nil && err != io.EOF {
		return err
	}
	head := d.head[:d.n]
	var src io.Reader = bytes.NewReader(head)
	if err == nil {
		src = io.MultiReader(src, d.src)
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		d.format = "gzip"
		g, err := newGzipReader(src)
		if err != nil {
			return &Error{Format: d.format, Err: err}
		}
		d.r = g
	case bytes.HasPrefix(head, zstdMagic):
		d.format = "zstd"
		zr, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return &Error{Format: d.format, Err: err}
		}
		d.zr, d.r = zr, zr
	default:
		d.r = src
	}
	return nil
}

// undecided reports whether the bytes read so far may still be the start
// of a magic number.
func (d *Reader) undecided() bool {
	head := d.head[:d.n]
	return bytes.HasPrefix(gzipMagic, head) || bytes.HasPrefix(zstdMagic, head)
}

// Close releases the decompressor; it does not close the source.
func (d *Reader) Close() error {
	if d.zr != nil {
		d.zr.Close()
	}
	return nil
}

// Error is a failure to decompress: a corrupt or truncated stream.
type Error struct {
	Format string // "gzip" or "zstd"
	Err    error
}

// Error says which decompressor failed and why.
func (e *Error) Error() string {
	msg := e.Err.Error()
	if bytes.HasPrefix([]byte(msg), []byte(e.Format+": ")) {
		return msg
	}
	return e.Format + ": " + msg
}

// Unwrap returns the decompressor's error.
func (e *Error) Unwrap() error { return e.Err }

// gzipReader reads the members of a gzip file one after the other, as
// gzip -d does: concatenated .gz files are one stream. Like gzip -d, it
// ignores what follows the last member when that is no gzip header (the
// zeros of a padded block, a newline added by an editor): the content is
// whole, and rejecting it would lose it.
type gzipReader struct {
	br   *bufio.Reader
	z    *gzip.Reader
	done bool
}

func newGzipReader(src io.Reader) (*gzipReader, error) {
	br := bufio.NewReader(src)
	z, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	z.Multistream(false)
	return &gzipReader{br: br, z: z}, nil
}

func (g *gzipReader) Read(p []byte) (int, error) {
	for !g.done {
		n, err := g.z.Read(p)
		if err != io.EOF {
			return n, err
		}
		// The end of a member: another, or the end of the stream.
		if err := g.z.Reset(g.br); err != nil {
			g.done = true
			if err != io.EOF && !errors.Is(err, gzip.ErrHeader) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return n, err
			}
		} else {
			g.z.Multistream(false)
		}
		if n > 0 {
			return n, nil
		}
	}
	return 0, io.EOF
}
