// Package geoip finds the country of a client address in a MaxMind-format
// database (GeoLite2 Country or City, DB-IP Lite, IPinfo Lite).
package geoip

import (
	"fmt"
	"hash/maphash"
	"net/netip"
	"unsafe"

	"github.com/oschwald/maxminddb-golang/v2"
)

// maxCached bounds the cache of decoded records: a Country database has a
// few hundred records, a City one millions, most of which a log never
// names.
const maxCached = 1 << 16

// recentSize is the number of slots of the cache of recent addresses, a
// power of two: a log's clients come back, and a slot hit costs a hash
// and a compare instead of a parse and a walk down the tree.
const recentSize = 1 << 12

// recent is a slot of the cache of recent addresses: the address as
// logged and its country, nil for none.
type recent struct {
	n    uint8 // length of addr; 0 for an empty slot
	addr [maxAddr]byte
	code []byte
}

// maxAddr is the longest address text the cache keeps (an IPv6 address
// with an IPv4 tail); longer ones, with a zone, are looked up every time.
const maxAddr = 45

// DB looks up countries. It is not safe for concurrent use: it reuses one
// decoding buffer and caches what it decoded.
type DB struct {
	r *maxminddb.Reader
	// byOffset maps a data record, by its offset in the database, to its
	// country code; many networks share one record, so a log's addresses
	// are decoded once per record, not once per line.
	byOffset map[uintptr][]byte
	// codes interns the country codes, so that a code handed out stays
	// valid and unchanged for as long as the caller keeps it.
	codes map[string][]byte
	code  string // decoding buffer
	seed  maphash.Seed
	slots *[recentSize]recent
}

// paths are where the layouts we read keep the country code, in the
// order they are tried: GeoLite2 and DB-IP Lite have country.iso_code;
// IPinfo Lite has country_code (and a country that is a name, not a map);
// GeoLite2 has only registered_country.iso_code for networks with no
// country of use, such as satellite providers.
var paths = [][]any{
	{"country", "iso_code"},
	{"country_code"},
	{"registered_country", "iso_code"},
}

// Open opens the database at path. The error does not name the file:
// the caller does, as the user gave it.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, err
	}
	if r.Metadata.IPVersion != 4 && r.Metadata.IPVersion != 6 {
		r.Close()
		return nil, fmt.Errorf("not an IP database (IP version %d)", r.Metadata.IPVersion)
	}
	return &DB{
		r:        r,
		byOffset: make(map[uintptr][]byte),
		codes:    make(map[string][]byte),
		seed:     maphash.MakeSeed(),
		slots:    new([recentSize]recent),
	}, nil
}

// Close releases the database.
func (db *DB) Close() error { return db.r.Close() }

// Country returns the ISO 3166 code of the country of addr, an IPv4 or
// IPv6 address as logged, or nil when addr is not an address or the
// database does not know it. The slice it returns is never changed or
// reused, so a record may alias it for as long as it likes.
func (db *DB) Country(addr []byte) []byte {
	if len(addr) == 0 {
		return nil
	}
	if len(addr) > maxAddr {
		return db.lookUp(addr)
	}
	slot := &db.slots[maphash.Bytes(db.seed, addr)&(recentSize-1)]
	if int(slot.n) == len(addr) && string(slot.addr[:slot.n]) == string(addr) {
		return slot.code
	}
	code := db.lookUp(addr)
	slot.n = uint8(copy(slot.addr[:], addr))
	slot.code = code
	return code
}

// lookUp finds the country of addr in the database.
func (db *DB) lookUp(addr []byte) []byte {
	// ParseAddr keeps nothing of its argument but an interned zone, so the
	// line's bytes need not be copied into a string.
	ip, err := netip.ParseAddr(unsafe.String(unsafe.SliceData(addr), len(addr)))
	if err != nil {
		return nil
	}
	res := db.r.Lookup(ip.Unmap())
	if !res.Found() {
		// An error here is an address the database cannot hold (IPv6 in
		// an IPv4 database) or a damaged tree: either way, no country.
		return nil
	}
	off := res.Offset()
	if code, ok := db.byOffset[off]; ok {
		return code
	}
	code := db.intern(db.decode(res))
	if len(db.byOffset) >= maxCached {
		clear(db.byOffset)
	}
	db.byOffset[off] = code
	return code
}

// decode returns the country code of a record in any layout we read,
// or "". A path whose value has another type (IPinfo's country) is an
// error that only means "not this layout".
func (db *DB) decode(res maxminddb.Result) string {
	for _, p := range paths {
		db.code = ""
		if err := res.DecodePath(&db.code, p...); err == nil && db.code != "" {
			return db.code
		}
	}
	return ""
}

// intern returns the one copy of code, nil for "".
func (db *DB) intern(code string) []byte {
	if code == "" {
		return nil
	}
	if b, ok := db.codes[code]; ok {
		return b
	}
	b := []byte(code)
	db.codes[code] = b
	return b
}
