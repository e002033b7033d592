package logfmt

import (
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

func TestStripPrefix(t *testing.T) {
	const msg = `10.0.0.1 - - [09/May/2018:16:00:01 +0000] "GET /a HTTP/1.1" 200 1`
	for _, tc := range []struct{ name, line, want string }{
		{"none", msg, msg},
		{"rfc 3164 with pri", "<134>May  9 16:00:01 web1 nginx: " + msg, msg},
		{"rfc 3164 file", "May 19 16:00:01 web1 haproxy[14389]: " + msg, msg},
		{"rfc 3164 without host", "<13>May 19 16:00:01 nginx: " + msg, msg},
		{"rsyslog high precision", "2024-05-09T16:00:01.123456+02:00 web1 nginx[12]: " + msg, msg},
		{"rfc 5424 no sd", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com nginx 1234 ID47 - " + msg, msg},
		{"rfc 5424 with sd and bom", `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\]ication"][x@1 a="]"] ` + "\uFEFF" + msg, msg},
		{"rfc 5424 nil values", "<14>1 - - - - - - " + msg, msg},
		{"cri", "2016-10-06T00:17:09.669794202Z stdout F " + msg, msg},
		{"cri stderr partial", "2016-10-06T00:17:09.669794202Z stderr P " + msg, msg},
		{"compose v1", "web_1  | " + msg, msg},
		{"compose v2", "proxy-nginx-1  | " + msg, msg},
		{"compose empty line", "web_1  |", ""},
		{"pri but no header", "<134>" + msg, "<134>" + msg},
		{"bad pri", "<13a>May 19 16:00:01 web1 nginx: " + msg, "<13a>May 19 16:00:01 web1 nginx: " + msg},
		{"month-like text", "Mayday 16:00:01 web1 nginx: x", "Mayday 16:00:01 web1 nginx: x"},
		{"syslog without tag", "May 19 16:00:01 web1 plain text here", "May 19 16:00:01 web1 plain text here"},
		{"unterminated sd", `<165>1 2003-10-11T22:14:15.003Z h a - ID47 [x a="b] ` + msg, `<165>1 2003-10-11T22:14:15.003Z h a - ID47 [x a="b] ` + msg},
		{"w3c date is no prefix", "2024-05-09 16:00:01 10.0.0.4 GET /", "2024-05-09 16:00:01 10.0.0.4 GET /"},
		{"ELB time is no prefix", "2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817", "2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817"},
		{"pipe in a value", "a b | c", "a b | c"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(StripPrefix([]byte(tc.line))); got != tc.want {
				t.Errorf("StripPrefix(%q)\n = %q\nwant %q", tc.line, got, tc.want)
			}
		})
	}
}

// Every format is read behind every prefix, with --format auto and with
// the format given.
func TestPrefixEveryFormat(t *testing.T) {
	prefixes := []string{"", "<134>May  9 16:00:01 web1 app: ", "May 19 16:00:01 web1 app[1]: ",
		"<165>1 2003-10-11T22:14:15.003Z host app 1 - - ", "2016-10-06T00:17:09.669794202Z stdout F ", "svc_1  | "}
	for _, s := range []struct {
		file string
		f    Format
	}{{"alb.log", ALB}, {"elb.log", ELB}, {"s3.log", S3}, {"haproxy.log", HAProxy}, {"squid.log", Squid},
		{"iis.log", W3C}, {"cloudfront.log", CloudFront}} {
		lines := sampleLines(t, s.file)
		for _, pre := range prefixes {
			for _, given := range []Format{Auto, s.f} {
				d := NewDetector(given)
				var p Parser
				var r event.Request
				for i, l := range lines {
					line := l
					if s.f == HAProxy {
						line = string(StripPrefix([]byte(l)))
					}
					if _, err := d.Parse(&p, []byte(pre+line), &r); err != nil {
						t.Errorf("%s line %d behind %q (format %v): %v", s.file, i+1, pre, given, err)
					}
				}
				if d.Format() != s.f {
					t.Errorf("%s behind %q: format %v", s.file, pre, d.Format())
				}
			}
		}
	}
	// And the Common family, whose parser skips what is before the host
	// anyway, is not misled by a prefix with a "[" in it.
	d := NewDetector(Auto)
	var p Parser
	var r event.Request
	line := `<165>1 2003-10-11T22:14:15.003Z h nginx - - [meta x="1"] ` + clfLine
	if _, err := d.Parse(&p, []byte(line), &r); err != nil || string(r.RemoteHost) != "10.0.0.1" || d.Format() != Combined {
		t.Errorf("clf behind rfc 5424 with sd: %v, host %q, format %v", err, r.RemoteHost, d.Format())
	}
}
