package parsecmd

import (
	"errors"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/geoip"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// geoipFlag is the flag that names a country database.
func geoipFlag() cli.Flag {
	return &cli.StringFlag{Name: "geoip",
		Usage: "add each request's \"country\" (ISO code) from the MaxMind-format database `FILE.mmdb` (GeoLite2 Country or City, DB-IP Lite, IPinfo Lite)"}
}

// openGeoIP opens the --geoip database, or returns nil without the flag.
// A database that cannot be read is a usage error: the run would
// otherwise go on without the countries that were asked for.
func openGeoIP(c *cli.Context) (*geoip.DB, error) {
	path := c.String("geoip")
	if !c.IsSet("geoip") {
		return nil, nil
	}
	if path == "" {
		return nil, stage.UsageError("--geoip needs a file name")
	}
	db, err := geoip.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, stage.UsageError("--geoip %s: %s", textsafe.String(path), textsafe.String(err.Error()))
	}
	return db, nil
}

// addCountry looks up the country of a request whose log did not name
// one; what the server logged (a CDN's country header, say) is kept.
func addCountry(db *geoip.DB, r *event.Request) {
	if db != nil && len(r.Country) == 0 {
		r.Country = db.Country(r.RemoteHost)
	}
}
