package logfmt

import (
	"github.com/httpmon/httpmon/internal/event"
)

// target is the request field that a value of a JSON log or a pasted
// format's variable goes to. The order matters where one overrides
// another: a request line is split first, and the method, path and
// protocol logged on their own then take its place.
type target uint8

const (
	tNone target = iota
	tTS
	tStatus
	tBytes
	tRequest
	tMethod
	tPath
	tProtocol
	tRemoteHost
	tIdent
	tUser
	tReferer
	tUserAgent
	tHost
	tScheme
	tRequestTime
	tUpstreamTime
	tRequestLength
	tXForwardedFor
	tCountry
	numTargets
)

// targetNames are the names of the targets for --json-fields, the names
// of the fields of request records.
var targetNames = [numTargets]string{
	tTS:            "ts",
	tStatus:        "status",
	tBytes:         "bytes",
	tRequest:       "request",
	tMethod:        "method",
	tPath:          "path",
	tProtocol:      "protocol",
	tRemoteHost:    "remote_host",
	tIdent:         "ident",
	tUser:          "user",
	tReferer:       "referer",
	tUserAgent:     "user_agent",
	tHost:          "host",
	tScheme:        "scheme",
	tRequestTime:   "request_time",
	tUpstreamTime:  "upstream_time",
	tRequestLength: "request_length",
	tXForwardedFor: "x_forwarded_for",
	tCountry:       "country",
}

// isDuration reports whether values of t are durations, which take a unit.
func (t target) isDuration() bool { return t == tRequestTime || t == tUpstreamTime }

// isText reports whether values of t are text, which apply hands to
// setText as it is.
func (t target) isText() bool {
	return t >= tRequest && t <= tScheme || t == tXForwardedFor || t == tCountry
}

// valueFlags say how a value is to be read beyond its target.
type valueFlags uint8

const (
	// flagPort marks an address that is followed by ":port", as Envoy's
	// downstream_remote_address and Traefik's ClientAddr are.
	flagPort valueFlags = 1 << iota
)

// setText sets a text field of r from v, which is as logged: "-" is absent.
func setText(r *event.Request, t target, v []byte, fl valueFlags) {
	v = dash(v)
	switch t {
	case tRequest:
		if len(v) > 0 {
			splitRequest(v, r)
		}
	case tMethod:
		r.Method = v
	case tPath:
		if len(v) > 0 {
			r.Path = targetPath(v)
			r.Section = Section(r.Path)
		} else {
			r.Path, r.Section = nil, nil
		}
	case tProtocol:
		r.Protocol = v
	case tRemoteHost:
		if fl&flagPort != 0 {
			v = addrHost(v)
		}
		r.RemoteHost = v
	case tIdent:
		r.Ident = v
	case tUser:
		r.User = v
	case tReferer:
		r.Referer = v
	case tUserAgent:
		r.UserAgent = v
	case tHost:
		r.Host = v
	case tScheme:
		r.Scheme = v
	case tXForwardedFor:
		r.XForwardedFor = v
	case tCountry:
		r.Country = v
	}
}

// setCount parses a byte count for t: "-" is absent.
func setCount(r *event.Request, t target, v []byte) bool {
	var n int64 = -1
	if len(v) != 1 || v[0] != '-' {
		var ok bool
		if n, ok = parseUint(v); !ok {
			return false
		}
	}
	if t == tBytes {
		r.Bytes = n
	} else {
		r.RequestLength = n
	}
	return true
}

// setDuration parses a duration in unit u for t.
func setDuration(r *event.Request, t target, v []byte, u durationUnit) bool {
	d, ok := parseDuration(v, u)
	if !ok {
		return false
	}
	if t == tRequestTime {
		r.RequestTime = d
	} else {
		r.UpstreamTime = d
	}
	return true
}
