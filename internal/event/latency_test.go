package event

import (
	"reflect"
	"strings"
	"testing"
)

func TestLatencyEncode(t *testing.T) {
	enc := NewEncoder()
	tests := []struct {
		name string
		rec  func() ([]byte, error)
		want string
	}{
		{"tick without request times has no latency", func() ([]byte, error) {
			return enc.Tick(&Tick{TS: 1, Hits: 2})
		}, `{"kind":"tick","ts":1,"hits":2,"bytes":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0}}` + "\n"},
		{"tick carries the sketch", func() ([]byte, error) {
			return enc.Tick(&Tick{TS: 1, Hits: 3, Latency: Latency{Count: 3, Max: 0.125, Zero: 1, Bins: []Bin{{-104, 1}, {-103, 1}}}})
		}, `{"kind":"tick","ts":1,"hits":3,"bytes":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"latency":{"count":3,"max":0.125,"zero":1,"bins":[[-104,1],[-103,1]]}}` + "\n"},
		{"summary and section carry percentiles", func() ([]byte, error) {
			l := Latency{Count: 2, P50: 0.1, P90: 0.2, P99: 0.2, Max: 0.2}
			return enc.Summary(&Summary{Start: 0, End: 10, Latency: l, Sections: []SectionStat{{Section: []byte("/a"), Hits: 2, Latency: l}}})
		}, `{"kind":"summary","start":0,"end":10,"seconds":0,"partial":false,"hits":0,"rps":0,"bytes":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"latency":{"count":2,"p50":0.1,"p90":0.2,"p99":0.2,"max":0.2},"late":0,"sections_total":0,"sections":[{"section":"/a","hits":2,"bytes":0,"4xx":0,"5xx":0,"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"top_path":"","top_bytes":0,"latency":{"count":2,"p50":0.1,"p90":0.2,"p99":0.2,"max":0.2}}]}` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.rec()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("\nwant %s\n got %s", tc.want, got)
			}
		})
	}
}

func TestLatencyRoundTrip(t *testing.T) {
	enc, dec := NewEncoder(), NewDecoder()
	tick := Tick{TS: 7, Hits: 4, Latency: Latency{Count: 4, Max: 2.5, Zero: 2, Bins: []Bin{{-3, 1}, {46, 1}}}}
	line, err := enc.Tick(&tick)
	if err != nil {
		t.Fatal(err)
	}
	var gt Tick
	if err := dec.Tick(line, &gt); err != nil || !reflect.DeepEqual(gt, tick) {
		t.Errorf("tick round trip: %v\nwant %+v\n got %+v", err, tick, gt)
	}
	sum := Summary{End: 10, Latency: Latency{Count: 9, P50: 0.0125, P90: 1.5, P99: 3, Max: 3.25},
		Sections: []SectionStat{{Section: []byte("/x"), Latency: Latency{Count: 1, P50: 1, P90: 1, P99: 1, Max: 1}}}}
	line, _ = enc.Summary(&sum)
	var gs Summary
	if err := dec.Summary(line, &gs); err != nil {
		t.Fatal(err)
	}
	if a, b := string(mustSummary(t, enc, &sum)), string(mustSummary(t, enc, &gs)); a != b {
		t.Errorf("summary round trip:\nwant %s\n got %s", a, b)
	}
	// A summary without latency leaves none from the record decoded before.
	line, _ = enc.Summary(&Summary{End: 10})
	if err := dec.Summary(line, &gs); err != nil || gs.Latency.Count != 0 {
		t.Errorf("latency left over: %v %+v", err, gs.Latency)
	}
}

func TestLatencyDecodeErrors(t *testing.T) {
	dec := NewDecoder()
	var tk Tick
	var s Summary
	tests := []struct{ name, line, err string }{
		{"not an object", `{"kind":"tick","ts":1,"latency":[]}`, `field "latency": want an object`},
		{"negative max", `{"kind":"tick","ts":1,"latency":{"count":1,"max":-1}}`, `field "latency.max": want seconds`},
		{"huge p99", `{"kind":"summary","start":1,"end":2,"latency":{"count":1,"p99":1e9}}`, `field "latency.p99": want seconds`},
		{"bins short of count", `{"kind":"tick","ts":1,"latency":{"count":3,"max":1,"bins":[[1,1]]}}`, `hold 1 request times, not "count" 3`},
		{"bins not ascending", `{"kind":"tick","ts":1,"latency":{"count":2,"max":1,"bins":[[2,1],[1,1]]}}`, `must ascend`},
		{"bin of zero count", `{"kind":"tick","ts":1,"latency":{"count":1,"max":1,"bins":[[2,0],[3,1]]}}`, `count of at least 1`},
		{"bin index too big", `{"kind":"tick","ts":1,"latency":{"count":1,"max":1,"bins":[[3e9,1]]}}`, `32-bit integer`},
		{"bin not a pair", `{"kind":"tick","ts":1,"latency":{"count":1,"max":1,"bins":[3]}}`, `want an array of index and count`},
		{"section latency", `{"kind":"summary","start":1,"end":2,"sections":[{"section":"/","latency":{"count":"x"}}]}`, `field "sections[].latency.count"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if strings.Contains(tc.line, `"tick"`) {
				err = dec.Tick([]byte(tc.line), &tk)
			} else {
				err = dec.Summary([]byte(tc.line), &s)
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("want error containing %q, got %v", tc.err, err)
			}
		})
	}
}
