package natsio

import (
	"testing"
)

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in, server, host, name, err string
	}{
		{in: "nats://10.0.0.1:4222/httpmon.web1", server: "nats://10.0.0.1:4222", host: "10.0.0.1:4222", name: "httpmon.web1"},
		{in: "nats://central/HTTPMON", server: "nats://central:4222", host: "central:4222", name: "HTTPMON"},
		{in: "nats://u:secret@central:4333/HTTPMON", server: "nats://u:secret@central:4333", host: "central:4333", name: "HTTPMON"},
		{in: "nats://central:4222/", err: "nats://central:4222: give one subject or stream name after the host, such as nats://central:4222/httpmon.web1"},
		{in: "nats://central/a/b", err: "nats://central: give one subject or stream name after the host, such as nats://central/httpmon.web1"},
		{in: "nats://central/httpmon.*", err: "nats://central: give one subject or stream name after the host, such as nats://central/httpmon.web1"},
		{in: "http://central/x", err: "not a nats://host:port/NAME address"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			a, err := ParseAddr(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("want error %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Server != tc.server || a.Host != tc.host || a.Name != tc.name {
				t.Errorf("want %s %s %s, got %+v", tc.server, tc.host, tc.name, a)
			}
		})
	}
	if got, want := Shown("nats://u:secret@central:4333/HTTPMON"), "nats://central:4333/HTTPMON"; got != want {
		t.Errorf("Shown: want %q, got %q", want, got)
	}
}

func TestMsgIDs(t *testing.T) {
	ids := newMsgIDs()
	for _, tc := range []struct{ line, want string }{
		{`{"kind":"tick","source":"web1","ts":100,"hits":3,"bytes":30,"status":{"2xx":3}}`, "httpmon.web1/tick/100"},
		{`{"kind":"summary","source":"web1","start":100,"end":110,"seconds":10,"hits":3,"bytes":30,"status":{"2xx":3},"late":0,"sections":[]}`, "httpmon.web1/summary/100"},
		{`{"kind":"notice","stage":"httpmon-window","msg":"x"}`, "httpmon.web1/notice/"},
	} {
		got, err := ids.id("httpmon.web1", []byte(tc.line))
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		if len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
			t.Errorf("%s: want id %s…, got %s", tc.line, tc.want, got)
		}
	}
	// The same tick again, with other counts, is the same second: one id.
	a, _ := ids.id("s", []byte(`{"kind":"tick","ts":5,"hits":1,"bytes":1,"status":{"2xx":1}}`))
	b, _ := ids.id("s", []byte(`{"kind":"tick","ts":5,"hits":2,"bytes":2,"status":{"2xx":2}}`))
	if a != b {
		t.Errorf("one second, two ids: %s %s", a, b)
	}
	if _, err := ids.id("s", []byte(`{"kind":"tick"}`)); err == nil {
		t.Error("a tick without ts has an id")
	}
}

func TestPositions(t *testing.T) {
	type rec struct {
		seq    uint64
		second int64 // -1: a record of no second
	}
	for _, tc := range []struct {
		name    string
		recs    []rec
		through []int64
		want    []uint64
	}{
		{"none", nil, []int64{10}, []uint64{0}},
		{"all stored", []rec{{1, 5}, {2, 6}}, []int64{6}, []uint64{3}},
		{"in order", []rec{{1, 5}, {2, 6}, {3, 7}}, []int64{5, 6}, []uint64{2, 3}},
		// A lagging source's second 5 comes after another's 7: resume at
		// the 7, and the 5 after it is one the resumed merge leaves out.
		{"lagging source", []rec{{1, 6}, {2, 7}, {3, 5}, {4, 8}}, []int64{6}, []uint64{2}},
		{"untracked last", []rec{{1, 5}, {2, -1}}, []int64{5}, []uint64{3}},
		{"through never goes back", []rec{{1, 5}, {2, 9}, {3, 6}}, []int64{6, 6}, []uint64{2, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Positions
			for _, r := range tc.recs {
				if r.second < 0 {
					p.Seen(r.seq)
				} else {
					p.Add(r.seq, r.second)
				}
			}
			for i, th := range tc.through {
				if got := p.Resume(th); got != tc.want[i] {
					t.Errorf("Resume(%d): want %d, got %d", th, tc.want[i], got)
				}
			}
		})
	}
}
