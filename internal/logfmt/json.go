package logfmt

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/httpmon/httpmon/internal/event"
)

// A JSON access log has one object per line. Its keys are the server's:
// JSONLayout maps key paths ("request.uri" for the "uri" of the object
// under "request") to request fields. Parsing walks the object once,
// looks each key up in a tree built from the layout, slices the values it
// wants out of the line and skips the rest without decoding them.
//
// The walk is written here rather than done with json-iterator: its
// Iterator returns every key as a new string (one allocation per key, six
// on a short Caddy line, measured), and nothing in its API reads a key
// into a byte slice with its escapes honoured.

// maxJSONDepth bounds the nesting of a JSON line, as encoding/json's
// 10000 does, so that a line of "[[[[…" cannot exhaust anything.
const maxJSONDepth = 10000

// jsonNode is a key of a JSONLayout, with the keys under it.
type jsonNode struct {
	children map[string]*jsonNode
	keys     keyTable // children, for parsing
	target   target
	unit     durationUnit
	flags    valueFlags
	prio     uint8  // of several keys for one field, the lowest wins
	path     string // the key path, for messages
	tls      bool   // Caddy's request.tls: present means https
	caddy    bool   // Caddy's request object
}

// JSONLayout says which keys of a JSON log hold which request fields.
type JSONLayout struct {
	root *jsonNode
	// user holds the key paths given with --json-fields by target, which
	// name the field in a message about a missing one.
	user [numTargets]string
}

// jsonKey is one key path of a layout.
type jsonKey struct {
	path   string
	target target
	unit   durationUnit
	flags  valueFlags
	prio   uint8
}

// knownJSONKeys are the keys of the JSON access logs that are read without
// set-up: nginx's escape=json formats as people write them (keys named
// after the variables), Caddy, Traefik, Envoy and Istio, HAProxy's
// %{+json}o example, and Cloudflare's Logpush and Logpull. Where two logs
// use one key for different things, priorities decide: Caddy's "size" is
// the response size and its "bytes_read" the request body's, while
// HAProxy's "bytes_read" is the response size, so "bytes_read" counts only
// when there is no "size".
var knownJSONKeys = []jsonKey{
	// Timestamps. Traefik's StartUTC and Envoy's start_time are when the
	// request started, as in CLF; "time" is when the line was written.
	{path: "ts", target: tTS},
	{path: "StartUTC", target: tTS},
	{path: "start_time", target: tTS},
	{path: "time_iso8601", target: tTS},
	{path: "time_local", target: tTS},
	{path: "EdgeStartTimestamp", target: tTS},
	{path: "request_date", target: tTS},
	{path: "StartLocal", target: tTS, prio: 1},
	{path: "msec", target: tTS, prio: 1},
	{path: "timestamp", target: tTS, prio: 1},
	{path: "@timestamp", target: tTS, prio: 1},
	{path: "time", target: tTS, prio: 2},

	{path: "status", target: tStatus},
	{path: "DownstreamStatus", target: tStatus},
	{path: "response_code", target: tStatus},
	{path: "EdgeResponseStatus", target: tStatus},
	{path: "status_code", target: tStatus},
	{path: "OriginStatus", target: tStatus, prio: 1},

	{path: "size", target: tBytes},
	{path: "body_bytes_sent", target: tBytes},
	{path: "DownstreamContentSize", target: tBytes},
	{path: "EdgeResponseBytes", target: tBytes},
	{path: "bytes_sent", target: tBytes, prio: 1},
	{path: "bytes_read", target: tBytes, prio: 2},

	{path: "request", target: tRequest},
	{path: "request_line", target: tRequest},

	{path: "request.method", target: tMethod},
	{path: "RequestMethod", target: tMethod},
	{path: "method", target: tMethod},
	{path: "request_method", target: tMethod},
	{path: "ClientRequestMethod", target: tMethod},
	{path: "http_method", target: tMethod},

	{path: "request.uri", target: tPath},
	{path: "RequestPath", target: tPath},
	{path: "path", target: tPath},
	{path: "request_uri", target: tPath},
	{path: "ClientRequestURI", target: tPath},
	{path: "uri", target: tPath, prio: 1},
	{path: "url", target: tPath, prio: 1},

	{path: "request.proto", target: tProtocol},
	{path: "RequestProtocol", target: tProtocol},
	{path: "protocol", target: tProtocol},
	{path: "server_protocol", target: tProtocol},
	{path: "ClientRequestProtocol", target: tProtocol},
	{path: "http_version", target: tProtocol},

	{path: "request.client_ip", target: tRemoteHost},
	{path: "ClientHost", target: tRemoteHost},
	{path: "remote_addr", target: tRemoteHost},
	{path: "ClientIP", target: tRemoteHost},
	{path: "client_ip", target: tRemoteHost},
	{path: "request.remote_ip", target: tRemoteHost, prio: 1},
	{path: "downstream_remote_address", target: tRemoteHost, flags: flagPort, prio: 1},
	{path: "request.remote_addr", target: tRemoteHost, flags: flagPort, prio: 2},
	{path: "ClientAddr", target: tRemoteHost, flags: flagPort, prio: 2},

	{path: "remote_user", target: tUser},
	{path: "ClientUsername", target: tUser},
	{path: "user_id", target: tUser, prio: 1},

	{path: "request.headers.Referer", target: tReferer},
	{path: "request_Referer", target: tReferer},
	{path: "http_referer", target: tReferer},
	{path: "http_referrer", target: tReferer},
	{path: "referer", target: tReferer},
	{path: "ClientRequestReferer", target: tReferer},

	{path: "request.headers.User-Agent", target: tUserAgent},
	{path: "request_User-Agent", target: tUserAgent},
	{path: "http_user_agent", target: tUserAgent},
	{path: "user_agent", target: tUserAgent},
	{path: "ClientRequestUserAgent", target: tUserAgent},

	{path: "request.host", target: tHost},
	{path: "RequestHost", target: tHost},
	{path: "authority", target: tHost},
	{path: "host", target: tHost},
	{path: "ClientRequestHost", target: tHost},
	{path: "http_host", target: tHost, prio: 1},
	// Not "server_name": HAProxy's is the backend server's.

	{path: "RequestScheme", target: tScheme},
	{path: "scheme", target: tScheme},
	{path: "ClientRequestScheme", target: tScheme},

	{path: "duration", target: tRequestTime, unit: unitSecondsOrMillis},
	{path: "Duration", target: tRequestTime, unit: unitNanos},
	{path: "request_time", target: tRequestTime},
	{path: "time_active", target: tRequestTime, unit: unitMillis},

	{path: "upstream_response_time", target: tUpstreamTime},
	{path: "OriginDuration", target: tUpstreamTime, unit: unitNanos},
	{path: "upstream_service_time", target: tUpstreamTime, unit: unitMillis},
	{path: "OriginResponseDurationMs", target: tUpstreamTime, unit: unitMillis},
	{path: "time_server_response", target: tUpstreamTime, unit: unitMillis},
	{path: "OriginResponseTime", target: tUpstreamTime, unit: unitNanos, prio: 1},

	{path: "request_length", target: tRequestLength},
	{path: "ClientRequestBytes", target: tRequestLength},
	{path: "bytes_received", target: tRequestLength, prio: 1},

	{path: "request.headers.X-Forwarded-For", target: tXForwardedFor},
	{path: "request_X-Forwarded-For", target: tXForwardedFor},
	{path: "http_x_forwarded_for", target: tXForwardedFor},
	{path: "x_forwarded_for", target: tXForwardedFor},

	{path: "ClientCountry", target: tCountry},
	{path: "geoip_country_code", target: tCountry},
	{path: "country_code", target: tCountry},
	{path: "country", target: tCountry, prio: 1},
}

var defaultJSONLayout = newJSONLayout(knownJSONKeys)

// DefaultJSONLayout returns the layout that reads the known JSON access
// logs (see the README) without set-up.
func DefaultJSONLayout() *JSONLayout { return defaultJSONLayout }

func newJSONLayout(keys []jsonKey) *JSONLayout {
	l := &JSONLayout{root: &jsonNode{}}
	for _, k := range keys {
		l.add(k)
	}
	n := l.root.child("request")
	n.caddy = true
	n.child("tls").tls = true
	l.root.freeze()
	return l
}

func (n *jsonNode) child(key string) *jsonNode {
	if n.children == nil {
		n.children = make(map[string]*jsonNode)
	}
	c := n.children[key]
	if c == nil {
		c = &jsonNode{path: key}
		if n.path != "" {
			c.path = n.path + "." + key
		}
		n.children[key] = c
	}
	return c
}

func (l *JSONLayout) add(k jsonKey) {
	n := l.root
	for key := range strings.SplitSeq(k.path, ".") {
		n = n.child(key)
	}
	n.target, n.unit, n.flags, n.prio = k.target, k.unit, k.flags, k.prio
}

// jsonValue is the value a line had for one target.
type jsonValue struct {
	raw  []byte
	node *jsonNode
	num  bool
}

// jsonValues are the values a line had, by target; set has a bit for
// each target that has one, so that nothing needs clearing per line.
type jsonValues struct {
	set uint32
	v   [numTargets]jsonValue
}

// jsonState is what parsing a JSON line keeps, reused from line to line.
type jsonState struct {
	layout *JSONLayout // nil for the default
	vals   jsonValues
	arena  []byte // unescaped strings
	caddy  bool
	tls    bool
}

// SetJSONLayout makes p read JSON lines with l; nil restores the default.
func (p *Parser) SetJSONLayout(l *JSONLayout) { p.js.layout = l }

// parseJSON parses a JSON access-log line.
func (p *Parser) parseJSON(line []byte, r *event.Request) error {
	r.Reset()
	s := &p.js
	l := s.layout
	if l == nil {
		l = defaultJSONLayout
	}
	s.vals.set = 0
	s.caddy, s.tls = false, false
	if cap(s.arena) < len(line) {
		s.arena = make([]byte, 0, len(line)+len(line)/2)
	}
	s.arena = s.arena[:0]

	i := skipWS(line, 0)
	if i == len(line) || line[i] != '{' {
		return &Error{Reason: "not a JSON object"}
	}
	i, err := s.object(line, i, l.root, 1)
	if err != nil {
		return err
	}
	if i = skipWS(line, i); i != len(line) {
		return errorf("junk after the JSON object:", line[i:])
	}
	return p.applyJSON(l, r)
}

// applyJSON sets r from the values the line had.
func (p *Parser) applyJSON(l *JSONLayout, r *event.Request) error {
	s := &p.js
	if s.vals.set&(1<<tTS) == 0 {
		return l.missing(tTS, "timestamp")
	}
	if s.vals.set&(1<<tStatus) == 0 {
		return l.missing(tStatus, "status")
	}
	for m := s.vals.set; m != 0; m &= m - 1 {
		t := target(bits.TrailingZeros32(m))
		v := &s.vals.v[t]
		if t.isText() {
			// What apply would do, without its call.
			setText(r, t, v.raw, v.node.flags)
		} else if err := p.apply(t, v.raw, v.node, v.num, s.caddy, r); err != nil {
			return err
		}
	}
	if s.tls && len(r.Scheme) == 0 {
		r.Scheme = httpsScheme
	}
	return nil
}

// apply sets the field t of r from the value raw of the key or variable
// n, which is a JSON number if num is set; caddy says that durations of
// unknown unit are seconds. Fields are applied in the order of their
// targets, so that a request line comes before the method and path.
func (p *Parser) apply(t target, raw []byte, n *jsonNode, num, caddy bool, r *event.Request) error {
	var ok bool
	switch t {
	case tTS:
		if num {
			var f float64
			if f, ok = parseNumber(raw); ok {
				r.TS, ok = epochSeconds(f)
			}
		} else {
			r.TS, r.UTCOffset, ok = p.parseTimeText(raw)
		}
	case tStatus:
		ok = parseStatus(raw, r) == nil
	case tBytes, tRequestLength:
		ok = setCount(r, t, raw)
	case tRequestTime, tUpstreamTime:
		u := n.unit
		if u == unitSecondsOrMillis && caddy {
			u = unitSeconds
		}
		ok = setDuration(r, t, raw, u)
	default:
		setText(r, t, raw, n.flags)
		ok = true
	}
	if !ok {
		return applyErr(t, n, raw)
	}
	return nil
}

// applyErr is the error for the value raw of n, which is not what its
// target t takes. It is never inlined, so that the strings it builds do
// not crowd apply's registers.
//
//go:noinline
func applyErr(t target, n *jsonNode, raw []byte) error {
	want := "a string"
	switch t {
	case tTS:
		want = "a time"
	case tStatus:
		want = "a status code"
	case tBytes, tRequestLength:
		want = "a byte count"
	case tRequestTime, tUpstreamTime:
		want = "a duration"
	}
	return &Error{Reason: "field " + strconv.Quote(n.path) + ": want " + want + ", got " + quote(raw)}
}

var httpsScheme = []byte("https")

// missing is the error for a line without a field that a request needs.
func (l *JSONLayout) missing(t target, what string) error {
	if l.user[t] != "" {
		return &Error{Reason: "missing field " + strconv.Quote(l.user[t]) + " (" + targetNames[t] + ")"}
	}
	return &Error{Reason: "no " + what + " field in the JSON object; name it with --json-fields " + targetNames[t] + "=KEY"}
}

// record keeps the value v of the key n, unless a key of lower priority
// for the same field was already seen; of equal ones the last counts, as
// with encoding/json.
func (vals *jsonValues) record(n *jsonNode, v []byte, num bool) {
	bit := uint32(1) << n.target
	cur := &vals.v[n.target]
	if vals.set&bit != 0 && cur.node.prio < n.prio {
		return
	}
	vals.set |= bit
	cur.raw, cur.node, cur.num = v, n, num
}

// skipWS skips JSON's blanks. Most places have none: the first test,
// which every other byte fails, decides them alone.
func skipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func syntaxErr(line []byte, i int, what string) error {
	if i >= len(line) {
		return &Error{Reason: "bad JSON: " + what + " at the end of the line"}
	}
	return &Error{Reason: "bad JSON at column " + strconv.Itoa(i+1) + ": " + what + " before " + quote(line[i:])}
}

// object reads the object at line[i], whose keys are those under n (nil
// for an object nothing is wanted from), and returns the index after it.
func (s *jsonState) object(line []byte, i int, n *jsonNode, depth int) (int, error) {
	if depth > maxJSONDepth {
		return 0, &Error{Reason: "bad JSON: nested too deeply"}
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return 0, syntaxErr(line, i, "want a key")
		}
		// Strings without escapes, nearly all keys and values, are read
		// here, and the rest by str and value, whose calls would cost
		// more than the scan of a short string. The scan of a key is
		// stringEnd's, written out: keys are shorter still, and the call
		// would cost a third of it.
		var key []byte
		var err error
		j := i + 1
		for ; ; j += 8 {
			if j+8 > len(line) {
				j = stringEnd(line, j)
				break
			}
			w := binary.LittleEndian.Uint64((*[8]byte)(line[j : j+8])[:])
			t, bs := w^swar.twos, w^swar.bslashes
			if m := ((t-swar.below)&^t | (bs-swar.ones)&^bs) & swar.highs; m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
		}
		if j < len(line) && line[j] == '"' {
			key, i = line[i+1:j:j], j+1
		} else if key, i, err = s.str(line, i); err != nil {
			return 0, err
		}
		i = skipWS(line, i)
		if i >= len(line) || line[i] != ':' {
			return 0, syntaxErr(line, i, "want ':'")
		}
		i = skipWS(line, i+1)
		var c *jsonNode
		if n != nil {
			// The key's lookup in n.keys (see keyTable).
			t := &n.keys
			lo, hi := keyWords(key)
			mask := uint64(len(t.slots) - 1)
			for h := keyHash(lo, hi, len(key), t.shift); ; h = (h + 1) & mask {
				if sl := &t.slots[h]; sl.node == nil || sl.matches(lo, hi, key) {
					c = sl.node
					break
				}
			}
		}
		if i < len(line) && line[i] == '"' {
			// Values are longer than keys: their scan costs more than
			// its call.
			j := stringEnd(line, i+1)
			if j < len(line) && line[j] == '"' {
				if c != nil && c.target != tNone {
					s.vals.record(c, line[i+1:j:j], false)
				}
				i = j + 1
			} else if i, err = s.value(line, i, c, depth); err != nil {
				return 0, err
			}
		} else if i, err = s.value(line, i, c, depth); err != nil {
			return 0, err
		}
		i = skipWS(line, i)
		if i >= len(line) {
			return 0, syntaxErr(line, i, "unterminated object")
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, syntaxErr(line, i, "want ',' or '}'")
		}
	}
}

// value reads the value at line[i] for the key n (nil for one not
// wanted).
func (s *jsonState) value(line []byte, i int, n *jsonNode, depth int) (int, error) {
	if i >= len(line) {
		return 0, syntaxErr(line, i, "want a value")
	}
	switch c := line[i]; {
	case c == '{':
		if n != nil {
			s.caddy = s.caddy || n.caddy
			s.tls = s.tls || n.tls
			if n.children == nil {
				n = nil
			}
		}
		return s.object(line, i, n, depth+1)
	case c == '[':
		if n != nil && n.target == tNone {
			n = nil
		}
		return s.array(line, i, n, depth+1)
	case c == '"':
		v, j, err := s.str(line, i)
		if err == nil && n != nil && n.target != tNone {
			s.vals.record(n, v, false)
		}
		return j, err
	case c == '-' || isDigit(c):
		j := numberEnd(line, i)
		if j == i {
			return 0, syntaxErr(line, i, "bad number")
		}
		if n != nil && n.target != tNone {
			s.vals.record(n, line[i:j], true)
		}
		return j, nil
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(line)-i >= len(lit) && string(line[i:i+len(lit)]) == lit {
				return i + len(lit), nil
			}
		}
		return 0, syntaxErr(line, i, "want a value")
	}
}

// array reads the array at line[i]. For a wanted key, its first string or
// number is the value: Caddy logs each header as a list of values.
func (s *jsonState) array(line []byte, i int, n *jsonNode, depth int) (int, error) {
	if depth > maxJSONDepth {
		return 0, &Error{Reason: "bad JSON: nested too deeply"}
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = s.value(line, i, n, depth); err != nil {
			return 0, err
		}
		if n != nil && s.vals.set&(1<<n.target) != 0 && s.vals.v[n.target].node == n {
			n = nil
		}
		i = skipWS(line, i)
		if i >= len(line) {
			return 0, syntaxErr(line, i, "unterminated array")
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case ']':
			return i + 1, nil
		default:
			return 0, syntaxErr(line, i, "want ',' or ']'")
		}
	}
}

// str reads the string at line[i] and returns its text, a slice of the
// line or, when it has escapes, of the arena.
func (s *jsonState) str(line []byte, i int) ([]byte, int, error) {
	start := i + 1
	j := stringEnd(line, start)
	if j == len(line) {
		return nil, 0, syntaxErr(line, j, "unterminated string")
	}
	switch line[j] {
	case '"':
		return line[start:j:j], j + 1, nil
	case '\\':
		return s.unescape(line, start, j)
	}
	return nil, 0, syntaxErr(line, j, "control character in string")
}

// stringEnd returns the index of the first quote, backslash or control
// character at or after line[i], or len(line). The common string has
// neither escapes nor control characters, and one pass over it eight bytes
// at a time finds its end and checks it, where bytes.IndexByte for the
// quote and a check of the bytes before it would read it twice.
func stringEnd(line []byte, i int) int {
	// The constants are loaded into registers once, where the compiler
	// would rebuild each constant in the loop.
	ones, twos, below, bslashes, highs := swar.ones, swar.twos, swar.below, swar.bslashes, swar.highs
	for ; i+8 <= len(line); i += 8 {
		w := binary.LittleEndian.Uint64((*[8]byte)(line[i : i+8])[:])
		// A byte c is a control character or a quote when c^2 < 0x21.
		t := w ^ twos
		bs := w ^ bslashes
		if m := ((t-below)&^t | (bs-ones)&^bs) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(line); i++ {
		if c := line[i]; c == '"' || c == '\\' || c < 0x20 {
			break
		}
	}
	return i
}

// swar holds the byte patterns with which stringEnd finds, with the bit
// tricks of "Bit Twiddling Hacks" (hasless and haszero), the bytes of a
// word that are a quote, a backslash or a control character. Bits above
// the lowest one found may be false, because of the borrow from a byte
// that matched; the lowest one is exact, which is all stringEnd needs.
var swar = struct{ ones, twos, below, bslashes, highs uint64 }{
	ones:     0x0101010101010101,
	twos:     0x0101010101010101 * 0x02,
	below:    0x0101010101010101 * 0x21,
	bslashes: 0x0101010101010101 * '\\',
	highs:    0x8080808080808080,
}

// unescape decodes the string that starts at line[start] and has its
// first backslash at line[j] into the arena. The arena's room is at least
// the line's length and a decoded string is never longer than its escaped
// form, so appending never moves strings already sliced from it.
func (s *jsonState) unescape(line []byte, start, j int) ([]byte, int, error) {
	a := len(s.arena)
	s.arena = append(s.arena, line[start:j]...)
	for j < len(line) {
		c := line[j]
		switch {
		case c == '"':
			out := s.arena[a:len(s.arena):len(s.arena)]
			return out, j + 1, nil
		case c < 0x20:
			return nil, 0, syntaxErr(line, j, "control character in string")
		case c != '\\':
			// The run up to the next escape, quote or control
			// character, in one append.
			k := stringEnd(line, j)
			s.arena = append(s.arena, line[j:k]...)
			j = k
			continue
		}
		if j+1 >= len(line) {
			break
		}
		switch e := line[j+1]; e {
		case '"', '\\', '/':
			s.arena = append(s.arena, e)
		case 'b':
			s.arena = append(s.arena, '\b')
		case 'f':
			s.arena = append(s.arena, '\f')
		case 'n':
			s.arena = append(s.arena, '\n')
		case 'r':
			s.arena = append(s.arena, '\r')
		case 't':
			s.arena = append(s.arena, '\t')
		case 'u':
			r1, ok := hex4(line, j+2)
			if !ok {
				return nil, 0, syntaxErr(line, j, "bad \\u escape")
			}
			j += 6
			if utf16.IsSurrogate(r1) {
				if r2, ok := hex4(line, j+2); ok && j+1 < len(line) && line[j] == '\\' && line[j+1] == 'u' {
					if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
						s.arena = utf8.AppendRune(s.arena, dec)
						j += 6
						continue
					}
				}
				r1 = utf8.RuneError
			}
			s.arena = utf8.AppendRune(s.arena, r1)
			continue
		default:
			return nil, 0, syntaxErr(line, j, "bad escape")
		}
		j += 2
	}
	return nil, 0, syntaxErr(line, j, "unterminated string")
}

// hex4 decodes the four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			c = c | 0x20 - 'a' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
