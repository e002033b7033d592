package event

import (
	"fmt"
	"math"
	"strconv"
	"unsafe"
)

//go:generate go test -run ^TestRequestGenerated$ -update

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
	numKeys
)

// A fieldType says how a request field is held, written, read and checked.
type fieldType uint8

const (
	otherField  fieldType = iota // a key that Request does not read
	textField                    // []byte, absent when empty
	tsField                      // TS, the one required field
	offsetField                  // UTCOffset, absent when 0
	statusField                  // Status, absent when 0
	sizeField                    // int64 of bytes, absent when negative
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
// it checks that of every string, eight bytes at a time, and then copies
// them straight in, in code generated from requestFields
// (request_gen.go); otherwise it writes the record with escaping and UTF-8
// repair field by field.
func (e *Encoder) Request(r *Request) ([]byte, error) {
	if !plainFields(r) {
		return e.requestEscaped(r)
	}
	buf := append(e.s.Buffer()[:0], `{"kind":"request"`...)
	buf = e.appendPlainRequest(buf, r)
	buf = append(buf, "}\n"...)
	e.s.SetBuffer(buf)
	e.s.Error = nil
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
		}
	}
	return e.end()
}

// appendTS appends the request's time; consecutive log lines mostly share
// their second, whose text it keeps.
func (e *Encoder) appendTS(buf []byte, ts int64) []byte {
	if ts != e.ts || len(e.tsText) == 0 {
		e.ts, e.tsText = ts, strconv.AppendInt(e.tsText[:0], ts, 10)
	}
	return append(buf, e.tsText...)
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

// appendStatus appends an HTTP status code; almost all have three digits.
func appendStatus(buf []byte, s int) []byte {
	if s >= 100 && s <= 999 {
		return append(buf, byte('0'+s/100), byte('0'+s/10%10), byte('0'+s%10))
	}
	return strconv.AppendInt(buf, int64(s), 10)
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
	for name := d.it.ReadObject(); name != "" && err == nil; name = d.it.ReadObject() {
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
