package e2e_test

import (
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/httpmon/httpmon/internal/geoip/geoiptest"
)

// mkmmdbCmd implements "mkmmdb FILE LAYOUT CIDR=CC...": it writes a
// MaxMind-format database in LAYOUT (geolite2, registered or ipinfo) that
// maps each network to its country code.
func mkmmdbCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mkmmdb FILE LAYOUT CIDR=CC...")
	}
	countries := make(map[string]string)
	for _, a := range args[2:] {
		cidr, cc, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("mkmmdb: %q is not CIDR=CC", a)
		}
		countries[cidr] = cc
	}
	ts.Check(geoiptest.Write(ts.MkAbs(args[0]), geoiptest.Layout(args[1]), countries))
}
