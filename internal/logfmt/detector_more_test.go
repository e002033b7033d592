package logfmt

import (
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// Detection across all formats: the first line that parses settles the
// input, a line that fails it is tried in every other format before it
// is rejected, and a reject says which format it was tried as.
func TestDetectorMore(t *testing.T) {
	alb := sampleLines(t, "alb.log")
	squid := sampleLines(t, "squid.log")
	iis := sampleLines(t, "iis.log")
	cf := sampleLines(t, "cloudfront.log")
	hap := sampleLines(t, "haproxy.log")
	s3 := sampleLines(t, "s3.log")
	elb := sampleLines(t, "elb.log")
	for _, tc := range []struct {
		name   string
		format Format
		lines  []string
		want   []string // per line: "ok", "header" or a part of the error
		final  Format
	}{
		{"garbage first says the guess", Auto, []string{"garbage", alb[0]},
			[]string{`missing " [" before timestamp (as combined)`, "ok"}, ALB},
		{"torn alb line first", Auto, []string{alb[0][40:], alb[1]},
			[]string{"(as ", "ok"}, ALB},
		{"an alb line cut short is tried as alb", Auto, []string{alb[0], alb[1][:100]},
			[]string{"ok", "missing request_processing_time field (as alb)"}, ALB},
		{"squid in an alb log", Auto, []string{alb[0], squid[0], alb[1]},
			[]string{"ok", "not in the detected alb format (bad type", "ok"}, ALB},
		{"a run of squid switches", Auto, []string{alb[0], squid[0], squid[1], squid[3], alb[1]},
			[]string{"ok", "not in the detected alb", "not in the detected alb", "ok", "not in the detected squid format"}, Squid},
		{"w3c without a header is iis", Auto, []string{iis[9], iis[10]}, []string{"ok", "ok"}, W3C},
		{"w3c #Fields change", Auto, iis, []string{"header", "header", "header", "header", "ok", "header", "header", "header", "header", "ok", "ok"}, W3C},
		{"cloudfront header settles cloudfront", Auto, cf, []string{"header", "header", "ok"}, CloudFront},
		{"cloudfront without header", Auto, cf[2:], []string{"ok"}, CloudFront},
		{"directives of a second iis log in a clf one switch it", Auto, []string{clfLine, iis[8], iis[9]},
			[]string{"ok", "header", "ok"}, W3C},
		{"a directive in a given clf format is rejected", Combined, []string{clfLine, iis[8]},
			[]string{"ok", "(as combined)"}, Combined},
		{"given format: no other is tried", HAProxy, []string{hap[0], squid[0]},
			[]string{"ok", "(as haproxy)"}, HAProxy},
		{"syslog prefix found after a first plain line", Auto, []string{hap[4], hap[0], hap[1]},
			[]string{"ok", "ok", "ok"}, HAProxy},
		{"s3 then elb", Auto, []string{s3[0], elb[0], s3[1]},
			[]string{"ok", "not in the detected s3 format", "ok"}, S3},
		{"clf stays clf", Auto, []string{clfLine, alb[0], clfLine}, []string{"ok", "not in the detected combined format", "ok"}, Combined},
	} {
		t.Run(tc.name, func(t *testing.T) { checkDetector(t, tc.format, tc.lines, tc.want, tc.final) })
	}
}

// Lines in the settled format cost no allocation, in every format and
// behind a prefix.
func TestDetectorMoreAllocs(t *testing.T) {
	for _, tc := range []struct {
		file string
		pre  string
	}{{"alb.log", ""}, {"elb.log", ""}, {"s3.log", ""}, {"haproxy.log", ""}, {"squid.log", ""},
		{"iis.log", ""}, {"cloudfront.log", ""}, {"squid.log", "2016-10-06T00:17:09.669794202Z stdout F "}} {
		lines := sampleLines(t, tc.file)
		d := NewDetector(Auto)
		var p Parser
		var r event.Request
		for _, l := range lines {
			if _, err := d.Parse(&p, []byte(tc.pre+l), &r); err != nil {
				t.Fatal(err)
			}
		}
		last := []byte(tc.pre + lines[len(lines)-1])
		if n := testing.AllocsPerRun(100, func() { d.Parse(&p, last, &r) }); n != 0 {
			t.Errorf("%s: %v allocations per line", tc.file, n)
		}
	}
}
