package event

import (
	"reflect"
	"testing"
)

// TestAlertRuleFields pins the encoding of the rule fields and checks that
// they survive a round trip, labels in order.
func TestAlertRuleFields(t *testing.T) {
	enc, dec := NewEncoder(), NewDecoder()
	al := Alert{
		Name: []byte("api_errors"), State: []byte(StateResolved), TS: 1000, UTCOffset: 3600,
		Hits: 40, Threshold: 0.05, Window: 300, Rate: 40.0 / 300,
		Metric: []byte("5xx_ratio"), Op: []byte(">"), Value: 0.025,
		Labels:        []Label{{[]byte("section"), []byte("/api")}, {[]byte("severity"), []byte("pag\"e")}},
		For:           60,
		KeepFiringFor: 30,
		StartsAt:      900,
		EndsAt:        1000,
	}
	line, err := enc.Alert(&al)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"alert","name":"api_errors","state":"resolved","ts":1000,"utc_offset":3600,"hits":40,"threshold":0.05,"window":300,"rate":0.13333333333333333,` +
		`"metric":"5xx_ratio","op":">","value":0.025,"labels":{"section":"/api","severity":"pag\"e"},"for":60,"keep_firing_for":30,"starts_at":900,"ends_at":1000}` + "\n"
	if string(line) != want {
		t.Fatalf("want %s\n got %s", want, line)
	}
	var got Alert
	if err := dec.Alert(line, &got); err != nil || !reflect.DeepEqual(al, got) {
		t.Fatalf("round trip: %v\nwant %+v\n got %+v", err, al, got)
	}

	// A firing record has no end; a v1 record has none of the rule fields.
	al.State, al.EndsAt = []byte(StateFiring), 0
	line, _ = enc.Alert(&al)
	if err := dec.Alert(line, &got); err != nil || !reflect.DeepEqual(al, got) {
		t.Fatalf("firing round trip: %v\n%s", err, line)
	}
	v1 := `{"kind":"alert","name":"high_traffic","state":"firing","ts":1549573956,"hits":1206,"threshold":10,"window":120,"rate":10.05}` + "\n"
	if err := dec.Alert([]byte(v1), &got); err != nil || len(got.Metric) != 0 || len(got.Labels) != 0 {
		t.Fatalf("v1 record: %v %+v", err, got)
	}
	again, _ := enc.Alert(&got)
	if string(again) != v1 {
		t.Fatalf("v1 record changed:\n%s", again)
	}

	for _, bad := range []string{
		`{"kind":"alert","name":"x","state":"firing","ts":1,"labels":{"a":1}}`,
		`{"kind":"alert","name":"x","state":"firing","ts":1,"labels":["a"]}`,
		`{"kind":"alert","name":"x","state":"firing","ts":1,"for":-1}`,
		`{"kind":"alert","name":"x","state":"firing","ts":1,"starts_at":1e300}`,
	} {
		if err := dec.Alert([]byte(bad), &got); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}
