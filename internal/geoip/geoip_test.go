package geoip_test

import (
	"fmt"
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
		{"2001:0db8:0000:0000:0000:0000:0000:0001%a-zone-too-long-to-cache", "JP"},
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

// BenchmarkCountry measures a lookup of an address seen recently (a
// log's returning clients) and one of an address not in the cache.
func BenchmarkCountry(b *testing.B) {
	db := open(b, geoiptest.GeoLite2)
	recent := [][]byte{[]byte("192.0.2.1"), []byte("198.51.100.7"), []byte("203.0.113.5"), []byte("2001:db8::1")}
	// More addresses than the cache has slots, visited in turn, so that
	// nearly every lookup walks the tree.
	var fresh [][]byte
	for i := range 1 << 16 {
		fresh = append(fresh, fmt.Appendf(nil, "%d.%d.%d.%d", 192+i%7, i>>8&255, i&255, i%251))
	}
	for _, bc := range []struct {
		name  string
		addrs [][]byte
	}{{"recent", recent}, {"fresh", fresh}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				db.Country(bc.addrs[i%len(bc.addrs)])
				i++
			}
		})
	}
}

// TestCountryMany looks up more addresses than the caches hold, in and
// out of the database, twice over, so that slots are reused.
func TestCountryMany(t *testing.T) {
	db := open(t, geoiptest.GeoLite2)
	for round := range 2 {
		for i := range 20000 {
			addr, want := fmt.Sprintf("192.0.2.%d", i%256), "FR"
			if i%3 == 0 {
				addr, want = fmt.Sprintf("203.0.%d.%d", i>>8&255, i&255), ""
			}
			if i%5 == 0 {
				addr, want = fmt.Sprintf("2001:db8::%x", i), "JP"
			}
			if got := string(db.Country([]byte(addr))); got != want {
				t.Fatalf("round %d: Country(%q) = %q, want %q", round, addr, got, want)
			}
		}
	}
}

// TestCountryAllocs checks that once a record was decoded, looking up
// any address of it allocates nothing, whether the address is recent or
// not: the parser calls Country on every line.
func TestCountryAllocs(t *testing.T) {
	db := open(t, geoiptest.GeoLite2)
	var addrs [][]byte
	for i := range 10000 {
		addrs = append(addrs, fmt.Appendf(nil, "192.0.%d.%d", 2+i%2*200, i&255), fmt.Appendf(nil, "2001:db8::%x", i))
	}
	for _, a := range addrs {
		db.Country(a)
	}
	if n := testing.AllocsPerRun(10, func() {
		for _, a := range addrs {
			db.Country(a)
		}
	}); n != 0 {
		t.Errorf("%v allocations per %d lookups, want 0", n, len(addrs))
	}
}
