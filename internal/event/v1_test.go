package event

import (
	"testing"
)

func TestReadsAsV1(t *testing.T) {
	hitsRate := func(mod func(a *Alert)) *Alert {
		a := &Alert{Name: []byte("x"), Metric: []byte(V1Metric), Op: []byte(">"), Threshold: 10, Window: 120}
		if mod != nil {
			mod(a)
		}
		return a
	}
	tests := []struct {
		name          string
		a             *Alert
		isV1, readsV1 bool
	}{
		{"no metric", &Alert{Name: []byte(DefaultRuleName)}, true, true},
		{"hits/s >", hitsRate(nil), false, true},
		{"hits/s >=", hitsRate(func(a *Alert) { a.Op = []byte(">=") }), false, false},
		{"labels", hitsRate(func(a *Alert) { a.Labels = []Label{{Name: []byte("s"), Value: []byte("v")}} }), false, false},
		{"for", hitsRate(func(a *Alert) { a.For = 60 }), false, false},
		{"keep_firing_for", hitsRate(func(a *Alert) { a.KeepFiringFor = 60 }), false, false},
		{"other metric", hitsRate(func(a *Alert) { a.Metric = []byte("5xx_ratio") }), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.IsV1(); got != tc.isV1 {
				t.Errorf("IsV1() = %v, want %v", got, tc.isV1)
			}
			if got := tc.a.ReadsAsV1(); got != tc.readsV1 {
				t.Errorf("ReadsAsV1() = %v, want %v", got, tc.readsV1)
			}
		})
	}
}

// TestStripToV1 checks that a stripped alert is written with the fields of
// protocol v1 only and reads back as a v1 record.
func TestStripToV1(t *testing.T) {
	a := Alert{Name: []byte(DefaultRuleName), State: []byte(StateFiring), TS: 1549573956, Hits: 1206,
		Threshold: DefaultThreshold, Window: DefaultWindow, Rate: 10.05,
		Metric: []byte(V1Metric), Op: []byte(">"), Value: 10.05, StartsAt: 1549573956}
	a.StripToV1()
	enc := NewEncoder()
	line, err := enc.Alert(&a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"alert","name":"high_traffic","state":"firing","ts":1549573956,"hits":1206,"threshold":10,"window":120,"rate":10.05}` + "\n"
	if string(line) != want {
		t.Fatalf("got  %s\nwant %s", line, want)
	}
	var back Alert
	if err := NewDecoder().Alert(line, &back); err != nil {
		t.Fatal(err)
	}
	if !back.IsV1() || MetricOrV1(string(back.Metric)) != V1Metric {
		t.Errorf("read back as metric %q, want a v1 record of %s", back.Metric, V1Metric)
	}
}
