package logfmt

import (
	"bytes"

	"github.com/httpmon/httpmon/internal/event"
)

// parseSquid parses Squid's native access log, as its wiki and the
// logformat documentation describe it:
//
//	1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://example.com/a.flg - HIER_DIRECT/125.23.216.203 text/plain
//
// that is time elapsed remotehost code/status bytes method URL rfc931
// peerstatus/peerhost type. The time is unix seconds with milliseconds;
// the elapsed time, right-aligned in six columns, is milliseconds and is
// the request time. Squid logs status 000 for a transaction that ended
// before a reply, which is taken as no status. The URL of a proxy request
// is absolute, so host and scheme come from it (CONNECT's "host:443" has
// the host only). The type is optional.
func (p *Parser) parseSquid(line []byte, r *event.Request) error {
	r.Reset()
	t, i, _ := nextField(line, 0)
	sec := t
	if dot := bytes.IndexByte(t, '.'); dot >= 0 {
		sec = t[:dot]
		for _, c := range t[dot+1:] {
			if !isDigit(c) {
				return errorf("bad time", t)
			}
		}
	}
	ts, ok := parseUint(sec)
	if !ok {
		return errorf("bad time", t)
	}
	r.TS = ts
	elapsed, i, _ := nextField(line, i)
	if _, ok := parseUint(elapsed); !ok {
		return errorf("bad elapsed time", elapsed)
	}
	r.RequestTime = millis(elapsed)
	host, i, ok := nextField(line, i)
	if !ok {
		return &Error{Reason: "missing remotehost"}
	}
	r.RemoteHost = dash(host)
	code, i, _ := nextField(line, i)
	slash := bytes.LastIndexByte(code, '/')
	if slash <= 0 || !isLetter(code[0]) {
		return errorf("bad code/status", code)
	}
	if status := code[slash+1:]; string(status) != "000" {
		if err := parseStatus(status, r); err != nil {
			return err
		}
	}
	size, i, ok := nextField(line, i)
	if !ok {
		return &Error{Reason: "missing bytes"}
	}
	if err := parseBytes(size, r); err != nil {
		return err
	}
	method, i, _ := nextField(line, i)
	url, i, ok := nextField(line, i)
	if !ok {
		return &Error{Reason: "missing URL"}
	}
	user, i, _ := nextField(line, i)
	hier, _, ok := nextField(line, i)
	if !ok || bytes.IndexByte(hier, '/') < 0 {
		return errorf("bad peerstatus/peerhost", hier)
	}
	r.User = dash(user)
	if methodEnd(method) == len(method) {
		setTarget(method, url, r)
	} else {
		r.Request = url
	}
	return nil
}
