package history

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// appendBins encodes a sketch's bins as varints: each index as the step
// from the previous one, then its count. Ticks' bins ascend, so the steps
// are small and most bins take two bytes.
func appendBins(b []byte, bins []event.Bin) []byte {
	prev := int32(0)
	for _, bin := range bins {
		b = binary.AppendVarint(b, int64(bin.Index)-int64(prev))
		b = binary.AppendUvarint(b, uint64(bin.Count))
		prev = bin.Index
	}
	return b
}

var errBins = errors.New("damaged latency bins")

// appendDetail encodes the status classes and the latency sketch's count,
// and when it has one its maximum and zero count, ahead of the bins that
// appendBins or sketch.appendBlob add.
func appendDetail(b []byte, status *event.StatusCounts, count int64, maxv float64, zero int64) []byte {
	for _, n := range status {
		b = binary.AppendUvarint(b, uint64(n))
	}
	b = binary.AppendUvarint(b, uint64(count))
	if count > 0 {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(maxv))
		b = binary.AppendUvarint(b, uint64(zero))
	}
	return b
}

// parseDetail reads what appendDetail wrote, and returns the bins after it.
func parseDetail(b []byte, status *event.StatusCounts) (count int64, maxv float64, zero int64, bins []byte, err error) {
	r := blobReader{b: b}
	for i := range status {
		status[i] = r.uvarint()
	}
	if count = r.uvarint(); count > 0 && !r.bad {
		if len(r.b) < 8 {
			return 0, 0, 0, nil, errBins
		}
		maxv = math.Float64frombits(binary.LittleEndian.Uint64(r.b))
		r.b = r.b[8:]
		zero = r.uvarint()
	}
	if r.bad {
		return 0, 0, 0, nil, errBins
	}
	return count, maxv, zero, r.b, nil
}

// blobReader reads the varints and strings of a stored blob, and
// remembers that one was damaged rather than failing each read.
type blobReader struct {
	b   []byte
	bad bool
}

func (r *blobReader) uvarint() int64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return int64(v)
}

// bytes reads a length and as many bytes.
func (r *blobReader) bytes() []byte {
	n := r.uvarint()
	if r.bad || n > int64(len(r.b)) {
		r.bad = true
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// eachBin calls fn with each bin of blob, as appendBins wrote them.
func eachBin(blob []byte, fn func(index int32, count int64)) error {
	prev := int64(0)
	for len(blob) > 0 {
		d, n := binary.Varint(blob)
		if n <= 0 {
			return errBins
		}
		blob = blob[n:]
		c, n := binary.Uvarint(blob)
		if n <= 0 {
			return errBins
		}
		blob = blob[n:]
		prev += d
		fn(int32(prev), int64(c))
	}
	return nil
}

// sketch is the sum of the latency sketches of seconds or minutes: their
// bins added into one dense run of counts.
type sketch struct {
	count int64
	max   float64
	zero  int64
	lo    int32   // index of counts[0]
	c     []int64 // counts from lo up
}

func (s *sketch) reset() {
	s.count, s.max, s.zero = 0, 0, 0
	s.c = s.c[:0]
}

func (s *sketch) addBin(index int32, count int64) {
	switch {
	case len(s.c) == 0:
		s.lo = index
		s.c = append(s.c, count)
		return
	case index < s.lo:
		grow := int(s.lo - index)
		s.c = append(s.c, make([]int64, grow)...)
		copy(s.c[grow:], s.c)
		clear(s.c[:grow])
		s.lo = index
	case int(index-s.lo) >= len(s.c):
		s.c = append(s.c, make([]int64, int(index-s.lo)-len(s.c)+1)...)
	}
	s.c[index-s.lo] += count
}

// addBlob adds a stored sketch.
func (s *sketch) addBlob(count int64, maxv float64, zero int64, blob []byte) error {
	if count == 0 {
		return nil
	}
	s.count += count
	s.max = max(s.max, maxv)
	s.zero += zero
	return eachBin(blob, s.addBin)
}

// add adds a tick's sketch.
func (s *sketch) add(l *event.Latency) {
	if l.Count == 0 {
		return
	}
	s.count += l.Count
	s.max = max(s.max, l.Max)
	s.zero += l.Zero
	for _, b := range l.Bins {
		s.addBin(b.Index, b.Count)
	}
}

func (s *sketch) merge(o *sketch) {
	if o.count == 0 {
		return
	}
	s.count += o.count
	s.max = max(s.max, o.max)
	s.zero += o.zero
	for i, c := range o.c {
		if c != 0 {
			s.addBin(o.lo+int32(i), c)
		}
	}
}

// appendBlob encodes the bins of s as appendBins does.
func (s *sketch) appendBlob(b []byte) []byte {
	prev := int32(0)
	for i, c := range s.c {
		if c == 0 {
			continue
		}
		idx := s.lo + int32(i)
		b = binary.AppendVarint(b, int64(idx)-int64(prev))
		b = binary.AppendUvarint(b, uint64(c))
		prev = idx
	}
	return b
}

// latency returns the count, maximum and percentiles of s. The
// percentiles are nearest-rank among the times the bins hold, like those
// of the latency package, and never above the exact maximum.
func (s *sketch) latency() event.Latency {
	if s.count == 0 {
		return event.Latency{}
	}
	l := event.Latency{Count: s.count, Max: s.max}
	binned := s.zero
	for _, c := range s.c {
		binned += c
	}
	if binned == 0 {
		return l
	}
	l.P50, l.P90, l.P99 = s.quantile(50, binned), s.quantile(90, binned), s.quantile(99, binned)
	return l
}

func (s *sketch) quantile(p int, n int64) float64 {
	k := max((int64(p)*n+99)/100, 1)
	if k <= s.zero {
		return 0
	}
	k -= s.zero
	for i, c := range s.c {
		if k <= c {
			return min(latency.Value(s.lo+int32(i)), s.max)
		}
		k -= c
	}
	return s.max
}

// appendSections encodes the sections of a summary: for each its name,
// hits, bytes, 4xx, 5xx, heaviest document and its size, strings as their
// length and bytes, numbers as varints.
func appendSections(b []byte, secs []event.SectionStat) []byte {
	for i := range secs {
		sec := &secs[i]
		b = binary.AppendUvarint(b, uint64(len(sec.Section)))
		b = append(b, sec.Section...)
		b = binary.AppendUvarint(b, uint64(sec.Hits))
		b = binary.AppendUvarint(b, uint64(sec.Bytes))
		b = binary.AppendUvarint(b, uint64(sec.Errors4x))
		b = binary.AppendUvarint(b, uint64(sec.Errors5x))
		b = binary.AppendUvarint(b, uint64(len(sec.TopPath)))
		b = append(b, sec.TopPath...)
		b = binary.AppendUvarint(b, uint64(sec.TopBytes))
	}
	return b
}

// sectionStat is one section read from appendSections' encoding; its
// slices alias the blob.
type sectionStat struct {
	name, topPath                 []byte
	hits, bytes, e4, e5, topBytes int64
}

var errSections = errors.New("damaged sections of a summary")

// eachSection calls fn with each section of blob.
func eachSection(blob []byte, fn func(*sectionStat)) error {
	var sec sectionStat
	r := blobReader{b: blob}
	for len(r.b) > 0 {
		sec.name = r.bytes()
		sec.hits, sec.bytes, sec.e4, sec.e5 = r.uvarint(), r.uvarint(), r.uvarint(), r.uvarint()
		sec.topPath = r.bytes()
		sec.topBytes = r.uvarint()
		if r.bad {
			return errSections
		}
		fn(&sec)
	}
	return nil
}
