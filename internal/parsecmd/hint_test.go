package parsecmd

import (
	"strings"
	"testing"
)

func TestHint(t *testing.T) {
	tests := []struct{ first, want string }{
		{"\x1f\x8b\x08\x00\x00\x00", "gzip-compressed: a compressed log does not grow; read it without --follow"},
		{"\x28\xb5\x2f\xfd\x00", "zstd-compressed: a compressed log does not grow"},
		{"BZh91AY&SY", "bzip2-compressed: decompress it first (bzcat FILE | httpmon-parse)"},
		{"\xfd7zXZ\x00\x00", "xz-compressed: decompress it first (xzcat FILE"},
		{"\x04\x22\x4d\x18\x64", "lz4-compressed"},
		{"BZh? not bzip2", "--format"},
		{"\x00\x01\x02ELF", "binary data"},
		{"\xff\xfe\xfd\xfc\xfb", "binary data"},
		{`{"when":"2024-05-09T16:00:00Z","code":200}`, "--json-fields"},
		{`2024/05/09 16:00:00 [error] 1234#1234: *1 open() failed`, "nginx error log"},
		{"Dear diary,", "--format common, combined, csv, json, w3c"},
		{"Dear diary,", "--log-format"},
		{"caf\xc3", "--format"}, // a UTF-8 character cut by the kept prefix
	}
	for _, tc := range tests {
		if got := hint([]byte(tc.first)); !strings.Contains(got, tc.want) {
			t.Errorf("hint(%q) = %q, want it to say %q", tc.first, got, tc.want)
		}
	}
}
