// Package geoiptest writes small MaxMind-format databases for tests, in
// the record layouts that package geoip reads.
package geoiptest

import (
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Layout is the shape of a database's records.
type Layout string

// The layouts of the free databases.
const (
	// GeoLite2 is GeoLite2-Country and -City, and DB-IP Lite:
	// {"country":{"iso_code":"FR"}}.
	GeoLite2 Layout = "geolite2"
	// Registered is a GeoLite2 record with only the registered country,
	// as for satellite providers: {"registered_country":{"iso_code":"FR"}}.
	Registered Layout = "registered"
	// IPinfo is IPinfo Lite: {"country_code":"FR"}.
	IPinfo Layout = "ipinfo"
)

// Write writes to path a database that maps each network (CIDR) of
// countries to its code, in layout.
func Write(path string, layout Layout, countries map[string]string) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "httpmon-test",
		IncludeReservedNetworks: true,
		BuildEpoch:              1,
	})
	if err != nil {
		return err
	}
	for cidr, code := range countries {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			return err
		}
		rec, err := record(layout, code)
		if err != nil {
			return err
		}
		if err := tree.Insert(network, rec); err != nil {
			return err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func record(layout Layout, code string) (mmdbtype.Map, error) {
	iso := mmdbtype.Map{"iso_code": mmdbtype.String(code), "names": mmdbtype.Map{"en": mmdbtype.String("Country " + code)}}
	switch layout {
	case GeoLite2:
		return mmdbtype.Map{"country": iso, "continent": mmdbtype.Map{"code": mmdbtype.String("EU")}}, nil
	case Registered:
		return mmdbtype.Map{"registered_country": iso}, nil
	case IPinfo:
		return mmdbtype.Map{"country_code": mmdbtype.String(code), "country": mmdbtype.String("Country " + code), "asn": mmdbtype.String("AS1")}, nil
	}
	return nil, fmt.Errorf("unknown layout %q", layout)
}

// WriteFile writes text to path, failing t if it cannot.
func WriteFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
