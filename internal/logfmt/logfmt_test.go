package logfmt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// view is an event.Request with strings, so that tests can compare with ==
// and print readable diffs.
type view struct {
	TS        int64
	UTCOffset int32
	Status    int
	Bytes     int64
	Host      string
	Ident     string
	User      string
	Method    string
	Path      string
	Protocol  string
	Request   string
	Section   string
	Referer   string
	UserAgent string
}

func viewOf(r *event.Request) view {
	return view{
		TS: r.TS, UTCOffset: r.UTCOffset, Status: r.Status, Bytes: r.Bytes,
		Host: string(r.RemoteHost), Ident: string(r.Ident), User: string(r.User),
		Method: string(r.Method), Path: string(r.Path), Protocol: string(r.Protocol),
		Request: string(r.Request), Section: string(r.Section),
		Referer: string(r.Referer), UserAgent: string(r.UserAgent),
	}
}

// unix returns the unix time of an RFC 3339 timestamp, so that tables can
// state times the way people read them.
func unix(t *testing.T, s string) int64 {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.Unix()
}

type parseCase struct {
	name    string
	line    string
	want    view
	wantErr string
}

func runParseCases(t *testing.T, f Format, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			var r event.Request
			r.Method = []byte("stale") // Parse must reset
			err := p.Parse(f, []byte(tc.line), &r)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = nil error, want %q; got %+v", tc.line, tc.wantErr, viewOf(&r))
				}
				var perr *Error
				if !errors.As(err, &perr) {
					t.Errorf("error %T is not *Error", err)
				}
				if err.Error() != tc.wantErr {
					t.Errorf("Parse(%q) error\nwant %s\n got %s", tc.line, tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.line, err)
			}
			if got := viewOf(&r); got != tc.want {
				t.Errorf("Parse(%q)\nwant %+v\n got %+v", tc.line, tc.want, got)
			}
		})
	}
}

func TestParseCLF(t *testing.T) {
	const (
		elastic = `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`
		zanbil  = `31.56.96.51 - - [22/Jan/2019:03:56:16 +0330] "GET /image/60844/productModel/200x200 HTTP/1.1" 200 5667 "https://www.zanbil.ir/m/filter/b113" "Mozilla/5.0 (Linux; Android 6.0; ALE-L21 Build/HuaweiALE-L21) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/66.0.3359.158 Mobile Safari/537.36" "-"`
		// The Elastic sample's line 8899 ends inside the user agent.
		truncated = `46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html`
		ts        = `[11/Jun/2017:05:56:04 +0900]`
	)
	jun11 := unix(t, "2017-06-11T05:56:04+09:00")
	// get is the usual parse of `"GET / HTTP/1.1" 200 741` at ts.
	get := func(host, ident, user string) view {
		return view{TS: jun11, UTCOffset: 9 * 3600, Status: 200, Bytes: 741,
			Host: host, Ident: ident, User: user,
			Method: "GET", Path: "/", Protocol: "HTTP/1.1", Section: "/"}
	}
	withReq := func(v view, method, path, proto, section string) view {
		v.Method, v.Path, v.Protocol, v.Section = method, path, proto, section
		return v
	}
	raw := func(v view, request string) view {
		v.Method, v.Path, v.Protocol, v.Section, v.Request = "", "", "", "", request
		return v
	}
	with := func(v view, f func(*view)) view { f(&v); return v }
	long := strings.Repeat("A", 100)

	runParseCases(t, Combined, []parseCase{
		{name: "common", line: `127.0.0.1 bob frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			want: view{TS: unix(t, "2000-10-10T20:55:36Z"), UTCOffset: -7 * 3600, Status: 200, Bytes: 2326,
				Host: "127.0.0.1", Ident: "bob", User: "frank",
				Method: "GET", Path: "/apache_pb.gif", Protocol: "HTTP/1.0", Section: "/apache_pb.gif"}},
		{name: "combined", line: elastic,
			want: view{TS: unix(t, "2015-05-17T10:05:03Z"), Status: 200, Bytes: 203023, Host: "83.149.9.216",
				Method: "GET", Path: "/presentations/logstash-monitorama-2013/images/kibana-search.png",
				Protocol: "HTTP/1.1", Section: "/presentations",
				Referer:   "http://semicomplete.com/presentations/logstash-monitorama-2013/",
				UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"}},
		{name: "nginx extra field and +0330", line: zanbil,
			want: view{TS: unix(t, "2019-01-22T03:56:16+03:30"), UTCOffset: 12600, Status: 200, Bytes: 5667,
				Host: "31.56.96.51", Method: "GET", Path: "/image/60844/productModel/200x200",
				Protocol: "HTTP/1.1", Section: "/image", Referer: "https://www.zanbil.ir/m/filter/b113",
				UserAgent: "Mozilla/5.0 (Linux; Android 6.0; ALE-L21 Build/HuaweiALE-L21) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/66.0.3359.158 Mobile Safari/537.36"}},
		{name: "ipv6 host", line: `2001:db8::1 - - ` + ts + ` "GET / HTTP/1.1" 200 741`, want: get("2001:db8::1", "", "")},
		{name: "ipv6 loopback", line: `::1 - - ` + ts + ` "GET / HTTP/1.1" 200 741`, want: get("::1", "", "")},
		{name: "hostname", line: `crawl-66-249-73-135.googlebot.com - - ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("crawl-66-249-73-135.googlebot.com", "", "")},
		{name: "dash host", line: `- - - ` + ts + ` "GET / HTTP/1.1" 200 741`, want: get("", "", "")},
		{name: "dash bytes", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 304 -`,
			want: with(get("1.2.3.4", "", ""), func(v *view) { v.Status, v.Bytes = 304, -1 })},
		{name: "zero bytes", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 204 0`,
			want: with(get("1.2.3.4", "", ""), func(v *view) { v.Status, v.Bytes = 204, 0 })},
		{name: "dash status", line: `83.149.9.216 - a.user [11/Jan/2020:23:05:27 +0100] "OPTIONS /remote.php/ HTTP/1.1" - 7908 "-" "monitoring-client (v2.2)"`,
			want: view{TS: unix(t, "2020-01-11T23:05:27+01:00"), UTCOffset: 3600, Status: 0, Bytes: 7908,
				Host: "83.149.9.216", User: "a.user", Method: "OPTIONS", Path: "/remote.php/", Protocol: "HTTP/1.1",
				Section: "/remote.php", UserAgent: "monitoring-client (v2.2)"}},
		{name: "escaped quotes in user agent", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 "-" "Mozilla \"x\""`,
			want: with(get("1.2.3.4", "", ""), func(v *view) { v.UserAgent = `Mozilla \"x\"` })},
		{name: "escaped backslash ends referer", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 "C:\\" "ua \\\"q\""`,
			want: with(get("1.2.3.4", "", ""), func(v *view) { v.Referer, v.UserAgent = `C:\\`, `ua \\\"q\"` })},
		{name: "escaped quote in request", line: `1.2.3.4 - - ` + ts + ` "GET /a\"b HTTP/1.1" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "GET", `/a\"b`, "HTTP/1.1", `/a\"b`)},
		{name: "http/0.9", line: `1.2.3.4 - - ` + ts + ` "GET /" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "GET", "/", "", "/")},
		{name: "dash request", line: `1.2.3.4 - - ` + ts + ` "-" 200 741`, want: raw(get("1.2.3.4", "", ""), "-")},
		{name: "tls handshake as apache logs it", line: `1.2.3.4 - - ` + ts + ` "\x16\x03\x01\x00\xa5\x01" 200 741`,
			want: raw(get("1.2.3.4", "", ""), `\x16\x03\x01\x00\xa5\x01`)},
		{name: "raw binary request", line: "1.2.3.4 - - " + ts + " \"\x16\x03\x01\x00\xa5\" 200 741",
			want: raw(get("1.2.3.4", "", ""), "\x16\x03\x01\x00\xa5")},
		{name: "four tokens", line: `1.2.3.4 - - ` + ts + ` "GET / hoge HTTP/1.1" 200 741`,
			want: raw(get("1.2.3.4", "", ""), "GET / hoge HTTP/1.1")},
		{name: "empty request", line: `1.2.3.4 - - ` + ts + ` "" 200 741`, want: raw(get("1.2.3.4", "", ""), "")},
		{name: "double space in request", line: `1.2.3.4 - - ` + ts + ` "GET  / HTTP/1.1" 200 741`,
			want: raw(get("1.2.3.4", "", ""), "GET  / HTTP/1.1")},
		{name: "trailing space in request", line: `1.2.3.4 - - ` + ts + ` "GET / " 200 741`,
			want: raw(get("1.2.3.4", "", ""), "GET / ")},
		{name: "bad protocol", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/x" 200 741`,
			want: raw(get("1.2.3.4", "", ""), "GET / HTTP/x")},
		{name: "method must start with a letter", line: `1.2.3.4 - - ` + ts + ` "1GET / HTTP/1.1" 200 741`,
			want: raw(get("1.2.3.4", "", ""), "1GET / HTTP/1.1")},
		{name: "http/2 and M-SEARCH", line: `1.2.3.4 - - ` + ts + ` "M-SEARCH * HTTP/2" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "M-SEARCH", "*", "HTTP/2", "")},
		{name: "absolute form", line: `1.2.3.4 - - ` + ts + ` "GET http://host:8080/a/b?x HTTP/1.0" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "GET", "/a/b?x", "HTTP/1.0", "/a")},
		{name: "absolute form without path", line: `1.2.3.4 - - ` + ts + ` "GET https://host:8080 HTTP/1.0" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "GET", "/", "HTTP/1.0", "/")},
		// The path must alias the line, and the line has no "/?x" to point at.
		{name: "absolute form query without path loses query", line: `1.2.3.4 - - ` + ts + ` "GET http://host?x=1 HTTP/1.0" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "GET", "/", "HTTP/1.0", "/")},
		{name: "connect", line: `1.2.3.4 - - ` + ts + ` "CONNECT example.com:443 HTTP/1.1" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "CONNECT", "example.com:443", "HTTP/1.1", "")},
		{name: "relative junk target", line: `1.2.3.4 - - ` + ts + ` "GET index.html HTTP/1.1" 200 741`,
			want: withReq(get("1.2.3.4", "", ""), "GET", "index.html", "HTTP/1.1", "")},
		{name: "user with spaces", line: `10.0.0.11 - Songmu Yaxing ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("10.0.0.11", "", "Songmu Yaxing")},
		{name: "vhost prefix", line: `log.example.com 10.0.0.11 - - ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("10.0.0.11", "", "")},
		{name: "vhost prefix and user with spaces", line: `test.example.com 10.0.0.11 - Songmu Yaxing ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("10.0.0.11", "", "Songmu Yaxing")},
		{name: "x-forwarded-for prefix", line: `192.168.0.1, 192.168.0.2, 192.168.0.3 10.10.10.10 - - ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("10.10.10.10", "", "")},
		{name: "dash first token is not the ident", line: `- 10.0.0.1 - - ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("10.0.0.1", "", "")},
		{name: "ident set, prefix", line: `vhost 127.0.0.1 bob frank ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("127.0.0.1", "bob", "frank")},
		{name: "ident set, user dash", line: `127.0.0.1 bob - ` + ts + ` "GET / HTTP/1.1" 200 741`,
			want: get("127.0.0.1", "bob", "")},
		{name: "tabs", line: "10.0.0.11\t-\t-\t" + ts + "\t\"GET / HTTP/1.1\"\t200\t741", want: get("10.0.0.11", "", "")},
		{name: "runs of blanks", line: " 10.0.0.11  -  -  " + ts + "  \"GET / HTTP/1.1\"  200  741  \"r\"  \"u\"  ",
			want: with(get("10.0.0.11", "", ""), func(v *view) { v.Referer, v.UserAgent = "r", "u" })},
		{name: "truncated user agent", line: truncated,
			want: view{TS: unix(t, "2015-05-20T12:05:17Z"), Status: 200, Bytes: 235, Host: "46.118.127.106",
				Method: "GET", Path: "/scripts/grok-py-test/configlib.py", Protocol: "HTTP/1.1", Section: "/scripts",
				UserAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html"}},
		{name: "truncated referer", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 "http://x`,
			want: with(get("1.2.3.4", "", ""), func(v *view) { v.Referer = "http://x" })},
		{name: "bare dash referer and agent", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 - -`, want: get("1.2.3.4", "", "")},
		{name: "bare referer, quoted agent", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 - "ua"`,
			want: with(get("1.2.3.4", "", ""), func(v *view) { v.UserAgent = "ua" })},
		{name: "unquoted extra fields", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 0.050 1234`, want: get("1.2.3.4", "", "")},
		{name: "junk after quoted referer", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 "r"x "ua"`,
			want: with(get("1.2.3.4", "", ""), func(v *view) { v.Referer = "r" })},
		{name: "ingress-nginx upstream fields", line: `0.0.0.0 - bob ` + ts + ` "GET / HTTP/1.1" 200 741 "r" "u" 462 0.050 [up-9000] [] 10.0.50.80:9000 19437 0.049 200 752178adb1`,
			want: with(get("0.0.0.0", "", "bob"), func(v *view) { v.Referer, v.UserAgent = "r", "u" })},
		{name: "empty referer and agent", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 741 "" ""`, want: get("1.2.3.4", "", "")},
		{name: "lower-case month", line: `1.2.3.4 - - [11/jun/2017:05:56:04 +0900] "GET / HTTP/1.1" 200 741`, want: get("1.2.3.4", "", "")},
		{name: "bracket in host before timestamp", line: `[::1] - - ` + ts + ` "GET / HTTP/1.1" 200 741`, want: get("[::1]", "", "")},

		{name: "not a log line", line: "not a common log line", wantErr: `missing " [" before timestamp`},
		{name: "empty line", line: "", wantErr: `missing " [" before timestamp`},
		{name: "bracket at start", line: ts + ` "GET / HTTP/1.1" 200 741`, wantErr: `missing " [" before timestamp`},
		{name: "too few tokens", line: `- - ` + ts + ` "GET / HTTP/1.1" 200 741`,
			wantErr: `missing host, ident or user before timestamp in "- - "`},
		{name: "bad month", line: `127.0.0.1 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 741`,
			wantErr: `bad timestamp "10/Foo/2000:13:55:36 -0700"`},
		{name: "short timestamp", line: `- - - [1234] - - -`, wantErr: `bad timestamp "1234"`},
		{name: "dash timestamp", line: `- - - [-] "-" - -`, wantErr: `bad timestamp "-"`},
		{name: "unclosed timestamp", line: `- - - [10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.1" 200 741`,
			wantErr: `bad timestamp "10/Oct/2000:13:55:36 -0700 \"GET / HTTP/1…"`},
		{name: "30 february", line: `1.2.3.4 - - [30/Feb/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 741`,
			wantErr: `bad timestamp "30/Feb/2000:13:55:36 -0700"`},
		{name: "missing request", line: `1.2.3.4 - - ` + ts, wantErr: "missing request after timestamp"},
		{name: "missing space after timestamp", line: `1.2.3.4 - - ` + ts + `"GET / HTTP/1.1" 200 741`,
			wantErr: `missing space after timestamp "\"GET / HTTP/1.1\" 200 741"`},
		{name: "unquoted request", line: `1.2.3.4 - - ` + ts + ` GET / HTTP/1.1 200 741`,
			wantErr: `unquoted request "GET / HTTP/1.1 200 741"`},
		{name: "unterminated request", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1 200 741`,
			wantErr: `unterminated quoted request "\"GET / HTTP/1.1 200 741"`},
		{name: "unterminated request is truncated", line: `1.2.3.4 - - ` + ts + ` "GET /` + long,
			wantErr: `unterminated quoted request "\"GET /` + long[:34] + `…"`},
		{name: "escaped closing quote", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1\" 200 741`,
			wantErr: `unterminated quoted request "\"GET / HTTP/1.1\\\" 200 741"`},
		{name: "missing status", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1"`, wantErr: "missing status after request"},
		{name: "missing space after request", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1"200 741`,
			wantErr: `missing space after request "200 741"`},
		{name: "missing bytes", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200`, wantErr: "missing bytes after status"},
		{name: "missing bytes, trailing blank", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 `, wantErr: "missing bytes after status"},
		{name: "status 2xx", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 2xx 741 "-" "-"`, wantErr: `bad status "2xx"`},
		{name: "status 099", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 099 741`, wantErr: `bad status "099"`},
		{name: "status 1000", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 1000 741`, wantErr: `bad status "1000"`},
		{name: "bad bytes", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 12a`, wantErr: `bad bytes "12a"`},
		{name: "negative bytes", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 -5`, wantErr: `bad bytes "-5"`},
		{name: "bytes overflow", line: `1.2.3.4 - - ` + ts + ` "GET / HTTP/1.1" 200 9999999999999999999`,
			wantErr: `bad bytes "9999999999999999999"`},
	})
}

func TestParseCommonIsCombined(t *testing.T) {
	line := []byte(`127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "ref" "ua"`)
	var p Parser
	var a, b event.Request
	if err := p.Parse(Common, line, &a); err != nil {
		t.Fatal(err)
	}
	if err := p.Parse(Combined, line, &b); err != nil {
		t.Fatal(err)
	}
	if viewOf(&a) != viewOf(&b) {
		t.Errorf("Common and Combined differ:\n%+v\n%+v", viewOf(&a), viewOf(&b))
	}
}

func TestParseAuto(t *testing.T) {
	var p Parser
	var r event.Request
	for _, f := range []Format{Auto, Format(42)} {
		if err := p.Parse(f, []byte("x"), &r); err == nil {
			t.Errorf("Parse(%v) = nil error", f)
		}
	}
}

func TestParseCSV(t *testing.T) {
	feb7 := int64(1549573860)
	base := view{TS: feb7, Status: 200, Bytes: 1234, Host: "10.0.0.2", User: "apache",
		Method: "GET", Path: "/api/user", Protocol: "HTTP/1.0", Section: "/api"}
	with := func(f func(*view)) view { v := base; f(&v); return v }
	runParseCases(t, CSV, []parseCase{
		{name: "sample", line: `"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234`, want: base},
		{name: "unquoted", line: `10.0.0.2,-,apache,1549573860,GET /api/user HTTP/1.0,200,1234`, want: base},
		{name: "all quoted", line: `"10.0.0.2","-","apache","1549573860","GET /api/user HTTP/1.0","200","1234"`, want: base},
		{name: "ident set", line: `"10.0.0.2","bob","apache",1549573860,"GET /api/user HTTP/1.0",200,1234`,
			want: with(func(v *view) { v.Ident = "bob" })},
		{name: "doubled quote kept", line: `"10.0.0.2","-","apache",1549573860,"GET /a""b HTTP/1.0",200,1234`,
			want: with(func(v *view) { v.Path, v.Section = `/a""b`, `/a""b` })},
		{name: "comma in quoted request", line: `"10.0.0.2","-","apache",1549573860,"GET /a,b HTTP/1.0",200,1234`,
			want: with(func(v *view) { v.Path, v.Section = "/a,b", "/a,b" })},
		{name: "dash request", line: `"10.0.0.2","-","apache",1549573860,"-",200,1234`,
			want: with(func(v *view) { v.Method, v.Path, v.Protocol, v.Section, v.Request = "", "", "", "", "-" })},
		{name: "dash status and bytes", line: `"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",-,-`,
			want: with(func(v *view) { v.Status, v.Bytes = 0, -1 })},
		{name: "empty host and user", line: `"","","",1549573860,"GET /api/user HTTP/1.0",200,1234`,
			want: with(func(v *view) { v.Host, v.User = "", "" })},
		{name: "extra fields ignored", line: `"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234,"x",0.5`, want: base},
		{name: "trailing comma", line: `"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234,`, want: base},

		{name: "header", line: `"remotehost","rfc931","authuser","date","request","status","bytes"`, wantErr: "csv header line, not a request"},
		{name: "empty line", line: ``, wantErr: "missing rfc931 field"},
		{name: "too few fields", line: `"10.0.0.2","-","apache"`, wantErr: "missing date field"},
		{name: "missing bytes", line: `"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200`, wantErr: "missing bytes field"},
		{name: "bad date", line: `"10.0.0.2","-","apache",2019-02-07,"GET / HTTP/1.0",200,1234`, wantErr: `bad date "2019-02-07"`},
		{name: "empty date", line: `"10.0.0.2","-","apache",,"GET / HTTP/1.0",200,1234`, wantErr: `bad date ""`},
		{name: "bad status", line: `"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0",OK,1234`, wantErr: `bad status "OK"`},
		{name: "bad bytes", line: `"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0",200,1.5`, wantErr: `bad bytes "1.5"`},
		{name: "unterminated", line: `"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0,200,1234`,
			wantErr: `unterminated quoted request field "\"GET / HTTP/1.0,200,1234"`},
		{name: "junk after quote", line: `"10.0.0.2"x,"-","apache",1549573860,"GET / HTTP/1.0",200,1234`,
			wantErr: `junk after quoted remotehost field "\"10.0.0.2\"x,\"-\",\"apache\",1549573860,\"GET…"`},
		{name: "clf line", line: `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`,
			wantErr: "missing rfc931 field"},
	})
}

func TestSection(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/pages/create?x=1", "/pages"},
		{"/pages/create", "/pages"},
		{"/", "/"},
		{"/api", "/api"},
		{"/api/", "/api"},
		{"/?a=b", "/"},
		{"/api?a=/b", "/api"},
		{"/api#x/y", "/api"},
		{"/#", "/"},
		{"//double", "/"},
		{"/a%2Fb/c", "/a%2Fb"},
		{"", ""},
		{"*", ""},
		{"host:443", ""},
		{"?a=b", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			path := []byte(tc.path)
			got := Section(path)
			if string(got) != tc.want {
				t.Errorf("Section(%q) = %q, want %q", tc.path, got, tc.want)
			}
			if len(got) > 0 && &got[0] != &path[0] {
				t.Errorf("Section(%q) does not alias its argument", tc.path)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"auto", Auto, false},
		{"common", Common, false},
		{"clf", Common, false},
		{"CLF", Common, false},
		{"combined", Combined, false},
		{"Combined", Combined, false},
		{"csv", CSV, false},
		{"", Auto, true},
		{"json", JSON, false},
		{"JSON", JSON, false},
		{"log-format", LogFormat, false},
		{"xml", Auto, true},
		{"Format(1)", Auto, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseFormat(%q) = %v, want error", tc.in, got)
				}
				for _, name := range []string{"auto", "common", "clf", "combined", "csv", "json", "log-format"} {
					if !strings.Contains(err.Error(), name) {
						t.Errorf("error %q does not list %q", err, name)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseFormat(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{Auto: "auto", Common: "common", Combined: "combined", CSV: "csv", 9: "Format(9)", -1: "Format(-1)"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", int(f), got, want)
		}
		if f >= Auto && f <= CSV {
			if back, err := ParseFormat(f.String()); err != nil || back != f {
				t.Errorf("ParseFormat(%q) = %v, %v; want %v", f.String(), back, err, f)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       Format
	}{
		{"csv header", `"remotehost","rfc931","authuser","date","request","status","bytes"`, CSV},
		{"csv header unquoted", `remotehost,rfc931,authuser,date,request,status,bytes`, CSV},
		{"csv line", `"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234`, CSV},
		{"common", `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, Combined},
		{"combined", `127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "-"`, Combined},
		{"garbage", `hello`, Combined},
		{"empty", ``, Combined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect([]byte(tc.line)); got != tc.want {
				t.Errorf("Detect(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

func TestIsCSVHeader(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`"remotehost","rfc931","authuser","date","request","status","bytes"`, true},
		{`remotehost,rfc931,authuser,date,request,status,bytes`, true},
		{`"RemoteHost", "rfc931", "AuthUser", "Date", "Request", "Status", "Bytes"`, true},
		{` remotehost , " rfc931 ",authuser,date,request,status,bytes `, true},
		{"\uFEFFremotehost,rfc931,authuser,date,request,status,bytes", true},
		{`"remotehost","rfc931","authuser","date","request","status"`, false},
		{`"remotehost","rfc931","authuser","date","request","status","bytes","x"`, false},
		{`"remotehost","rfc931","authuser","date","request","bytes","status"`, false},
		{`"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234`, false},
		{``, false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			if got := IsCSVHeader([]byte(tc.line)); got != tc.want {
				t.Errorf("IsCSVHeader(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{strings.Repeat("x", 40), `"` + strings.Repeat("x", 40) + `"`},
		{strings.Repeat("x", 41), `"` + strings.Repeat("x", 40) + `…"`},
		// Never cut a rune in two: "é" is 2 bytes at offset 39.
		{strings.Repeat("x", 39) + "éé", `"` + strings.Repeat("x", 39) + `…"`},
		{"\x00\xff", `"\x00\xff"`},
	} {
		if got := quote([]byte(tc.in)); got != tc.want {
			t.Errorf("quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestParseAllocs guards the zero-allocation promise on the happy path.
func TestParseAllocs(t *testing.T) {
	lines := [][]byte{
		[]byte(`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a/b HTTP/1.1" 200 203023 "http://x/" "Mozilla/5.0 \"q\""`),
		[]byte(`83.149.9.216 - - [17/May/2015:10:05:04 +0000] "\x16\x03" 400 - "-" "-" "-"`),
	}
	csvLine := []byte(`"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234`)
	var p Parser
	var r event.Request
	n := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			if err := p.Parse(Combined, l, &r); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.Parse(CSV, csvLine, &r); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("Parse allocates %v times per run, want 0", n)
	}
}
