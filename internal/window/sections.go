package window

import (
	"bytes"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/latency"
)

// DefaultMaxSections is the number of distinct sections an interval counts
// exactly when Config.MaxSections is zero.
const DefaultMaxSections = 10000

// MaxText is the longest section name and heaviest-document path kept, in
// bytes. Longer ones are cut at a character boundary: a log line may be up
// to a megabyte, and a scanner sending such paths must not make each of the
// MaxSections entries that large. Sections whose names agree in their first
// MaxText bytes are counted as one.
const MaxText = 512

// section is the traffic of one section within an interval.
type section struct {
	// name shares its bytes with the section's map key, so that a name is
	// stored once; it is never written to.
	name  []byte
	hits  int64
	bytes int64
	// status counts the requests by class; its 4xx and 5xx are the
	// section's error counts.
	status event.StatusCounts
	// topPath is the heaviest document's path after the section's name
	// when it starts with it, as every path does in the records of
	// httpmon-parse, so that the name is stored once; the whole path
	// otherwise (topWhole).
	topPath  []byte
	topWhole bool
	topBytes int64 // -1 before the first request, so that one always wins
	// over is how much hits may exceed the true count: the count inherited
	// from the section it replaced in the Space-Saving table.
	over int64
	heap int // index in sectionTable.heap while approximate
	// lat is the sketch of the section's request times, with the bins
	// of latency.SectionBins: sections are many, and their sketches are
	// what a summary lists of them.
	lat latency.Sketch
}

// sectionTable counts the sections of one interval in bounded memory.
//
// Up to max distinct sections it is exact. The next new section switches it
// to the Space-Saving algorithm (Metwally, Agrawal, El Abbadi 2005) over the
// max counters it has: a section not in the table replaces the one with the
// fewest hits, m, and starts at m hits with m as its possible overcount.
// With N requests in the interval and k = max counters, every counted
// section's hits are at most over too high, over ≤ N/k, and every section
// with more than N/k requests is in the table. Bytes, error counts and the
// heaviest document of a section cover the requests since it last entered
// the table, so they are lower bounds. The number of distinct sections is
// then estimated with a HyperLogLog sketch.
type sectionTable struct {
	max    int
	floor  int // entries reserved for this table in budget
	budget *budget
	m      map[string]*section
	live   int // entries with hits in this interval; the others are kept from earlier ones for reuse
	approx bool
	heap   []*section // min-heap on hits, while approximate
	hll    *hyperLogLog
}

func newSectionTable(most int, b *budget) *sectionTable {
	if b.unmade > 0 {
		b.unmade-- // the one entry reserved for it from the start
		b.used--
	}
	floor := min(b.floor, b.limit-b.used)
	floor = min(max(floor, 1), most)
	b.used += floor
	return &sectionTable{max: most, floor: floor, budget: b, m: make(map[string]*section)}
}

// budget is the number of section entries that all the tables of an
// Aggregator hold together, open intervals and recycled ones alike. A replay
// holds many intervals open at once (Config.ReplayLateness); without a
// shared bound, memory would grow with their number. A table is made with
// a reservation of up to floor entries, as many as the budget has left but
// at least one, which it may always hold; past that, it takes from what the
// others leave, up to its own max, and then counts approximately, with the
// Space-Saving counters it has. One entry for each table there can be is
// reserved from the start, so that the entries, and the memory for their
// names, never exceed limit.
type budget struct {
	limit  int
	floor  int
	unmade int // tables not made yet; used counts one entry for each
	used   int // Σ max(entries, reservation) over the tables, made or not
}

// resized accounts for a table that went from n to len(t.m) entries.
func (t *sectionTable) resized(n int) {
	t.budget.used += max(len(t.m), t.floor) - max(n, t.floor)
}

// full reports whether t may not take another exact entry.
func (t *sectionTable) full() bool {
	n := len(t.m)
	return n >= t.max || n >= t.floor && t.budget.used >= t.budget.limit
}

// truncate cuts b to at most MaxText bytes, at the start of a character.
func truncate(b []byte) []byte {
	if len(b) <= MaxText {
		return b
	}
	n := MaxText
	for n > MaxText-utf8.UTFMax && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}

// add counts one request of section name; path is its document, b its
// size (0 when unknown), class its status class and rt its request time,
// which may be absent. It reports whether the section's bytes
// saturated at event.MaxCount.
func (t *sectionTable) add(name, path []byte, b int64, class int, rt latency.Time) (saturated bool) {
	name = truncate(name)
	s := t.m[string(name)]
	if s == nil {
		s = t.insert(name)
	} else if t.approx {
		t.hll.add(name)
	}
	if s.hits == 0 {
		t.live++
	}
	s.hits++
	s.bytes, saturated = event.AddCount(s.bytes, b)
	s.status[class]++
	if rt.Present() {
		s.lat.AddTime(rt)
	}
	if b > s.topBytes {
		p := truncate(path)
		s.topWhole = !bytes.HasPrefix(p, name)
		if !s.topWhole {
			p = p[len(name):]
		}
		s.topPath = append(s.topPath[:0], p...)
		s.topBytes = b
	}
	if t.approx {
		t.down(s.heap)
	}
	return saturated
}

// insert adds a section that is not in the table, making room if the table
// is full.
func (t *sectionTable) insert(name []byte) *section {
	if !t.approx && t.full() && t.live < len(t.m) {
		// Entries kept from earlier intervals make way for this one's.
		n := len(t.m)
		for k, s := range t.m {
			if s.hits == 0 {
				delete(t.m, k)
			}
		}
		t.resized(n)
	}
	if !t.approx && t.full() {
		t.startApprox()
	}
	if !t.approx {
		s := &section{topBytes: -1, lat: latency.Sketch{MaxBins: latency.SectionBins}}
		s.name = t.put(name, s)
		t.resized(len(t.m) - 1)
		return s
	}
	t.hll.add(name)
	s := t.heap[0]
	delete(t.m, string(s.name))
	fewest := s.hits
	s.lat.Reset()
	*s = section{hits: fewest, over: fewest, topPath: s.topPath[:0], topBytes: -1, lat: s.lat}
	s.name = t.put(name, s)
	return s
}

// put adds s to the map under a copy of name and returns the copy.
func (t *sectionTable) put(name []byte, s *section) []byte {
	key := string(name)
	t.m[key] = s
	return unsafe.Slice(unsafe.StringData(key), len(key))
}

// startApprox switches to Space-Saving: the table becomes a min-heap on
// hits and the sketch of distinct sections starts with what it holds.
func (t *sectionTable) startApprox() {
	t.approx = true
	if t.hll == nil {
		t.hll = new(hyperLogLog)
	}
	t.heap = t.heap[:0]
	for _, s := range t.m {
		t.heap = append(t.heap, s)
		t.hll.add(s.name)
	}
	for i, s := range t.heap {
		s.heap = i
	}
	for i := len(t.heap)/2 - 1; i >= 0; i-- {
		t.down(i)
	}
}

// down restores the heap after the hits of t.heap[i] grew.
func (t *sectionTable) down(i int) {
	h := t.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h[r].hits < h[l].hits {
			c = r
		}
		if h[c].hits >= h[i].hits {
			break
		}
		h[i], h[c] = h[c], h[i]
		h[i].heap, h[c].heap = i, c
		i = c
	}
}

// distinct returns the number of distinct sections in the interval, an
// estimate when approximate.
func (t *sectionTable) distinct() int64 {
	if !t.approx {
		return int64(t.live)
	}
	return max(t.hll.estimate(), int64(t.live))
}

// rank appends the sections with hits to dst, most hits first, ties by
// name, and returns it.
func (t *sectionTable) rank(dst []*section) []*section {
	for _, s := range t.m {
		if s.hits > 0 {
			dst = append(dst, s)
		}
	}
	// Map order is random; names are unique, so this order is total and
	// the output deterministic.
	slices.SortFunc(dst, func(x, y *section) int {
		if x.hits != y.hits {
			if x.hits > y.hits {
				return -1
			}
			return 1
		}
		return bytes.Compare(x.name, y.name)
	})
	return dst
}

// reset readies t for another interval. Sections with hits stay, zeroed,
// so that a section seen again next time costs no allocation; the others
// are dropped, and a table that overflowed starts afresh.
func (t *sectionTable) reset() {
	n := len(t.m)
	defer t.resized(n)
	// Entries kept for reuse count against the budget, so they are kept
	// only while it has room to spare.
	if t.approx || n > t.max/2 || t.budget.used > t.budget.limit/2 {
		if n > 2*t.floor {
			// A map keeps its buckets when cleared: without a new one,
			// every recycled table would keep the room of its fullest
			// interval, outside the budget.
			t.m = make(map[string]*section)
		}
		clear(t.m)
		clear(t.heap)
		t.heap = t.heap[:0]
		if t.hll != nil {
			t.hll.reset()
		}
	} else {
		for key, s := range t.m {
			if s.hits == 0 {
				delete(t.m, key)
				continue
			}
			s.hits, s.bytes, s.status, s.over = 0, 0, event.StatusCounts{}, 0
			s.topPath, s.topBytes = s.topPath[:0], -1
			s.lat.Reset()
		}
	}
	t.live, t.approx = 0, false
}

// hllP is the HyperLogLog precision: 2^hllP one-byte registers, a standard
// error of 1.04/sqrt(2^hllP) ≈ 1.6%.
const hllP = 12

// hyperLogLog estimates the number of distinct byte strings added
// (Flajolet, Fusy, Gandouet, Meunier 2007), with linear counting for small
// counts. The hash is fixed, not seeded per process, so output is
// reproducible.
type hyperLogLog struct {
	reg [1 << hllP]uint8
}

func (h *hyperLogLog) reset() { clear(h.reg[:]) }

func (h *hyperLogLog) add(b []byte) {
	x := hash64(b)
	i := x >> (64 - hllP)
	rank := uint8(bits.LeadingZeros64(x<<hllP|1<<(hllP-1)) + 1)
	if rank > h.reg[i] {
		h.reg[i] = rank
	}
}

func (h *hyperLogLog) estimate() int64 {
	const m = 1 << hllP
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(float64(m)/float64(zeros))
	}
	return int64(e + 0.5)
}

// hash64 is FNV-1a followed by the SplitMix64 finaliser, which spreads
// FNV's weak high bits over the whole word.
func hash64(b []byte) uint64 {
	x := uint64(14695981039346656037)
	for _, c := range b {
		x ^= uint64(c)
		x *= 1099511628211
	}
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
