package event

import (
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	jsoniter "github.com/json-iterator/go"
)

// config is shared by every encoder and decoder. HTML escaping is off because
// the records are read by programs and people, never embedded in pages, and
// "<" in a URL should stay "<".
var config = jsoniter.Config{EscapeHTML: false}.Froze()

// Encoder turns records into NDJSON lines. It reuses one buffer, so the line
// returned by each method is valid only until the next call. An Encoder is not
// safe for concurrent use.
type Encoder struct {
	s *jsoniter.Stream
	// ts and tsText cache the last request time in decimal: consecutive
	// log lines mostly share their second.
	ts     int64
	tsText []byte
}

// NewEncoder returns an Encoder.
func NewEncoder() *Encoder {
	return &Encoder{s: jsoniter.NewStream(config, nil, 1024)}
}

func (e *Encoder) begin(kind string) {
	e.s.SetBuffer(e.s.Buffer()[:0])
	e.s.Error = nil
	e.s.WriteRaw(`{"kind":"`)
	e.s.WriteRaw(kind)
	e.s.WriteRaw(`"`)
}

func (e *Encoder) end() ([]byte, error) {
	e.s.WriteRaw("}\n")
	if e.s.Error != nil {
		return nil, e.s.Error
	}
	return e.s.Buffer(), nil
}

// field writes `,"name":`; names are constants that need no escaping.
func (e *Encoder) field(name string) {
	e.s.WriteRaw(`,"`)
	e.s.WriteRaw(name)
	e.s.WriteRaw(`":`)
}

func (e *Encoder) str(name string, b []byte) {
	e.field(name)
	e.writeBytes(b)
}

// writeBytes writes b as a JSON string. Log data is not guaranteed to be
// UTF-8; invalid bytes become U+FFFD, as encoding/json does, because a line
// that is not valid JSON would break jq and every other consumer downstream.
func (e *Encoder) writeBytes(b []byte) {
	if plainASCII(b) {
		buf := append(e.s.Buffer(), '"')
		buf = append(buf, b...)
		e.s.SetBuffer(append(buf, '"'))
		return
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	e.s.WriteString(s)
}

func (e *Encoder) int(name string, v int64) {
	e.field(name)
	e.s.WriteInt64(v)
}

func (e *Encoder) float(name string, v float64) {
	e.field(name)
	e.s.WriteFloat64(v)
}

func (e *Encoder) status(c *StatusCounts) {
	e.s.WriteRaw(`,"status":{"1xx":`)
	e.s.WriteInt64(c[Class1xx])
	e.s.WriteRaw(`,"2xx":`)
	e.s.WriteInt64(c[Class2xx])
	e.s.WriteRaw(`,"3xx":`)
	e.s.WriteInt64(c[Class3xx])
	e.s.WriteRaw(`,"4xx":`)
	e.s.WriteInt64(c[Class4xx])
	e.s.WriteRaw(`,"5xx":`)
	e.s.WriteInt64(c[Class5xx])
	e.s.WriteRaw(`,"other":`)
	e.s.WriteInt64(c[ClassOther])
	e.s.WriteRaw(`}`)
}

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

// optStr writes the field only when the value is present.
func (e *Encoder) optStr(name string, b []byte) {
	if len(b) > 0 {
		e.str(name, b)
	}
}

// Tick encodes t as a "tick" line.
func (e *Encoder) Tick(t *Tick) ([]byte, error) {
	e.begin(KindTick)
	e.int("ts", t.TS)
	if t.UTCOffset != 0 {
		e.int("utc_offset", int64(t.UTCOffset))
	}
	e.int("hits", t.Hits)
	e.int("bytes", t.Bytes)
	e.status(&t.Status)
	return e.end()
}

// Summary encodes s as a "summary" line.
func (e *Encoder) Summary(s *Summary) ([]byte, error) {
	e.begin(KindSummary)
	e.int("start", s.Start)
	e.int("end", s.End)
	if s.UTCOffset != 0 {
		e.int("utc_offset", int64(s.UTCOffset))
	}
	e.int("seconds", s.Seconds)
	e.field("partial")
	e.s.WriteBool(s.Partial)
	e.int("hits", s.Hits)
	e.float("rps", s.RPS)
	e.int("bytes", s.Bytes)
	e.status(&s.Status)
	e.int("late", s.Late)
	e.int("sections_total", s.SectionsTotal)
	if s.SectionsApprox {
		e.field("sections_approx")
		e.s.WriteBool(true)
		e.int("sections_error", s.SectionsError)
	}
	e.s.WriteRaw(`,"sections":[`)
	for i := range s.Sections {
		sec := &s.Sections[i]
		if i > 0 {
			e.s.WriteRaw(",")
		}
		e.s.WriteRaw(`{"section":`)
		e.writeBytes(sec.Section)
		e.int("hits", sec.Hits)
		e.int("bytes", sec.Bytes)
		e.int("4xx", sec.Errors4x)
		e.int("5xx", sec.Errors5x)
		e.str("top_path", sec.TopPath)
		e.int("top_bytes", sec.TopBytes)
		e.s.WriteRaw("}")
	}
	e.s.WriteRaw("]")
	return e.end()
}

// Alert encodes a as an "alert" line.
func (e *Encoder) Alert(a *Alert) ([]byte, error) {
	e.begin(KindAlert)
	e.str("name", a.Name)
	e.str("state", a.State)
	e.int("ts", a.TS)
	if a.UTCOffset != 0 {
		e.int("utc_offset", int64(a.UTCOffset))
	}
	e.int("hits", a.Hits)
	e.float("threshold", a.Threshold)
	e.int("window", a.Window)
	e.float("rate", a.Rate)
	if len(a.Metric) > 0 {
		e.str("metric", a.Metric)
		e.str("op", a.Op)
		e.float("value", a.Value)
		if len(a.Labels) > 0 {
			e.s.WriteRaw(`,"labels":{`)
			for i := range a.Labels {
				if i > 0 {
					e.s.WriteRaw(",")
				}
				e.writeBytes(a.Labels[i].Name)
				e.s.WriteRaw(":")
				e.writeBytes(a.Labels[i].Value)
			}
			e.s.WriteRaw("}")
		}
		e.int("for", a.For)
		e.int("keep_firing_for", a.KeepFiringFor)
		e.int("starts_at", a.StartsAt)
		if string(a.State) == StateResolved {
			e.int("ends_at", a.EndsAt)
		}
	}
	return e.end()
}
