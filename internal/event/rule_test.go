package event

import (
	"reflect"
	"testing"
)

// TestRuleRecord pins the encoding of a rule record and its round trip.
func TestRuleRecord(t *testing.T) {
	enc, dec := NewEncoder(), NewDecoder()
	r := Rule{
		Name: []byte("api_errors"), Expr: []byte(`5xx_ratio{section="/api"} > 0.05 over 5m min_requests 50 for 1m`),
		Metric: []byte("5xx_ratio"), Op: []byte(">"), Threshold: 0.05, Window: 300, For: 60, KeepFiringFor: 0,
		MinRequests: 50, HasMinRequests: true,
		Labels:      []Label{{[]byte("section"), []byte("/api")}, {[]byte("severity"), []byte("page")}},
		Annotations: []Label{{[]byte("runbook"), []byte("https://wiki/x")}},
	}
	line, err := enc.Rule(&r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"rule","name":"api_errors","expr":"5xx_ratio{section=\"/api\"} > 0.05 over 5m min_requests 50 for 1m","metric":"5xx_ratio","op":">","threshold":0.05,"window":300,"for":60,"keep_firing_for":0,"min_requests":50,` +
		`"labels":{"section":"/api","severity":"page"},"annotations":{"runbook":"https://wiki/x"}}` + "\n"
	if string(line) != want {
		t.Fatalf("want %s\n got %s", want, line)
	}
	var got Rule
	if err := dec.Rule(line, &got); err != nil || !reflect.DeepEqual(r, got) {
		t.Fatalf("round trip: %v\nwant %+v\n got %+v", err, r, got)
	}
	if !got.Selects() {
		t.Error("a rule with a section label selects")
	}

	plain := `{"kind":"rule","name":"high_traffic","expr":"hits/s > 10 over 2m","metric":"hits/s","op":">","threshold":10,"window":120,"for":0,"keep_firing_for":0}` + "\n"
	if err := dec.Rule([]byte(plain), &got); err != nil || got.Selects() || got.HasMinRequests || len(got.Labels) != 0 {
		t.Fatalf("plain: %v %+v", err, got)
	}
	if again, _ := enc.Rule(&got); string(again) != plain {
		t.Fatalf("plain changed:\n%s", again)
	}

	for _, bad := range []string{
		`{"kind":"rule","metric":"hits/s","op":">","window":1}`,
		`{"kind":"rule","name":"x","op":">","window":1}`,
		`{"kind":"rule","name":"x","metric":"hits/s","op":"=","window":1}`,
		`{"kind":"rule","name":"x","metric":"hits/s","op":">"}`,
		`{"kind":"rule","name":"x","metric":"hits/s","op":">","window":0}`,
		`{"kind":"rule","name":"x","metric":"hits/s","op":">","window":1,"labels":{"a":1}}`,
		`{"kind":"rule","name":"x","metric":"hits/s","op":">","window":1} x`,
	} {
		if err := dec.Rule([]byte(bad), &got); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}
