package event

import (
	"errors"
	"fmt"
	"math"

	jsoniter "github.com/json-iterator/go"
)

// LatencyAccuracy is the relative accuracy of latency percentiles and the
// α of the bins of a latency sketch on the wire: a percentile is within
// 1% of the request time it stands for.
const LatencyAccuracy = 0.01

// Latency describes the request times of the requests of a tick, a
// summary or a section: those whose log said how long they took. Count is
// zero when none did, and then the record has no "latency" member.
//
// Summaries carry the percentiles; ticks carry the sketch, Zero and Bins,
// from which any percentile of any run of seconds can be computed by
// adding bins, which is how httpmon-alert evaluates latency rules over a
// sliding window. Either record may carry both: the decoders read every
// member wherever it is.
type Latency struct {
	Count int64 // requests with a request time
	// P50, P90 and P99 are nearest-rank percentiles within
	// LatencyAccuracy; Max is exact. All in seconds.
	P50, P90, P99, Max float64
	// Zero counts the request times of 0 s, which no bin holds.
	Zero int64
	// Bins hold the other request times, by ascending Index: bin i counts
	// the times in [γ^i, γ^(i+1)) seconds, γ = (1+α)/(1−α), α =
	// LatencyAccuracy, the logarithmic mapping of DDSketch.
	Bins []Bin
}

// Bin is one bin of a latency sketch.
type Bin struct {
	Index int32
	Count int64
}

// latency writes l as the member "latency" when it has a count. Ticks
// write the sketch and not the percentiles (quantiles false).
func (e *Encoder) latency(l *Latency, quantiles bool) {
	if l.Count == 0 {
		return
	}
	e.s.WriteRaw(`,"latency":{"count":`)
	e.s.WriteInt64(l.Count)
	if quantiles {
		e.seconds("p50", l.P50)
		e.seconds("p90", l.P90)
		e.seconds("p99", l.P99)
	}
	e.seconds("max", l.Max)
	if l.Zero > 0 {
		e.int("zero", l.Zero)
	}
	if len(l.Bins) > 0 {
		e.s.WriteRaw(`,"bins":[`)
		for i, b := range l.Bins {
			if i > 0 {
				e.s.WriteRaw(",")
			}
			e.s.WriteRaw("[")
			e.s.WriteInt32(b.Index)
			e.s.WriteRaw(",")
			e.s.WriteInt64(b.Count)
			e.s.WriteRaw("]")
		}
		e.s.WriteRaw("]")
	}
	e.s.WriteRaw("}")
}

// seconds writes a duration in the fewest digits that read back.
func (e *Encoder) seconds(name string, v float64) {
	e.field(name)
	e.s.SetBuffer(e.appendSeconds(e.s.Buffer(), name, v))
}

// latency decodes the member "latency" into l, reusing l.Bins. A sketch
// must account for its count exactly: bins that do not add up are
// refused, as a merge of them would be wrong everywhere downstream.
func (d *Decoder) latency(field string, l *Latency) error {
	bins := l.Bins[:0]
	*l = Latency{}
	defer func() { l.Bins = bins }()
	ok, err := d.expect(field, jsoniter.ObjectValue, "an object")
	if !ok {
		return err
	}
	hasBins := false
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		switch f {
		case "count":
			l.Count, err = d.count(d.join(field, ".count"))
		case "p50":
			l.P50, err = d.latencySeconds(d.join(field, ".p50"))
		case "p90":
			l.P90, err = d.latencySeconds(d.join(field, ".p90"))
		case "p99":
			l.P99, err = d.latencySeconds(d.join(field, ".p99"))
		case "max":
			l.Max, err = d.latencySeconds(d.join(field, ".max"))
		case "zero":
			l.Zero, err = d.count(d.join(field, ".zero"))
			hasBins = true
		case "bins":
			bins, err = d.bins(d.join(field, ".bins"), bins)
			hasBins = true
		default:
			d.it.Skip()
		}
	}
	if err != nil {
		return err
	}
	if d.it.Error != nil {
		return syntaxError(d.it.Error)
	}
	if l.Count == 0 {
		// A latency of no requests says nothing; it is absent.
		*l = Latency{}
		bins = bins[:0]
		return nil
	}
	if hasBins {
		n := l.Zero
		for _, b := range bins {
			if n += b.Count; n > MaxCount {
				break
			}
		}
		if n != l.Count {
			return fmt.Errorf(`field %q: the bins and "zero" hold %d request times, not "count" %d`, field, n, l.Count)
		}
	}
	return nil
}

// latencySeconds reads a duration in the protocol's range.
func (d *Decoder) latencySeconds(field string) (float64, error) {
	v, ok, err := d.num(field)
	if ok && !(v >= 0 && v < MaxSeconds) {
		return 0, fmt.Errorf("field %q: want seconds from 0 to below 1e9", field)
	}
	return v + 0, err
}

// bins reads [[index, count], …], indexes ascending and counts positive.
func (d *Decoder) bins(field string, bins []Bin) ([]Bin, error) {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return bins, err
	}
	elem, index, count := d.join(field, "[]"), d.join(field, "[][0]"), d.join(field, "[][1]")
	for d.it.ReadArray() {
		var b Bin
		if ok, err := d.expect(elem, jsoniter.ArrayValue, "an array of index and count"); !ok {
			if err == nil {
				err = fmt.Errorf("field %q: want [index, count], not null", elem)
			}
			return bins, err
		}
		n := 0
		for d.it.ReadArray() {
			switch n {
			case 0:
				v, ok, err := d.num(index)
				if err != nil {
					return bins, err
				}
				if !ok || v != math.Trunc(v) || v < math.MinInt32 || v > math.MaxInt32 {
					return bins, fmt.Errorf("field %q: want a bin index, a 32-bit integer", index)
				}
				b.Index = int32(v)
			case 1:
				if b.Count, err = d.count(count); err != nil {
					return bins, err
				}
			default:
				d.it.Skip()
			}
			n++
		}
		if d.it.Error != nil {
			return bins, syntaxError(d.it.Error)
		}
		switch {
		case n < 2 || b.Count == 0:
			return bins, fmt.Errorf("field %q: want [index, count] with a count of at least 1", elem)
		case len(bins) > 0 && b.Index <= bins[len(bins)-1].Index:
			return bins, errors.New(`field "` + field + `": bin indexes must ascend`)
		}
		bins = append(bins, b)
	}
	return bins, nil
}
