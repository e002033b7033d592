package event

import (
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

// optStr writes the field only when the value is present.
func (e *Encoder) optStr(name string, b []byte) {
	if len(b) > 0 {
		e.str(name, b)
	}
}

// pairObject writes ps as an object of strings, in their order, or nothing
// when empty.
func pairObject[P ~struct{ Name, Value []byte }](e *Encoder, name string, ps []P) {
	if len(ps) == 0 {
		return
	}
	e.field(name)
	e.s.WriteRaw("{")
	for i := range ps {
		p := struct{ Name, Value []byte }(ps[i])
		if i > 0 {
			e.s.WriteRaw(",")
		}
		e.writeBytes(p.Name)
		e.s.WriteRaw(":")
		e.writeBytes(p.Value)
	}
	e.s.WriteRaw("}")
}
