package dashboard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func frameOf(t *testing.T, lines ...string) string {
	t.Helper()
	var ls [][]byte
	for _, l := range lines {
		ls = append(ls, []byte(l))
	}
	m := resize(model(t, ls, false), 120, 40)
	return ansi.Strip(m.(Model).frame)
}

const (
	ruleFast  = `{"kind":"rule","name":"fast","expr":"hits/s > 5 over 30s","metric":"hits/s","op":">","threshold":5,"window":30,"for":0,"keep_firing_for":0}`
	ruleSlow  = `{"kind":"rule","name":"slow","expr":"hits/s > 50 over 4s","metric":"hits/s","op":">","threshold":50,"window":4,"for":0,"keep_firing_for":0}`
	ruleRatio = `{"kind":"rule","name":"api_errors","expr":"5xx_ratio{section=\"/api\"} > 0.05 over 5m","metric":"5xx_ratio","op":">","threshold":0.05,"window":300,"for":0,"keep_firing_for":0,"min_requests":20,"labels":{"section":"/api"}}`
	tick1     = `{"kind":"tick","ts":1549573956,"hits":7,"bytes":0}`
)

// TestRuleRecordsSetTheGraph: the threshold and window on the graph and in
// the header come from httpmon-alert's rule records, not from defaults,
// before any alert; the first rule over all requests per second is drawn,
// and the rules of every alert stage are listed.
func TestRuleRecordsSetTheGraph(t *testing.T) {
	f := frameOf(t, ruleRatio, ruleFast, ruleSlow, tick1)
	for _, want := range []string{"threshold 5 req/s", "30s avg 0.2 req/s", "rules: api_errors, fast, slow"} {
		if !strings.Contains(f, want) {
			t.Errorf("missing %q in\n%s", want, f)
		}
	}
	if strings.Contains(f, "2m avg") || strings.Contains(f, "threshold 10") {
		t.Errorf("defaults shown:\n%s", f)
	}

	// An alert of another rule, even one over requests per second, does
	// not move the graph off the rule it draws; one of that rule does not
	// either, as it says the same.
	alertSlow := `{"kind":"alert","name":"slow","state":"firing","ts":1549573956,"hits":300,"threshold":50,"window":4,"rate":75}`
	alertRatio := `{"kind":"alert","name":"api_errors","state":"firing","ts":1549573956,"hits":300,"threshold":0.05,"window":300,"rate":1,"metric":"5xx_ratio","op":">","value":0.1,"labels":{"section":"/api"},"for":0,"keep_firing_for":0,"starts_at":1549573956}`
	f = frameOf(t, ruleRatio, ruleFast, ruleSlow, tick1, alertSlow, alertRatio)
	if !strings.Contains(f, "threshold 5 req/s") || !strings.Contains(f, "30s avg") {
		t.Errorf("graph moved by another rule's alert:\n%s", f)
	}

	// Without rule records (an older httpmon-alert), alerts of a rule
	// over the request rate still set it, and other metrics never do.
	f = frameOf(t, tick1, alertRatio)
	if !strings.Contains(f, "threshold 10 req/s") || !strings.Contains(f, "2m avg") {
		t.Errorf("a ratio alert set the graph:\n%s", f)
	}
	f = frameOf(t, tick1, alertSlow)
	if !strings.Contains(f, "threshold 50 req/s") || !strings.Contains(f, "4s avg") {
		t.Errorf("a v1 alert did not set the graph:\n%s", f)
	}
}

// TestRuleRemoved: a rule record marked removed, which httpmon-alert
// writes when a reload takes a rule out of force, drops the rule from the
// list; when it was the rule on the graph, the graph draws the first rule
// still in force over the request rate.
func TestRuleRemoved(t *testing.T) {
	removedFast := strings.Replace(ruleFast, `"keep_firing_for":0`, `"keep_firing_for":0,"removed":true`, 1)
	f := frameOf(t, ruleRatio, ruleFast, ruleSlow, tick1, removedFast)
	if !strings.Contains(f, "rules: api_errors, slow") || strings.Contains(f, "fast") {
		t.Errorf("removed rule still listed:\n%s", f)
	}
	if !strings.Contains(f, "threshold 50 req/s") || !strings.Contains(f, "4s avg") {
		t.Errorf("graph still draws the removed rule:\n%s", f)
	}

	// A rule removed and then announced again is back, at the end.
	f = frameOf(t, ruleFast, ruleSlow, tick1, removedFast, ruleFast)
	if !strings.Contains(f, "rules: slow, fast") {
		t.Errorf("rule announced again not listed:\n%s", f)
	}

	// Removing a rule never announced changes nothing.
	removedOther := strings.Replace(removedFast, `"name":"fast"`, `"name":"other"`, 1)
	f = frameOf(t, ruleFast, tick1, removedOther)
	if !strings.Contains(f, "rules: fast") || !strings.Contains(f, "threshold 5 req/s") {
		t.Errorf("removing an unknown rule changed the screen:\n%s", f)
	}
}
