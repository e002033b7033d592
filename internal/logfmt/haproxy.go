package logfmt

import (
	"bytes"

	"github.com/httpmon/httpmon/internal/event"
)

// The names under which HAProxy's own fields are kept in Request.Fields.
var (
	fieldFrontend    = []byte("frontend")
	fieldBackend     = []byte("backend")
	fieldServer      = []byte("server")
	fieldTermination = []byte("termination_state")
)

// parseHAProxy parses HAProxy's HTTP log ("option httplog"), as its
// configuration manual describes it:
//
//	10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"
//
// that is client:port [accept_date] frontend backend/server
// TR/Tw/Tc/Tr/Ta (Tq/Tw/Tc/Tr/Tt before 1.9) status bytes_read, then
// cookies, termination state, connection counts and queues, optional
// {captured headers} and the quoted request; fields after the request
// ("option httpslog" adds some) are ignored. The syslog header that
// usually precedes it is a prefix the Detector strips.
//
// The accept date has milliseconds, dropped, and no zone: HAProxy writes
// its local time, which is taken as UTC. The request time is the last
// timer (total time) and the upstream time Tr (the server's response
// time), both in milliseconds; -1, logged for a step never reached, leaves
// them absent. A frontend name ending in '~' is a TLS listener: the scheme
// is https. Frontend, backend, server and termination state go to
// Request.Fields.
func (p *Parser) parseHAProxy(line []byte, r *event.Request) error {
	r.Reset()
	client, i, _ := nextField(line, 0)
	if bytes.IndexByte(client, ':') < 0 {
		return errorf("bad client:port", client)
	}
	r.RemoteHost = addrHost(client)

	j := skipSep(line, i)
	if j == len(line) || line[j] != '[' {
		return errorf("missing [accept_date] in", line[j:])
	}
	end := bytes.IndexByte(line[j:], ']')
	if end < 0 {
		return errorf("bad accept date", line[j:])
	}
	date := line[j+1 : j+end]
	i = j + end + 1
	if len(date) < 20 {
		return errorf("bad accept date", date)
	}
	midnight, ok := p.more.hapDay.day(date[:12], clfDate)
	sec, ok2 := clockFraction(date[12:])
	if !ok || !ok2 {
		return errorf("bad accept date", date)
	}
	r.TS = midnight + sec

	frontend, i, _ := nextField(line, i)
	if len(frontend) == 0 {
		return &Error{Reason: "missing frontend"}
	}
	if frontend[len(frontend)-1] == '~' {
		r.Scheme = schemeHTTPS
		frontend = frontend[:len(frontend)-1]
	}
	bs, i, _ := nextField(line, i)
	slash := bytes.IndexByte(bs, '/')
	if slash < 0 {
		return errorf("bad backend/server", bs)
	}
	timers, i, _ := nextField(line, i)
	if err := haproxyTimers(timers, r); err != nil {
		return err
	}
	status, i, _ := nextField(line, i)
	if string(status) == "-1" {
		r.Status = 0
	} else if err := parseStatus(status, r); err != nil {
		return err
	}
	size, i, ok := nextField(line, i)
	if !ok {
		return &Error{Reason: "missing bytes_read"}
	}
	if err := parseBytes(bytes.TrimPrefix(size, []byte("+")), r); err != nil {
		return err
	}
	r.Fields = append(r.Fields,
		event.Field{Name: fieldFrontend, Value: frontend},
		event.Field{Name: fieldBackend, Value: bs[:slash]},
		event.Field{Name: fieldServer, Value: bs[slash+1:]})

	// Cookies, termination state, counts and queues, then the captured
	// headers, up to the request.
	for n := 0; ; n++ {
		j := skipSep(line, i)
		if j == len(line) {
			return &Error{Reason: "missing quoted request"}
		}
		switch line[j] {
		case '{':
			end := bytes.IndexByte(line[j:], '}')
			if end < 0 {
				return errorf("unterminated captured headers", line[j:])
			}
			i = j + end + 1
			continue
		case '"':
			req, _, _ := nextField(line, j)
			splitRequest(req, r)
			if len(r.Method) > 0 {
				// An absolute target says more than the listener.
				if scheme, host := urlParts(requestTarget(req)); len(host) > 0 {
					r.Scheme, r.Host = scheme, host
				}
			}
			return nil
		}
		k := tokenEnd(line, j)
		if n == 2 {
			r.Fields = append(r.Fields, event.Field{Name: fieldTermination, Value: line[j:k]})
		}
		i = k
	}
}

// haproxyTimers sets the times from "TR/Tw/Tc/Tr/Ta", milliseconds each
// or -1; the last has a '+' with "option logasap".
func haproxyTimers(b []byte, r *event.Request) error {
	var t [5][]byte
	rest := b
	for n := range t {
		k := bytes.IndexByte(rest, '/')
		if n == len(t)-1 {
			if k >= 0 {
				return errorf("bad timers", b)
			}
			k = len(rest)
		} else if k < 0 {
			return errorf("bad timers", b)
		}
		t[n] = rest[:k]
		if n < len(t)-1 {
			rest = rest[k+1:]
		}
	}
	for n, v := range t {
		if n == len(t)-1 {
			v = bytes.TrimPrefix(v, []byte("+"))
		}
		if string(v) == "-1" {
			continue
		}
		if _, ok := parseUint(v); !ok {
			return errorf("bad timers", b)
		}
	}
	r.RequestTime = millis(bytes.TrimPrefix(t[4], []byte("+")))
	r.UpstreamTime = millis(t[3])
	return nil
}
