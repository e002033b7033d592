package event

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	jsoniter "github.com/json-iterator/go"
)

// Decoder reads NDJSON lines into records. Byte slices in decoded records
// point into the Decoder's own buffer and are valid until the next call. A
// Decoder is not safe for concurrent use.
type Decoder struct {
	it    *jsoniter.Iterator
	sub   *jsoniter.Iterator
	arena []byte
}

// NewDecoder returns a Decoder.
func NewDecoder() *Decoder {
	return &Decoder{
		it:  jsoniter.NewIterator(config),
		sub: jsoniter.NewIterator(config),
	}
}

var kindPrefix = []byte(`{"kind":"`)

// Kind returns the value of the record's "kind" field. It has a fast path
// for records that start with it, as every httpmon encoder writes them; for
// others it reads the whole object, which also validates it. The returned
// slice is valid until the next call.
func (d *Decoder) Kind(line []byte) ([]byte, error) {
	if bytes.HasPrefix(line, kindPrefix) {
		rest := line[len(kindPrefix):]
		if i := bytes.IndexByte(rest, '"'); i > 0 && bytes.IndexByte(rest[:i], '\\') < 0 {
			return rest[:i], nil
		}
	}
	if err := d.start(line); err != nil {
		return nil, err
	}
	var kind []byte
	seen := false
	for f := d.it.ReadObject(); f != ""; f = d.it.ReadObject() {
		// The first "kind" counts, as on the fast path, which reads no
		// further: a record must not be one kind to one stage and another
		// kind to the next.
		if f == "kind" && !seen {
			var err error
			if kind, err = d.str(f); err != nil {
				return nil, err
			}
			seen = true
			continue
		}
		d.it.Skip()
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	if len(kind) == 0 {
		return nil, errors.New(`missing field "kind"`)
	}
	return kind, nil
}

// Validate checks that line is one well-formed JSON object and nothing else.
// Stages call it before passing through records of kinds they do not read,
// so that a damaged line is reported where it first appears.
func (d *Decoder) Validate(line []byte) error {
	if err := d.start(line); err != nil {
		return err
	}
	d.it.Skip()
	return d.finish()
}

func (d *Decoder) start(line []byte) error {
	d.it.ResetBytes(line)
	d.it.Error = nil
	// Decoded strings never exceed the line, and their raw tokens are copied
	// first, so twice the line is enough: the arena never reallocates while
	// earlier fields still point into it.
	if need := 2*len(line) + 16; cap(d.arena) < need {
		d.arena = make([]byte, 0, need)
	}
	d.arena = d.arena[:0]
	if t := d.it.WhatIsNext(); t != jsoniter.ObjectValue {
		if d.it.Error == io.EOF || t == jsoniter.InvalidValue {
			return errors.New("not a JSON object")
		}
		return fmt.Errorf("not a JSON object but %s", typeName(t))
	}
	return nil
}

// finish reports a syntax error met while reading, or anything after the
// object, which jsoniter would otherwise ignore.
func (d *Decoder) finish() error {
	if d.it.Error != nil {
		return syntaxError(d.it.Error)
	}
	d.it.WhatIsNext()
	if d.it.Error == io.EOF {
		return nil
	}
	if d.it.Error != nil {
		return syntaxError(d.it.Error)
	}
	return errors.New("unexpected data after the JSON object")
}

// end finishes reading a record: the first field error if there was one,
// otherwise what finish finds.
func (d *Decoder) end(err error) error {
	if err != nil {
		return err
	}
	return d.finish()
}

// syntaxError rewrites jsoniter's messages, which name internal functions
// and quote up to a kilobyte of context, into a short reason and the few
// bytes around the error.
func syntaxError(err error) error {
	if err == io.EOF {
		return errors.New("malformed JSON: the line ends inside the record")
	}
	msg := err.Error()
	near := ""
	if i := strings.Index(msg, ", error found in #"); i >= 0 {
		ctx := msg[i:]
		msg = msg[:i]
		if j := strings.Index(ctx, "...|"); j >= 0 {
			ctx = ctx[j+4:]
			if k := strings.Index(ctx, "|..."); k >= 0 {
				near = ctx[:k]
			}
		}
	}
	if k := strings.Index(msg, ": "); k >= 0 {
		msg = msg[k+2:]
	}
	if rest, ok := strings.CutPrefix(msg, "do not know how to skip: "); ok {
		if c, err := strconv.Atoi(rest); err == nil {
			if c == 0 {
				msg = "the line ends where a value should be"
			} else {
				msg = fmt.Sprintf("unexpected %q where a value should be", rune(c))
			}
		}
	}
	if near != "" {
		return fmt.Errorf("malformed JSON: %s, near %q", msg, near)
	}
	return fmt.Errorf("malformed JSON: %s", msg)
}

func typeName(t jsoniter.ValueType) string {
	switch t {
	case jsoniter.StringValue:
		return "a string"
	case jsoniter.NumberValue:
		return "a number"
	case jsoniter.NilValue:
		return "null"
	case jsoniter.BoolValue:
		return "a boolean"
	case jsoniter.ArrayValue:
		return "an array"
	case jsoniter.ObjectValue:
		return "an object"
	}
	return "invalid JSON"
}

// fieldError reports a value of the wrong type. A syntax error takes
// precedence because it explains the real problem.
type fieldError struct {
	field, want string
	got         jsoniter.ValueType
}

func (e *fieldError) Error() string {
	return fmt.Sprintf("field %q: want %s, got %s", e.field, e.want, typeName(e.got))
}

// expect checks the type of the next value; null is accepted as "absent"
// for every field and consumed, returning false.
func (d *Decoder) expect(field string, want jsoniter.ValueType, wantName string) (bool, error) {
	t := d.it.WhatIsNext()
	if t == want {
		return true, nil
	}
	if t == jsoniter.NilValue {
		d.it.Skip()
		return false, nil
	}
	if d.it.Error != nil {
		return false, syntaxError(d.it.Error)
	}
	return false, &fieldError{field, wantName, t}
}

// str reads a string field into the arena.
func (d *Decoder) str(field string) ([]byte, error) {
	ok, err := d.expect(field, jsoniter.StringValue, "a string")
	if !ok {
		return nil, err
	}
	start := len(d.arena)
	d.arena = d.it.SkipAndAppendBytes(d.arena)
	if d.it.Error != nil {
		return nil, syntaxError(d.it.Error)
	}
	raw := d.arena[start:]
	if len(raw) < 2 {
		return nil, &fieldError{field, "a string", jsoniter.InvalidValue}
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1 : len(raw)-1], nil
	}
	d.sub.ResetBytes(raw)
	d.sub.Error = nil
	s := d.sub.ReadString()
	if d.sub.Error != nil {
		return nil, fmt.Errorf("field %q: bad string escape", field)
	}
	d.arena = append(d.arena[:start], s...)
	return d.arena[start:len(d.arena):len(d.arena)], nil
}

// num reads a number field. Numbers are read as float64 so that producers
// may write "ts":1549573860.25; float64 represents every integer the
// protocol uses exactly.
func (d *Decoder) num(field string) (float64, bool, error) {
	ok, err := d.expect(field, jsoniter.NumberValue, "a number")
	if !ok {
		return 0, false, err
	}
	v := d.it.ReadFloat64()
	if d.it.Error != nil {
		return 0, false, syntaxError(d.it.Error)
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false, fmt.Errorf("field %q: number out of range", field)
	}
	return v, true, nil
}

// count reads a non-negative integer.
func (d *Decoder) count(field string) (int64, error) {
	v, ok, err := d.num(field)
	if !ok {
		return 0, err
	}
	if v != math.Trunc(v) || v < 0 || v > MaxCount {
		return 0, fmt.Errorf("field %q: want a non-negative integer below 2^53, got %s", field, strconv.FormatFloat(v, 'g', -1, 64))
	}
	return int64(v), nil
}

// ts reads a unix time in seconds, rounding fractions down to their second.
func (d *Decoder) ts(field string) (int64, bool, error) {
	return d.tsUpTo(field, MaxTS)
}

// tsUpTo is ts with last as the latest second allowed.
func (d *Decoder) tsUpTo(field string, last int64) (int64, bool, error) {
	v, ok, err := d.num(field)
	if !ok {
		return 0, false, err
	}
	if v < MinTS || v >= float64(last+1) {
		return 0, false, fmt.Errorf("field %q: time %s is outside years 0–9999", field, strconv.FormatFloat(v, 'f', -1, 64))
	}
	return int64(math.Floor(v)), true, nil
}

func (d *Decoder) offset(field string) (int32, error) {
	v, ok, err := d.num(field)
	if !ok {
		return 0, err
	}
	if v != math.Trunc(v) || v < -MaxOffset || v > MaxOffset {
		return 0, fmt.Errorf("field %q: want seconds within ±24h", field)
	}
	return int32(v), nil
}

func (d *Decoder) bool(field string) (bool, error) {
	ok, err := d.expect(field, jsoniter.BoolValue, "a boolean")
	if !ok {
		return false, err
	}
	return d.it.ReadBool(), nil
}

func (d *Decoder) status(field string, c *StatusCounts) error {
	ok, err := d.expect(field, jsoniter.ObjectValue, "an object")
	if !ok {
		return err
	}
	for f := d.it.ReadObject(); f != ""; f = d.it.ReadObject() {
		i := -1
		switch f {
		case "1xx":
			i = Class1xx
		case "2xx":
			i = Class2xx
		case "3xx":
			i = Class3xx
		case "4xx":
			i = Class4xx
		case "5xx":
			i = Class5xx
		case "other":
			i = ClassOther
		}
		if i < 0 {
			d.it.Skip()
			continue
		}
		if c[i], err = d.count(field + "." + f); err != nil {
			return err
		}
	}
	return nil
}

func missing(field string) error {
	return fmt.Errorf("missing field %q", field)
}

// Request decodes a "request" line into r. The kind field is not checked;
// callers dispatch on Kind first.
//
// Byte slices in r point into line or into the Decoder's buffer.
func (d *Decoder) Request(line []byte, r *Request) error {
	if fastRequest(line, r) {
		return nil
	}
	r.Reset()
	if err := d.start(line); err != nil {
		return err
	}
	var err error
	hasTS := false
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		switch f {
		case "ts":
			r.TS, hasTS, err = d.ts(f)
		case "utc_offset":
			r.UTCOffset, err = d.offset(f)
		case "status":
			var v float64
			var ok bool
			if v, ok, err = d.num(f); ok && (v != math.Trunc(v) || v < 0 || v > MaxStatus) {
				err = fmt.Errorf("field %q: want an HTTP status code", f)
			}
			r.Status = int(v)
		case "bytes":
			var ok bool
			var v float64
			if v, ok, err = d.num(f); ok {
				if v != math.Trunc(v) || v < 0 || v > MaxCount {
					err = fmt.Errorf("field %q: want a non-negative integer below 2^53", f)
				}
				r.Bytes = int64(v)
			}
		case "source":
			r.Source, err = d.str(f)
		case "remote_host":
			r.RemoteHost, err = d.str(f)
		case "ident":
			r.Ident, err = d.str(f)
		case "user":
			r.User, err = d.str(f)
		case "method":
			r.Method, err = d.str(f)
		case "path":
			r.Path, err = d.str(f)
		case "protocol":
			r.Protocol, err = d.str(f)
		case "request":
			r.Request, err = d.str(f)
		case "section":
			r.Section, err = d.str(f)
		case "referer":
			r.Referer, err = d.str(f)
		case "user_agent":
			r.UserAgent, err = d.str(f)
		default:
			d.it.Skip()
		}
	}
	if err := d.end(err); err != nil {
		return err
	}
	if !hasTS {
		return missing("ts")
	}
	return nil
}

// Tick decodes a "tick" line into t.
func (d *Decoder) Tick(line []byte, t *Tick) error {
	*t = Tick{}
	if err := d.start(line); err != nil {
		return err
	}
	var err error
	hasTS := false
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		switch f {
		case "ts":
			t.TS, hasTS, err = d.ts(f)
		case "utc_offset":
			t.UTCOffset, err = d.offset(f)
		case "hits":
			t.Hits, err = d.count(f)
		case "bytes":
			t.Bytes, err = d.count(f)
		case "status":
			err = d.status(f, &t.Status)
		default:
			d.it.Skip()
		}
	}
	if err := d.end(err); err != nil {
		return err
	}
	if !hasTS {
		return missing("ts")
	}
	return nil
}

// Summary decodes a "summary" line into s, reusing s.Sections.
func (d *Decoder) Summary(line []byte, s *Summary) error {
	secs := s.Sections[:0]
	*s = Summary{}
	if err := d.start(line); err != nil {
		return err
	}
	var err error
	hasStart, hasEnd := false, false
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		switch f {
		case "start":
			s.Start, hasStart, err = d.ts(f)
		case "end":
			// The interval of the last second ends after it.
			s.End, hasEnd, err = d.tsUpTo(f, MaxTS+MaxInterval)
		case "utc_offset":
			s.UTCOffset, err = d.offset(f)
		case "seconds":
			s.Seconds, err = d.count(f)
		case "partial":
			s.Partial, err = d.bool(f)
		case "hits":
			s.Hits, err = d.count(f)
		case "rps":
			s.RPS, _, err = d.num(f)
		case "bytes":
			s.Bytes, err = d.count(f)
		case "status":
			err = d.status(f, &s.Status)
		case "late":
			s.Late, err = d.count(f)
		case "sections_total":
			s.SectionsTotal, err = d.count(f)
		case "sections_approx":
			s.SectionsApprox, err = d.bool(f)
		case "sections_error":
			s.SectionsError, err = d.count(f)
		case "sections":
			secs, err = d.sections(f, secs)
		default:
			d.it.Skip()
		}
	}
	s.Sections = secs
	if err := d.end(err); err != nil {
		return err
	}
	if !hasStart {
		return missing("start")
	}
	if !hasEnd {
		return missing("end")
	}
	if s.End < s.Start {
		return errors.New(`field "end" is before "start"`)
	}
	return nil
}

func (d *Decoder) sections(field string, secs []SectionStat) ([]SectionStat, error) {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return secs, err
	}
	for d.it.ReadArray() {
		ok, err := d.expect(field+"[]", jsoniter.ObjectValue, "an object")
		if !ok {
			if err != nil {
				return secs, err
			}
			continue
		}
		var sec SectionStat
		for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
			switch f {
			case "section":
				sec.Section, err = d.str(f)
			case "hits":
				sec.Hits, err = d.count(f)
			case "bytes":
				sec.Bytes, err = d.count(f)
			case "4xx":
				sec.Errors4x, err = d.count(f)
			case "5xx":
				sec.Errors5x, err = d.count(f)
			case "top_path":
				sec.TopPath, err = d.str(f)
			case "top_bytes":
				sec.TopBytes, err = d.count(f)
			default:
				d.it.Skip()
			}
		}
		if err != nil {
			return secs, err
		}
		secs = append(secs, sec)
	}
	return secs, nil
}

// Alert decodes an "alert" line into a.
func (d *Decoder) Alert(line []byte, a *Alert) error {
	*a = Alert{Labels: a.Labels[:0]}
	if err := d.start(line); err != nil {
		return err
	}
	var err error
	hasTS := false
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		switch f {
		case "name":
			a.Name, err = d.str(f)
		case "state":
			a.State, err = d.str(f)
		case "ts":
			a.TS, hasTS, err = d.ts(f)
		case "utc_offset":
			a.UTCOffset, err = d.offset(f)
		case "hits":
			a.Hits, err = d.count(f)
		case "threshold":
			a.Threshold, _, err = d.num(f)
		case "window":
			a.Window, err = d.count(f)
		case "rate":
			a.Rate, _, err = d.num(f)
		case "metric":
			a.Metric, err = d.str(f)
		case "op":
			a.Op, err = d.str(f)
		case "value":
			a.Value, _, err = d.num(f)
		case "labels":
			a.Labels, err = d.labels(f, a.Labels[:0])
		case "for":
			a.For, err = d.count(f)
		case "keep_firing_for":
			a.KeepFiringFor, err = d.count(f)
		case "starts_at":
			a.StartsAt, _, err = d.ts(f)
		case "ends_at":
			a.EndsAt, _, err = d.ts(f)
		default:
			d.it.Skip()
		}
	}
	if err := d.end(err); err != nil {
		return err
	}
	switch {
	case !hasTS:
		return missing("ts")
	case len(a.Name) == 0:
		return missing("name")
	case string(a.State) != StateFiring && string(a.State) != StateResolved:
		return fmt.Errorf(`field "state": want %q or %q`, StateFiring, StateResolved)
	}
	return nil
}

// labels reads an object of string values, keeping its order; an alert's
// producer writes them sorted.
func (d *Decoder) labels(field string, ls []Label) ([]Label, error) {
	ok, err := d.expect(field, jsoniter.ObjectValue, "an object")
	if !ok {
		return ls, err
	}
	for f := d.it.ReadObject(); f != ""; f = d.it.ReadObject() {
		start := len(d.arena)
		d.arena = append(d.arena, f...)
		name := d.arena[start:len(d.arena):len(d.arena)]
		v, err := d.str(field + "." + f)
		if err != nil {
			return ls, err
		}
		if v != nil {
			ls = append(ls, Label{Name: name, Value: v})
		}
	}
	if d.it.Error != nil {
		return ls, syntaxError(d.it.Error)
	}
	return ls, nil
}

// fastRequest decodes the records that httpmon-parse writes, and any
// record as plain: no whitespace, no backslash or control character
// anywhere, integers of at most 15 digits, string and number values only,
// ts present and every value in range. Strings are sliced out of line rather than copied. Anything else,
// including every record with an error, makes it return false, possibly
// having written to r, and Request decodes the line the general way, which
// also explains what is wrong. The two ways agree on every line that
// fastRequest accepts; FuzzFastRequest checks it.
func fastRequest(line []byte, r *Request) bool {
	*r = Request{Bytes: -1}
	n := len(line)
	if n < 2 || line[0] != '{' || line[n-1] != '}' {
		return false
	}
	// Without a backslash, every '"' in the line delimits a string, so
	// finding the end of a string is a search for the next one.
	if hasControlOrBackslash(line) {
		return false
	}
	hasTS := false
	i := 1
	for {
		// A key, then its colon.
		if i >= n || line[i] != '"' {
			return false
		}
		id, kl := matchKey(line[i:])
		if kl > 0 {
			i += kl
		} else {
			ks := i + 1
			ke := ks + bytes.IndexByte(line[ks:], '"')
			// An empty key ends jsoniter's ReadObject loops as if the
			// object ended, and the general decoder rejects the line.
			if ke <= ks || ke+1 >= n || line[ke+1] != ':' {
				return false
			}
			i = ke + 2
		}
		if i >= n {
			return false
		}
		switch c := line[i]; {
		case c == '"':
			vs := i + 1
			ve := vs + bytes.IndexByte(line[vs:], '"')
			if ve < vs {
				return false
			}
			i = ve + 1
			if id >= keySource {
				*r.text(id) = line[vs:ve:ve]
			} else if id != keyOther {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			neg := c == '-'
			if neg {
				i++
			}
			ds := i
			var v int64
			for ; i < n && line[i] >= '0' && line[i] <= '9'; i++ {
				v = v*10 + int64(line[i]-'0')
			}
			if nd := i - ds; nd == 0 || nd > 15 || nd > 1 && line[ds] == '0' {
				return false
			}
			if neg {
				v = -v
			}
			switch id {
			case keyOther:
			case keyTS:
				if v < MinTS || v > MaxTS {
					return false
				}
				r.TS, hasTS = v, true
			case keyOffset:
				if v < -MaxOffset || v > MaxOffset {
					return false
				}
				r.UTCOffset = int32(v)
			case keyStatus:
				if v < 0 || v > MaxStatus {
					return false
				}
				r.Status = int(v)
			case keyBytes:
				if v < 0 {
					return false
				}
				r.Bytes = v
			default:
				return false
			}
		default:
			return false
		}
		// Then a comma and the next field, or the end of the line.
		if i >= n {
			return false
		}
		if line[i] == ',' {
			i++
			continue
		}
		return line[i] == '}' && i == n-1 && hasTS
	}
}

// Request fields as fastRequest knows them: numbers first, then strings.
const (
	keyOther = iota // a key Request does not read
	keyTS
	keyOffset
	keyStatus
	keyBytes
	keySource
	keyRemoteHost
	keyIdent
	keyUser
	keyMethod
	keyPath
	keyProtocol
	keyRequest
	keySection
	keyReferer
	keyUserAgent
)

// text returns the string field of r for a key from keySource on.
func (r *Request) text(key int) *[]byte {
	switch key {
	case keySource:
		return &r.Source
	case keyRemoteHost:
		return &r.RemoteHost
	case keyIdent:
		return &r.Ident
	case keyUser:
		return &r.User
	case keyMethod:
		return &r.Method
	case keyPath:
		return &r.Path
	case keyProtocol:
		return &r.Protocol
	case keyRequest:
		return &r.Request
	case keySection:
		return &r.Section
	case keyReferer:
		return &r.Referer
	default:
		return &r.UserAgent
	}
}

// matchKey recognises a Request key with its quotes and colon at the start
// of b, like `"path":`, by comparing with the few keys that share its first
// letter. It returns the key and the length matched, or 0, 0 for keys it
// does not know, which the caller then finds the end of.
func matchKey(b []byte) (key, n int) {
	if len(b) < 2 {
		return keyOther, 0
	}
	var k int
	var lit string
	switch b[1] {
	case 't':
		k, lit = keyTS, `"ts":`
	case 'u':
		switch {
		case has(b, `"user":`):
			return keyUser, len(`"user":`)
		case has(b, `"user_agent":`):
			return keyUserAgent, len(`"user_agent":`)
		}
		k, lit = keyOffset, `"utc_offset":`
	case 's':
		switch {
		case has(b, `"source":`):
			return keySource, len(`"source":`)
		case has(b, `"status":`):
			return keyStatus, len(`"status":`)
		}
		k, lit = keySection, `"section":`
	case 'r':
		switch {
		case has(b, `"remote_host":`):
			return keyRemoteHost, len(`"remote_host":`)
		case has(b, `"request":`):
			return keyRequest, len(`"request":`)
		}
		k, lit = keyReferer, `"referer":`
	case 'i':
		k, lit = keyIdent, `"ident":`
	case 'm':
		k, lit = keyMethod, `"method":`
	case 'p':
		if has(b, `"path":`) {
			return keyPath, len(`"path":`)
		}
		k, lit = keyProtocol, `"protocol":`
	case 'b':
		k, lit = keyBytes, `"bytes":`
	default:
		return keyOther, 0
	}
	if has(b, lit) {
		return k, len(lit)
	}
	return keyOther, 0
}

// has reports whether b starts with lit.
func has(b []byte, lit string) bool {
	return len(b) >= len(lit) && string(b[:len(lit)]) == lit
}
