package textsafe

import (
	"testing"
	"unicode/utf8"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain path", "/api/v1/users?page=2&sort=-name", "/api/v1/users?page=2&sort=-name"},
		{"space and tilde", " ~", " ~"},
		{"ESC sequence", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"named escapes", "a\tb\nc\rd", `a\tb\nc\rd`},
		{"NUL and BEL", "\x00\x07", `\x00\x07`},
		{"unit separator", "\x1f", `\x1f`},
		{"DEL", "\x7f", `\x7f`},
		{"C1 first", "\u0080", `\x80`},
		{"C1 CSI", "\u009b2J", `\x9b2J`},
		{"C1 last", "\u009f", `\x9f`},
		{"NBSP after C1 range", "\u00a0", "\u00a0"},
		{"Latin-1 letter", "café", "café"},
		{"three-byte rune", "a→b…", "a→b…"},
		{"four-byte rune", "\U0001F600", "\U0001F600"},
		{"encoded U+FFFD is valid", "\uFFFD", "\uFFFD"},
		{"lone continuation byte", "\x9b", `\x9b`},
		{"0xff", "a\xffb", `a\xffb`},
		{"truncated two-byte", "\xc3", `\xc3`},
		{"truncated three-byte", "\xe2\x82x", `\xe2\x82x`},
		{"overlong slash", "\xc0\xaf", `\xc0\xaf`},
		{"surrogate", "\xed\xa0\x80", `\xed\xa0\x80`},
		{"beyond U+10FFFF", "\xf4\x90\x80\x80", `\xf4\x90\x80\x80`},
		{"literal backslash text kept", `\x1b`, `\x1b`},
		{"bidi override", "/admin\u202e/gpj.exe", `/admin\u202e/gpj.exe`},
		{"bidi isolates and marks", "\u2066\u2069\u200e\u200f\u061c", `\u2066\u2069\u200e\u200f\u061c`},
		{"line separators", "a\u2028b\u2029", `a\u2028b\u2029`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Append(nil, []byte(tc.in))); got != tc.want {
				t.Errorf("Append(%q)\nwant %q\ngot  %q", tc.in, tc.want, got)
			}
			if got, want := Width([]byte(tc.in)), utf8.RuneCountInString(tc.want); got != want {
				t.Errorf("Width(%q) = %d, want %d", tc.in, got, want)
			}
		})
	}
}

func TestSanitizeAppends(t *testing.T) {
	dst := make([]byte, 0, 64)
	dst = append(dst, "section="...)
	if got, want := string(Append(dst, []byte("/a\x1b"))), `section=/a\x1b`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { Append(dst[:0], []byte("/a\x1b\xc2\x9b\xff")) }); n != 0 {
		t.Errorf("Append allocated %v times into a large enough dst", n)
	}
}

func TestAppendCell(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"/api", 10, "/api"},
		{"/api", 4, "/api"},
		{"/api", 3, "/a…"},
		{"/api", 1, "…"},
		{"/api", 0, ""},
		{"ééééé", 5, "ééééé"},
		{"ééééé", 4, "ééé…"},
		// An escape is never cut: \x1b does not fit in front of the …,
		// so it goes whole.
		{"abc\x1bdef", 10, `abc\x1bdef`},
		{"abc\x1bdef", 8, `abc\x1b…`},
		{"abc\x1bdef", 7, "abc…"},
		{"abc\x1bdef", 5, "abc…"},
		{"a\rb", 3, "a…"},
	}
	for _, tc := range tests {
		got, w := AppendCell(nil, []byte(tc.in), tc.limit)
		if string(got) != tc.want {
			t.Errorf("AppendCell(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
		if n := utf8.RuneCount(got); w != n {
			t.Errorf("AppendCell(%q, %d) reported %d columns, wrote %d", tc.in, tc.limit, w, n)
		}
	}
}

// FuzzSanitize checks the property the renderer relies on: whatever the
// input, the output is valid UTF-8 with no C0, DEL or C1 characters, as
// wide as width says, and printable ASCII passes unchanged.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "/index.html", "\x1b[2J", "\xc2\x9b", "\xff\xfe", "\xed\xa0\x80", "é→\U0001F600"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Append(nil, in)
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
		}
		for _, r := range string(out) {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || isBidiOrSeparator(r) {
				t.Fatalf("control %U out of %q: %q", r, in, out)
			}
		}
		if got, want := Width(in), utf8.RuneCount(out); got != want {
			t.Fatalf("Width(%q) = %d, output has %d runes", in, got, want)
		}
		printable := true
		for _, c := range in {
			printable = printable && c >= 0x20 && c < 0x7f
		}
		if printable && string(out) != string(in) {
			t.Fatalf("printable ASCII changed: %q → %q", in, out)
		}
	})
}
