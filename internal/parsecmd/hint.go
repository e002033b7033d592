package parsecmd

import (
	"bytes"
	"regexp"
	"unicode/utf8"

	"github.com/httpmon/httpmon/internal/stage"
)

// role is what httpmon-parse reads, for the messages about wrong input.
var role = stage.Role{Input: "log lines", Hint: hint}

// nginxError matches the start of an nginx error-log line:
// "2024/05/09 16:00:00 [error] 1234#1234: ...".
var nginxError = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[[a-z]+\] `)

// hint says what to do with an input of which every line was rejected,
// from the start of its first line: the usual mistakes are a rotated log
// compressed in a way that is not read (or followed), a JSON log with keys
// of its own, the error log instead of the access log,
// and a file that is not text at all.
func hint(first []byte) string {
	if how := compressed(first); how != "" {
		return how
	}
	switch {
	case binary(first):
		return "it looks like binary data, not a text log"
	case bytes.HasPrefix(bytes.TrimLeft(first, " \t"), []byte("{")):
		return "it is a JSON log whose keys " + name + " does not know: name them with --json-fields, e.g. ts=time,status=code,path=uri"
	case nginxError.Match(first):
		return "it looks like an nginx error log: give " + name + " the access log (access_log in nginx.conf)"
	}
	return "check the log format (--format common, combined, csv, json, w3c, cloudfront, alb, elb, s3, haproxy or squid), or paste the server's with --log-format"
}

// binary reports bytes no text log has: NUL, other C0 controls than tab,
// and invalid UTF-8 (of which the first line may end in a cut character).
func binary(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x20 && c != '\t' && c != '\r' || c == 0x7f {
			return true
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 && len(b)-i >= utf8.UTFMax {
			return true
		}
		i += n
	}
	return false
}

// compressed says what to do with a compressed input that reached the
// parser. gzip and zstd are read transparently, so they get here only
// through --follow, which follows a growing log; the others are not read.
func compressed(first []byte) string {
	for _, c := range []struct{ magic, name string }{
		{"\x1f\x8b", "gzip"},
		{"\x28\xb5\x2f\xfd", "zstd"},
	} {
		if bytes.HasPrefix(first, []byte(c.magic)) {
			return "it is " + c.name + "-compressed: a compressed log does not grow; read it without --follow"
		}
	}
	for _, c := range []struct {
		magic, name, cat string
	}{
		{"BZh", "bzip2", "bzcat"},
		{"\xfd7zXZ\x00", "xz", "xzcat"},
		{"\x04\x22\x4d\x18", "lz4", "lz4cat"},
	} {
		if bytes.HasPrefix(first, []byte(c.magic)) && (c.name != "bzip2" || len(first) > 3 && first[3] >= '1' && first[3] <= '9') {
			return "it is " + c.name + "-compressed: decompress it first (" + c.cat + " FILE | " + name + "); gzip and zstd are read as they are"
		}
	}
	return ""
}
