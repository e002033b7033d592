package logfmt

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// The vectors in testdata are other projects' parser tests, copied from
// ../shared/data/vectors: Vector's parse_common_log, parse_apache_log and
// parse_nginx_log (vrl_*.json), the Go parser axslogparser's tables, and
// Logstash's HTTPD_COMBINEDLOG spec. Every case runs; where httpmon
// deliberately differs, the difference is in vectorDifferences below or in
// one of the two general rules:
//
//   - A "-" that a vector keeps as a string (Vector's nginx referer and
//     agent, axslogparser's ident, user and referer) is an absent field
//     here: event.Request has no way to say "-" other than empty, and "-"
//     is not a referer anyone wants to count.
//   - Lines of error logs (Vector's format "error", nginx error lines) and
//     LTSV (axslogparser) are not formats httpmon reads and must be
//     rejected, not half-parsed.

// vectorCase is one vector turned into what httpmon should do with it.
type vectorCase struct {
	name    string
	line    string
	wantErr bool
	want    view
	// check names the view fields the vector has an opinion on; nil means
	// all of them.
	check []string
}

func reject(c *vectorCase) { c.wantErr = true }

// vectorDifferences maps a vector's name to how httpmon's expectation
// differs from the vector's, and why.
var vectorDifferences = map[string]struct {
	why string
	fix func(*vectorCase)
}{
	"vrl/parse_common_log/log_line_valid_empty": {
		"Vector accepts a line of dashes as an empty record; without a timestamp a request cannot be placed in a window, so it is rejected", reject},
	"vrl/parse_common_log/log_line_valid_empty_variant": {
		`"[-]" has no time either`, reject},
	"vrl/parse_apache_log/log_line_valid_empty": {
		"as vrl/parse_common_log/log_line_valid_empty", reject},
	"vrl/parse_apache_log/log_line_valid_empty_variant": {
		"as vrl/parse_common_log/log_line_valid_empty_variant", reject},
	"vrl/parse_common_log/log_line_valid_with_timestamp_format": {
		"httpmon has no timestamp_format option: only the CLF timestamp is read (and this line has no request either)", reject},
	"vrl-doc/Parse using Common Log Format (with custom timestamp format)": {
		"no timestamp_format option, as above", reject},
	"axslogparser/parseTests/[Apache] common with empty response": {
		`"-" bytes is -1 (event.Request: no body size logged), not 0`,
		func(c *vectorCase) { c.want.Bytes = -1 }},
	"axslogparser/parseTests/[Apache] unescape": {
		`quoted fields are kept as logged, escapes included (package comment)`,
		func(c *vectorCase) { c.want.Referer, c.want.UserAgent = `\\\thoge`, `UserAgent \"fake\"` }},
	"axslogparser/parseTests/[Apache] unescape(trailing space after escaped double quote)": {
		`kept as logged: the referer is \" and a blank`,
		func(c *vectorCase) { c.want.Referer = `\" ` }},
	"axslogparser/apache_parseErrorTests/invalid request#3": {
		`axslogparser returns a record with a soft error for status "2xx"; the status class drives error alerts, so a line without a number there is rejected`,
		reject},
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// loadVectors reads every vector file into cases, before differences.
func loadVectors(t testing.TB) []vectorCase {
	t.Helper()
	var cases []vectorCase
	cases = append(cases, vrlCases(t)...)
	cases = append(cases, vrlDocCases(t)...)
	cases = append(cases, axsCases(t)...)
	cases = append(cases, logstashCases(t)...)
	return cases
}

// vrlWant maps the fields of a Vector result onto a view. Vector reports
// timestamps in UTC only, so the offset is not checked.
func vrlWant(t testing.TB, ok map[string]any) (view, []string) {
	str := func(keys ...string) string {
		for _, k := range keys {
			if s, found := ok[k].(string); found {
				return refDash(s)
			}
		}
		return ""
	}
	num := func(def int64, keys ...string) int64 {
		for _, k := range keys {
			if n, found := ok[k].(float64); found {
				return int64(n)
			}
		}
		return def
	}
	v := view{
		Host:      str("host", "client", "remote_addr"),
		Ident:     str("identity"),
		User:      str("user", "remote_user"),
		Status:    int(num(0, "status")),
		Bytes:     num(-1, "size", "body_bytes_size"),
		Referer:   str("referrer", "referer", "http_referer"),
		UserAgent: str("agent", "http_user_agent"),
	}
	if ts, found := ok["timestamp"].(map[string]any); found {
		tm, err := time.Parse(time.RFC3339Nano, ts["$timestamp"].(string))
		if err != nil {
			t.Fatal(err)
		}
		v.TS = tm.Unix()
	}
	if m, found := ok["method"].(string); found {
		v.Method, v.Path, v.Protocol = m, str("path"), str("protocol")
		v.Section = refSection(v.Path)
	} else {
		refSplitRequest(str("request", "message"), &v)
	}
	return v, allFieldsBut("UTCOffset")
}

func vrlCases(t testing.TB) []vectorCase {
	var raw []struct {
		Function string
		Case     string
		Args     map[string]any
		Want     struct {
			OK  map[string]any
			Err *string
		}
	}
	loadJSON(t, "vrl_test_cases.json", &raw)
	var cases []vectorCase
	for _, r := range raw {
		line, isString := r.Args["value"].(string)
		if !isString {
			// log_line_valid_with_local_timestamp_format builds its line
			// with Rust code; it is an error-log line anyway.
			continue
		}
		c := vectorCase{name: "vrl/" + r.Function + "/" + r.Case, line: line}
		switch {
		case r.Args["format"] == "error":
			c.wantErr = true // error logs: general rule
		case r.Want.Err != nil:
			c.wantErr = true
		default:
			c.want, c.check = vrlWant(t, r.Want.OK)
		}
		cases = append(cases, c)
	}
	return cases
}

func vrlDocCases(t testing.TB) []vectorCase {
	var raw []struct {
		Title  string
		Source string
		Return map[string]any
	}
	loadJSON(t, "vrl_doc_examples.json", &raw)
	lit := regexp.MustCompile(`(?s)s'(.*?)'\s*[,)]`)
	var cases []vectorCase
	for _, r := range raw {
		m := lit.FindStringSubmatch(r.Source)
		if m == nil {
			t.Fatalf("vrl-doc %q: no s'…' literal in %q", r.Title, r.Source)
		}
		c := vectorCase{name: "vrl-doc/" + r.Title, line: m[1]}
		if strings.Contains(r.Source, `"error"`) {
			c.wantErr = true // error logs: general rule
		} else {
			ret := r.Return
			if s, ok := ret["timestamp"].(string); ok {
				ret["timestamp"] = map[string]any{"$timestamp": s}
			}
			c.want, c.check = vrlWant(t, ret)
		}
		cases = append(cases, c)
	}
	return cases
}

func axsCases(t testing.TB) []vectorCase {
	type output struct {
		Host, RemoteLogname, User, Time, Request  string
		Status                                    int
		Size                                      int64
		Referer, UserAgent                        string
		RequestURI, Protocol, Method, VirtualHost string
	}
	var raw map[string][]struct {
		Name           string
		Input          string
		Output         *output
		ContainsString string
		HardError      *bool
	}
	loadJSON(t, "axslogparser_test_tables.json", &raw)
	var cases []vectorCase
	for _, group := range []string{"parseTests", "parsersParseTests", "apache_parseSuccessTests", "apache_parseErrorTests"} {
		seen := map[string]int{}
		for _, r := range raw[group] {
			seen[r.Name]++
			name := "axslogparser/" + group + "/" + r.Name
			if seen[r.Name] > 1 {
				name += fmt.Sprintf("#%d", seen[r.Name])
			}
			c := vectorCase{name: name, line: r.Input}
			switch {
			case strings.HasPrefix(strings.ToLower(r.Name), "ltsv"):
				c.wantErr = true // LTSV: general rule
			case r.HardError != nil && *r.HardError:
				c.wantErr = true
			case r.Output == nil:
				// Success, or a soft error that still yields a record
				// (the request line "GET / hoge HTTP/1.1"): accepted; the
				// vector says nothing about the fields.
				c.check = []string{}
			default:
				o := r.Output
				tm, err := time.Parse(time.RFC3339, o.Time)
				if err != nil {
					t.Fatal(err)
				}
				_, off := tm.Zone()
				c.want = view{TS: tm.Unix(), UTCOffset: int32(off), Status: o.Status, Bytes: o.Size,
					Host: o.Host, Ident: refDash(o.RemoteLogname), User: refDash(o.User),
					Referer: refDash(o.Referer), UserAgent: refDash(o.UserAgent)}
				if o.RequestURI != "" {
					c.want.Method, c.want.Path, c.want.Protocol = o.Method, o.RequestURI, o.Protocol
					c.want.Section = refSection(o.RequestURI)
				} else {
					c.want.Request = o.Request
				}
			}
			cases = append(cases, c)
		}
	}
	return cases
}

func logstashCases(t testing.TB) []vectorCase {
	var raw []struct {
		Context           string
		Input             string
		ExpectECSIncludes map[string]any `json:"expect_ecs_includes"`
		ExpectECSAbsent   []string       `json:"expect_ecs_absent"`
	}
	loadJSON(t, "logstash_httpd_spec_vectors.json", &raw)
	var cases []vectorCase
	for _, r := range raw {
		c := vectorCase{name: "logstash/" + r.Context, line: r.Input, check: []string{}}
		for k, val := range r.ExpectECSIncludes {
			s, _ := val.(string)
			n, _ := val.(float64)
			switch k {
			case "http.request.method":
				c.want.Method = s
			case "http.request.referrer":
				c.want.Referer = refDash(s)
			case "http.response.body.bytes":
				c.want.Bytes = int64(n)
			case "http.response.status_code":
				c.want.Status = int(n)
			case "http.version":
				c.want.Protocol = "HTTP/" + s
			case "source.address":
				c.want.Host = s
			case "url.original":
				c.want.Path = s
				c.want.Section = refSection(s)
				c.check = append(c.check, "Section")
			case "user.name":
				c.want.User = s
			case "user_agent.original":
				c.want.UserAgent = s
			default:
				t.Fatalf("logstash %q: unmapped field %q", r.Context, k)
			}
			c.check = append(c.check, ecsField[k])
		}
		for _, k := range r.ExpectECSAbsent {
			switch k {
			case "http.response.status_code":
				c.check = append(c.check, "Status") // want 0
			case "user":
				c.check = append(c.check, "User") // want ""
			case "apache": // a Logstash grouping, nothing to map
			default:
				t.Fatalf("logstash %q: unmapped absent field %q", r.Context, k)
			}
		}
		cases = append(cases, c)
	}
	return cases
}

var ecsField = map[string]string{
	"http.request.method":       "Method",
	"http.request.referrer":     "Referer",
	"http.response.body.bytes":  "Bytes",
	"http.response.status_code": "Status",
	"http.version":              "Protocol",
	"source.address":            "Host",
	"url.original":              "Path",
	"user.name":                 "User",
	"user_agent.original":       "UserAgent",
}

func allFieldsBut(skip ...string) []string {
	var names []string
	for f := range reflect.TypeFor[view]().Fields() {
		if !contains(skip, f.Name) {
			names = append(names, f.Name)
		}
	}
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// diffFields returns the differences between want and got in the named
// fields.
func diffFields(want, got view, fields []string) []string {
	wv, gv := reflect.ValueOf(want), reflect.ValueOf(got)
	var diffs []string
	for _, f := range fields {
		w, g := wv.FieldByName(f).Interface(), gv.FieldByName(f).Interface()
		if w != g {
			diffs = append(diffs, fmt.Sprintf("%s: want %#v, got %#v", f, w, g))
		}
	}
	return diffs
}

func TestVectors(t *testing.T) {
	used := map[string]bool{}
	for _, c := range loadVectors(t) {
		t.Run(c.name, func(t *testing.T) {
			if d, ok := vectorDifferences[c.name]; ok {
				used[c.name] = true
				d.fix(&c)
				t.Logf("differs from the vector on purpose: %s", d.why)
			}
			var p Parser
			var r event.Request
			err := p.Parse(Combined, []byte(c.line), &r)
			if c.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q) accepted %+v, want rejection", c.line, viewOf(&r))
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.line, err)
			}
			fields := c.check
			if fields == nil {
				fields = allFieldsBut()
			}
			for _, d := range diffFields(c.want, viewOf(&r), fields) {
				t.Errorf("Parse(%q): %s", c.line, d)
			}
		})
	}
	for name := range vectorDifferences {
		if !used[name] {
			t.Errorf("vectorDifferences has %q, which is no vector's name", name)
		}
	}
}
