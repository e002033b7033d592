package event

import (
	"errors"

	jsoniter "github.com/json-iterator/go"
)

// Summary encodes s as a "summary" line.
func (e *Encoder) Summary(s *Summary) ([]byte, error) {
	e.begin(KindSummary)
	e.optStr("source", s.Source)
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
	e.latency(&s.Latency, true)
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
		e.status(&sec.Status)
		e.str("top_path", sec.TopPath)
		e.int("top_bytes", sec.TopBytes)
		e.latency(&sec.Latency, true)
		e.s.WriteRaw("}")
	}
	e.s.WriteRaw("]")
	e.lateSources(s.LateSources)
	return e.end()
}

// Summary decodes a "summary" line into s, reusing s.Sections and
// s.Latency.Bins.
func (d *Decoder) Summary(line []byte, s *Summary) error {
	secs := s.Sections[:0]
	bins := s.Latency.Bins[:0]
	lates := s.LateSources[:0]
	*s = Summary{}
	s.Latency.Bins = bins
	hasStart, hasEnd := false, false
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "source":
			s.Source, err = d.str(f)
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
		case "latency":
			err = d.latency(f, &s.Latency)
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
		case "late_sources":
			lates, err = d.lateSources(f, lates)
		default:
			d.it.Skip()
		}
		return err
	})
	s.Sections = secs
	s.LateSources = lates
	if err != nil {
		return err
	}
	return checkSpan(hasStart, hasEnd, s.Start, s.End)
}

// checkSpan checks the [start, end) of a summary or total: both given, and
// end not before start.
func checkSpan(hasStart, hasEnd bool, start, end int64) error {
	if !hasStart {
		return missing("start")
	}
	if !hasEnd {
		return missing("end")
	}
	if end < start {
		return errors.New(`field "end" is before "start"`)
	}
	return nil
}

func (d *Decoder) sections(field string, secs []SectionStat) ([]SectionStat, error) {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return secs, err
	}
	elem, lat := d.join(field, "[]"), d.join(field, "[].latency")
	for d.it.ReadArray() {
		ok, err := d.expect(elem, jsoniter.ObjectValue, "an object")
		if !ok {
			if err != nil {
				return secs, err
			}
			continue
		}
		var sec SectionStat
		if n := len(secs); n < cap(secs) {
			// The bins of the record decoded before, reused.
			sec.Latency.Bins = secs[:n+1][n].Latency.Bins[:0]
		}
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
			case "status":
				err = d.status(field+"[].status", &sec.Status)
			case "top_path":
				sec.TopPath, err = d.str(f)
			case "top_bytes":
				sec.TopBytes, err = d.count(f)
			case "latency":
				err = d.latency(lat, &sec.Latency)
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
