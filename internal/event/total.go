package event

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	jsoniter "github.com/json-iterator/go"
)

// KindTotal is the kind of the record httpmon-window emits once, at the
// end of its input or on a signal, for the whole run.
const KindTotal = "total"

// The top lists of a total record, in the order they are written.
const (
	TopSections = iota
	TopPaths
	TopClients
	TopReferers
	TopUserAgents
	TopHosts
	TopNotFound
	TopCountries
	NumTopLists
)

// TopListNames are the members of a total record that hold its top lists,
// by the index constants above.
var TopListNames = [NumTopLists]string{
	"sections", "paths", "clients", "referers", "user_agents", "hosts", "not_found", "countries",
}

// MaxDays is the number of calendar days a total record lists at most:
// the most recent ones, so that a record over years of log stays small.
const MaxDays = 400

// Total is the traffic of a whole run of httpmon-window.
type Total struct {
	// Source labels the host or stream the total is of; empty for a
	// window not given --source, and for a merge of many.
	Source    []byte
	Start     int64 // first second seen
	End       int64 // one past the last second seen
	UTCOffset int32 // the log's zone, the latest offset seen
	Seconds   int64 // seconds observed: ticks emitted
	Hits      int64
	Bytes     int64
	Late      int64
	Status    StatusCounts
	// Codes holds each status code seen with its hits, most hits first,
	// ties by code; requests without a status are not in it.
	Codes   []CodeCount
	Latency Latency
	// Lists are the top lists by TopSections etc., each most hits first,
	// ties by key.
	Lists [NumTopLists][]TopEntry
	// Approx is, for each list counted approximately, the most by which a
	// listed entry's hits may be too high; zero for exact lists.
	Approx [NumTopLists]int64
	// Hours are the hits per hour of day in the log's own zone; HasHours
	// is false when the record had none, as one with no hits has none.
	Hours    [24]int64
	HasHours bool
	// Days are the hits and bytes per calendar day in the log's zone, in
	// date order; DaysDropped counts older days left out.
	Days        []TopEntry
	DaysDropped int64
}

// CodeCount is the number of requests with one status code.
type CodeCount struct {
	Code int
	Hits int64
}

// TopEntry is one entry of a top list: a key with its hits and bytes.
type TopEntry struct {
	Key   []byte
	Hits  int64
	Bytes int64
}

// Total encodes t as a "total" line.
func (e *Encoder) Total(t *Total) ([]byte, error) {
	e.begin(KindTotal)
	e.optStr("source", t.Source)
	e.int("start", t.Start)
	e.int("end", t.End)
	e.int("utc_offset", int64(t.UTCOffset))
	e.int("seconds", t.Seconds)
	e.int("hits", t.Hits)
	e.int("bytes", t.Bytes)
	e.int("late", t.Late)
	e.status(&t.Status)
	if len(t.Codes) > 0 {
		e.s.WriteRaw(`,"codes":[`)
		for i, c := range t.Codes {
			if i > 0 {
				e.s.WriteRaw(",")
			}
			e.s.WriteRaw(`{"key":"`)
			e.s.WriteInt(c.Code)
			e.s.WriteRaw(`","hits":`)
			e.s.WriteInt64(c.Hits)
			e.s.WriteRaw("}")
		}
		e.s.WriteRaw("]")
	}
	e.latency(&t.Latency, true)
	for i, name := range TopListNames {
		e.topList(name, t.Lists[i])
	}
	if t.HasHours {
		e.s.WriteRaw(`,"hours":[`)
		for i, h := range t.Hours {
			if i > 0 {
				e.s.WriteRaw(",")
			}
			e.s.WriteInt64(h)
		}
		e.s.WriteRaw("]")
	}
	e.topList("days", t.Days)
	if t.DaysDropped > 0 {
		e.int("days_dropped", t.DaysDropped)
	}
	first := true
	for i, name := range TopListNames {
		if t.Approx[i] == 0 {
			continue
		}
		if first {
			e.s.WriteRaw(`,"approx":{`)
		} else {
			e.s.WriteRaw(",")
		}
		first = false
		e.s.WriteRaw(`"` + name + `":`)
		e.s.WriteInt64(t.Approx[i])
	}
	if !first {
		e.s.WriteRaw("}")
	}
	return e.end()
}

// topList writes a list of entries, or nothing when it is empty.
func (e *Encoder) topList(name string, l []TopEntry) {
	if len(l) == 0 {
		return
	}
	e.field(name)
	e.s.WriteRaw("[")
	for i := range l {
		if i > 0 {
			e.s.WriteRaw(",")
		}
		e.s.WriteRaw(`{"key":`)
		e.writeBytes(l[i].Key)
		e.int("hits", l[i].Hits)
		e.int("bytes", l[i].Bytes)
		e.s.WriteRaw("}")
	}
	e.s.WriteRaw("]")
}

// Total decodes a "total" line into t, reusing its slices.
func (d *Decoder) Total(line []byte, t *Total) error {
	codes := t.Codes[:0]
	days := t.Days[:0]
	bins := t.Latency.Bins[:0]
	var lists [NumTopLists][]TopEntry
	for i := range t.Lists {
		lists[i] = t.Lists[i][:0]
	}
	*t = Total{Codes: codes, Days: days, Lists: lists}
	t.Latency.Bins = bins
	hasStart, hasEnd := false, false
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "source":
			t.Source, err = d.str(f)
		case "start":
			t.Start, hasStart, err = d.ts(f)
		case "end":
			t.End, hasEnd, err = d.tsUpTo(f, MaxTS+1)
		case "utc_offset":
			t.UTCOffset, err = d.offset(f)
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
			t.Codes, err = d.codes(f, t.Codes)
		case "latency":
			err = d.latency(f, &t.Latency)
		case "hours":
			t.HasHours, err = d.hours(f, &t.Hours)
		case "days":
			if t.Days, err = d.topList(f, t.Days); err == nil {
				err = checkDays(t.Days)
			}
		case "days_dropped":
			t.DaysDropped, err = d.count(f)
		case "approx":
			err = d.approx(f, &t.Approx)
		default:
			i := slices.Index(TopListNames[:], f)
			if i < 0 {
				d.it.Skip()
				break
			}
			t.Lists[i], err = d.topList(f, t.Lists[i])
		}
		return err
	})
	if err != nil {
		return err
	}
	return checkSpan(hasStart, hasEnd, t.Start, t.End)
}

// checkDays checks that the keys of a total's days are calendar dates,
// YYYY-MM-DD, which is what renderers show and sort them by.
func checkDays(days []TopEntry) error {
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, string(d.Key)); err != nil || len(d.Key) != len(time.DateOnly) {
			return fmt.Errorf(`field "days": key %q is not a date, YYYY-MM-DD`, d.Key)
		}
	}
	return nil
}

// objects calls member for each member of each object of the array field.
func (d *Decoder) objects(field string, member func(name string) error) error {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return err
	}
	for d.it.ReadArray() {
		ok, err := d.expect(field+"[]", jsoniter.ObjectValue, "an object")
		if !ok {
			if err != nil {
				return err
			}
			continue
		}
		for f := d.it.ReadObject(); f != ""; f = d.it.ReadObject() {
			if err := member(f); err != nil {
				return err
			}
		}
		if err := member(""); err != nil {
			return err
		}
	}
	if d.it.Error != nil {
		return syntaxError(d.it.Error)
	}
	return nil
}

func (d *Decoder) topList(field string, l []TopEntry) ([]TopEntry, error) {
	var e TopEntry
	err := d.objects(field, func(f string) (err error) {
		switch f {
		case "":
			if e.Key == nil {
				return missing(field + "[].key")
			}
			l = append(l, e)
			e = TopEntry{}
		case "key":
			e.Key, err = d.str(field + "[].key")
			if e.Key == nil && err == nil {
				e.Key = []byte{}
			}
		case "hits":
			e.Hits, err = d.count(field + "[].hits")
		case "bytes":
			e.Bytes, err = d.count(field + "[].bytes")
		default:
			d.it.Skip()
		}
		return err
	})
	return l, err
}

func (d *Decoder) codes(field string, l []CodeCount) ([]CodeCount, error) {
	var c CodeCount
	hasKey := false
	err := d.objects(field, func(f string) error {
		switch f {
		case "":
			if !hasKey {
				return missing(field + "[].key")
			}
			l = append(l, c)
			c, hasKey = CodeCount{}, false
		case "key":
			k, err := d.str(field + "[].key")
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(string(k))
			if err != nil || n < 1 || n > MaxStatus || strconv.Itoa(n) != string(k) {
				return fmt.Errorf("field %q: want a status code, got %q", field+"[].key", k)
			}
			c.Code, hasKey = n, true
		case "hits":
			var err error
			c.Hits, err = d.count(field + "[].hits")
			return err
		default:
			d.it.Skip()
		}
		return nil
	})
	return l, err
}

func (d *Decoder) hours(field string, h *[24]int64) (bool, error) {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return false, err
	}
	n := 0
	for d.it.ReadArray() {
		if n == len(h) {
			return false, fmt.Errorf("field %q: want 24 numbers", field)
		}
		if h[n], err = d.count(field + "[]"); err != nil {
			return false, err
		}
		n++
	}
	if d.it.Error != nil {
		return false, syntaxError(d.it.Error)
	}
	if n != len(h) {
		return false, fmt.Errorf("field %q: want 24 numbers, got %d", field, n)
	}
	return true, nil
}

func (d *Decoder) approx(field string, a *[NumTopLists]int64) error {
	ok, err := d.expect(field, jsoniter.ObjectValue, "an object")
	if !ok {
		return err
	}
	for f := d.it.ReadObject(); f != ""; f = d.it.ReadObject() {
		i := slices.Index(TopListNames[:], f)
		if i < 0 {
			d.it.Skip()
			continue
		}
		if a[i], err = d.count(field + "." + f); err != nil {
			return err
		}
	}
	return nil
}
