package logfmt

import (
	"bytes"

	"github.com/httpmon/httpmon/internal/event"
)

// parseCLF parses Common and Combined lines, which Apache and nginx write as
//
//	host ident user [dd/Mon/yyyy:HH:MM:SS ±hhmm] "request" status bytes "referer" "user-agent" …
//
// Fields are separated by runs of spaces or tabs (some configurations use
// tabs). The referer and user agent are optional, and fields after them
// (nginx's "$http_x_forwarded_for", ingress-nginx's upstream data, response
// times) are ignored.
//
// The line is anchored on the " [" that opens the timestamp, because what
// comes before it is the least regular part: users with spaces
// ("Songmu Yaxing"), and vhost or X-Forwarded-For lists that some
// configurations put before the host. Of the blank-separated tokens before
// the timestamp, the first "-" after the first token is taken as the ident
// (which is nearly always "-"): the token before it is the host, the rest up
// to the timestamp is the user, and anything earlier is a prefix that is
// ignored. With no such "-", the last three tokens are host, ident and user.
//
// The request must be quoted; its end is the first '"' not escaped by a
// backslash. The referer and user agent are taken only when quoted, and an
// unterminated one runs to the end of the line, since a log truncated in the
// user agent (one line of the Elastic sample is) is still a request.
func (p *Parser) parseCLF(line []byte, r *event.Request) error {
	r.Reset()
	lb := timestampStart(line)
	if lb < 0 {
		return &Error{Reason: `missing " [" before timestamp`}
	}
	if !splitHostIdentUser(line[:lb], r) {
		return errorf("missing host, ident or user before timestamp in", line[:lb])
	}

	i := lb + 1
	if len(line)-i < tsLen+1 || line[i+tsLen] != ']' {
		end := bytes.IndexByte(line[i:], ']')
		if end < 0 {
			end = len(line) - i
		}
		return errorf("bad timestamp", line[i:i+end])
	}
	unix, off, ok := p.ts.timestamp(line[i : i+tsLen])
	if !ok {
		return errorf("bad timestamp", line[i:i+tsLen])
	}
	r.TS, r.UTCOffset = unix, off
	i += tsLen + 1

	j := skipSep(line, i)
	switch {
	case j == len(line):
		return &Error{Reason: "missing request after timestamp"}
	case j == i:
		return errorf("missing space after timestamp", line[i:])
	case line[j] != '"':
		return errorf("unquoted request", line[j:])
	}
	end := quoteEnd(line, j+1)
	if end < 0 {
		return errorf("unterminated quoted request", line[j:])
	}
	splitRequest(line[j+1:end], r)
	i = end + 1

	j = skipSep(line, i)
	switch {
	case j == len(line):
		return &Error{Reason: "missing status after request"}
	case j == i:
		return errorf("missing space after request", line[i:])
	}
	k := tokenEnd(line, j)
	if err := parseStatus(line[j:k], r); err != nil {
		return err
	}
	j = skipSep(line, k)
	if j == len(line) {
		return &Error{Reason: "missing bytes after status"}
	}
	k = tokenEnd(line, j)
	if err := parseBytes(line[j:k], r); err != nil {
		return err
	}

	r.Referer, k = tailField(line, k)
	r.UserAgent, _ = tailField(line, k)
	return nil
}

// timestampStart returns the index of the first '[' that follows a blank,
// or -1.
func timestampStart(line []byte) int {
	for i := 0; i < len(line); {
		j := bytes.IndexByte(line[i:], '[')
		if j < 0 {
			break
		}
		j += i
		if j > 0 && isSep(line[j-1]) {
			return j
		}
		i = j + 1
	}
	return -1
}

// splitHostIdentUser sets host, ident and user from pre, the part of the
// line before the timestamp, as described at parseCLF.
func splitHostIdentUser(pre []byte, r *event.Request) bool {
	var prev []byte
	n := 0
	for i := skipSep(pre, 0); i < len(pre); i = skipSep(pre, i) {
		j := tokenEnd(pre, i)
		tok := pre[i:j]
		if n > 0 && len(tok) == 1 && tok[0] == '-' {
			if k := skipSep(pre, j); k < len(pre) {
				r.RemoteHost = dash(prev)
				r.User = dash(trimBlanks(pre[k:]))
				return true
			}
		}
		prev = tok
		n++
		i = j
	}
	if n < 3 {
		return false
	}
	user, end := lastToken(pre, len(pre))
	ident, end := lastToken(pre, end)
	host, _ := lastToken(pre, end)
	r.RemoteHost, r.Ident, r.User = dash(host), dash(ident), dash(user)
	return true
}

// lastToken returns the last blank-separated token of b[:end] and its start.
func lastToken(b []byte, end int) ([]byte, int) {
	for end > 0 && isSep(b[end-1]) {
		end--
	}
	start := end
	for start > 0 && !isSep(b[start-1]) {
		start--
	}
	return b[start:end], start
}

// quoteEnd returns the index of the first '"' at or after i that is not
// escaped by a backslash, or -1. A quote is escaped when an odd number of
// backslashes, counted back no further than i, precedes it; that is the same
// as scanning left to right with "\x" consuming x, but lets IndexByte skip
// the long stretches of a user agent.
func quoteEnd(line []byte, i int) int {
	start := i
	for {
		q := bytes.IndexByte(line[i:], '"')
		if q < 0 {
			return -1
		}
		q += i
		k := q
		for k > start && line[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q
		}
		i = q + 1
	}
}

// tailField reads the optional field that starts with the blanks at line[i:]
// and returns it with the index just after it. Only quoted fields have a
// value; an unquoted one (Vector's vectors have a bare "-") is skipped. After
// a field that is not followed by a blank nothing more is read, so junk
// after the last field we need cannot fail the line.
func tailField(line []byte, i int) ([]byte, int) {
	if i >= len(line) || !isSep(line[i]) {
		return nil, len(line)
	}
	j := skipSep(line, i)
	if j == len(line) {
		return nil, j
	}
	if line[j] != '"' {
		return nil, tokenEnd(line, j)
	}
	end := quoteEnd(line, j+1)
	if end < 0 {
		return dash(line[j+1:]), len(line)
	}
	return dash(line[j+1 : end]), end + 1
}
