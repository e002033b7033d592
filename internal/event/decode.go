package event

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unsafe"

	jsoniter "github.com/json-iterator/go"
)

// Decoder reads NDJSON lines into records. Byte slices in decoded records
// point into the Decoder's own buffer and are valid until the next call. A
// Decoder is not safe for concurrent use.
type Decoder struct {
	it    *jsoniter.Iterator
	sub   *jsoniter.Iterator
	arena []byte
	line  []byte // the line being read, for finish
	// names memoizes the dotted names of nested fields, which errors
	// quote: building them for every bin and status class of every tick
	// was most of what decoding a tick allocated.
	names map[[2]string]string
	// guess is fastRequest's guess of each key from the one before.
	guess keyGuess
}

// join returns a+b, the name of a nested field, without allocating once
// the pair has been seen. Callers pass only names of the schema, so the
// memo stays small; it is bounded anyway.
func (d *Decoder) join(a, b string) string {
	k := [2]string{a, b}
	if s, ok := d.names[k]; ok {
		return s
	}
	s := a + b
	if d.names == nil {
		d.names = map[[2]string]string{}
	}
	if len(d.names) < 512 {
		d.names[k] = s
	}
	return s
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
		// A request, by far the most common record, without a search.
		if len(rest) > len(KindRequest) && string(rest[:len(KindRequest)]) == KindRequest && rest[len(KindRequest)] == '"' {
			return rest[:len(KindRequest)], nil
		}
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
	d.line = line
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
// object, which jsoniter would otherwise ignore, or a control character in
// a string, which jsoniter stops looking for at the string's first escape.
func (d *Decoder) finish() error {
	if d.it.Error != nil {
		return syntaxError(d.it.Error)
	}
	d.it.WhatIsNext()
	if d.it.Error != io.EOF {
		if d.it.Error != nil {
			return syntaxError(d.it.Error)
		}
		return errors.New("unexpected data after the JSON object")
	}
	if i := notJSON(d.line); i >= 0 {
		near := d.line[max(0, i-10):min(len(d.line), i+10)]
		if d.line[i] == '-' {
			return fmt.Errorf("malformed JSON: a number with a leading zero, near %q", near)
		}
		return fmt.Errorf("malformed JSON: invalid control character found: %d, near %q", d.line[i], near)
	}
	return nil
}

// notJSON returns the index of the first of what jsoniter lets through
// though JSON does not allow it, or -1: a byte below 0x20 inside a string,
// even escaped, or a number outside strings that is a minus sign, a zero
// and another digit, like -01 (jsoniter rejects 01, but skips -01 as a
// number). Lines almost never have either anywhere, which one pass eight
// bytes at a time and one search find.
func notJSON(line []byte) int {
	if !hasControl(line) && !bytes.Contains(line, minusZero) {
		return -1
	}
	in := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c < 0x20:
			if in {
				return i
			}
		case c == '"':
			in = !in
		case c == '\\' && in:
			if i++; i < len(line) && line[i] < 0x20 {
				return i
			}
		case c == '-' && !in && i+2 < len(line) && line[i+1] == '0' && line[i+2]-'0' <= 9:
			return i
		}
	}
	return -1
}

var minusZero = []byte("-0")

// members reads the object on line, calling member with the name of each
// of its members, at its value, which member reads or skips, until it
// returns an error: a record's first error is the one reported, before a
// syntax error after it.
func (d *Decoder) members(line []byte, member func(name string) error) error {
	if err := d.start(line); err != nil {
		return err
	}
	var err error
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		err = member(f)
	}
	return d.end(err)
}

// end finishes reading a record: the first field error if there was one,
// otherwise what finish finds.
func (d *Decoder) end(err error) error {
	if err != nil {
		return err
	}
	return d.finish()
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

// exactNum is num for numbers that must read back exactly as the encoder
// wrote them, in the fewest digits that do: jsoniter divides in float64,
// which can be a bit off for numbers of 16 and 17 digits, while strconv
// rounds correctly.
func (d *Decoder) exactNum(field string) (float64, bool, error) {
	ok, err := d.expect(field, jsoniter.NumberValue, "a number")
	if !ok {
		return 0, false, err
	}
	start := len(d.arena)
	d.arena = d.it.SkipAndAppendBytes(d.arena)
	raw := d.arena[start:]
	d.arena = d.arena[:start]
	if d.it.Error != nil {
		return 0, false, syntaxError(d.it.Error)
	}
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
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
		i := slices.Index(ClassNames[:], f)
		if i < 0 {
			d.it.Skip()
			continue
		}
		if c[i], err = d.count(d.join(field, "."+ClassNames[i])); err != nil {
			return err
		}
	}
	return nil
}

// pairs reads an object of string values into ps, keeping its order:
// producers write alerts' labels sorted and requests' fields in the order
// of the log format. Null values are absent, as everywhere.
func pairs[P ~struct{ Name, Value []byte }](d *Decoder, field string, ps []P) ([]P, error) {
	ok, err := d.expect(field, jsoniter.ObjectValue, "an object")
	if !ok {
		return ps, err
	}
	for f := d.it.ReadObject(); f != ""; f = d.it.ReadObject() {
		start := len(d.arena)
		d.arena = append(d.arena, f...)
		name := d.arena[start:len(d.arena):len(d.arena)]
		v, err := d.str(field + "." + f)
		if err != nil {
			return ps, err
		}
		if v != nil {
			ps = append(ps, P{Name: name, Value: v})
		}
	}
	if d.it.Error != nil {
		return ps, syntaxError(d.it.Error)
	}
	return ps, nil
}

func missing(field string) error {
	return fmt.Errorf("missing field %q", field)
}
