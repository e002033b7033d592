package logfmt

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// moreView is the parsed request as strings, for comparison; times are
// kept as float64 seconds, -1 for absent.
type moreView struct {
	TS                                           int64
	Off                                          int32
	Host, User, Method, Path, Proto, Req, Sec    string
	Ref, UA, VHost, Scheme, XFF, Country, Fields string
	Status                                       int
	Bytes, Length                                int64
	RT, UT                                       float64
}

func moreViewOf(r *event.Request) moreView {
	var fields []string
	for _, f := range r.Fields {
		fields = append(fields, string(f.Name)+"="+string(f.Value))
	}
	return moreView{
		TS: r.TS, Off: r.UTCOffset,
		Host: string(r.RemoteHost), User: string(r.User), Method: string(r.Method), Path: string(r.Path),
		Proto: string(r.Protocol), Req: string(r.Request), Sec: string(r.Section),
		Ref: string(r.Referer), UA: string(r.UserAgent), VHost: string(r.Host), Scheme: string(r.Scheme),
		XFF: string(r.XForwardedFor), Country: string(r.Country), Fields: strings.Join(fields, " "),
		Status: r.Status, Bytes: r.Bytes, Length: r.RequestLength, RT: round6(r.RequestTime), UT: round6(r.UpstreamTime),
	}
}

// round6 rounds a time to microseconds, so that sums of decimal fractions
// compare equal to the decimal written in the test.
func round6(t float64) float64 {
	if t < 0 {
		return t
	}
	return float64(int64(t*1e6+0.5)) / 1e6
}

// sampleLine returns line n (from 1) of a file of testdata/more, skipping
// nothing, so that directives count.
func sampleLines(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "more", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

type moreCase struct {
	name    string
	format  Format
	line    string
	want    moreView
	wantErr string
}

func runMoreCases(t *testing.T, cases []moreCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			var r event.Request
			checkParsed(t, tc.line, p.Parse(tc.format, []byte(tc.line), &r), &r, tc.wantErr, tc.want)
		})
	}
}

// checkParsed checks the outcome of parsing line: an error containing
// wantErr, if given, or else a request that reads as want.
func checkParsed(t *testing.T, line string, err error, r *event.Request, wantErr string, want moreView) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("want error %q, got %v", wantErr, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := moreViewOf(r); got != want {
		t.Errorf("line %q\nwant %+v\n got %+v", line, want, got)
	}
}

func TestParseALB(t *testing.T) {
	l := sampleLines(t, "alb.log")
	ts := unix(t, "2018-07-02T22:23:00Z")
	runMoreCases(t, []moreCase{
		{"http", ALB, l[0], moreView{TS: ts, Host: "192.168.131.39", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			UA: "curl/7.46.0", VHost: "www.example.com", Scheme: "http", Status: 200, Bytes: 366, Length: 34, RT: 0.001, UT: 0.001}, ""},
		{"https", ALB, l[1], moreView{TS: ts, Host: "192.168.131.39", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			UA: "curl/7.46.0", VHost: "www.example.com", Scheme: "https", Status: 200, Bytes: 57, Length: 0, RT: 0.171, UT: 0.048}, ""},
		{"h2 to an address", ALB, l[2], moreView{TS: ts, Host: "10.0.1.252", Method: "GET", Path: "/", Proto: "HTTP/2.0", Sec: "/",
			UA: "curl/7.46.0", VHost: "10.0.2.105", Scheme: "https", Status: 200, Bytes: 257, Length: 5, RT: 0.002, UT: 0.002}, ""},
		{"websocket", ALB, l[3], moreView{TS: ts, Host: "10.0.0.140", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			VHost: "10.0.0.30", Scheme: "http", Status: 101, Bytes: 587, Length: 218, RT: 0.004, UT: 0.003}, ""},
		{"no target: times absent", ALB, l[4], moreView{TS: unix(t, "2018-11-30T22:23:00Z"), Host: "192.168.131.39", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			UA: "curl/7.46.0", VHost: "www.example.com", Scheme: "http", Status: 503, Bytes: 366, Length: 34, RT: -1, UT: -1}, ""},
		{"unknown type", ALB, "tcp " + l[0][5:], moreView{}, `bad type "tcp"`},
		{"bad time", ALB, strings.Replace(l[0], "22:23:00", "25:23:00", 1), moreView{}, "bad time"},
		{"bad processing time", ALB, strings.Replace(l[0], " 0.001 ", " 0.0x1 ", 1), moreView{}, `bad target_processing_time "0.0x1"`},
		{"cut short", ALB, l[0][:120], moreView{}, "missing"},
		{"bad status", ALB, strings.Replace(l[0], " 200 200 ", " 2000 200 ", 1), moreView{}, "bad status"},
	})
}

func TestParseELB(t *testing.T) {
	l := sampleLines(t, "elb.log")
	ts := unix(t, "2015-05-13T23:39:43Z")
	runMoreCases(t, []moreCase{
		{"http", ELB, l[0], moreView{TS: ts, Host: "192.168.131.39", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			UA: "curl/7.38.0", VHost: "www.example.com", Scheme: "http", Status: 200, Bytes: 29, Length: 0, RT: 0.001178, UT: 0.001048}, ""},
		{"https", ELB, l[1], moreView{TS: ts, Host: "192.168.131.39", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			UA: "curl/7.38.0", VHost: "www.example.com", Scheme: "https", Status: 200, Bytes: 57, Length: 0, RT: 0.002471, UT: 0.001048}, ""},
		{"tcp listener", ELB, l[2], moreView{TS: ts, Host: "192.168.131.39", Req: "- - - ", Bytes: 305, Length: 82, RT: 0.001138, UT: 0.000028}, ""},
		{"without user agent", ELB, strings.SplitAfter(l[0], `HTTP/1.1"`)[0], moreView{TS: ts, Host: "192.168.131.39", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			VHost: "www.example.com", Scheme: "http", Status: 200, Bytes: 29, Length: 0, RT: 0.001178, UT: 0.001048}, ""},
		{"an ALB line", ELB, sampleLines(t, "alb.log")[0], moreView{}, "bad time"},
		{"zone offset", ELB, strings.Replace(l[0], "43.945958Z", "43.945958+02:00", 1), moreView{TS: ts - 7200, Off: 7200, Host: "192.168.131.39", Method: "GET", Path: "/", Proto: "HTTP/1.1", Sec: "/",
			UA: "curl/7.38.0", VHost: "www.example.com", Scheme: "http", Status: 200, Bytes: 29, Length: 0, RT: 0.001178, UT: 0.001048}, ""},
	})
}

func TestParseS3(t *testing.T) {
	l := sampleLines(t, "s3.log")
	ts := unix(t, "2019-02-06T00:00:38Z")
	owner := "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
	vhost := "DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com"
	runMoreCases(t, []moreCase{
		{"get versioning", S3, l[0], moreView{TS: ts, Host: "192.0.2.3", User: owner, Method: "GET", Path: "/DOC-EXAMPLE-BUCKET1?versioning", Proto: "HTTP/1.1",
			Sec: "/DOC-EXAMPLE-BUCKET1", UA: "S3Console/0.4", VHost: vhost, Scheme: "https", Status: 200, Bytes: 113, Length: -1, RT: 0.007, UT: -1}, ""},
		{"404 with error code", S3, l[2], moreView{TS: ts, Host: "192.0.2.3", User: owner, Method: "GET", Path: "/DOC-EXAMPLE-BUCKET1?policy", Proto: "HTTP/1.1",
			Sec: "/DOC-EXAMPLE-BUCKET1", UA: "S3Console/0.4", VHost: vhost, Scheme: "https", Status: 404, Bytes: 297, Length: -1, RT: 0.038, UT: -1}, ""},
		{"older, shorter form", S3, l[3], moreView{TS: unix(t, "2014-02-06T00:00:38Z"), Host: "192.0.2.3", User: owner, Method: "GET", Path: "/mybucket?versioning", Proto: "HTTP/1.1",
			Sec: "/mybucket", UA: "S3Console/0.4", Status: 200, Bytes: 113, Length: -1, RT: 0.007, UT: -1}, ""},
		{"a CLF line", S3, clfLine, moreView{}, "bad time"},
		{"cut before the user agent", S3, l[0][:strings.Index(l[0], `"S3Console`)], moreView{}, "missing user_agent field"},
	})
}

func TestParseHAProxy(t *testing.T) {
	l := sampleLines(t, "haproxy.log")
	body := func(s string) string { return string(StripPrefix([]byte(s))) }
	runMoreCases(t, []moreCase{
		{"manual example", HAProxy, body(l[0]), moreView{TS: unix(t, "2009-02-06T12:14:14Z"), Host: "10.0.1.2", Method: "GET", Path: "/index.html", Proto: "HTTP/1.1",
			Sec: "/index.html", Status: 200, Bytes: 2750, Length: -1, RT: 0.109, UT: 0.069,
			Fields: "frontend=http-in backend=static server=srv1 termination_state=----"}, ""},
		{"tls frontend", HAProxy, body(l[2]), moreView{TS: unix(t, "2016-06-24T13:04:49Z"), Host: "115.236.160.82", Method: "GET", Path: "/admin/api/menu", Proto: "HTTP/1.1",
			Sec: "/admin", Scheme: "https", Status: 200, Bytes: 154, Length: -1, RT: 0.014, UT: 0.006,
			Fields: "frontend=http backend=appserver_3000 server=webhost01_8001 termination_state=----"}, ""},
		{"no server: -1 timers", HAProxy, body(l[3]), moreView{TS: unix(t, "2016-06-24T13:05:40Z"), Host: "115.236.160.82", Method: "HEAD", Path: "/", Proto: "HTTP/1.1",
			Sec: "/", Status: 302, Bytes: 116, Length: -1, RT: 0.116, UT: -1,
			Fields: "frontend=www backend=www server=<NOSRV> termination_state=LR--"}, ""},
		{"logasap", HAProxy, l[4], moreView{TS: unix(t, "2009-02-06T12:14:15Z"), Host: "10.0.1.2", Method: "GET", Path: "/a?b=c", Proto: "HTTP/1.1",
			Sec: "/a", Status: 200, Bytes: 2750, Length: -1, RT: 0.109, UT: 0.069,
			Fields: "frontend=http-in backend=static server=srv1 termination_state=----"}, ""},
		{"with syslog header", HAProxy, l[0], moreView{}, "bad client:port"},
		{"tcp log", HAProxy, "10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0", moreView{}, "bad timers"},
		{"clf date", HAProxy, "10.0.1.2:1 [06/Feb/2009:12:14:14 +0000] a b/c 1/2/3/4/5 200 1 \"GET / HTTP/1.1\"", moreView{}, "bad accept date"},
		{"no request", HAProxy, "10.0.1.2:1 [06/Feb/2009:12:14:14.655] a b/c 1/2/3/4/5 200 1 - - ---- 1/1/1/1/0 0/0", moreView{}, "missing quoted request"},
	})
}

func TestParseSquid(t *testing.T) {
	l := sampleLines(t, "squid.log")
	runMoreCases(t, []moreCase{
		{"miss", Squid, l[0], moreView{TS: 1286536308, Host: "192.168.0.224", Method: "GET", Path: "/minitri.flg", Sec: "/minitri.flg",
			VHost: "liveupdate.symantecliveupdate.com", Scheme: "http", Status: 200, Bytes: 411, Length: -1, RT: 0.18, UT: -1}, ""},
		{"connect", Squid, l[1], moreView{TS: 1286536309, Host: "192.168.0.224", Method: "CONNECT", Path: "www.google.com:443",
			VHost: "www.google.com", Status: 200, Bytes: 4525, Length: -1, RT: 0.123, UT: -1}, ""},
		{"no reply", Squid, l[2], moreView{TS: 1632825932, Host: "10.0.0.5", Method: "NONE", Path: "error:transaction-end-before-headers",
			Bytes: 0, Length: -1, RT: 0, UT: -1}, ""},
		{"denied, with user", Squid, l[3], moreView{TS: 1632825933, Host: "10.0.0.5", User: "alice", Method: "GET", Path: "/secret?x=1", Sec: "/secret",
			VHost: "example.com", Scheme: "http", Status: 403, Bytes: 3941, Length: -1, RT: 2.045, UT: -1}, ""},
		{"bad time", Squid, "1286536308,779 180 192.168.0.224 TCP_MISS/200 411 GET http://a/ - DIRECT/1.2.3.4 text/plain", moreView{}, "bad time"},
		{"bad status", Squid, "1286536308.779 180 192.168.0.224 TCP_MISS/2x0 411 GET http://a/ - DIRECT/1.2.3.4 text/plain", moreView{}, "bad status"},
		{"no hierarchy", Squid, "1286536308.779 180 192.168.0.224 TCP_MISS/200 411 GET http://a/ -", moreView{}, "bad peerstatus/peerhost"},
	})
}

func TestParseW3C(t *testing.T) {
	l := sampleLines(t, "iis.log")
	// A Parser keeps the columns of the last #Fields: it was given.
	var p Parser
	var r event.Request
	for i, want := range []string{"header", "header", "header", "header", "GET /images/picture.jpg",
		"header", "header", "header", "header", "GET /api/orders?id=7", "POST /login"} {
		err := p.Parse(W3C, []byte(l[i]), &r)
		got := string(r.Method) + " " + string(r.Path)
		if err == errDirective {
			got = "header"
		} else if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("line %d: got %q, want %q", i+1, got, want)
		}
	}

	cases := []struct {
		name, fields, line string
		want               moreView
		wantErr            string
	}{
		{"iis 6 example", "date time c-ip cs-username s-ip s-port cs-method cs-uri-stem cs-uri-query sc-status cs(User-Agent)", l[4],
			moreView{TS: unix(t, "2002-05-02T17:42:15Z"), Host: "172.22.255.255", Method: "GET", Path: "/images/picture.jpg", Sec: "/images",
				UA: "Mozilla/4.0+(compatible;MSIE+5.5;+Windows+2000+Server)", Scheme: "http", Status: 200, Bytes: -1, Length: -1, RT: -1, UT: -1,
				Fields: "s-ip=172.30.255.255"}, ""},
		{"iis 10 defaults, ms time-taken", "", l[9],
			moreView{TS: unix(t, "2024-05-09T16:00:01Z"), Host: "203.0.113.9", Method: "GET", Path: "/api/orders?id=7", Sec: "/api",
				Ref: "https://example.com/", UA: "Mozilla/5.0+(Windows+NT+10.0)", Scheme: "https", Status: 200, Bytes: -1, Length: -1, RT: 0.015, UT: -1,
				Fields: "s-ip=10.0.0.4 sc-substatus=0 sc-win32-status=0"}, ""},
		{"user", "", l[10],
			moreView{TS: unix(t, "2024-05-09T16:00:02Z"), Host: "203.0.113.9", User: "bob", Method: "POST", Path: "/login", Sec: "/login",
				UA: "Mozilla/5.0+(Windows+NT+10.0)", Scheme: "https", Status: 302, Bytes: -1, Length: -1, RT: 1.234, UT: -1,
				Fields: "s-ip=10.0.0.4 sc-substatus=0 sc-win32-status=0"}, ""},
		{"host, version, bytes, fractional time-taken, quoted value", "date time cs-host cs-version cs-method cs-uri sc-status sc-bytes cs-bytes time-taken cs(X-Forwarded-For) c-country x-custom",
			`2024-05-09 16:00:03.25 example.org:8080 HTTP/1.1 GET /x?y=1 204 0 311 0.250 "198.51.100.1, 10.0.0.1" NL "a ""b"""`,
			moreView{TS: unix(t, "2024-05-09T16:00:03Z"), Method: "GET", Path: "/x?y=1", Proto: "HTTP/1.1", Sec: "/x", VHost: "example.org",
				XFF: "198.51.100.1, 10.0.0.1", Country: "NL", Status: 204, Bytes: 0, Length: 311, RT: 0.25, UT: -1, Fields: `x-custom=a ""b""`}, ""},
		{"no method", "date time cs-uri-stem sc-status", "2024-05-09 16:00:04 /only 200",
			moreView{TS: unix(t, "2024-05-09T16:00:04Z"), Req: "/only", Status: 200, Bytes: -1, Length: -1, RT: -1, UT: -1}, ""},
		{"date only", "date c-ip cs-uri-stem cs-bytes", "2003-11-18 192.168.1.101 /Default.htm 100",
			moreView{TS: unix(t, "2003-11-18T00:00:00Z"), Host: "192.168.1.101", Req: "/Default.htm", Bytes: -1, Length: 100, RT: -1, UT: -1}, ""},
		{"missing field", "date c-ip cs-uri-stem cs-bytes", "2003-11-18 192.168.1.102 /images/address.gif", moreView{}, "3 fields where #Fields: has 4"},
		{"extra field", "date c-ip", "2003-11-18 192.168.1.102 /images/address.gif", moreView{}, "more fields than the 2 of #Fields:"},
		{"no date column", "time c-ip", "16:00:00 192.168.1.102", moreView{}, "no date field"},
		{"bad date", "date time", "2024-02-30 16:00:00", moreView{}, `bad date "2024-02-30"`},
		{"bad time", "date time", "2024-02-03 16:60:00", moreView{}, `bad time "16:60:00"`},
		{"bad status", "date sc-status", "2024-02-03 2000", moreView{}, `bad status "2000"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			var r event.Request
			if tc.fields != "" {
				if err := p.Parse(W3C, []byte("#Fields: "+tc.fields), &r); err != errDirective {
					t.Fatalf("#Fields: %v", err)
				}
			}
			checkParsed(t, tc.line, p.Parse(W3C, []byte(tc.line), &r), &r, tc.wantErr, tc.want)
		})
	}
}

func TestParseCloudFront(t *testing.T) {
	l := sampleLines(t, "cloudfront.log")
	want := moreView{TS: unix(t, "2020-12-10T02:42:28Z"), Host: "3.92.144.159", Method: "HEAD", Path: "/rss/ecs-us-east-1.rss", Proto: "HTTP/2.0", Sec: "/rss",
		UA: "Slackbot%201.0%20(+https://api.slack.com/robots)", VHost: "stop.lying.cloud", Scheme: "https", Status: 200, Bytes: 335, Length: 123, RT: 0.338, UT: -1,
		Fields: "x-edge-location=IAD89-C3 x-edge-result-type=Miss x-edge-request-id=2kP01Cgw2cMXMKlogaJwkCt7MVHA8Flxtt_ncRESDd9POQpVWSM64w== " +
			"ssl-protocol=TLSv1.2 ssl-cipher=ECDHE-RSA-AES128-GCM-SHA256 x-edge-response-result-type=Miss c-port=61052 time-to-first-byte=0.000 " +
			"x-edge-detailed-result-type=Miss sc-content-type=application/rss+xml sc-content-len=2039"}
	// Without its header, the default columns apply; with it, the
	// header's, which are the same here.
	for _, header := range []bool{false, true} {
		var p Parser
		var r event.Request
		if header {
			if err := p.Parse(CloudFront, []byte(l[1]), &r); err != errDirective {
				t.Fatal(err)
			}
		}
		if err := p.Parse(CloudFront, []byte(l[2]), &r); err != nil {
			t.Fatal(err)
		}
		if got := moreViewOf(&r); got != want {
			t.Errorf("header %v:\nwant %+v\n got %+v", header, want, got)
		}
	}
	// The 24 fields CloudFront has logged since 2015 are enough.
	short := strings.Join(strings.Split(l[2], "\t")[:24], "\t")
	var p Parser
	var r event.Request
	if err := p.Parse(CloudFront, []byte(short), &r); err != nil {
		t.Fatalf("24 fields: %v", err)
	}
	if err := p.Parse(CloudFront, []byte(strings.Join(strings.Split(l[2], "\t")[:20], "\t")), &r); err == nil {
		t.Fatal("20 fields parsed")
	}
}

// Every line of every sample is detected as its file's format, from the
// first line on, and the input ends in it.
func TestMoreSamples(t *testing.T) {
	for name, want := range map[string]Format{
		"alb.log": ALB, "elb.log": ELB, "s3.log": S3, "haproxy.log": HAProxy,
		"squid.log": Squid, "iis.log": W3C, "cloudfront.log": CloudFront,
	} {
		t.Run(name, func(t *testing.T) {
			d := NewDetector(Auto)
			var p Parser
			var r event.Request
			for i, l := range sampleLines(t, name) {
				header, err := d.Parse(&p, []byte(l), &r)
				if err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				if !header && (d.Format() != want || r.TS == 0) {
					t.Fatalf("line %d: format %v, ts %d", i+1, d.Format(), r.TS)
				}
			}
			if d.Format() != want {
				t.Fatalf("format %v, want %v", d.Format(), want)
			}
		})
	}
}

func TestParseFormatMore(t *testing.T) {
	for s, want := range map[string]Format{"w3c": W3C, "IIS": W3C, "cloudfront": CloudFront, "ALB": ALB,
		"elb": ELB, "s3": S3, "haproxy": HAProxy, "squid": Squid} {
		f, err := ParseFormat(s)
		if err != nil || f != want {
			t.Errorf("ParseFormat(%q) = %v, %v", s, f, err)
		}
		if name := f.String(); !strings.EqualFold(name, s) && s != "IIS" {
			t.Errorf("%v.String() = %q", f, name)
		}
	}
	if _, err := ParseFormat("nope"); err == nil || !strings.Contains(err.Error(), "haproxy") {
		t.Errorf("ParseFormat(nope): %v", err)
	}
}
