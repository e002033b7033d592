package event

import (
	"bytes"
	"strings"
	"testing"
)

func TestCheckRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Request
		want string // substring of the error; "" for none
	}{
		{"ordinary", Request{TS: 1549573860, Status: 200, Bytes: 1234}, ""},
		{"last second of 9999", Request{TS: MaxTS, Bytes: -1}, ""},
		{"first second of year 0", Request{TS: MinTS, Bytes: -1}, ""},
		{"after 9999", Request{TS: MaxTS + 1, Bytes: -1}, "outside the years 0–9999"},
		{"9999 in a zone west of UTC", Request{TS: MaxTS + 3600, UTCOffset: -3600, Bytes: -1}, "10000-01-01T00:59:59Z"},
		{"before year 0", Request{TS: MinTS - 1, Bytes: -1}, "outside the years"},
		{"largest size", Request{TS: 1, Bytes: MaxCount}, ""},
		{"size of 2^53", Request{TS: 1, Bytes: 1 << 53}, "size 9007199254740992 is over"},
		{"unknown size", Request{TS: 1, Bytes: -1}, ""},
		{"offset beyond a day", Request{TS: 1, UTCOffset: MaxOffset + 1, Bytes: -1}, "offset"},
		{"status 1000", Request{TS: 1, Status: 1000, Bytes: -1}, "status 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckRequest(&tc.r)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}

// TestCheckedRequestsDecode checks the promise CheckRequest makes: what it
// lets through, encoded, every decoder accepts unchanged, on both paths.
func TestCheckedRequestsDecode(t *testing.T) {
	enc, dec := NewEncoder(), NewDecoder()
	for _, r := range []Request{
		{TS: MaxTS, UTCOffset: -MaxOffset, Status: MaxStatus, Bytes: MaxCount, Path: []byte("/a")},
		{TS: MinTS, UTCOffset: MaxOffset, Bytes: 0},
	} {
		if err := CheckRequest(&r); err != nil {
			t.Fatal(err)
		}
		line, err := enc.Request(&r)
		if err != nil {
			t.Fatal(err)
		}
		line = bytes.TrimSuffix(bytes.Clone(line), []byte("\n"))
		var fast, slow Request
		if err := dec.Request(line, &fast); err != nil {
			t.Fatalf("decode %s: %v", line, err)
		}
		if err := slowRequest(dec, line, &slow); err != nil {
			t.Fatalf("slow decode %s: %v", line, err)
		}
		if !sameRequest(&fast, &r) || !sameRequest(&slow, &r) {
			t.Fatalf("%s:\nwant %+v\nfast %+v\nslow %+v", line, r, fast, slow)
		}
	}
}

func TestDecodeRanges(t *testing.T) {
	dec := NewDecoder()
	for _, tc := range []struct {
		name, line string
		decode     func([]byte) error
		ok         bool
	}{
		{"tick bytes 2^53-1", `{"kind":"tick","ts":1,"bytes":9007199254740991}`, tick(dec), true},
		{"tick bytes 2^53", `{"kind":"tick","ts":1,"bytes":9007199254740992}`, tick(dec), false},
		{"request bytes 2^53", `{"kind":"request","ts":1,"bytes":9007199254740992}`, request(dec), false},
		{"request at the last second", `{"kind":"request","ts":253402300799.5}`, request(dec), true},
		{"request after the last second", `{"kind":"request","ts":253402300800}`, request(dec), false},
		// The summary of the last second ends after it.
		{"summary of the last second", `{"kind":"summary","start":253402300790,"end":253402300800}`, summary(dec), true},
		{"summary ending a week after", `{"kind":"summary","start":253402300790,"end":253402905599}`, summary(dec), true},
		{"summary ending later", `{"kind":"summary","start":253402300790,"end":253402905600}`, summary(dec), false},
		{"summary starting after", `{"kind":"summary","start":253402300800,"end":253402300810}`, summary(dec), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.decode([]byte(tc.line)); (err == nil) != tc.ok {
				t.Fatalf("%s: want ok=%v, got %v", tc.line, tc.ok, err)
			}
		})
	}
}

func tick(d *Decoder) func([]byte) error {
	return func(b []byte) error { var t Tick; return d.Tick(b, &t) }
}

func request(d *Decoder) func([]byte) error {
	return func(b []byte) error { var r Request; return d.Request(b, &r) }
}

func summary(d *Decoder) func([]byte) error {
	return func(b []byte) error { var s Summary; return d.Summary(b, &s) }
}

func TestAddCount(t *testing.T) {
	for _, tc := range []struct {
		a, b, want int64
		sat        bool
	}{
		{1, 2, 3, false},
		{MaxCount - 1, 1, MaxCount, false},
		{MaxCount, 1, MaxCount, true},
		{MaxCount, MaxCount, MaxCount, true},
	} {
		if got, sat := AddCount(tc.a, tc.b); got != tc.want || sat != tc.sat {
			t.Errorf("AddCount(%d, %d) = %d, %v; want %d, %v", tc.a, tc.b, got, sat, tc.want, tc.sat)
		}
	}
}

// TestKindDuplicate checks that a record with two kinds is the same kind
// to every reader, whichever way Kind reads it.
func TestKindDuplicate(t *testing.T) {
	dec := NewDecoder()
	for _, line := range []string{
		`{"kind":"request","ts":1,"kind":"tick"}`,
		`{"kind":"tick","kind":"request","ts":1}`,
	} {
		fast, err := dec.Kind([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		fast = bytes.Clone(fast)
		slow, err := dec.Kind([]byte(" " + line))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast, slow) {
			t.Errorf("%s: fast path reads kind %q, general one %q", line, fast, slow)
		}
	}
}
