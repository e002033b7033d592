package event

import "testing"

// TestRuleRemoved: a rule taken out of force by a reload says so, and
// the mark survives a round trip; other rule records do not carry it.
func TestRuleRemoved(t *testing.T) {
	enc, dec := NewEncoder(), NewDecoder()
	r := Rule{Name: []byte("gone"), Expr: []byte("hits > 1 over 1s"), Metric: []byte("hits"), Op: []byte(">"), Threshold: 1, Window: 1, Removed: true}
	line, err := enc.Rule(&r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"rule","name":"gone","expr":"hits > 1 over 1s","metric":"hits","op":">","threshold":1,"window":1,"for":0,"keep_firing_for":0,"removed":true}` + "\n"
	if string(line) != want {
		t.Fatalf("want %s\n got %s", want, line)
	}
	var got Rule
	if err := dec.Rule(line, &got); err != nil || !got.Removed {
		t.Fatalf("round trip: %v %+v", err, got)
	}
	r.Removed = false
	line, _ = enc.Rule(&r)
	if err := dec.Rule(line, &got); err != nil || got.Removed {
		t.Fatalf("not removed: %v %+v", err, got)
	}
	if err := dec.Rule([]byte(`{"kind":"rule","name":"x","metric":"hits/s","op":">","window":1,"removed":1}`), &got); err == nil {
		t.Error(`"removed":1 accepted`)
	}
}
