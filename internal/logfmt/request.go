package logfmt

import (
	"bytes"

	"github.com/httpmon/httpmon/internal/event"
)

// splitRequest splits a logged request line, "METHOD target PROTOCOL" or the
// HTTP/0.9 "METHOD target", into r. Anything else, from "-" to TLS
// handshakes sent to a plain-HTTP port, is kept whole in r.Request: the
// server answered it (usually with 400), so it still counts as traffic.
//
// The split is strict, single spaces and a protocol that looks like
// HTTP/1.1, so that "GET / hoge HTTP/1.1" is not taken for a request for "/".
func splitRequest(req []byte, r *event.Request) {
	sp := methodEnd(req)
	if sp == 0 || sp == len(req) || req[sp] != ' ' {
		r.Request = req
		return
	}
	method, target, proto := req[:sp], req[sp+1:], []byte(nil)
	if sp = bytes.IndexByte(target, ' '); sp >= 0 {
		target, proto = target[:sp], target[sp+1:]
		if !isProtocol(proto) {
			r.Request = req
			return
		}
	}
	if len(target) == 0 {
		r.Request = req
		return
	}
	r.Method = method
	r.Path = targetPath(target)
	r.Protocol = proto
	r.Section = Section(r.Path)
}

// methodEnd returns the length of the HTTP method at the start of b: a
// letter followed by letters, digits, '-' or '_'. The RFC token grammar is
// wider, but real methods (including WebDAV's and M-SEARCH) fit this, and
// binary junk does not. Methods are short, so a plain loop beats IndexByte.
func methodEnd(b []byte) int {
	if len(b) == 0 || !isLetter(b[0]) {
		return 0
	}
	i := 1
	for i < len(b) && (isLetter(b[i]) || isDigit(b[i]) || b[i] == '-' || b[i] == '_') {
		i++
	}
	return i
}

// isProtocol reports whether b is HTTP/n or HTTP/n.m.
func isProtocol(b []byte) bool {
	if len(b) < 6 || string(b[:5]) != "HTTP/" {
		return false
	}
	b = b[5:]
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	if i == len(b) {
		return true
	}
	if b[i] != '.' || i+1 == len(b) {
		return false
	}
	for _, c := range b[i+1:] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// targetPath returns the path (and query) of a request target. Proxies and
// some clients send the absolute form, "http://host:8080/a?x"; traffic per
// section must not depend on that, so the scheme and authority are dropped.
// An absolute target without a path means "/", which is returned as the
// second slash of "://" to stay a sub-slice of the line; a query after a
// bare authority ("http://h?x") is lost in that rare case. Other targets
// ("*" of OPTIONS, "host:443" of CONNECT, junk) are returned as they are.
func targetPath(t []byte) []byte {
	if t[0] == '/' || !isLetter(t[0]) {
		return t
	}
	i := 1
	for i < len(t) && (isLetter(t[i]) || isDigit(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.') {
		i++
	}
	if len(t)-i < 3 || string(t[i:i+3]) != "://" {
		return t
	}
	slash := t[i+1 : i+2]
	for j := i + 3; j < len(t); j++ {
		switch t[j] {
		case '/':
			return t[j:]
		case '?', '#':
			return slash
		}
	}
	return slash
}

// Section returns the first segment of a request path, which is how httpmon
// groups traffic: "/pages/create?x=1" → "/pages", "/" and "/?a=b" → "/",
// "/api/" → "/api". The query string and fragment never count. A target that
// is not a path ("*", "host:443", "") has no section and gives an empty
// result. Percent-encoding is left as logged, so "/a%2Fb" is one section.
// The result is a sub-slice of path.
func Section(path []byte) []byte {
	if len(path) == 0 || path[0] != '/' {
		return nil
	}
	for i := 1; i < len(path); i++ {
		switch path[i] {
		case '/', '?', '#':
			return path[:i]
		}
	}
	return path
}
