package event

import (
	"fmt"
	"math"
	"strconv"
)

// Request encodes r as a "request" line.
//
// It is the one encoder that runs once per log line. Log fields are almost
// always printable ASCII without '"' or '\\', which JSON writes as it is: it
// checks that of every field, eight bytes at a time, and then copies them
// straight in; otherwise it writes the record with escaping and UTF-8
// repair field by field.
func (e *Encoder) Request(r *Request) ([]byte, error) {
	if !plainFields(r) {
		return e.requestEscaped(r)
	}
	buf := append(e.s.Buffer()[:0], `{"kind":"request","ts":`...)
	if r.TS != e.ts || len(e.tsText) == 0 {
		e.ts, e.tsText = r.TS, strconv.AppendInt(e.tsText[:0], r.TS, 10)
	}
	buf = append(buf, e.tsText...)
	if r.UTCOffset != 0 {
		buf = append(buf, `,"utc_offset":`...)
		buf = strconv.AppendInt(buf, int64(r.UTCOffset), 10)
	}
	buf = appendRaw(buf, `,"source":"`, r.Source)
	buf = appendRaw(buf, `,"remote_host":"`, r.RemoteHost)
	buf = appendRaw(buf, `,"ident":"`, r.Ident)
	buf = appendRaw(buf, `,"user":"`, r.User)
	buf = appendRaw(buf, `,"method":"`, r.Method)
	buf = appendRaw(buf, `,"path":"`, r.Path)
	buf = appendRaw(buf, `,"protocol":"`, r.Protocol)
	buf = appendRaw(buf, `,"request":"`, r.Request)
	buf = appendRaw(buf, `,"section":"`, r.Section)
	if r.Status != 0 {
		buf = append(buf, `,"status":`...)
		if r.Status >= 100 && r.Status <= 999 {
			buf = append(buf, byte('0'+r.Status/100), byte('0'+r.Status/10%10), byte('0'+r.Status%10))
		} else {
			buf = strconv.AppendInt(buf, int64(r.Status), 10)
		}
	}
	if r.Bytes >= 0 {
		buf = append(buf, `,"bytes":`...)
		buf = strconv.AppendInt(buf, r.Bytes, 10)
	}
	buf = appendRaw(buf, `,"referer":"`, r.Referer)
	buf = appendRaw(buf, `,"user_agent":"`, r.UserAgent)
	buf = append(buf, "}\n"...)
	e.s.SetBuffer(buf)
	e.s.Error = nil
	return buf, nil
}

// plainFields reports whether every string of r can be written as it is:
// printable ASCII without '"' or '\\'. Checking the fields alone, not the
// record with its keys, reads the fewest bytes.
func plainFields(r *Request) bool {
	return plainASCII(r.Source) && plainASCII(r.RemoteHost) && plainASCII(r.Ident) &&
		plainASCII(r.User) && plainASCII(r.Method) && plainASCII(r.Path) &&
		plainASCII(r.Protocol) && plainASCII(r.Request) && plainASCII(r.Section) &&
		plainASCII(r.Referer) && plainASCII(r.UserAgent)
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

// requestEscaped is Request for records with fields that need escaping or
// UTF-8 repair.
func (e *Encoder) requestEscaped(r *Request) ([]byte, error) {
	e.begin(KindRequest)
	e.int("ts", r.TS)
	if r.UTCOffset != 0 {
		e.int("utc_offset", int64(r.UTCOffset))
	}
	e.optStr("source", r.Source)
	e.optStr("remote_host", r.RemoteHost)
	e.optStr("ident", r.Ident)
	e.optStr("user", r.User)
	e.optStr("method", r.Method)
	e.optStr("path", r.Path)
	e.optStr("protocol", r.Protocol)
	e.optStr("request", r.Request)
	e.optStr("section", r.Section)
	if r.Status != 0 {
		e.int("status", int64(r.Status))
	}
	if r.Bytes >= 0 {
		e.int("bytes", r.Bytes)
	}
	e.optStr("referer", r.Referer)
	e.optStr("user_agent", r.UserAgent)
	return e.end()
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
