package event

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The ranges of protocol v1. A record that a stage emits must be one that
// every later stage accepts, so the decoders enforce these ranges, the
// parser checks each request against them with CheckRequest before it
// writes it, and the stages that add counts up saturate at MaxCount with
// AddCount instead of wrapping around.
const (
	// MinTS and MaxTS bound every time to the years 0–9999, UTC, so that a
	// corrupt number cannot make a later stage emit billions of empty
	// seconds, and every time has a four-digit year when shown.
	MinTS = -62167219200 // 0000-01-01T00:00:00Z
	MaxTS = 253402300799 // 9999-12-31T23:59:59Z
	// MaxInterval is the longest summary interval: a summary's end is at
	// most MaxTS+MaxInterval, because the interval of MaxTS ends after it.
	MaxInterval = 7 * 24 * 3600
	// MaxCount is the largest count or byte total: 2⁵³−1, the largest
	// integer a float64, and so every JSON reader, holds exactly.
	MaxCount = 1<<53 - 1
	// MaxOffset bounds utc_offset, in seconds either side of UTC.
	MaxOffset = 24 * 3600
	// MaxStatus is the largest HTTP status code a record may carry.
	MaxStatus = 999
	// MaxSeconds bounds the durations of a request, request_time and
	// upstream_time: they are below it, about 31 years, so that a corrupt
	// number is refused rather than summed.
	MaxSeconds = 1e9
)

// CheckRequest reports the first field of r outside the protocol's ranges,
// with a reason fit to follow "line N: ". Decoders already refuse such
// records; a producer calls it so that it never writes one.
func CheckRequest(r *Request) error {
	switch {
	case r.TS < MinTS || r.TS > MaxTS:
		return fmt.Errorf("time %s is outside the years 0–9999 UTC", showTime(r.TS))
	case r.UTCOffset < -MaxOffset || r.UTCOffset > MaxOffset:
		return fmt.Errorf("time-zone offset %ds is beyond ±24h", r.UTCOffset)
	case r.Status < 0 || r.Status > MaxStatus:
		return fmt.Errorf("status %d is not an HTTP status code", r.Status)
	case r.Bytes > MaxCount:
		return fmt.Errorf("size %d is over %d bytes, the most the protocol carries", r.Bytes, int64(MaxCount))
	case r.RequestLength > MaxCount:
		return fmt.Errorf("request length %d is over %d bytes, the most the protocol carries", r.RequestLength, int64(MaxCount))
	}
	if err := checkSeconds("request time", r.RequestTime); err != nil {
		return err
	}
	if err := checkSeconds("upstream time", r.UpstreamTime); err != nil {
		return err
	}
	for i := range r.Fields {
		if len(r.Fields[i].Name) == 0 {
			return errors.New("a field has no name")
		}
	}
	return nil
}

// checkSeconds checks a duration of a request; negative ones are absent.
func checkSeconds(what string, v float64) error {
	if v < 0 || v < MaxSeconds {
		return nil
	}
	return fmt.Errorf("%s %s s is not below 1e9 s", what, strconv.FormatFloat(v, 'f', -1, 64))
}

// showTime formats a unix time for a message.
func showTime(ts int64) string {
	return fmt.Sprintf("%d (%s)", ts, time.Unix(ts, 0).UTC().Format(time.RFC3339))
}

// AddCount returns a+b for two counts in [0, MaxCount], saturated at
// MaxCount, and whether it saturated. Counts that overflowed would wrap
// negative and be refused by every later stage; a saturated one is still a
// valid record and the caller says that it is a lower bound.
func AddCount(a, b int64) (int64, bool) {
	if s := a + b; s <= MaxCount {
		return s, false
	}
	return MaxCount, true
}
