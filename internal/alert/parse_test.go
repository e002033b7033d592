package alert

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	tests := []struct {
		in   string
		want string // the rule's String, which ParseRule reads back
	}{
		{"high_traffic: hits/s > 10 over 2m", "high_traffic: hits/s > 10 over 2m"},
		{"high_traffic", "high_traffic: hits/s > 10 over 2m"},
		{"server_errors", "server_errors: 5xx_ratio > 0.05 over 5m for 1m"},
		{"client_errors", "client_errors: 4xx_ratio > 0.25 over 10m min_requests 100 for 5m"},
		{"e: 5xx > 100", "e: 5xx > 100 over 2m"},
		{"e:5xx>=100 over 90s", "e: 5xx >= 100 over 1m30s"},
		{"e: 4xx_ratio <= 0.5 min_requests 0 over 1h", "e: 4xx_ratio <= 0.5 over 1h min_requests 0"},
		{`slow: hits/s{section=/api} < 1 over 5m for 10m keep_firing_for 1m`, `slow: hits/s{section="/api"} < 1 over 5m for 10m keep_firing_for 1m`},
		{`s: hits { source = "b.log" , section="/a b" } > 1k`, `s: hits{section="/a b",source="b.log"} > 1000 over 2m`},
		{"b: bytes/s > 5MiB over 1m", "b: bytes/s > 5.24288e+06 over 1m"},
		{"b: bytes > 2G over 1m", "b: bytes > 2e+09 over 1m"},
		{"r.1-x: 5xx/s > 0.5 over 10s", "r.1-x: 5xx/s > 0.5 over 10s"},
		{"slow: latency_p99 > 500ms over 5m for 1m", "slow: latency_p99 > 500ms over 5m for 1m"},
		{"s: latency_p50>=1.5s over 30s", "s: latency_p50 >= 1.5s over 30s"},
		{"s: latency_max > 90s", "s: latency_max > 1m30s over 2m"},
		{"s: latency_p90 < 250us over 1m", "s: latency_p90 < 250µs over 1m"},
		{"s: latency_p99 > 0s", "s: latency_p99 > 0s over 2m"},
	}
	for _, tc := range tests {
		r, err := ParseRule(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := r.String(); got != tc.want {
			t.Errorf("%q:\nwant %q\n got %q", tc.in, tc.want, got)
		}
		again, err := ParseRule(r.String())
		if err != nil || again.String() != r.String() {
			t.Errorf("%q does not read back: %v %q", r.String(), err, again.String())
		}
	}
}

func TestParseRuleErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "column 1: want the rule's name first"},
		{"5xx > 3", `column 5: want ':' after the rule's name "5xx"`},
		{"nope", `column 1: "nope" is not a preset (client_errors, high_traffic, server_errors)`},
		{"e: 6xx > 1", `column 4: want a metric, not "6xx"`},
		{"e: bytes_ratio > 1", `column 4: want a metric, not "bytes_ratio"`},
		{"e: 5xx >> 1", `column 9: want a threshold after the comparison, not ">"`},
		{"e: 5xx = 1", `column 8: want a comparison (>, >=, <, <=) after the metric, not "="`},
		{"e: 5xx > ten", `column 10: want a threshold like 10, 2.5 or 10k for 5xx, not "ten"`},
		{"e: 5xx > -1", `column 10: want a threshold`},
		{"e: 5xx_ratio > 150%", `column 16: a ratio threshold is at most 100%, not "150%"`},
		{"e: 5xx_ratio > 5", `column 16: a ratio threshold is at most 100%`},
		{"e: 5xx > 1 over 0s", "column 17: over must be from 1s to 168h"},
		{"e: 5xx > 1 over 1.5s", "column 17: over wants whole seconds"},
		{"e: 5xx > 1 over 9999h", "over must be from 1s to 168h"},
		{"e: 5xx > 1 over", `column 16: want a value after "over", not the end of the rule`},
		{"e: 5xx > 1 over 1m over 2m", `column 20: "over" given twice`},
		{"e: 5xx > 1 during 1m", `column 12: unknown clause "during"`},
		{"e: 5xx > 1 min_requests 5", "column 12: min_requests applies to ratio metrics"},
		{"e: 5xx_ratio > 1% min_requests -1", `column 32: min_requests wants a whole number`},
		{"e: 5xx{path=/a} > 1", `column 8: want section= or source= in braces, not "path"`},
		{"e: 5xx{section=/a,section=/b} > 1", "section given twice"},
		{"e: 5xx{section=/a > 1", `want ',' or '}' after the value of section`},
		{`e: 5xx{section="/a} > 1`, "column 16: unterminated or malformed quoted string"},
		{"9e: 5xx > 1", `rule name "9e"`},
		{"e: 5xx > 1 for 1m 2m", `column 19: unknown clause "2m"`},
	}
	for _, tc := range tests {
		_, err := ParseRule(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\nwant error containing %q\n got %v", tc.in, tc.want, err)
		}
	}
}

func TestParseConfig(t *testing.T) {
	const file = `# rules for the shop
rules:
  - server_errors
  - "slow_api: hits/s{section=/api} < 1 over 5m for 10m"
  - name: api_errors
    expr: 5xx_ratio{section=/api} > 2% over 5m min_requests 50
    for: 1m
    keep_firing_for: 5m
    labels: {severity: page, team: api}
    annotations:
      runbook: https://wiki.example.com/api-errors
`
	rules, err := ParseConfig("rules.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rules {
		got = append(got, r.Origin+" "+r.String())
	}
	want := []string{
		"rules.yaml:3 server_errors: 5xx_ratio > 0.05 over 5m for 1m",
		`rules.yaml:4 slow_api: hits/s{section="/api"} < 1 over 5m for 10m`,
		`rules.yaml:5 api_errors: 5xx_ratio{section="/api"} > 0.02 over 5m min_requests 50 for 1m keep_firing_for 5m`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("want\n%s\n got\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	r := rules[2]
	if len(r.Labels) != 2 || r.Labels[0] != (Label{"severity", "page"}) || r.Labels[1] != (Label{"team", "api"}) {
		t.Errorf("labels %v", r.Labels)
	}
	if len(r.Annotations) != 1 || r.Annotations[0].Value != "https://wiki.example.com/api-errors" {
		t.Errorf("annotations %v", r.Annotations)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"", `r.yaml: no rules`},
		{"rules: []\n", `r.yaml:1: "rules" must be a list`},
		{"rule:\n  - server_errors\n", `r.yaml:1: unknown key "rule"`},
		{"rules:\n  - server_errors\n  - nope\n", `r.yaml:3: column 1: "nope" is not a preset`},
		{"rules:\n  - name: a\n    expr: 5xx > x\n", `r.yaml:3: rule a: expr column 7: want a threshold`},
		{"rules:\n  - name: a\n    expr: 5xx > 1\n    for: 1 minute\n", `r.yaml:4: rule a: for wants a duration like 30s, 5m or 1h30m, not "1 minute"`},
		{"rules:\n  - name: a\n    expr: 5xx > 1 for 1m\n    for: 2m\n", `r.yaml:4: rule a: for is in expr already`},
		{"rules:\n  - name: a\n    expr: 5xx > 1\n    keep_firing_for: 9999h\n", `r.yaml:4: rule a: keep_firing_for must be from 0s to 168h`},
		{"rules:\n  - name: a\n    expr: 5xx > 1\n    fro: 1m\n", `r.yaml:4: unknown key "fro"`},
		{"rules:\n  - name: a\n", `r.yaml:2: a rule needs name and expr`},
		{"rules:\n  - name: a\n    expr: 5xx > 1\n    labels: {section: x}\n", `r.yaml:2: rule a: label "section" is set by httpmon-alert`},
		{"rules:\n  - name: a\n    expr: 5xx > 1\n    labels: {severity: [x]}\n", `r.yaml:4: "severity" must be a non-empty string`},
		{"rules:\n  - [a]\n", `r.yaml:2: want a rule`},
		{"rules:\n  - x: [\n", `r.yaml: yaml: line 2`},
	}
	for _, tc := range tests {
		_, err := ParseConfig("r.yaml", []byte(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\nwant error containing %q\n got %v", tc.file, tc.want, err)
		}
	}
}

func TestDuplicateNames(t *testing.T) {
	a, b := mustRule(t, "a: hits > 1"), mustRule(t, "a: 5xx > 1")
	a.Origin, b.Origin = "--rule 1", "r.yaml:3"
	_, err := NewEngine([]Rule{a, b})
	if err == nil || err.Error() != `rule name "a" used twice (--rule 1 and r.yaml:3)` {
		t.Errorf("got %v", err)
	}
	var se *SyntaxError
	if _, err := ParseRule("a: 5xx >"); !errors.As(err, &se) {
		t.Errorf("want a SyntaxError, got %T", err)
	}
}

// FuzzParseRule checks that no input panics the parser and that every rule
// it accepts is valid and reads back from its String unchanged.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		"high_traffic: hits/s > 10 over 2m", "server_errors",
		`s: hits{source="b.log",section="/a b"} >= 1k over 90s for 1m keep_firing_for 30s`,
		"e: 5xx_ratio < 5% over 5m min_requests 0", "b: bytes/s <= 5MiB over 1s",
		`x: 4xx{section="\u00e9\n"} > 1e3`, "e: 5xx > 1 over 1.5s",
		"slow: latency_p99 > 500ms over 5m for 1m", "l: latency_max <= 1h2m3.5s", "l: latency_p50 > 1.000000001s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("%q parsed into an invalid rule: %v", s, err)
		}
		again, err := ParseRule(r.String())
		if err != nil {
			t.Fatalf("%q → %q does not parse: %v", s, r.String(), err)
		}
		if again.String() != r.String() || again.Threshold != r.Threshold {
			t.Fatalf("%q → %q → %q", s, r.String(), again.String())
		}
	})
}

// FuzzParseConfig checks that no file panics the configuration reader and
// that every rule it accepts is valid, with an origin and sorted labels.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("rules:\n  - server_errors\n  - name: a\n    expr: 5xx{section=/a} > 1 over 1m\n    for: 1m\n    labels: {b: x, a: y}\n"))
	f.Add([]byte("rules:\n  - \"q: hits/s < 1\"\n  - name: b\n    expr: 4xx_ratio > 5%\n    keep_firing_for: 30s\n    annotations: {runbook: x}\n"))
	f.Add([]byte("rules: [a, {name: b}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		rules, err := ParseConfig("f.yaml", data)
		if err != nil {
			return
		}
		for _, r := range rules {
			if err := r.Validate(); err != nil {
				t.Fatalf("invalid rule %+v: %v", r, err)
			}
			if !strings.HasPrefix(r.Origin, "f.yaml:") {
				t.Fatalf("origin %q", r.Origin)
			}
			for i := 1; i < len(r.Labels); i++ {
				if r.Labels[i-1].Name >= r.Labels[i].Name {
					t.Fatalf("labels not sorted: %v", r.Labels)
				}
			}
		}
	})
}
