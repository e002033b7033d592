package e2e_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

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

// The name of a database that cannot be opened is outside text: the
// message quotes it escaped. (A test script cannot pass an ESC byte in an
// argument.)
func TestGeoIPNameEscaped(t *testing.T) {
	cmd := command(t, "httpmon-parse", "--geoip", filepath.Join(t.TempDir(), "no\x1b[2Jsuch.mmdb"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if st := exitStatus(t, cmd.Run()); st != "exit 2" {
		t.Errorf("%s, want exit 2", st)
	}
	if strings.Contains(stderr.String(), "\x1b") || !strings.Contains(stderr.String(), `no\x1b[2Jsuch.mmdb: no such file or directory (see --help)`) {
		t.Errorf("stderr %q", stderr.String())
	}
}
