package alertcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuleRecords: one rule record per rule in force, before the first
// output; after the rule records of an earlier alert stage; none for an
// empty stream.
func TestRuleRecords(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rules.yaml")
	os.WriteFile(file, []byte("rules:\n  - name: api_errors\n    expr: 5xx_ratio{section=/api} > 2% over 5m min_requests 50\n    for: 1m\n    labels: {severity: page}\n    annotations: {runbook: \"https://wiki/x\"}\n"), 0o644)
	upstream := `{"kind":"rule","name":"first","expr":"hits > 1 over 1s","metric":"hits","op":">","threshold":1,"window":1,"for":0,"keep_firing_for":0}`
	in := upstream + "\n" + `{"kind":"tick","ts":1000,"hits":1,"bytes":0}` + "\n"
	out, stderr, err := runAlert(t, in, "--rules", file, "--rule", "high_traffic", "--threshold", "5", "--window", "30s")
	if err != nil || !strings.Contains(stderr.String(), "rule api_errors counts the request records") {
		t.Fatalf("%v %s", err, stderr)
	}
	want := upstream + "\n" +
		`{"kind":"rule","name":"high_traffic","expr":"hits/s > 5 over 30s","metric":"hits/s","op":">","threshold":5,"window":30,"for":0,"keep_firing_for":0}` + "\n" +
		`{"kind":"rule","name":"api_errors","expr":"5xx_ratio{section=\"/api\"} > 0.02 over 5m min_requests 50 for 1m","metric":"5xx_ratio","op":">","threshold":0.02,"window":300,"for":60,"keep_firing_for":0,"min_requests":50,"labels":{"section":"/api","severity":"page"},"annotations":{"runbook":"https://wiki/x"}}` + "\n" +
		`{"kind":"notice","stage":"httpmon-alert","message":"rule api_errors counts the request records of a section or source, and none came before the first tick: it has no data and cannot fire until they do; run httpmon-window with --pass-requests"}` + "\n" +
		`{"kind":"tick","ts":1000,"hits":1,"bytes":0}` + "\n"
	if out != want {
		t.Errorf("want\n%s got\n%s", want, out)
	}
	// Empty input announces no rules: the only record is the notice
	// that says the input was empty.
	if out, _, err := runAlert(t, ""); err != nil || out != `{"kind":"notice","stage":"httpmon-alert","message":"the input was empty"}`+"\n" {
		t.Errorf("empty input: %v %q", err, out)
	}
	if out, _, _ := runAlert(t, "{\"kind\":\"note\"}\n", "--rule", "e: 5xx_ratio > 5%"); !strings.Contains(out, `"min_requests":20`) {
		t.Errorf("ratio rule without min_requests: %s", out)
	}
}
