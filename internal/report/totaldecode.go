package report

import (
	"strconv"

	"github.com/httpmon/httpmon/internal/event"
)

// TotalDecoder reads "total" records into Totals, through the protocol
// package's decoder, and copies what the report keeps: the decoder's byte
// slices are valid only until its next call, and a report shows the
// totals after other records have been read.
type TotalDecoder struct {
	dec *event.Decoder
	rec event.Total
}

// NewTotalDecoder returns a TotalDecoder.
func NewTotalDecoder() *TotalDecoder { return &TotalDecoder{dec: event.NewDecoder()} }

// Decode decodes a total record into t.
func (d *TotalDecoder) Decode(line []byte, t *Totals) error {
	if err := d.dec.Total(line, &d.rec); err != nil {
		return err
	}
	t.from(&d.rec)
	return nil
}

// from fills t from a decoded total record, copying its keys.
func (t *Totals) from(r *event.Total) {
	t.reset()
	t.Start, t.End, t.UTCOffset, t.Seconds = r.Start, r.End, r.UTCOffset, r.Seconds
	t.Hits, t.Bytes, t.Late, t.Status = r.Hits, r.Bytes, r.Late, r.Status
	t.Latency = r.Latency
	t.Latency.Bins = nil // the decoder's, reused; the report shows percentiles only
	for _, c := range r.Codes {
		t.Codes = append(t.Codes, Entry{Key: strconv.AppendInt(nil, int64(c.Code), 10), Hits: c.Hits})
	}
	for i := range t.Lists {
		t.Lists[i] = copyEntries(t.Lists[i], r.Lists[i])
	}
	t.Approx = r.Approx
	t.Hours, t.HasHours = r.Hours, r.HasHours
	t.Days = copyEntries(t.Days, r.Days)
	t.DaysDropped = r.DaysDropped
}

func copyEntries(dst []Entry, src []event.TopEntry) []Entry {
	for _, e := range src {
		dst = append(dst, Entry{Key: append([]byte(nil), e.Key...), Hits: e.Hits, Bytes: e.Bytes})
	}
	return dst
}
