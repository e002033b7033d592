package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/httpmon/httpmon/internal/history"
)

// presets are the ranges of the range picker, ending at the newest stored
// second.
var presets = []struct {
	Name string
	Secs int64
}{
	{"15m", 15 * 60},
	{"1h", 3600},
	{"24h", 24 * 3600},
	{"7d", 7 * 24 * 3600},
}

// defaultLast is the range shown when the URL names none.
const defaultLast = 3600

// maxSpan bounds a range to what the protocol's times can hold, so that
// arithmetic on it cannot overflow.
const maxSpan = 20000 * 366 * 24 * 3600

// view is a range asked for in a URL, resolved against the history.
type view struct {
	history.Range
	// Last is the preset's name when the range is one ending at the newest
	// second; empty for a custom range.
	Last string
	// Live is true when the range ends at the newest second, so that live
	// ticks extend it.
	Live bool
}

// badRequest is a URL parameter that cannot be used; its message is shown
// to the person who typed it.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badParam(name, want, got string) error {
	return &badRequest{fmt.Sprintf("%s: want %s, got %q", name, want, got)}
}

// parseTime reads a time of a URL: unix seconds or RFC 3339.
func parseTime(name, s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < minTS || n > maxTS {
			return 0, badParam(name, "a time within the years 0–9999", s)
		}
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, badParam(name, "unix seconds or an RFC 3339 time like 2026-12-01T10:00:00Z", s)
	}
	return t.Unix(), nil
}

// The protocol's range of times, the years 0–9999.
const (
	minTS = -62167219200
	maxTS = 253402300799
)

// parseView resolves the range of q: from and to (either may be missing),
// or last (a preset) ending at to or at the newest stored second; section
// and source filter it. Without any, the last hour up to the newest second.
func parseView(ctx context.Context, q url.Values, h history.Reader, now func() time.Time) (view, error) {
	var v view
	for name, vals := range q {
		switch name {
		case "from", "to", "last", "section", "source", "token":
		default:
			return v, &badRequest{fmt.Sprintf("unknown parameter %q: the page takes from, to, last, section and source", name)}
		}
		if len(vals) > 1 {
			return v, &badRequest{fmt.Sprintf("%s: given %d times, want once", name, len(vals))}
		}
	}
	v.Section = q.Get("section")
	v.Source = q.Get("source")
	var from, to int64
	var hasFrom, hasTo bool
	var err error
	if s := q.Get("from"); s != "" {
		if from, err = parseTime("from", s); err != nil {
			return v, err
		}
		hasFrom = true
	}
	if s := q.Get("to"); s != "" {
		if to, err = parseTime("to", s); err != nil {
			return v, err
		}
		hasTo = true
	}
	span := int64(0)
	if s := q.Get("last"); s != "" {
		if hasFrom && hasTo {
			return v, &badRequest{"last: give it with from or to, or alone, not with both"}
		}
		span = presetSpan(s)
		if span == 0 {
			return v, badParam("last", "15m, 1h, 24h or 7d", s)
		}
		v.Last = s
	}
	if !hasTo {
		newest, ok, err := h.Newest(ctx)
		if err != nil {
			return v, err
		}
		if !ok {
			newest = now().Unix()
		}
		v.Live = !hasFrom || span == 0
		to = newest + 1
		if hasFrom && span > 0 {
			to = from + span
			v.Live = false
		}
	}
	if !hasFrom {
		if span == 0 {
			span = defaultLast
			if !hasTo {
				v.Last = "1h"
			}
		}
		from = to - span
	}
	if from >= to {
		return v, &badRequest{fmt.Sprintf("from (%d) must be before to (%d)", from, to)}
	}
	if to-from > maxSpan {
		return v, &badRequest{"the range is longer than the protocol's years 0–9999"}
	}
	v.From, v.To = from, to
	return v, nil
}

func presetSpan(name string) int64 {
	for _, p := range presets {
		if p.Name == name {
			return p.Secs
		}
	}
	return 0
}

// query returns the URL query of v with section replaced, for links that
// keep the range.
func (v *view) query(section string) string {
	q := url.Values{}
	if v.Last != "" && v.Live {
		q.Set("last", v.Last)
	} else {
		q.Set("from", strconv.FormatInt(v.From, 10))
		q.Set("to", strconv.FormatInt(v.To, 10))
	}
	if section != "" {
		q.Set("section", section)
	}
	if v.Source != "" {
		q.Set("source", v.Source)
	}
	return q.Encode()
}

// presetQuery is the query of a preset range, keeping the filters.
func (v *view) presetQuery(last string) string {
	q := url.Values{}
	q.Set("last", last)
	if v.Section != "" {
		q.Set("section", v.Section)
	}
	if v.Source != "" {
		q.Set("source", v.Source)
	}
	return q.Encode()
}

// trimLine drops the newline a caller may have left on a record.
func trimLine(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
