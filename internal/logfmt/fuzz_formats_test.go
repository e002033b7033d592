package logfmt

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/httpmon/httpmon/internal/event"
)

// firstScalar is what the JSON reader takes from a value, done the slow
// way on encoding/json's result: a string or number as written, the first
// of those in a list (depth first), and nothing for objects, booleans and
// null.
func firstScalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case []any:
		for _, e := range v {
			if s, ok := firstScalar(e); ok {
				return s, true
			}
		}
	}
	return "", false
}

// FuzzJSON checks the JSON reader against encoding/json: a line it takes
// is one JSON object and nothing else, a line encoding/json finds invalid
// is rejected, and the values it takes for a layout's keys are the
// values encoding/json decodes for them, escapes and all.
func FuzzJSON(f *testing.F) {
	samples := map[string]string{}
	if b, err := os.ReadFile("testdata/json_samples.txt"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, "\t"); ok && !strings.HasPrefix(k, "#") {
				samples[k] = v
			}
		}
	}
	for _, s := range samples {
		f.Add(s)
	}
	f.Add(`{"t":1700000000,"s":200,"m":"G\u00e9T","u":{"v":["a\"b",1]}}`)
	f.Add(`{"t":"2024-03-01T12:00:00Z","s":"404","m":"\ud83d\ude00","m":"x","u":{"v":null}}`)
	f.Add(`{"t":1,"s":200,"m":"\ud800\u0041"} `)
	f.Add(`{"t":1,"s":200,"m":[[{"a":1},"deep"]]}`)
	f.Add(`{"t":1,"s":200,"x":[1,2,{"y":[true,false,null]}],"m":-0.5e+3}`)
	layout, err := ParseJSONFields("ts=t,status=s,method=m,user=u.v")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var p Parser
		p.SetJSONLayout(layout)
		var r event.Request
		err := p.Parse(JSON, []byte(line), &r)
		valid := json.Valid([]byte(line))
		if !valid {
			if err == nil {
				t.Fatalf("took invalid JSON %q", line)
			}
			return
		}
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		isObject := dec.Decode(&obj) == nil && obj != nil
		if err != nil {
			if isObject && strings.HasPrefix(err.Error(), "bad JSON") {
				t.Fatalf("rejected valid JSON %q: %v", line, err)
			}
			return
		}
		if !isObject {
			t.Fatalf("took %q, which is no JSON object", line)
		}
		if !utf8.ValidString(line) {
			return // encoding/json replaces bad bytes; we keep them
		}
		want, _ := firstScalar(obj["m"])
		if got := string(r.Method); string(dash([]byte(want))) != got {
			t.Errorf("method: got %q, encoding/json %q, in %q", got, want, line)
		}
		var wantUser string
		if u, ok := obj["u"].(map[string]any); ok {
			wantUser, _ = firstScalar(u["v"])
		}
		if got := string(r.User); string(dash([]byte(wantUser))) != got {
			t.Errorf("user: got %q, encoding/json %q, in %q", got, wantUser, line)
		}
	})
}

// formatRegexp builds the slow reference for a compiled format: a field
// between quotes is a run of escaped characters and non-quotes, any other
// field the shortest run of anything up to the literal after it.
func formatRegexp(f *CompiledFormat) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	b.WriteString(regexp.QuoteMeta(string(f.lead)))
	for _, fl := range f.fields {
		switch {
		case fl.quoted:
			b.WriteString(`((?:[^"\\]|\\.)*)`)
		case len(fl.after) == 0:
			b.WriteString(`(.*)`)
		default:
			b.WriteString(`(.*?)`)
		}
		b.WriteString(regexp.QuoteMeta(string(fl.after)))
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

// FuzzLogFormat checks how compiled formats split lines against a regexp
// built from the format: a line split is matched by the regexp with the
// same values, and a line the regexp does not match is not split.
func FuzzLogFormat(f *testing.F) {
	f.Add(nginxCombined, `192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "a \"q\" b"`)
	f.Add(`%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\" %D`, `h - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "r" "u\\" 12`)
	f.Add(`{"t":"$time_iso8601","u":"$request_uri","s":$status}`, `{"t":"2024-03-01T12:00:00Z","u":"/\"x\"","s":200}`)
	f.Add(`$remote_addr [$time_local] "$request" $status`, `a [b] "c\" d`)
	f.Add(`$msec|$status|$x`, `1|2|3|4`)
	f.Fuzz(func(t *testing.T, format, line string) {
		cf, err := CompileLogFormat(format)
		if err != nil || !utf8.ValidString(format) {
			return // regexp takes only UTF-8 patterns
		}
		re := formatRegexp(cf)
		spans, err := cf.split([]byte(line), nil)
		m := re.FindStringSubmatch(line)
		if err != nil {
			return // the regexp may backtrack where the parser does not
		}
		if m == nil {
			t.Fatalf("format %q split %q, which %s does not match", format, line, re)
		}
		for k, sp := range spans {
			if v := line[sp.start:sp.end]; v != m[k+1] {
				t.Fatalf("format %q, line %q: field %d is %q, the regexp's %q", format, line, k, v, m[k+1])
			}
		}
		// Parsing must never panic, whatever the values are.
		var p Parser
		p.SetLogFormat(cf)
		var r event.Request
		_ = p.Parse(LogFormat, []byte(line), &r)
	})
}
