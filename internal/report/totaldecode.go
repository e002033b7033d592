package report

import (
	"errors"
	"fmt"
	"math"
	"regexp"

	jsoniter "github.com/json-iterator/go"

	"github.com/httpmon/httpmon/internal/event"
)

var totalConfig = jsoniter.Config{EscapeHTML: false}.Froze()

// dayKey is the form of a day's key.
var dayKey = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// TotalDecoder reads total records. It checks what it shows: types and
// ranges of the members it knows, skipping the others, as the protocol's
// other decoders do. It is not safe for concurrent use.
type TotalDecoder struct {
	it *jsoniter.Iterator
}

// NewTotalDecoder returns a TotalDecoder.
func NewTotalDecoder() *TotalDecoder {
	return &TotalDecoder{it: jsoniter.NewIterator(totalConfig)}
}

// Decode reads line, one total record, into t. Keys are copied, so t
// stays valid after the next call on any decoder.
func (d *TotalDecoder) Decode(line []byte, t *Totals) error {
	t.reset()
	it := d.it
	it.ResetBytes(line)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return errors.New("want a JSON object")
	}
	var err error
	seen := 0
	for f := it.ReadObject(); f != "" && err == nil; f = it.ReadObject() {
		switch f {
		case "kind":
			var k string
			if k, err = d.str(f); err == nil && k != KindTotal {
				err = fmt.Errorf("field \"kind\": want %q, got %q", KindTotal, k)
			}
		case "start":
			t.Start, err = d.int(f, event.MinTS, event.MaxTS+1)
			seen |= 1
		case "end":
			t.End, err = d.int(f, event.MinTS, event.MaxTS+1)
			seen |= 2
		case "utc_offset":
			var off int64
			off, err = d.int(f, -event.MaxOffset, event.MaxOffset)
			t.UTCOffset = int32(off)
		case "seconds":
			t.Seconds, err = d.count(f)
		case "hits":
			t.Hits, err = d.count(f)
		case "bytes":
			t.Bytes, err = d.count(f)
		case "late":
			t.Late, err = d.count(f)
		case "status":
			err = d.status(f, &t.Status)
		case "codes":
			t.Codes, err = d.entries(f, t.Codes, false)
		case "latency":
			err = d.latency(f, &t.Latency)
		case "hours":
			err = d.hours(f, &t.Hours)
			t.HasHours = err == nil
		case "days":
			t.Days, err = d.entries(f, t.Days, true)
			for i := range t.Days {
				if err == nil && !dayKey.Match(t.Days[i].Key) {
					err = fmt.Errorf("field %q: want dates as YYYY-MM-DD", f)
				}
			}
		case "days_dropped":
			t.DaysDropped, err = d.count(f)
		case "approx":
			err = d.approx(f, &t.Approx)
		default:
			if l := listIndex(f); l >= 0 {
				t.Lists[l], err = d.entries(f, t.Lists[l], true)
				continue
			}
			it.Skip()
		}
	}
	if err != nil {
		return err
	}
	if it.Error != nil {
		return fmt.Errorf("bad JSON: %v", it.Error)
	}
	if seen != 3 {
		return errors.New(`a total record needs "start" and "end"`)
	}
	if t.End < t.Start {
		return errors.New(`field "end": before "start"`)
	}
	return nil
}

func listIndex(name string) int {
	for i, n := range ListNames {
		if n == name {
			return i
		}
	}
	return -1
}

func (d *TotalDecoder) want(field string, vt jsoniter.ValueType, what string) error {
	if d.it.WhatIsNext() != vt {
		return fmt.Errorf("field %q: want %s", field, what)
	}
	return nil
}

func (d *TotalDecoder) str(field string) (string, error) {
	if err := d.want(field, jsoniter.StringValue, "a string"); err != nil {
		return "", err
	}
	return d.it.ReadString(), d.it.Error
}

// int reads an integer in [lo, hi].
func (d *TotalDecoder) int(field string, lo, hi int64) (int64, error) {
	if err := d.want(field, jsoniter.NumberValue, "a number"); err != nil {
		return 0, err
	}
	v := d.it.ReadFloat64()
	if d.it.Error != nil {
		return 0, d.it.Error
	}
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		return 0, fmt.Errorf("field %q: want a whole number from %d to %d", field, lo, hi)
	}
	return int64(v), nil
}

func (d *TotalDecoder) count(field string) (int64, error) {
	return d.int(field, 0, event.MaxCount)
}

func (d *TotalDecoder) status(field string, c *event.StatusCounts) error {
	if err := d.want(field, jsoniter.ObjectValue, "an object"); err != nil {
		return err
	}
	var err error
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		class := -1
		for i, n := range event.ClassNames {
			if n == f {
				class = i
			}
		}
		if class < 0 {
			d.it.Skip()
			continue
		}
		c[class], err = d.count(field + "." + f)
	}
	return err
}

func (d *TotalDecoder) latency(field string, l *event.Latency) error {
	*l = event.Latency{}
	if err := d.want(field, jsoniter.ObjectValue, "an object"); err != nil {
		return err
	}
	var err error
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		var v *float64
		switch f {
		case "count":
			l.Count, err = d.count(field + "." + f)
			continue
		case "p50":
			v = &l.P50
		case "p90":
			v = &l.P90
		case "p99":
			v = &l.P99
		case "max":
			v = &l.Max
		default:
			d.it.Skip()
			continue
		}
		if err = d.want(field+"."+f, jsoniter.NumberValue, "a number"); err == nil {
			*v = d.it.ReadFloat64()
			if !(*v >= 0 && *v < event.MaxSeconds) {
				err = fmt.Errorf("field %q: want seconds from 0 to below 1e9", field+"."+f)
			}
		}
	}
	return err
}

func (d *TotalDecoder) hours(field string, h *[24]int64) error {
	if err := d.want(field, jsoniter.ArrayValue, "an array"); err != nil {
		return err
	}
	n := 0
	for d.it.ReadArray() {
		if n == len(h) {
			return fmt.Errorf("field %q: want 24 numbers", field)
		}
		v, err := d.count(field)
		if err != nil {
			return err
		}
		h[n] = v
		n++
	}
	if n != len(h) {
		return fmt.Errorf("field %q: want 24 numbers", field)
	}
	return d.it.Error
}

// entries reads [{"key":…,"hits":…,"bytes":…}, …]; bytes only when
// withBytes.
func (d *TotalDecoder) entries(field string, es []Entry, withBytes bool) ([]Entry, error) {
	if err := d.want(field, jsoniter.ArrayValue, "an array"); err != nil {
		return es, err
	}
	for d.it.ReadArray() {
		if err := d.want(field, jsoniter.ObjectValue, "an array of objects"); err != nil {
			return es, err
		}
		var e Entry
		hasKey := false
		var err error
		for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
			switch {
			case f == "key":
				var k string
				k, err = d.str(field + ".key")
				e.Key, hasKey = []byte(k), true
			case f == "hits":
				e.Hits, err = d.count(field + ".hits")
			case f == "bytes" && withBytes:
				e.Bytes, err = d.count(field + ".bytes")
			default:
				d.it.Skip()
			}
		}
		if err != nil {
			return es, err
		}
		if !hasKey {
			return es, fmt.Errorf("field %q: an entry has no \"key\"", field)
		}
		es = append(es, e)
	}
	return es, d.it.Error
}

func (d *TotalDecoder) approx(field string, a *[NumLists]int64) error {
	if err := d.want(field, jsoniter.ObjectValue, "an object"); err != nil {
		return err
	}
	var err error
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		l := listIndex(f)
		if l < 0 {
			d.it.Skip()
			continue
		}
		a[l], err = d.count(field + "." + f)
	}
	return err
}
