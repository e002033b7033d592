// Package textsafe makes text from outside (log lines, URLs, file names,
// peers' replies) safe to show on a terminal, a page or in a message.
package textsafe

import "unicode/utf8"

// Append appends s to dst with every byte sequence that a terminal could
// act on replaced by a visible escape: C0 controls and DEL as \xHH (\t, \n
// and \r by name), C1 controls U+0080–U+009F as \xHH of the code point, and
// each byte of invalid UTF-8 as \xHH, and bidirectional controls and line
// separators as \uHHHH. Everything else, printable non-ASCII
// included, is copied as is.
//
// Section, path and rule names come from whoever sent the request, so
// without this a crafted URL could move the cursor, clear the screen or
// recolour the operator's terminal; C1 matters because some terminals take
// U+009B as CSI, and invalid UTF-8 because terminals disagree on how much
// of it to swallow. Backslashes are left alone: servers such as nginx
// already log unsafe bytes as literal \xHH text, and doubling their
// backslashes would make the common case harder to read.
func Append(dst []byte, s []byte) []byte {
	for i := 0; i < len(s); {
		// Most log data is printable ASCII; copy runs of it at once.
		j := i
		for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f {
			j++
		}
		if j > i {
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		n, cols := nextChar(s[i:])
		dst = appendChar(dst, s[i:i+n], cols)
		i += n
	}
	return dst
}

// nextChar returns the length in bytes of the first character of s and how
// many columns its sanitized form takes: 1 when it is shown as is, 2 for a
// named escape, 4 for \xHH, 6 for \uHHHH. s must not be empty.
func nextChar(s []byte) (n, cols int) {
	c := s[0]
	switch {
	case c >= 0x20 && c < 0x7f:
		return 1, 1
	case c == '\t' || c == '\n' || c == '\r':
		return 1, 2
	case c < utf8.RuneSelf:
		return 1, 4
	}
	r, n := utf8.DecodeRune(s)
	switch {
	case r == utf8.RuneError && n == 1:
		return 1, 4
	case r <= 0x9f:
		return n, 4
	case isBidiOrSeparator(r):
		return n, 6
	}
	return n, 1
}

// isBidiOrSeparator reports the format characters that reorder or break
// the text around them on screen (the "Trojan Source" characters and the
// Unicode line separators): a URL must not be able to make the report show
// something other than what was requested.
func isBidiOrSeparator(r rune) bool {
	return r == 0x200e || r == 0x200f || r == 0x061c ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x2028 || r == 0x2029
}

// appendChar appends the sanitized form of the single character c, as
// classified by nextChar.
func appendChar(dst, c []byte, cols int) []byte {
	const hex = "0123456789abcdef"
	switch cols {
	case 1:
		return append(dst, c...)
	case 6:
		r, _ := utf8.DecodeRune(c)
		return append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
	case 2:
		switch c[0] {
		case '\t':
			return append(dst, `\t`...)
		case '\n':
			return append(dst, `\n`...)
		}
		return append(dst, `\r`...)
	}
	// A two-byte sequence here is a C1 control, U+0080–U+009F, whose code
	// point is its second byte; anything else is a single offending byte.
	b := c[0]
	if len(c) == 2 {
		b = c[1]
	}
	return append(dst, '\\', 'x', hex[b>>4], hex[b&0xf])
}

// Width returns how many columns Append(nil, s) takes, counting one per
// rune; East Asian wide and zero-width runes are not accounted for.
func Width(s []byte) int {
	w := 0
	for i := 0; i < len(s); {
		n, cols := nextChar(s[i:])
		w += cols
		i += n
	}
	return w
}

// AppendCell appends s sanitized and, if it is wider than limit columns, cut
// short with "…" so that it fits; it returns the columns used. It cuts only
// between characters, so an escape is shown whole or not at all and a cut
// \x1b never reads as some other byte.
func AppendCell(dst, s []byte, limit int) ([]byte, int) {
	if w := Width(s); w <= limit {
		return Append(dst, s), w
	}
	if limit <= 0 {
		return dst, 0
	}
	w := 0
	for i := 0; i < len(s); {
		n, cols := nextChar(s[i:])
		if w+cols > limit-1 {
			break
		}
		dst = appendChar(dst, s[i:i+n], cols)
		w += cols
		i += n
	}
	return append(dst, "…"...), w + 1
}

// String returns s with everything a terminal could act on escaped, as
// Append does; it is for messages, off the hot path.
func String(s string) string { return string(Append(nil, []byte(s))) }
