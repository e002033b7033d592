package geoip_test

import (
	"path/filepath"
	"testing"

	"github.com/httpmon/httpmon/internal/geoip"
	"github.com/httpmon/httpmon/internal/geoip/geoiptest"
)

var networks = map[string]string{
	"192.0.2.0/24":    "FR",
	"198.51.100.0/25": "DE",
	"2001:db8::/32":   "JP",
}

func open(t testing.TB, layout geoiptest.Layout) *geoip.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.mmdb")
	if err := geoiptest.Write(path, layout, networks); err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestCountry(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"192.0.2.1", "FR"},
		{"192.0.2.255", "FR"},
		{"198.51.100.127", "DE"},
		{"198.51.100.128", ""}, // outside the /25
		{"::ffff:192.0.2.9", "FR"},
		{"2001:db8::1", "JP"},
		{"2001:db9::1", ""},
		{"203.0.113.5", ""},
		{"example.com", ""},
		{"192.0.2.1:8080", ""},
		{"", ""},
		{"-", ""},
	}
	for _, layout := range []geoiptest.Layout{geoiptest.GeoLite2, geoiptest.Registered, geoiptest.IPinfo} {
		db := open(t, layout)
		for _, tc := range tests {
			// Twice: the second answer comes from the cache.
			for range 2 {
				if got := string(db.Country([]byte(tc.addr))); got != tc.want {
					t.Errorf("%s: Country(%q) = %q, want %q", layout, tc.addr, got, tc.want)
				}
			}
		}
	}
}

// TestCountryStays checks that a code handed out is never overwritten by
// later lookups: records alias it until they are written.
func TestCountryStays(t *testing.T) {
	db := open(t, geoiptest.GeoLite2)
	fr := db.Country([]byte("192.0.2.1"))
	for _, a := range []string{"198.51.100.1", "2001:db8::1", "203.0.113.5"} {
		db.Country([]byte(a))
	}
	if string(fr) != "FR" {
		t.Errorf("first code became %q, want FR", fr)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "access.log")
	geoiptest.WriteFile(t, notDB, "192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n")
	empty := filepath.Join(dir, "empty.mmdb")
	geoiptest.WriteFile(t, empty, "")
	for _, path := range []string{filepath.Join(dir, "missing.mmdb"), notDB, empty, dir} {
		if db, err := geoip.Open(path); err == nil {
			db.Close()
			t.Errorf("Open(%s): no error", filepath.Base(path))
		}
	}
}

func BenchmarkCountry(b *testing.B) {
	db := open(b, geoiptest.GeoLite2)
	addrs := [][]byte{[]byte("192.0.2.1"), []byte("198.51.100.7"), []byte("203.0.113.5"), []byte("2001:db8::1")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		db.Country(addrs[i%len(addrs)])
		i++
	}
}
