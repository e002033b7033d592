package web

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseView(t *testing.T) {
	f := sharedFake()
	newest := int64(fakeEnd - 1)
	tests := []struct {
		name  string
		query string
		from  int64
		to    int64
		last  string
		live  bool
		sect  string
		err   string // part of the 400's message
	}{
		{name: "default is the hour up to the newest second", query: "", from: newest + 1 - 3600, to: newest + 1, last: "1h", live: true},
		{name: "preset", query: "last=15m", from: newest + 1 - 900, to: newest + 1, last: "15m", live: true},
		{name: "preset 7d", query: "last=7d&section=/api", from: newest + 1 - 7*86400, to: newest + 1, last: "7d", live: true, sect: "/api"},
		{name: "unix seconds", query: "from=1796000000&to=1796003600", from: 1796000000, to: 1796003600},
		{name: "rfc 3339 with zone", query: "from=2026-11-29T10:00:00%2B01:00&to=2026-11-29T11:00:00Z", from: 1795942800, to: 1795950000},
		{name: "from alone runs to the newest", query: "from=1796080000", from: 1796080000, to: newest + 1, live: true},
		{name: "to alone is the hour before it", query: "to=1796003600", from: 1796000000, to: 1796003600},
		{name: "preset after from", query: "from=1796000000&last=1h", from: 1796000000, to: 1796003600, last: "1h"},
		{name: "preset before to", query: "to=1796003600&last=15m", from: 1796002700, to: 1796003600, last: "15m"},
		{name: "bad from", query: "from=yesterday", err: `from: want unix seconds or an RFC 3339 time like 2026-12-01T10:00:00Z, got "yesterday"`},
		{name: "bad to", query: "to=12:00", err: `to: want unix seconds or an RFC 3339 time`},
		{name: "from after to", query: "from=1796003600&to=1796000000", err: "from (1796003600) must be before to (1796000000)"},
		{name: "empty range", query: "from=1796000000&to=1796000000", err: "must be before"},
		{name: "year 10000", query: "from=253402300800", err: "within the years 0–9999"},
		{name: "bad preset", query: "last=2w", err: `last: want 15m, 1h, 24h or 7d, got "2w"`},
		{name: "preset with both ends", query: "from=1&to=5&last=1h", err: "not with both"},
		{name: "unknown parameter", query: "form=1", err: `unknown parameter "form"`},
		{name: "twice", query: "from=1&from=2", err: "from: given 2 times"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			v, err := parseView(context.Background(), q, f, time.Now)
			if tc.err != "" {
				var bad *badRequest
				if !errors.As(err, &bad) || !strings.Contains(bad.msg, tc.err) {
					t.Fatalf("want a bad request saying %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.From != tc.from || v.To != tc.to || v.Last != tc.last || v.Live != tc.live || v.Section != tc.sect {
				t.Errorf("want [%d, %d) last %q live %v section %q, got [%d, %d) last %q live %v section %q",
					tc.from, tc.to, tc.last, tc.live, tc.sect, v.From, v.To, v.Last, v.Live, v.Section)
			}
		})
	}
}

// An empty history opens on the hour up to the wall clock: there is no
// newest second to end at.
func TestParseViewEmptyHistory(t *testing.T) {
	now := func() time.Time { return time.Unix(1800000000, 0) }
	v, err := parseView(context.Background(), url.Values{}, emptyReader{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if v.From != 1800000001-3600 || v.To != 1800000001 || !v.Live {
		t.Errorf("want the live hour up to 1800000000, got [%d, %d) live %v", v.From, v.To, v.Live)
	}
}

func TestListenAddr(t *testing.T) {
	tests := []struct {
		in, want string
		loopback bool
		err      string
	}{
		{in: "8080", want: "127.0.0.1:8080", loopback: true},
		{in: ":8080", want: "127.0.0.1:8080", loopback: true},
		{in: "localhost:9000", want: "localhost:9000", loopback: true},
		{in: "[::1]:80", want: "[::1]:80", loopback: true},
		{in: "0.0.0.0:8080", want: "0.0.0.0:8080"},
		{in: "192.0.2.7:8080", want: "192.0.2.7:8080"},
		{in: "example.org:8080", want: "example.org:8080"},
		{in: "", err: "empty"},
		{in: "8080:", err: "the port must be a number"},
		{in: "host", err: "want PORT or HOST:PORT"},
		{in: "70000", err: "from 0 to 65535"},
		{in: "a:b", err: "the port must be a number"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, lo, err := ListenAddr(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want an error saying %q, got %v (%q)", tc.err, err, got)
				}
				return
			}
			if err != nil || got != tc.want || lo != tc.loopback {
				t.Errorf("want %q loopback %v, got %q loopback %v, %v", tc.want, tc.loopback, got, lo, err)
			}
		})
	}
}
