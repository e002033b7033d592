package logfmt

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// moreSeeds returns the sample lines of all the new formats, so that each
// target starts from its own format's lines and the others'.
func moreSeeds(f *testing.F) []string {
	var seeds []string
	for _, name := range []string{"alb.log", "elb.log", "s3.log", "haproxy.log", "squid.log", "iis.log", "cloudfront.log"} {
		seeds = append(seeds, sampleLines(f, name)...)
	}
	return append(seeds, clfLine, csvLine, "", "-", `"`, "#Fields: date", "2024-01-01\t00:00:00")
}

// checkMore checks what must hold for every line a new parser accepts
// or rejects: no panic (the fuzzer), a short reason, the Common
// invariants, times absent or not negative, and the same result from a
// second parse with the caches warm.
func checkMore(t *testing.T, p *Parser, f Format, line string) {
	b := []byte(line)
	var r event.Request
	err := p.Parse(f, b, &r)
	if err != nil {
		if len(err.Error()) > 80+4*maxQuote {
			t.Errorf("error message too long: %d bytes: %s", len(err.Error()), err)
		}
		return
	}
	if f == W3C || f == CloudFront {
		// A path joined from cs-uri-stem and cs-uri-query is in the
		// parser's buffer.
		if !within(r.Path, b) && !within(r.Path, p.more.buf) {
			t.Errorf("path %q is in neither the line nor the parser's buffer", r.Path)
		}
	}
	rc := r
	if len(r.Path) > 0 && !within(r.Path, b) {
		rc.Method, rc.Path, rc.Section, rc.Protocol = nil, nil, nil, nil
	}
	checkInvariants(t, b, &rc)
	for name, v := range map[string]float64{"request_time": r.RequestTime, "upstream_time": r.UpstreamTime} {
		if v != -1 && v < 0 {
			t.Errorf("%s %v", name, v)
		}
	}
	for name, v := range map[string][]byte{"vhost": r.Host, "scheme": r.Scheme, "xff": r.XForwardedFor, "country": r.Country} {
		if !within(v, b) && !bytes.Equal(v, schemeHTTP) && !bytes.Equal(v, schemeHTTPS) {
			t.Errorf("%s %q is not a sub-slice of the line", name, v)
		}
	}
	if err := event.CheckRequest(&r); err != nil && r.TS >= 0 && r.TS < 253402300800 {
		t.Errorf("parsed a request the protocol rejects: %v", err)
	}
	var r2 event.Request
	if err := p.Parse(f, b, &r2); err != nil || r2.TS != r.TS || r2.Status != r.Status || r2.Bytes != r.Bytes {
		t.Errorf("second parse differs: %v", err)
	}
}

func fuzzMore(f *testing.F, format Format) {
	for _, s := range moreSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var p Parser
		checkMore(t, &p, format, line)
	})
}

func FuzzParseALB(f *testing.F)        { fuzzMore(f, ALB) }
func FuzzParseELB(f *testing.F)        { fuzzMore(f, ELB) }
func FuzzParseS3(f *testing.F)         { fuzzMore(f, S3) }
func FuzzParseHAProxy(f *testing.F)    { fuzzMore(f, HAProxy) }
func FuzzParseW3C(f *testing.F)        { fuzzMore(f, W3C) }
func FuzzParseCloudFront(f *testing.F) { fuzzMore(f, CloudFront) }

// The reference Squid parser: the grammar of parseSquid as a regular
// expression. FuzzParseSquid checks that the two agree on accepting a
// line and on its fields.
var refSquid = regexp.MustCompile(`^[ \t]*([0-9]{1,18})(?:\.[0-9]*)?[ \t]+([0-9]{1,18})[ \t]+([^ \t]+)[ \t]+` +
	`([A-Za-z][^ \t]*)/([0-9]{3})[ \t]+(-|[0-9]{1,18})[ \t]+([^ \t]+)[ \t]+([^ \t]+)[ \t]+([^ \t]+)[ \t]+([^ \t]*/[^ \t]*)(?:[ \t]|$)`)

func FuzzParseSquid(f *testing.F) {
	for _, s := range moreSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var p Parser
		checkMore(t, &p, Squid, line)
		var r event.Request
		err := p.Parse(Squid, []byte(line), &r)
		if strings.Contains(line, `"`) {
			return // parseSquid reads a quoted field whole, blanks and all
		}
		m := refSquid.FindStringSubmatch(line)
		ok := m != nil
		if ok {
			st, _ := strconv.Atoi(m[5])
			ok = m[5] == "000" || st >= 100
		}
		if ok != (err == nil) {
			t.Fatalf("line %q: reference accepts=%v, parser error %v", line, ok, err)
		}
		if !ok {
			return
		}
		ts, _ := strconv.ParseInt(m[1], 10, 64)
		ms, _ := strconv.ParseFloat(m[2], 64)
		if r.TS != ts || r.RequestTime != ms/1000 || string(r.RemoteHost) != refDash(m[3]) || string(r.User) != refDash(m[9]) {
			t.Fatalf("line %q: reference ts %d elapsed %s host %q user %q, parser %d %v %q %q", line, ts, m[2], m[3], m[9], r.TS, r.RequestTime, r.RemoteHost, r.User)
		}
	})
}

func FuzzStripPrefix(f *testing.F) {
	for _, s := range []string{"<134>May  9 16:00:01 web1 nginx: x", "<165>1 2003-10-11T22:14:15.003Z h a - ID47 [x a=\"]\"] y",
		"2016-10-06T00:17:09.669794202Z stdout F z", "web_1  | w", "May 19 16:00:01 web1 haproxy[14389]: v", clfLine} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		b := []byte(line)
		rest := StripPrefix(b)
		if !within(rest, b) && len(rest) > 0 {
			t.Fatalf("%q: result is not a part of the line", line)
		}
		if len(rest) > 0 && !bytes.HasSuffix(b, rest) {
			t.Fatalf("%q: result %q is not a suffix", line, rest)
		}
	})
}

// FuzzDetector feeds the lines of an input to a Detector in every mode:
// it never panics, every line is a request, a header or an *Error that
// says what it was, and a request has a time.
func FuzzDetector(f *testing.F) {
	seeds := moreSeeds(f)
	for i := 0; i+3 < len(seeds); i += 3 {
		f.Add(strings.Join(seeds[i:i+3], "\n"), uint8(i))
	}
	formats := append([]Format{Auto}, candidates[:]...)
	f.Fuzz(func(t *testing.T, input string, mode uint8) {
		d := NewDetector(formats[int(mode)%len(formats)])
		var p Parser
		var r event.Request
		for _, l := range strings.Split(input, "\n") {
			header, err := d.Parse(&p, []byte(l), &r)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || !strings.Contains(e.Reason, "format") && !strings.Contains(e.Reason, "(as ") {
					t.Fatalf("line %q: reject %q says no format", l, err)
				}
				continue
			}
			if header {
				continue
			}
			if d.Format() == Auto {
				t.Fatalf("line %q parsed with no format settled", l)
			}
		}
	})
}
