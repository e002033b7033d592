package logfmt

import (
	"math/rand/v2"
	"testing"
	"time"
)

const clfLayout = "02/Jan/2006:15:04:05 -0700"

func TestDecodeTimestamp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339, or "" for rejected
		off  int32
	}{
		{"10/Oct/2000:13:55:36 -0700", "2000-10-10T13:55:36-07:00", -7 * 3600},
		{"22/Jan/2019:03:56:14 +0330", "2019-01-22T03:56:14+03:30", 12600},
		{"01/Jan/2019:02:00:00 +0530", "2019-01-01T02:00:00+05:30", 19800},
		{"31/Dec/2024:23:30:00 -0930", "2024-12-31T23:30:00-09:30", -34200},
		{"01/Jan/1970:00:00:00 +0000", "1970-01-01T00:00:00Z", 0},
		{"01/Jan/1970:00:00:00 +0100", "1970-01-01T00:00:00+01:00", 3600}, // before the epoch
		{"31/Dec/1969:23:59:59 +0000", "1969-12-31T23:59:59Z", 0},
		{"01/Mar/0000:00:00:00 +0000", "0000-03-01T00:00:00Z", 0},
		{"29/Feb/0000:12:00:00 +0000", "0000-02-29T12:00:00Z", 0},
		{"31/Dec/9999:23:59:59 -2359", "9999-12-31T23:59:59-23:59", -(23*3600 + 59*60)},
		{"01/Jan/2000:00:00:00 -0000", "2000-01-01T00:00:00Z", 0},
		// Month ends.
		{"31/Jan/2021:12:00:00 +0000", "2021-01-31T12:00:00Z", 0},
		{"28/Feb/2021:12:00:00 +0000", "2021-02-28T12:00:00Z", 0},
		{"31/Mar/2021:12:00:00 +0000", "2021-03-31T12:00:00Z", 0},
		{"30/Apr/2021:12:00:00 +0000", "2021-04-30T12:00:00Z", 0},
		{"31/May/2021:12:00:00 +0000", "2021-05-31T12:00:00Z", 0},
		{"30/Jun/2021:12:00:00 +0000", "2021-06-30T12:00:00Z", 0},
		{"31/Jul/2021:12:00:00 +0000", "2021-07-31T12:00:00Z", 0},
		{"31/Aug/2021:12:00:00 +0000", "2021-08-31T12:00:00Z", 0},
		{"30/Sep/2021:12:00:00 +0000", "2021-09-30T12:00:00Z", 0},
		{"31/Oct/2021:12:00:00 +0000", "2021-10-31T12:00:00Z", 0},
		{"30/Nov/2021:12:00:00 +0000", "2021-11-30T12:00:00Z", 0},
		{"31/Dec/2021:12:00:00 +0000", "2021-12-31T12:00:00Z", 0},
		{"31/Apr/2021:12:00:00 +0000", "", 0},
		{"31/Jun/2021:12:00:00 +0000", "", 0},
		{"31/Sep/2021:12:00:00 +0000", "", 0},
		{"31/Nov/2021:12:00:00 +0000", "", 0},
		{"32/Jan/2021:12:00:00 +0000", "", 0},
		{"00/Jan/2021:12:00:00 +0000", "", 0},
		// Leap years.
		{"29/Feb/2000:12:00:00 +0000", "2000-02-29T12:00:00Z", 0},
		{"29/Feb/2024:12:00:00 +0000", "2024-02-29T12:00:00Z", 0},
		{"01/Mar/2024:00:00:00 +0000", "2024-03-01T00:00:00Z", 0},
		{"29/Feb/1900:12:00:00 +0000", "", 0},
		{"29/Feb/2100:12:00:00 +0000", "", 0},
		{"29/Feb/2023:12:00:00 +0000", "", 0},
		{"30/Feb/2024:12:00:00 +0000", "", 0},
		// Month names, any case, as time.Parse.
		{"10/OCT/2000:13:55:36 -0700", "2000-10-10T13:55:36-07:00", -7 * 3600},
		{"10/oCt/2000:13:55:36 -0700", "2000-10-10T13:55:36-07:00", -7 * 3600},
		{"10/Foo/2000:13:55:36 -0700", "", 0},
		{"10/Oc /2000:13:55:36 -0700", "", 0},
		{"10/O\x03t/2000:13:55:36 -0700", "", 0},
		// Clock ranges.
		{"10/Oct/2000:23:59:59 +0000", "2000-10-10T23:59:59Z", 0},
		{"10/Oct/2000:24:00:00 +0000", "", 0},
		{"10/Oct/2000:13:60:00 +0000", "", 0},
		{"10/Oct/2000:13:55:60 +0000", "", 0}, // leap second: rejected, see decodeTimestamp
		{"10/Oct/2000:13:55:36 +2400", "", 0},
		{"10/Oct/2000:13:55:36 +0060", "", 0},
		// Shape.
		{"10/Oct/2000:13:55:36 0700", "", 0},
		{"10/Oct/2000:13:55:36 *0700", "", 0},
		{"10/Oct/2000 13:55:36 +0700", "", 0},
		{"1/Oct/2000:13:55:36 +07000", "", 0},
		{"10/Oct/2000:13:55:3x +0700", "", 0},
		{"10/Oct/20O0:13:55:36 +0700", "", 0},
		{"10-Oct-2000:13:55:36 +0700", "", 0},
		{"10/Oct/2000:13:55:36", "", 0},
		{"", "", 0},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, off, ok := decodeTimestamp([]byte(tc.in))
			if tc.want == "" {
				if ok {
					t.Fatalf("decodeTimestamp(%q) = %d, %d, want rejection", tc.in, got, off)
				}
				return
			}
			want := unix(t, tc.want)
			if !ok || got != want || off != tc.off {
				t.Fatalf("decodeTimestamp(%q) = %d, %d, %v; want %d, %d", tc.in, got, off, ok, want, tc.off)
			}
		})
	}
}

// TestDecodeTimestampMatchesTimeParse compares with time.Parse on every day
// of 1899–2101 (leap rules of 1900, 2000, 2100) at random clock times and
// zones, and on random near-miss strings, cached and not.
func TestDecodeTimestampMatchesTimeParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for d := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2102; d = d.AddDate(0, 0, 1) {
		zone := time.FixedZone("", (rng.IntN(24*60*2-1)-(24*60-1))*60)
		tm := time.Date(d.Year(), d.Month(), d.Day(), rng.IntN(24), rng.IntN(60), rng.IntN(60), 0, zone)
		s := tm.Format(clfLayout)
		got, off, ok := decodeTimestamp([]byte(s))
		_, wantOff := tm.Zone()
		if !ok || got != tm.Unix() || off != int32(wantOff) {
			t.Fatalf("decodeTimestamp(%q) = %d, %d, %v; want %d, %d", s, got, off, ok, tm.Unix(), wantOff)
		}
	}
	const alphabet = "0123456789/:+- JanFebOctDecSepx"
	var c tsCache // mostly same-day hits: the mutations are near one base
	for range 200000 {
		b := []byte("10/Oct/2000:13:55:36 -0700")
		for range 1 + rng.IntN(3) {
			b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
		}
		got, off, ok := decodeTimestamp(b)
		want, err := time.Parse(clfLayout, string(b))
		_, wantOff := want.Zone()
		// time.Parse allows a 24-hour or 60-minute offset and 1-digit
		// hours; we do not.
		wantOK := err == nil && isDigit(b[12]) && wantOff > -24*3600 && wantOff < 24*3600 &&
			b[24] < '6'
		if ok != wantOK || ok && (got != want.Unix() || off != int32(wantOff)) {
			t.Fatalf("decodeTimestamp(%q) = %d, %d, %v; time.Parse = %v, %v", b, got, off, ok, want, err)
		}
		if cgot, coff, cok := c.timestamp(b); cgot != got || coff != off || cok != ok {
			t.Fatalf("cached timestamp(%q) = %d, %d, %v; uncached %d, %d, %v", b, cgot, coff, cok, got, off, ok)
		}
	}
}

// TestTimestampCache checks that cache hits, same-day hits and misses all
// give what an uncached decode gives.
func TestTimestampCache(t *testing.T) {
	var c tsCache
	seq := []string{
		"10/Oct/2000:13:55:36 -0700",
		"10/Oct/2000:13:55:36 -0700", // hit
		"10/Oct/2000:13:55:36 -0700", // hit
		"10/Foo/2000:13:55:36 -0700", // miss, invalid: must not poison the cache
		"10/Oct/2000:13:55:36 -0700", // hit
		"10/Oct/2000:13:55:37 -0700", // miss: one byte differs
		"10/Oct/2000:13:55:37 +0700", // miss: only the zone differs
		"10/Oct/2000:13:55:36 -0700", // miss: back again
		"10/Oct/2000:23:59:59 -0700", // same day: only the clock is decoded
		"10/Oct/2000:00:00:00 -0700", // same day
		"10/Oct/2000:24:00:00 -0700", // same day, bad clock
		"10/Oct/2000:13:60:00 -0700", // same day, bad clock
		"10/Oct/2000:13:55;36 -0700", // same day, bad clock
		"10/Oct/2000:00:00:00 -0700", // hit after the bad ones
		"10/Oct/2000:00:00:0",        // short
		"11/Oct/2000:00:00:00 -0700", // next day
		"11/Oct/2000:00:00:00 -0630", // same date, other zone
		"11/Oct/2000:00:00:01 -0630", // same day
	}
	for i, s := range seq {
		b := []byte(s)
		got, off, ok := c.timestamp(b)
		want, wantOff, wantOK := decodeTimestamp(b)
		if got != want || off != wantOff || ok != wantOK {
			t.Errorf("%d: cached timestamp(%q) = %d, %d, %v; uncached %d, %d, %v", i, s, got, off, ok, want, wantOff, wantOK)
		}
		b[0] = 'X' // the cache must hold a copy, not the caller's buffer
	}
}

func TestDaysFromCivil(t *testing.T) {
	for _, y := range []int{-401, -400, -1, 0, 1, 1600, 1969, 1970, 2000, 2038, 9999} {
		for _, m := range []int{1, 2, 3, 12} {
			want := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
			if got := daysFromCivil(int64(y), int64(m), 1); got != want {
				t.Errorf("daysFromCivil(%d, %d, 1) = %d, want %d", y, m, got, want)
			}
		}
	}
}
