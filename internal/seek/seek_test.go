package seek

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
)

// leadingTime is a TimeFunc for the test logs: a line has a time when it
// starts with a number.
func leadingTime(line []byte) (int64, bool) {
	end := bytes.IndexByte(line, ' ')
	if end < 0 {
		end = len(line)
	}
	ts, err := strconv.ParseInt(string(line[:end]), 10, 64)
	return ts, err == nil
}

// disorderedLog returns a log of n lines whose times rise by about one a
// line, each up to d before the time it would have in order, so that no
// line is more than d before one written earlier; one line in junkEvery
// has no time, and lines are of random lengths, a few past the probes'
// buffer. It returns the times of the lines (-1 for none) and their
// offsets.
func disorderedLog(rng *rand.Rand, n int, d int64, junkEvery int) (log []byte, times, offs []int64) {
	var b bytes.Buffer
	for i := range n {
		offs = append(offs, int64(b.Len()))
		pad := rng.IntN(200)
		if rng.IntN(500) == 0 {
			pad = bufSize + 10
		}
		if junkEvery > 0 && rng.IntN(junkEvery) == 0 {
			times = append(times, -1)
			fmt.Fprintf(&b, "junk %s\n", bytes.Repeat([]byte("x"), pad))
			continue
		}
		ts := 1_000_000 + int64(i)
		if d > 0 {
			ts -= rng.Int64N(d + 1)
		}
		times = append(times, ts)
		end := "\n"
		if i%7 == 0 {
			end = "\r\n"
		}
		fmt.Fprintf(&b, "%d %s%s", ts, bytes.Repeat([]byte("y"), pad), end)
	}
	return b.Bytes(), times, offs
}

func TestBeforeLosesNoLineUnderTheBound(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n         int
		d         int64
		junkEvery int
	}{
		{"sorted", 20000, 0, 0},
		{"disorder 300", 20000, 300, 0},
		{"disorder 300 with junk", 20000, 300, 5},
		{"mostly junk", 5000, 60, 2},
		{"disorder wider than the log", 2000, 5000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.n)))
			log, times, offs := disorderedLog(rng, tc.n, tc.d, tc.junkEvery)
			starts := map[int64]bool{}
			for _, o := range offs {
				starts[o] = true
			}
			seeked := 0
			for range 200 {
				since := 1_000_000 - 100 + rng.Int64N(int64(tc.n)+200)
				off, err := Before(bytes.NewReader(log), int64(len(log)), since-tc.d, leadingTime)
				if err != nil {
					t.Fatal(err)
				}
				if !starts[off] {
					t.Fatalf("since %d: offset %d is not the start of a line", since, off)
				}
				for i, o := range offs {
					if o >= off {
						break
					}
					if times[i] >= since {
						t.Fatalf("since %d: offset %d skips line %d at %d, time %d", since, off, i, o, times[i])
					}
				}
				if off > 0 {
					seeked++
				}
			}
			if tc.d < int64(tc.n)/2 && seeked < 100 {
				t.Errorf("only %d of 200 searches skipped anything", seeked)
			}
		})
	}
}

func TestBeforeSkipsMostOfASortedLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	log, times, offs := disorderedLog(rng, 50000, 0, 0)
	since := times[40000]
	off, err := Before(bytes.NewReader(log), int64(len(log)), since, leadingTime)
	if err != nil {
		t.Fatal(err)
	}
	// Stopping at minGap leaves at most that much, plus a line, to read.
	if want := offs[40000] - minGap - bufSize - 300; off < want {
		t.Errorf("offset %d, want at least %d (line 40000 is at %d)", off, want, offs[40000])
	}
}

func TestBeforeEdges(t *testing.T) {
	log := []byte("10 a\n20 b\n30 c")
	for _, tc := range []struct {
		name   string
		log    []byte
		target int64
	}{
		{"empty", nil, 5},
		{"small", log, 25},
		{"no times", []byte("x\ny\n"), 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off, err := Before(bytes.NewReader(tc.log), int64(len(tc.log)), tc.target, leadingTime)
			if err != nil || off != 0 {
				t.Errorf("Before = %d, %v; want 0, nil (below minGap the search reads all)", off, err)
			}
		})
	}
}

func TestFirst(t *testing.T) {
	for _, tc := range []struct {
		log  string
		want int64
		ok   bool
	}{
		{"#header\nx\n42 a\n43 b\n", 42, true},
		{"7", 7, true},
		{"", 0, false},
		{"x\ny\n", 0, false},
	} {
		ts, ok, err := First(bytes.NewReader([]byte(tc.log)), int64(len(tc.log)), leadingTime)
		if err != nil || ts != tc.want || ok != tc.ok {
			t.Errorf("First(%q) = %d, %v, %v; want %d, %v, nil", tc.log, ts, ok, err, tc.want, tc.ok)
		}
	}
}

// synthLog is a log of fixed-length lines, one a second, made up as it is
// read, so that a test can search a log of any size without holding it.
type synthLog struct {
	lines int64
	reads *int64 // bytes asked for
}

const synthLine = 100

func (s synthLog) size() int64 { return s.lines * synthLine }

func (s synthLog) ReadAt(p []byte, off int64) (int, error) {
	*s.reads += int64(len(p))
	n := 0
	for n < len(p) && off+int64(n) < s.size() {
		pos := off + int64(n)
		i, col := pos/synthLine, pos%synthLine
		var line [synthLine]byte
		for j := range line {
			line[j] = ' '
		}
		copy(line[:], strconv.FormatInt(1_000_000_000+i, 10))
		line[synthLine-1] = '\n'
		n += copy(p[n:], line[col:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// TestBeforeReadsLittleOfAHugeLog searches 10 GB for its last hour.
func TestBeforeReadsLittleOfAHugeLog(t *testing.T) {
	var reads int64
	log := synthLog{lines: 100_000_000, reads: &reads}
	last := int64(1_000_000_000 + log.lines - 1)
	off, err := Before(log, log.size(), last-3600-300, leadingTime)
	if err != nil {
		t.Fatal(err)
	}
	if rest := log.size() - off; rest > (3600+300)*synthLine+minGap+bufSize {
		t.Errorf("leaves %d bytes to read, want about %d", rest, (3600+300)*synthLine)
	}
	if reads > 5<<20 {
		t.Errorf("the search read %d bytes of 10 GB, want under 5 MiB", reads)
	}
}

// BenchmarkBefore shows that the search costs about the same on a log a
// thousand times larger: a probe or two more per doubling.
func BenchmarkBefore(b *testing.B) {
	for _, lines := range []int64{100_000, 10_000_000, 1_000_000_000} {
		var reads int64
		log := synthLog{lines: lines, reads: &reads}
		b.Run(fmt.Sprintf("%dMB", log.size()>>20), func(b *testing.B) {
			b.ReportAllocs()
			reads = 0
			target := int64(1_000_000_000 + lines - 3600)
			for b.Loop() {
				if _, err := Before(log, log.size(), target, leadingTime); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(reads)/float64(b.N), "bytes-read/op")
		})
	}
}
