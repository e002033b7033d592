package event

import (
	"fmt"
	"math"
	"strconv"
	"unsafe"
)

//go:generate go test -tags regen -run ^TestRequestGenerated$ -update

// The fields of a request record, in the order the encoder writes them.
// Each indexes requestFields, which says all the rest about it: the
// encoder, both decoders and the tests read the fields from that one list,
// and the hot paths' unrolled loops over it are generated from it into
// request_gen.go.
const (
	keyOther = iota // a key that Request does not read
	keyTS
	keyOffset
	keySource
	keyRemoteHost
	keyIdent
	keyUser
	keyMethod
	keyPath
	keyProtocol
	keyRequest
	keySection
	keyStatus
	keyBytes
	keyReferer
	keyUserAgent
	keyRequestTime
	keyUpstreamTime
	keyRequestLength
	keyHost
	keyScheme
	keyXForwardedFor
	keyCountry
	keyFields
	numKeys
)

// A fieldType says how a request field is held, written, read and checked.
type fieldType uint8

const (
	otherField   fieldType = iota // a key that Request does not read
	textField                     // []byte, absent when empty
	tsField                       // TS, the one required field
	offsetField                   // UTCOffset, absent when 0
	statusField                   // Status, absent when 0
	sizeField                     // int64 of bytes, absent when negative
	secondsField                  // float64 duration, absent when negative
	pairsField                    // Fields, absent when empty
)

// requestField describes one field of a request record.
type requestField struct {
	name string
	typ  fieldType
	// off is the offset of the field in Request, of the Go type typ says;
	// TestRequestFields checks each against reflection.
	off uintptr
}

var requestFields = [numKeys]requestField{
	keyOther:      {name: "", typ: otherField},
	keyTS:         {name: "ts", typ: tsField, off: unsafe.Offsetof(Request{}.TS)},
	keyOffset:     {name: "utc_offset", typ: offsetField, off: unsafe.Offsetof(Request{}.UTCOffset)},
	keySource:     {name: "source", typ: textField, off: unsafe.Offsetof(Request{}.Source)},
	keyRemoteHost: {name: "remote_host", typ: textField, off: unsafe.Offsetof(Request{}.RemoteHost)},
	keyIdent:      {name: "ident", typ: textField, off: unsafe.Offsetof(Request{}.Ident)},
	keyUser:       {name: "user", typ: textField, off: unsafe.Offsetof(Request{}.User)},
	keyMethod:     {name: "method", typ: textField, off: unsafe.Offsetof(Request{}.Method)},
	keyPath:       {name: "path", typ: textField, off: unsafe.Offsetof(Request{}.Path)},
	keyProtocol:   {name: "protocol", typ: textField, off: unsafe.Offsetof(Request{}.Protocol)},
	keyRequest:    {name: "request", typ: textField, off: unsafe.Offsetof(Request{}.Request)},
	keySection:    {name: "section", typ: textField, off: unsafe.Offsetof(Request{}.Section)},
	keyStatus:     {name: "status", typ: statusField, off: unsafe.Offsetof(Request{}.Status)},
	keyBytes:      {name: "bytes", typ: sizeField, off: unsafe.Offsetof(Request{}.Bytes)},
	keyReferer:    {name: "referer", typ: textField, off: unsafe.Offsetof(Request{}.Referer)},
	keyUserAgent:  {name: "user_agent", typ: textField, off: unsafe.Offsetof(Request{}.UserAgent)},

	keyRequestTime:   {name: "request_time", typ: secondsField, off: unsafe.Offsetof(Request{}.RequestTime)},
	keyUpstreamTime:  {name: "upstream_time", typ: secondsField, off: unsafe.Offsetof(Request{}.UpstreamTime)},
	keyRequestLength: {name: "request_length", typ: sizeField, off: unsafe.Offsetof(Request{}.RequestLength)},
	keyHost:          {name: "host", typ: textField, off: unsafe.Offsetof(Request{}.Host)},
	keyScheme:        {name: "scheme", typ: textField, off: unsafe.Offsetof(Request{}.Scheme)},
	keyXForwardedFor: {name: "x_forwarded_for", typ: textField, off: unsafe.Offsetof(Request{}.XForwardedFor)},
	keyCountry:       {name: "country", typ: textField, off: unsafe.Offsetof(Request{}.Country)},
	keyFields:        {name: "fields", typ: pairsField, off: unsafe.Offsetof(Request{}.Fields)},
}

// key returns the field's name as it starts a member of the record,
// quoted and with its colon: `"path":`.
func (f *requestField) key() string {
	return `"` + f.name + `":`
}

// requestKeys finds a field by its name, for the general decoder.
var requestKeys = func() map[string]int {
	m := make(map[string]int, numKeys)
	for k := keyOther + 1; k < numKeys; k++ {
		m[requestFields[k].name] = k
	}
	return m
}()

// fieldOf returns the field of r that f describes, as a *T, which must be
// the Go type of f.typ. It is how one loop over requestFields reaches
// every field without a switch over them all.
func fieldOf[T any](r *Request, f *requestField) *T {
	return (*T)(unsafe.Add(unsafe.Pointer(r), f.off))
}

// Request encodes r as a "request" line.
//
// It is the one encoder that runs once per log line. Log fields are almost
// always printable ASCII without '"' or '\\', which JSON writes as it is:
// it copies them straight in, in code generated from requestFields
// (request_gen.go), and then checks the record as a whole, as three passes
// over it, two of them with vector instructions, cost less than a check of
// each field; a record that fails is written again with escaping and UTF-8
// repair field by field.
func (e *Encoder) Request(r *Request) ([]byte, error) {
	e.s.Error = nil
	buf := append(e.s.Buffer()[:0], `{"kind":"request"`...)
	buf = e.appendPlainRequest(buf, r)
	if !plainRecord(buf, recordQuotes(r)) {
		e.s.SetBuffer(buf)
		return e.requestEscaped(r)
	}
	buf = append(buf, "}\n"...)
	e.s.SetBuffer(buf)
	if e.s.Error != nil {
		return nil, e.s.Error
	}
	return buf, nil
}

// requestEscaped is Request for records with strings that need escaping
// or UTF-8 repair; the tests check that it writes what the generated code
// writes for all others.
func (e *Encoder) requestEscaped(r *Request) ([]byte, error) {
	e.begin(KindRequest)
	for k := keyOther + 1; k < numKeys; k++ {
		f := &requestFields[k]
		switch f.typ {
		case textField:
			e.optStr(f.name, *fieldOf[[]byte](r, f))
		case tsField:
			e.int(f.name, r.TS)
		case offsetField:
			if r.UTCOffset != 0 {
				e.int(f.name, int64(r.UTCOffset))
			}
		case statusField:
			if r.Status != 0 {
				e.int(f.name, int64(r.Status))
			}
		case sizeField:
			if v := *fieldOf[int64](r, f); v >= 0 {
				e.int(f.name, v)
			}
		case secondsField:
			if v := *fieldOf[float64](r, f); !(v < 0) {
				e.field(f.name)
				e.s.SetBuffer(e.appendSeconds(e.s.Buffer(), f.name, v))
			}
		case pairsField:
			pairObject(e, f.name, r.Fields)
		}
	}
	return e.end()
}

// appendSeconds appends a duration of v ≥ 0 seconds in the fewest digits
// that read back as v, and never with an exponent but for durations below
// a microsecond, as encoding/json writes floats: "0.123", "12.5". A NaN or
// infinite v, which JSON cannot hold, sets the stream's error.
func (e *Encoder) appendSeconds(buf []byte, name string, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		if e.s.Error == nil {
			e.s.Error = fmt.Errorf("field %q: unsupported value: %v", name, v)
		}
		return buf
	}
	return appendSeconds(buf, v)
}

func appendSeconds(buf []byte, v float64) []byte {
	if v == 0 {
		return append(buf, '0') // and not "-0"
	}
	// Logs write durations to the millisecond or the microsecond, and
	// such a duration is the only decimal of so few places that reads
	// back as v, so it is the shortest: found by a division, much cheaper
	// than strconv's search for the shortest digits.
	for _, scale := range [...]float64{1e3, 1e6} {
		if m := math.Round(v * scale); m < 1<<53 && m/scale == v {
			return appendDecimal(buf, uint64(m), uint64(scale))
		}
	}
	if v >= 1e-6 {
		return strconv.AppendFloat(buf, v, 'f', -1, 64)
	}
	n := len(buf)
	buf = strconv.AppendFloat(buf, v, 'e', -1, 64)
	// "1e-07" becomes "1e-7".
	if m := len(buf); m-n >= 4 && buf[m-4] == 'e' && buf[m-3] == '-' && buf[m-2] == '0' {
		buf[m-2] = buf[m-1]
		buf = buf[:m-1]
	}
	return buf
}

// appendDecimal appends m/scale, scale a power of ten, without trailing
// zeros.
func appendDecimal(buf []byte, m, scale uint64) []byte {
	buf = strconv.AppendUint(buf, m/scale, 10)
	frac := m % scale
	if frac == 0 {
		return buf
	}
	buf = append(buf, '.')
	for scale /= 10; frac != 0; scale /= 10 {
		buf = append(buf, byte('0'+frac/scale))
		frac %= scale
	}
	return buf
}

// appendRawPairs appends the members of a pairs object, whose strings are
// all plain, and its closing brace.
func appendRawPairs(buf []byte, ps []Field) []byte {
	for i := range ps {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, ps[i].Name...)
		buf = append(buf, `":"`...)
		buf = append(buf, ps[i].Value...)
		buf = append(buf, '"')
	}
	return append(buf, '}')
}

// appendRaw appends prefix, which ends in the value's opening quote, b and
// the closing quote, when b is present: absent log fields ("-") stay absent
// rather than becoming a string "-".
func appendRaw(buf []byte, prefix string, b []byte) []byte {
	if len(b) == 0 {
		return buf
	}
	buf = append(buf, prefix...)
	buf = append(buf, b...)
	return append(buf, '"')
}

// Request decodes a "request" line into r. The kind field is not checked;
// callers dispatch on Kind first.
//
// Byte slices in r point into line or into the Decoder's buffer.
func (d *Decoder) Request(line []byte, r *Request) error {
	if fastRequest(line, r, &d.guess) {
		return nil
	}
	r.Reset()
	hasTS := false
	err := d.members(line, func(name string) (err error) {
		f := &requestFields[requestKeys[name]]
		switch f.typ {
		case otherField:
			d.it.Skip()
		case textField:
			*fieldOf[[]byte](r, f), err = d.str(name)
		case tsField:
			r.TS, hasTS, err = d.ts(name)
		case offsetField:
			r.UTCOffset, err = d.offset(name)
		case statusField:
			var v float64
			var ok bool
			if v, ok, err = d.num(name); ok && (v != math.Trunc(v) || v < 0 || v > MaxStatus) {
				err = fmt.Errorf("field %q: want an HTTP status code", name)
			}
			r.Status = int(v)
		case sizeField:
			var v float64
			var ok bool
			if v, ok, err = d.num(name); ok {
				if v != math.Trunc(v) || v < 0 || v > MaxCount {
					err = fmt.Errorf("field %q: want a non-negative integer below 2^53", name)
				}
				*fieldOf[int64](r, f) = int64(v)
			}
		case secondsField:
			var v float64
			var ok bool
			if v, ok, err = d.exactNum(name); ok {
				if !(v >= 0 && v < MaxSeconds) {
					err = fmt.Errorf("field %q: want seconds from 0 to below 1e9", name)
				}
				*fieldOf[float64](r, f) = v + 0 // -0 is 0, as on the fast path
			}
		case pairsField:
			r.Fields, err = pairs(d, name, r.Fields[:0])
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasTS {
		return missing("ts")
	}
	return nil
}
