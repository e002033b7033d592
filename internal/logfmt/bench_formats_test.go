package logfmt

import (
	"encoding/json"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// benchCase is a line and the parser set up for it.
type benchCase struct {
	p    *Parser
	f    Format
	line []byte
}

func benchCases(b *testing.B, cases []benchCase) {
	var size int
	for _, c := range cases {
		size += len(c.line)
	}
	var r event.Request
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, c := range cases {
			if err := c.p.Parse(c.f, c.line, &r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cases)), "ns/line")
}

// BenchmarkParseLogFormat parses BenchmarkParseCombined's lines with the
// format strings that write them: nginx's combined, and for the nginx
// lines with an extra field, combined and "$http_x_forwarded_for".
func BenchmarkParseLogFormat(b *testing.B) {
	var cases []benchCase
	for _, set := range []struct {
		log, format string
		n           int
	}{
		{"elastic_apache_logs.log.gz", nginxCombined, 300},
		{"lnav_zanbil_shop_access.log.gz", nginxCombined + ` "$http_x_forwarded_for"`, 100},
	} {
		f, err := CompileLogFormat(set.format)
		if err != nil {
			b.Fatal(err)
		}
		p := new(Parser)
		p.SetLogFormat(f)
		for _, l := range benchLines(b, set.log, set.n) {
			cases = append(cases, benchCase{p, LogFormat, l})
		}
	}
	benchCases(b, cases)
}

// BenchmarkParseJSON parses BenchmarkParseCombined's lines written as an
// nginx escape=json format with keys named after the variables would
// write them: the same content, as JSON.
func BenchmarkParseJSON(b *testing.B) {
	lines := append(benchLines(b, "elastic_apache_logs.log.gz", 300), benchLines(b, "lnav_zanbil_shop_access.log.gz", 100)...)
	var p Parser
	var r event.Request
	cases := make([]benchCase, 0, len(lines))
	for _, l := range lines {
		if err := p.Parse(Combined, l, &r); err != nil {
			b.Fatal(err)
		}
		tsEnd := 0
		for i := range l {
			if l[i] == '[' {
				tsEnd = i + 1
				break
			}
		}
		req := string(r.Method) + " " + string(r.Path) + " " + string(r.Protocol)
		if len(r.Request) > 0 {
			req = string(r.Request)
		}
		obj := map[string]string{
			"time_local":      string(l[tsEnd : tsEnd+tsLen]),
			"remote_addr":     string(r.RemoteHost),
			"remote_user":     string(r.User),
			"request":         req,
			"status":          itoa(r.Status),
			"body_bytes_sent": itoa(int(r.Bytes)),
			"http_referer":    string(r.Referer),
			"http_user_agent": string(r.UserAgent),
		}
		j, err := json.Marshal(obj)
		if err != nil {
			b.Fatal(err)
		}
		cases = append(cases, benchCase{new(Parser), JSON, j})
	}
	// One parser, as httpmon-parse has.
	for i := range cases {
		cases[i].p = &p
	}
	benchCases(b, cases)
}

func itoa(n int) string {
	if n < 0 {
		return "-"
	}
	b, _ := json.Marshal(n)
	return string(b)
}
