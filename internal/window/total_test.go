package window

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// totalStream returns n requests over about two days, a little out of
// order and now and then late, whose keys follow a Zipf law over keys
// distinct keys per list, so that a small table must go approximate. With
// long, keys are longer than 16 bytes, and all of a list's keys of one
// length share their first and last 16 bytes, so that only their middles
// tell them apart.
func totalStream(seed uint64, n, keys int, long bool) []event.Request {
	rng := rand.New(rand.NewPCG(seed, 7))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(keys-1))
	key := func(prefix string) []byte {
		if rng.IntN(10) == 0 {
			return nil // not logged
		}
		if long {
			return fmt.Appendf(nil, "%s-the-same-start-%d-and-the-same-end", prefix, zipf.Uint64())
		}
		return fmt.Appendf(nil, "%s%d", prefix, zipf.Uint64())
	}
	statuses := []int{0, 200, 200, 200, 301, 404, 404, 500}
	offsets := []int32{0, 3600, -12600}
	reqs := make([]event.Request, n)
	cur := int64(1_700_000_000)
	for i := range reqs {
		cur += rng.Int64N(3)
		ts := cur - rng.Int64N(4)
		if rng.IntN(100) == 0 {
			ts -= 400 // late even for a replay's hold
		}
		reqs[i] = event.Request{
			TS:         ts,
			UTCOffset:  offsets[(i/(n/3+1))%len(offsets)],
			Status:     statuses[rng.IntN(len(statuses))],
			Bytes:      rng.Int64N(5000) - 1,
			Section:    key("/s"),
			Path:       append(key("/p"), "?q=1"[:rng.IntN(2)*4]...),
			RemoteHost: key("10.0.0."),
			Referer:    key("https://r/"),
			UserAgent:  key("agent/"),
			Host:       key("h"),
			Country:    key("C"),

			RequestTime: -1, UpstreamTime: -1, RequestLength: -1,
		}
		if len(reqs[i].Path) == 0 {
			reqs[i].Request = []byte("garbage")
		}
	}
	return reqs
}

// exactCount is the slow reference for one key of a list.
type exactCount struct {
	key         string
	hits, bytes int64
}

// reference computes the lists, codes, hours and days of the requests
// that Add did not report late, by brute force.
type totalRef struct {
	lists [event.NumTopLists]map[string]*exactCount
	codes map[int]int64
	hours [24]int64
	days  map[string]*exactCount
	hits  int64
}

func newReference() *totalRef {
	r := &totalRef{codes: map[int]int64{}, days: map[string]*exactCount{}}
	for i := range r.lists {
		r.lists[i] = map[string]*exactCount{}
	}
	return r
}

func (ref *totalRef) add(r *event.Request) {
	b := max(r.Bytes, 0)
	path, _, _ := bytes.Cut(r.Path, []byte("?"))
	keys := [event.NumTopLists][]byte{r.Section, path, r.RemoteHost, r.Referer, r.UserAgent, r.Host, nil, r.Country}
	if r.Status == 404 {
		keys[event.TopNotFound] = path
	}
	for i, k := range keys {
		if len(k) == 0 {
			continue
		}
		c := ref.lists[i][string(k)]
		if c == nil {
			c = &exactCount{key: string(k)}
			ref.lists[i][string(k)] = c
		}
		c.hits++
		c.bytes += b
	}
	if r.Status > 0 {
		ref.codes[r.Status]++
	}
	local := time.Unix(r.TS, 0).In(time.FixedZone("", int(r.UTCOffset)))
	ref.hours[local.Hour()]++
	d := local.Format(time.DateOnly)
	if ref.days[d] == nil {
		ref.days[d] = &exactCount{key: d}
	}
	ref.days[d].hits++
	ref.days[d].bytes += b
	ref.hits++
}

func ranked(m map[string]*exactCount) []*exactCount {
	l := make([]*exactCount, 0, len(m))
	for _, c := range m {
		l = append(l, c)
	}
	slices.SortFunc(l, func(x, y *exactCount) int {
		return cmp.Or(cmp.Compare(y.hits, x.hits), cmp.Compare(x.key, y.key))
	})
	return l
}

func TestTotalMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keys    int // distinct keys per list in the stream
		maxKeys int // counted exactly
		top     int
		long    bool // keys of more than 16 bytes that differ only inside
	}{
		{"exact", 300, 0, 50, false},
		{"exact-all-listed", 40, 0, 50, false},
		{"exact-at-limit", 300, 400, 10, false},
		{"approx", 3000, 200, 20, false},
		{"approx-tiny", 3000, 5, 3, false},
		{"exact-long", 300, 0, 50, true},
		{"approx-long", 3000, 200, 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.TotalTop, c.MaxTotalKeys = tc.top, tc.maxKeys
			reqs := totalStream(uint64(len(tc.name)), 30000, tc.keys, tc.long)
			rec := &recorder{}
			a, err := New(c, rec)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SetReplay(true); err != nil {
				t.Fatal(err)
			}
			ref := newReference()
			for i := range reqs {
				late, err := a.Add(&reqs[i])
				if err != nil {
					t.Fatal(err)
				}
				if !late {
					ref.add(&reqs[i])
				}
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			var tot event.Total
			if !a.Total(&tot) {
				t.Fatal("no total")
			}
			checkTotalSums(t, &tot, rec, a.Stats())
			if tot.Hits != ref.hits {
				t.Errorf("hits %d, reference %d", tot.Hits, ref.hits)
			}
			checkCodes(t, tot.Codes, ref.codes)
			if tot.Hours != ref.hours {
				t.Errorf("hours %v, reference %v", tot.Hours, ref.hours)
			}
			days := ranked(ref.days)
			slices.SortFunc(days, func(x, y *exactCount) int { return cmp.Compare(x.key, y.key) })
			checkExact(t, "days", tot.Days, days, len(days))
			for i, name := range event.TopListNames {
				want := ranked(ref.lists[i])
				exact := tc.maxKeys == 0 || len(want) <= tc.maxKeys
				if exact {
					if tot.Approx[i] != 0 {
						t.Errorf("%s: approx %d for an exact list", name, tot.Approx[i])
					}
					checkExact(t, name, tot.Lists[i], want, tc.top)
					continue
				}
				checkApprox(t, name, tot.Lists[i], tot.Approx[i], ref.lists[i], tc.top)
			}
		})
	}
}

// checkTotalSums checks that the total is the sum of the ticks.
func checkTotalSums(t *testing.T, tot *event.Total, rec *recorder, st Stats) {
	t.Helper()
	var hits, bytes int64
	var status event.StatusCounts
	for i := range rec.ticks {
		hits += rec.ticks[i].Hits
		bytes += rec.ticks[i].Bytes
		status.Add(&rec.ticks[i].Status)
	}
	first, last := rec.ticks[0].TS, rec.ticks[len(rec.ticks)-1].TS
	if tot.Hits != hits || tot.Bytes != bytes || tot.Status != status || tot.Seconds != int64(len(rec.ticks)) ||
		tot.Start != first || tot.End != last+1 || tot.Late != st.Late {
		t.Errorf("total %d hits %d bytes %v seconds %d [%d, %d) late %d; ticks %d %d %v %d [%d, %d] late %d",
			tot.Hits, tot.Bytes, tot.Status, tot.Seconds, tot.Start, tot.End, tot.Late,
			hits, bytes, status, len(rec.ticks), first, last, st.Late)
	}
	if st.Late == 0 {
		t.Error("the stream had no late requests to leave out")
	}
}

func checkCodes(t *testing.T, got []event.CodeCount, want map[int]int64) {
	t.Helper()
	var ref []event.CodeCount
	for code, n := range want {
		ref = append(ref, event.CodeCount{Code: code, Hits: n})
	}
	slices.SortFunc(ref, func(x, y event.CodeCount) int {
		return cmp.Or(cmp.Compare(y.Hits, x.Hits), cmp.Compare(x.Code, y.Code))
	})
	if !slices.Equal(got, ref) {
		t.Errorf("codes %v, reference %v", got, ref)
	}
}

func checkExact(t *testing.T, name string, got []event.TopEntry, want []*exactCount, n int) {
	t.Helper()
	want = want[:min(n, len(want))]
	if len(got) != len(want) {
		t.Errorf("%s: %d entries, reference %d", name, len(got), len(want))
		return
	}
	for i, w := range want {
		if g := got[i]; string(g.Key) != w.key || g.Hits != w.hits || g.Bytes != w.bytes {
			t.Errorf("%s[%d] = %q %d %d, reference %s %d %d", name, i, g.Key, g.Hits, g.Bytes, w.key, w.hits, w.bytes)
		}
	}
}

// checkApprox checks Space-Saving's guarantees: listed hits are too high
// by at most the bound and bytes are lower bounds, the list is in order,
// and no key left out has more hits than the last one listed.
func checkApprox(t *testing.T, name string, got []event.TopEntry, bound int64, ref map[string]*exactCount, n int) {
	t.Helper()
	if bound < 1 {
		t.Errorf("%s: approximate, bound %d", name, bound)
	}
	if len(got) != n {
		t.Fatalf("%s: %d entries, want %d", name, len(got), n)
	}
	listed := map[string]bool{}
	for i, g := range got {
		w := ref[string(g.Key)]
		if w == nil {
			// A key with its bound's hits and none of its own: possible
			// only for a tiny table.
			w = &exactCount{}
		}
		if g.Hits < w.hits || g.Hits-w.hits > bound || g.Bytes > w.bytes {
			t.Errorf("%s[%d] = %s %d hits %d bytes, reference %d %d, bound %d", name, i, g.Key, g.Hits, g.Bytes, w.hits, w.bytes, bound)
		}
		if i > 0 && (got[i-1].Hits < g.Hits || got[i-1].Hits == g.Hits && bytes.Compare(got[i-1].Key, g.Key) >= 0) {
			t.Errorf("%s: out of order at %d", name, i)
		}
		listed[string(g.Key)] = true
	}
	lastHits := got[len(got)-1].Hits
	for k, w := range ref {
		if !listed[k] && w.hits > lastHits {
			t.Errorf("%s: %s with %d hits is not listed, the last listed has %d", name, k, w.hits, lastHits)
		}
	}
}

// TestTotalDays checks the calendar days in the log's zone and that only
// the most recent event.MaxDays are kept.
func TestTotalDays(t *testing.T) {
	c := DefaultConfig()
	c.MaxGap = 0
	a, err := New(c, discard{})
	if err != nil {
		t.Fatal(err)
	}
	// 2019-02-07 23:30 at +0330 is 20:00 UTC; the next request, at 00:30
	// local, is on the next day there though not in UTC.
	start := time.Date(2019, 2, 7, 20, 0, 0, 0, time.UTC).Unix()
	for _, r := range []event.Request{
		{TS: start, UTCOffset: 12600, Status: 200, Bytes: 10},
		{TS: start + 3600, UTCOffset: 12600, Status: 200, Bytes: 20},
		{TS: start + 3600, UTCOffset: 12600, Status: 200, Bytes: -1},
	} {
		if _, err := a.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	var tot event.Total
	a.Total(&tot)
	want := []event.TopEntry{{Key: []byte("2019-02-07"), Hits: 1, Bytes: 10}, {Key: []byte("2019-02-08"), Hits: 2, Bytes: 20}}
	if fmt.Sprint(tot.Days) != fmt.Sprint(want) || tot.Hours[23] != 1 || tot.Hours[0] != 2 || tot.UTCOffset != 12600 {
		t.Errorf("days %v hours %v offset %d", tot.Days, tot.Hours, tot.UTCOffset)
	}

	// One request a day for MaxDays+5 days keeps the last MaxDays.
	for d := range int64(event.MaxDays + 5) {
		r := event.Request{TS: start + 86400*(d+1), Status: 200, Bytes: 1}
		if _, err := a.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	a.Flush()
	a.Total(&tot)
	last := time.Unix(start+86400*(event.MaxDays+5), 0).UTC().Format(time.DateOnly)
	if len(tot.Days) != event.MaxDays || tot.DaysDropped != 6 || string(tot.Days[len(tot.Days)-1].Key) != last {
		t.Errorf("%d days, %d dropped, last %s; want %d, 6, %s", len(tot.Days), tot.DaysDropped, tot.Days[len(tot.Days)-1].Key, event.MaxDays, last)
	}
	for i := 1; i < len(tot.Days); i++ {
		if bytes.Compare(tot.Days[i-1].Key, tot.Days[i].Key) >= 0 {
			t.Fatalf("days out of order at %d: %s %s", i, tot.Days[i-1].Key, tot.Days[i].Key)
		}
	}
}

func TestTotalOff(t *testing.T) {
	c := DefaultConfig()
	c.TotalTop = 0
	a, err := New(c, discard{})
	if err != nil {
		t.Fatal(err)
	}
	var tot event.Total
	if a.Total(&tot) {
		t.Error("a total before any request")
	}
	r := event.Request{TS: 1, Status: 200}
	a.Add(&r)
	a.Flush()
	if a.Total(&tot) {
		t.Error("a total with TotalTop 0")
	}
}

// TestTotalKeysCut checks that keys are cut like section names.
func TestTotalKeysCut(t *testing.T) {
	a, err := New(DefaultConfig(), discard{})
	if err != nil {
		t.Fatal(err)
	}
	long := bytes.Repeat([]byte("é"), MaxText)
	r := event.Request{TS: 1, Status: 200, UserAgent: long}
	a.Add(&r)
	r.UserAgent = append(long[:MaxText:MaxText], "other"...)
	a.Add(&r)
	a.Flush()
	var tot event.Total
	a.Total(&tot)
	if l := tot.Lists[event.TopUserAgents]; len(l) != 1 || len(l[0].Key) != MaxText || l[0].Hits != 2 {
		t.Errorf("user agents %d entries, first %d bytes", len(l), len(l[0].Key))
	}
}
