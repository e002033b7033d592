package metrics

import (
	"strings"
	"unicode/utf8"
)

// labelValue returns b as a label value: valid UTF-8, which Prometheus
// requires, and at most maxLabel bytes, cut at a character boundary.
func labelValue(b []byte) string {
	if clean(b) {
		return string(b)
	}
	n := min(len(b), maxLabel)
	for n > 0 && n < len(b) && !utf8.RuneStart(b[n]) {
		n--
	}
	return strings.ToValidUTF8(string(b[:n]), "\uFFFD")
}

// clean reports whether b is its own label value.
func clean(b []byte) bool { return len(b) <= maxLabel && utf8.Valid(b) }

// labelIndex keeps the label values that a stream gave, up to a bound,
// each with an index of its own.
type labelIndex struct {
	max    int
	index  map[string]int
	values []string
}

func newLabelIndex(max int) labelIndex {
	return labelIndex{max: max, index: make(map[string]int)}
}

// of returns the index of the label value of b, giving it one if there is
// room, and -1 if there is none. It allocates only for a new value or one
// that is not clean.
func (l *labelIndex) of(b []byte) int {
	var i int
	var ok bool
	if clean(b) {
		i, ok = l.index[string(b)]
	} else {
		i, ok = l.index[labelValue(b)]
	}
	if ok {
		return i
	}
	if len(l.values) >= l.max {
		return -1
	}
	v := labelValue(b)
	l.index[v] = len(l.values)
	l.values = append(l.values, v)
	return len(l.values) - 1
}

// labelCounts counts by a label from the stream, such as the stage that
// gave a notice: up to max values each, the rest as OtherLabel.
type labelCounts struct {
	labels labelIndex
	counts []int64 // by index, then OtherLabel's
}

func newLabelCounts(max int) labelCounts {
	return labelCounts{labels: newLabelIndex(max), counts: make([]int64, max+1)}
}

func (c *labelCounts) add(label []byte, n int64) {
	i := c.labels.of(label)
	if i < 0 || c.labels.values[i] == OtherLabel {
		i = c.labels.max
	}
	c.counts[i] += n
}

func (c *labelCounts) addString(label string, n int64) {
	c.add([]byte(label), n)
}

// each calls f with each label value and its count, OtherLabel last when
// it has one.
func (c *labelCounts) each(f func(label string, n int64)) {
	for i, v := range c.labels.values {
		if v != OtherLabel {
			f(v, c.counts[i])
		}
	}
	if n := c.counts[c.labels.max]; n > 0 {
		f(OtherLabel, n)
	}
}
