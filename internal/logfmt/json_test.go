package logfmt

import (
	"bufio"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// reqView is the part of a request the JSON and log-format tables check,
// as strings so that a table row reads like the record.
type reqView struct {
	TS                                      int64
	Off                                     int32
	Status                                  int
	Bytes, ReqLen                           int64
	Remote, User, Method, Path, Proto, Sect string
	Request, Referer, UA                    string
	Host, Scheme, XFF, Country              string
	ReqTime, UpTime                         float64
	Fields                                  string
}

func xview(r *event.Request) reqView {
	var f []string
	for _, x := range r.Fields {
		f = append(f, string(x.Name)+"="+string(x.Value))
	}
	return reqView{
		TS: r.TS, Off: r.UTCOffset, Status: r.Status, Bytes: r.Bytes, ReqLen: r.RequestLength,
		Remote: string(r.RemoteHost), User: string(r.User), Method: string(r.Method), Path: string(r.Path),
		Proto: string(r.Protocol), Sect: string(r.Section), Request: string(r.Request),
		Referer: string(r.Referer), UA: string(r.UserAgent), Host: string(r.Host), Scheme: string(r.Scheme),
		XFF: string(r.XForwardedFor), Country: string(r.Country),
		ReqTime: round9(r.RequestTime), UpTime: round9(r.UpstreamTime), Fields: strings.Join(f, " "),
	}
}

func round9(f float64) float64 { return math.Round(f*1e9) / 1e9 }

func readSamples(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(l, "\t")
		if !ok {
			t.Fatalf("bad sample line %q", l)
		}
		m[k] = v
	}
	return m
}

func TestJSONKnownLayouts(t *testing.T) {
	samples := readSamples(t, "json_samples.txt")
	for _, tc := range []struct {
		name string
		want reqView
	}{
		{"caddy", reqView{TS: 1646861401, Status: 200, Bytes: 10900, ReqLen: -1, Remote: "127.0.0.1", Method: "GET",
			Path: "/icon.png?v=2", Proto: "HTTP/2.0", Sect: "/icon.png", UA: "curl/7.82.0", Host: "localhost",
			Scheme: "https", ReqTime: 0.000929675, UpTime: -1}},
		{"caddy_iso", reqView{TS: 1698400800, Status: 201, Bytes: 12, ReqLen: -1, Remote: "2001:db8::1", Method: "POST",
			Path: "/hello", Proto: "HTTP/1.1", Sect: "/hello", Referer: "https://example.org/", UA: "curl/7.68.0",
			Host: "example.org", ReqTime: 1.5, UpTime: -1}},
		{"traefik", reqView{TS: 1623143773, Status: 404, Bytes: 19, ReqLen: -1, Remote: "10.0.0.1", Method: "GET",
			Path: "/notfound/x", Proto: "HTTP/1.1", Sect: "/notfound", UA: "curl/7.64.0", Host: "whoami.example.com",
			Scheme: "http", ReqTime: 0.000104746, UpTime: 0.000054262}},
		{"envoy", reqView{TS: 1771929045, Status: 200, Bytes: 615, ReqLen: 0, Remote: "10.244.1.3", Method: "GET",
			Path: "/status/200", Proto: "HTTP/1.1", Sect: "/status", UA: "curl/7.88.1", Host: "httpbin.default:8000",
			ReqTime: 0.004, UpTime: 0.003}},
		{"cloudflare_logpull", reqView{TS: 1545155129, Status: 403, Bytes: 1935, ReqLen: -1, Remote: "68.178.11.89",
			Method: "GET", Path: "/var/www", Sect: "/var", Host: "testing.logpull.com", ReqTime: -1, UpTime: -1}},
		{"cloudflare_logpush", reqView{TS: 1709294400, Status: 302, Bytes: 512, ReqLen: 1024, Remote: "203.0.113.9",
			Method: "POST", Path: "/checkout/pay", Proto: "HTTP/2", Sect: "/checkout", Referer: "https://shop.example.com/cart",
			UA: "Mozilla/5.0", Host: "shop.example.com", Scheme: "https", Country: "de", ReqTime: -1, UpTime: 0.087}},
		{"nginx_json", reqView{TS: 971211336, Off: -25200, Status: 200, Bytes: 2326, ReqLen: 431, Remote: "192.0.2.7",
			Method: "GET", Path: "/blog/post?id=1", Proto: "HTTP/1.1", Sect: "/blog", UA: `Mozilla/5.0 "quoted"`,
			Host: "blog.example.com", Scheme: "https", XFF: "198.51.100.2", ReqTime: 0.125, UpTime: 0.12}},
		{"haproxy", reqView{TS: 1718884076, Status: 404, Bytes: 379, ReqLen: -1, Remote: "127.0.0.1", Method: "GET",
			Path: "/index.html", Proto: "HTTP/1.1", Sect: "/index.html", ReqTime: 0.051, UpTime: 0.027}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line, ok := samples[tc.name]
			if !ok {
				t.Fatalf("no sample %q", tc.name)
			}
			var p Parser
			var r event.Request
			if err := p.Parse(JSON, []byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if got := xview(&r); got != tc.want {
				t.Errorf("want %+v\n got %+v", tc.want, got)
			}
			if d := NewDetector(Auto); true {
				if _, err := d.Parse(&p, []byte(line), &r); err != nil || d.Format() != JSON {
					t.Errorf("detector: format %v, err %v; want json", d.Format(), err)
				}
			}
		})
	}
}

func TestJSONTimestamps(t *testing.T) {
	const want = 1646861401
	for _, ts := range []string{
		`1646861401`, `1646861401.5241024`, `1646861401524`, `1646861401524102`, `1646861401524102400`,
		`"1646861401.524"`, `"2022-03-09T21:30:01Z"`, `"2022-03-09T21:30:01.999999999Z"`,
		`"2022-03-09T22:30:01+01:00"`, `"2022-03-09T22:30:01+0100"`, `"2022-03-09 21:30:01"`,
		`"09/Mar/2022:21:30:01 +0000"`, `"09/Mar/2022:21:30:01.524"`, `1.6468614015241024e9`,
	} {
		t.Run(ts, func(t *testing.T) {
			var p Parser
			var r event.Request
			line := `{"ts":` + ts + `,"status":200}`
			if err := p.Parse(JSON, []byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if r.TS != want {
				t.Errorf("ts %s: got %d, want %d", ts, r.TS, want)
			}
		})
	}
}

func TestJSONRejects(t *testing.T) {
	for _, tc := range []struct{ name, fields, line, want string }{
		{"not an object", "", `[1,2]`, "not a JSON object"},
		{"no ts", "", `{"status":200}`, "no timestamp field"},
		{"no status", "", `{"ts":1}`, "no status field"},
		{"mistyped status", "", `{"ts":1,"status":"abc"}`, `field "status": want a status code, got "abc"`},
		{"mistyped ts", "", `{"ts":"yesterday","status":200}`, `field "ts": want a time, got "yesterday"`},
		{"mistyped size", "", `{"ts":1,"status":200,"size":1.5}`, `field "size": want a byte count`},
		{"nested mistyped", "path=request.uri,request_time=request.took:ms", `{"ts":1,"status":200,"request":{"took":"soon"}}`,
			`field "request.took": want a duration, got "soon"`},
		{"user key missing", "ts=start", `{"ts":1,"status":200}`, `missing field "start" (ts)`},
		{"junk after", "", `{"ts":1,"status":200} x`, "junk after the JSON object"},
		{"truncated", "", `{"ts":1,"status":2`, "bad JSON"},
		{"bad escape", "", `{"ts":1,"status":200,"a":"\q"}`, "bad escape"},
		{"control char", "", "{\"ts\":1,\"status\":200,\"a\":\"\x01\"}", "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			if tc.fields != "" {
				l, err := ParseJSONFields(tc.fields)
				if err != nil {
					t.Fatal(err)
				}
				p.SetJSONLayout(l)
			}
			var r event.Request
			err := p.Parse(JSON, []byte(tc.line), &r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestJSONFields(t *testing.T) {
	l, err := ParseJSONFields("ts=start_time, path=req.uri,status=code,bytes=size,request_time=took:ms,host=vhost")
	if err != nil {
		t.Fatal(err)
	}
	var p Parser
	p.SetJSONLayout(l)
	var r event.Request
	line := `{"start_time":"2024-03-01T12:00:00Z","req":{"uri":"/a/b"},"code":503,"size":7,"took":250,"vhost":"v.example","status":"ignored","user_agent":"still known"}`
	if err := p.Parse(JSON, []byte(line), &r); err != nil {
		t.Fatal(err)
	}
	want := reqView{TS: 1709294400, Status: 503, Bytes: 7, ReqLen: -1, Path: "/a/b", Sect: "/a", Host: "v.example",
		UA: "still known", ReqTime: 0.25, UpTime: -1}
	if got := xview(&r); got != want {
		t.Errorf("want %+v\n got %+v", want, got)
	}
}

func TestJSONFieldsErrors(t *testing.T) {
	for _, tc := range []struct {
		spec string
		col  int
		want string
	}{
		{"ts=a,nope=b", 6, `unknown field "nope"`},
		{"ts=a,,status=b", 6, "empty item"},
		{"ts", 1, "not FIELD=KEY"},
		{"ts=a,request_time=d:hours", 21, `unknown unit "hours"`},
		{"ts=a..b", 4, "bad key"},
		{"ts=a,time=b", 6, "named twice"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			_, err := ParseJSONFields(tc.spec)
			fe, ok := err.(*FormatError)
			if !ok || fe.Column != tc.col || !strings.Contains(fe.Reason, tc.want) {
				t.Errorf("got %v, want column %d: …%s…", err, tc.col, tc.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		unit durationUnit
		want float64
		ok   bool
	}{
		{"0.003", unitSeconds, 0.003, true},
		{"-", unitSeconds, -1, true},
		{"0.012, 0.004 : 0.001", unitSeconds, 0.017, true},
		{"-, 0.5", unitSeconds, 0.5, true},
		{"1500", unitMicros, 0.0015, true},
		{"12", unitSecondsOrMillis, 0.012, true},
		{"0.5", unitSecondsOrMillis, 0.5, true},
		{"abc", unitSeconds, 0, false},
		{"-3", unitSeconds, 0, false},
		{"", unitSeconds, 0, false},
	} {
		got, ok := parseDuration([]byte(tc.in), tc.unit)
		if ok != tc.ok || ok && round9(got) != tc.want {
			t.Errorf("parseDuration(%q, %d) = %v, %v; want %v, %v", tc.in, tc.unit, got, ok, tc.want, tc.ok)
		}
	}
}
