package parsecmd

import (
	"strings"
	"testing"
)

func TestHint(t *testing.T) {
	tests := []struct{ first, want string }{
		{"\x1f\x8b\x08\x00\x00\x00", "gzip-compressed"},
		{"\x00\x01\x02ELF", "binary data"},
		{"\xff\xfe\xfd\xfc\xfb", "binary data"},
		{`{"when":"2024-05-09T16:00:00Z","code":200}`, "--json-fields"},
		{`2024/05/09 16:00:00 [error] 1234#1234: *1 open() failed`, "nginx error log"},
		{"Dear diary,", "--log-format"},
		{"caf\xc3", "--format"}, // a UTF-8 character cut by the kept prefix
	}
	for _, tc := range tests {
		if got := hint([]byte(tc.first)); !strings.Contains(got, tc.want) {
			t.Errorf("hint(%q) = %q, want it to say %q", tc.first, got, tc.want)
		}
	}
}
