package logfmt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

func TestLogFormat(t *testing.T) {
	for _, tc := range []struct {
		name, format, line string
		want               reqView
	}{
		{
			// nginx's predefined combined, from the ngx_http_log_module docs.
			"nginx combined", nginxCombined,
			`192.0.2.1 - alice [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
			reqView{TS: 971211336, Off: -25200, Status: 200, Bytes: 2326, ReqLen: -1, Remote: "192.0.2.1", User: "alice",
				Method: "GET", Path: "/apache_pb.gif", Proto: "HTTP/1.0", Sect: "/apache_pb.gif",
				Referer: "http://www.example.com/start.html", UA: "Mozilla/4.08 [en] (Win98; I ;Nav)", ReqTime: -1, UpTime: -1},
		},
		{
			// The "main" of the docs' example with timings, and an
			// upstream list of a retried request; unknown variables kept.
			"nginx timings", `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" $host $scheme $request_length`,
			`10.1.1.1 - - [01/Mar/2024:12:00:00 +0000] "POST /api/v1/x HTTP/1.1" 502 157 "-" "curl/8.0" rt=0.503 uct="0.001, 0.002" urt="0.250, 0.251" api.example.com https 812`,
			reqView{TS: 1709294400, Status: 502, Bytes: 157, ReqLen: 812, Remote: "10.1.1.1", Method: "POST", Path: "/api/v1/x",
				Proto: "HTTP/1.1", Sect: "/api", UA: "curl/8.0", Host: "api.example.com", Scheme: "https",
				ReqTime: 0.503, UpTime: 0.501, Fields: "upstream_connect_time=0.001, 0.002"},
		},
		{
			// escape=json: the value has \" inside its quotes.
			"nginx escape=json", `{"t":"$time_iso8601","ip":"$remote_addr","m":"$request_method","u":"$request_uri","s":$status,"ua":"$http_user_agent","geo":"$geoip2_data_country_code"}`,
			`{"t":"2024-03-01T13:00:00+01:00","ip":"2001:db8::2","m":"GET","u":"/q?a=\"b\"","s":404,"ua":"say \"hi\", ok","geo":"FR"}`,
			reqView{TS: 1709294400, Off: 3600, Status: 404, Bytes: -1, ReqLen: -1, Remote: "2001:db8::2", Method: "GET",
				Path: `/q?a=\"b\"`, Sect: "/q", UA: `say \"hi\", ok`, Country: "FR", ReqTime: -1, UpTime: -1},
		},
		{
			"nginx msec and braces", `${msec} ${status}${body_bytes_sent} $request`,
			`1709294400.123 200-`, reqView{},
		},
		{
			// Apache's combined with %D, from the mod_log_config docs.
			"apache combined %D", `%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D`,
			`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 \"x\"" 1500`,
			reqView{TS: 971211336, Off: -25200, Status: 200, Bytes: 2326, ReqLen: -1, Remote: "127.0.0.1", User: "frank",
				Method: "GET", Path: "/apache_pb.gif", Proto: "HTTP/1.0", Sect: "/apache_pb.gif",
				Referer: "http://www.example.com/start.html", UA: `Mozilla/4.08 \"x\"`, ReqTime: 0.0015, UpTime: -1},
		},
		{
			// Debian's vhost_combined, pasted as the whole directive.
			"apache vhost_combined directive", `LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" vhost_combined`,
			`www.example.com:443 198.51.100.4 - - [01/Mar/2024:12:00:00 +0000] "GET /shop/ HTTP/2.0" 304 0 "-" "UA"`,
			reqView{TS: 1709294400, Status: 304, Bytes: 0, ReqLen: -1, Remote: "198.51.100.4", Method: "GET", Path: "/shop/",
				Proto: "HTTP/2.0", Sect: "/shop", UA: "UA", Host: "www.example.com", ReqTime: -1, UpTime: -1, Fields: "%p=443"},
		},
		{
			"apache custom time and ms", `%a %{%Y-%m-%dT%H:%M:%S%z}t %m %U%q %s %B %{ms}T %{X-Forwarded-For}i`,
			`192.0.2.9 2024-03-01T12:00:00+0000 GET /a/b?x=1 200 12 250 203.0.113.1, 10.0.0.1`,
			reqView{TS: 1709294400, Status: 200, Bytes: 12, ReqLen: -1, Remote: "192.0.2.9", Method: "GET", Path: "/a/b?x=1",
				Sect: "/a", XFF: "203.0.113.1, 10.0.0.1", ReqTime: 0.25, UpTime: -1},
		},
		{
			"nginx directive pasted", `log_format main escape=default '$remote_addr [$time_local] '
				'"$request" $status';`,
			`192.0.2.1 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200`,
			reqView{TS: 971211336, Off: -25200, Status: 200, Bytes: -1, ReqLen: -1, Remote: "192.0.2.1", Method: "GET", Path: "/",
				Proto: "HTTP/1.1", Sect: "/", ReqTime: -1, UpTime: -1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := CompileLogFormat(tc.format)
			if tc.want == (reqView{}) {
				if err == nil {
					t.Fatalf("compiled %q; want an error", tc.format)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var p Parser
			p.SetLogFormat(f)
			var r event.Request
			if err := p.Parse(LogFormat, []byte(tc.line), &r); err != nil {
				t.Fatal(err)
			}
			if got := xview(&r); got != tc.want {
				t.Errorf("want %+v\n got %+v", tc.want, got)
			}
		})
	}
}

func TestLogFormatRejects(t *testing.T) {
	f, err := CompileLogFormat(nginxCombined)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2xx 1 "-" "-"`, `field "status": want a status code, got "2xx"`},
		{`192.0.2.1 - - [yesterday] "GET / HTTP/1.0" 200 1 "-" "-"`, `field "time_local": want a time`},
		{`192.0.2.1 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1`, `missing " - " after remote_addr`},
		{`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-" extra`, "junk after the format's end"},
	} {
		var p Parser
		p.SetLogFormat(f)
		var r event.Request
		err := p.Parse(LogFormat, []byte(tc.line), &r)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error with %q", tc.line, err, tc.want)
		}
	}
}

func TestCompileLogFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		format string
		col    int
		want   string
	}{
		{`$remote_addr$remote_user [$time_local]`, 13, `"remote_user" follows "remote_addr" with nothing between them`},
		{`$remote_addr [$time_local] ${status`, 28, "unterminated ${"},
		{`$remote_addr [$time_local] $`, 28, "invalid variable name"},
		{`$remote_addr $status`, 0, "logs no time"},
		{`%h %t %Z`, 7, `unknown Apache directive "%Z"`},
		{`%h %t %{Referer`, 7, "unterminated %{"},
		{`%h %t %`, 7, "no directive"},
		{`%h %{xx}T %t`, 4, `unknown Apache directive "%{xx}T"`},
		{`LogFormat "%h %t %Z" x`, 18, `unknown Apache directive "%Z"`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			_, err := CompileLogFormat(tc.format)
			fe, ok := err.(*FormatError)
			if !ok || fe.Column != tc.col || !strings.Contains(fe.Reason, tc.want) {
				t.Errorf("got %v, want column %d: …%s…", err, tc.col, tc.want)
			}
		})
	}
}

func TestReadNginxConf(t *testing.T) {
	conf := "testdata/nginxconf/nginx.conf"
	main, err := ReadNginxConf(conf, "main")
	if err != nil {
		t.Fatal(err)
	}
	var p Parser
	p.SetLogFormat(main)
	var r event.Request
	line := `192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 5 "-" "ua" rt=0.010 uct="0.001" urt="0.009"`
	if err := p.Parse(LogFormat, []byte(line), &r); err != nil {
		t.Fatal(err)
	}
	if r.RequestTime != 0.010 || r.UpstreamTime != 0.009 || string(r.Fields[0].Name) != "upstream_connect_time" {
		t.Errorf("got %+v", xview(&r))
	}

	js, err := ReadNginxConf(conf, "json_combined")
	if err != nil {
		t.Fatal(err)
	}
	p.SetLogFormat(js)
	line = `{"time_local":"10/Oct/2000:13:55:36 -0700","remote_addr":"192.0.2.1","request":"GET /j HTTP/1.1","status": "201","body_bytes_sent":"5","request_time":"0.500","http_user_agent":"a \"b\""}`
	if err := p.Parse(LogFormat, []byte(line), &r); err != nil {
		t.Fatal(err)
	}
	if r.Status != 201 || r.RequestTime != 0.5 || string(r.UserAgent) != `a \"b\"` {
		t.Errorf("got %+v", xview(&r))
	}

	if f, err := ReadNginxConf(conf, "combined"); err != nil || f.String() != nginxCombined {
		t.Errorf("combined: %v, %v; want nginx's predefined one", f, err)
	}
	if _, err := ReadNginxConf(conf, "nope"); err == nil || !strings.Contains(err.Error(), "it has main, json_combined") {
		t.Errorf("missing name: got %v", err)
	}
}

func TestReadNginxConfErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	loop := write("loop.conf", "include loop.conf;\n")
	if _, err := ReadNginxConf(loop, "main"); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("include loop: got %v", err)
	}
	unterminated := write("u.conf", "log_format main '$remote_addr\n")
	if _, err := ReadNginxConf(unterminated, "main"); err == nil || !strings.Contains(err.Error(), "line 1: unterminated quoted string") {
		t.Errorf("unterminated: got %v", err)
	}
	bad := write("bad.conf", "http {\n  log_format main '$remote_addr$x [$time_local]';\n}\n")
	if _, err := ReadNginxConf(bad, "main"); err == nil || !strings.Contains(err.Error(), "bad.conf:2: log_format main: column 13") {
		t.Errorf("bad format: got %v", err)
	}
	missing := write("m.conf", "include nothere.conf;\n")
	if _, err := ReadNginxConf(missing, "main"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing include: got %v", err)
	}
}
