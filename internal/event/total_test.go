package event

import (
	"reflect"
	"strings"
	"testing"
)

func TestTotalRoundTrip(t *testing.T) {
	in := Total{
		Start: 1549573850, End: 1549574400, UTCOffset: -7200, Seconds: 550,
		Hits: 5, Bytes: 700, Late: 1,
		Status:  StatusCounts{Class2xx: 4, Class4xx: 1},
		Codes:   []CodeCount{{200, 4}, {404, 1}},
		Latency: Latency{Count: 2, P50: 0.1, P90: 0.2, P99: 0.2, Max: 0.2},
		Hours:   [24]int64{3: 5}, HasHours: true,
		Days:        []TopEntry{{Key: []byte("2019-02-07"), Hits: 5, Bytes: 700}},
		DaysDropped: 3,
	}
	in.Lists[TopPaths] = []TopEntry{{Key: []byte("/a\"é"), Hits: 4, Bytes: 700}, {Key: []byte("/b"), Hits: 1}}
	in.Lists[TopNotFound] = []TopEntry{{Key: []byte("/b"), Hits: 1}}
	in.Approx[TopPaths] = 2
	enc, dec := NewEncoder(), NewDecoder()
	line, err := enc.Total(&in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"total","start":1549573850,"end":1549574400,"utc_offset":-7200,"seconds":550,"hits":5,"bytes":700,"late":1,` +
		`"status":{"1xx":0,"2xx":4,"3xx":0,"4xx":1,"5xx":0,"other":0},"codes":[{"key":"200","hits":4},{"key":"404","hits":1}],` +
		`"latency":{"count":2,"p50":0.1,"p90":0.2,"p99":0.2,"max":0.2},` +
		`"paths":[{"key":"/a\"é","hits":4,"bytes":700},{"key":"/b","hits":1,"bytes":0}],"not_found":[{"key":"/b","hits":1,"bytes":0}],` +
		`"hours":[0,0,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"days":[{"key":"2019-02-07","hits":5,"bytes":700}],"days_dropped":3,"approx":{"paths":2}}` + "\n"
	if string(line) != want {
		t.Fatalf("encoded\n%s\nwant\n%s", line, want)
	}
	var out Total
	if err := dec.Total(line, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("decoded %+v\nwant %+v", out, in)
	}
}

func TestTotalDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{`{"kind":"total","end":1}`, `missing field "start"`},
		{`{"kind":"total","start":1}`, `missing field "end"`},
		{`{"kind":"total","start":2,"end":1}`, `"end" is before "start"`},
		{`{"kind":"total","start":1,"end":1,"hours":[1,2]}`, `want 24 numbers`},
		{`{"kind":"total","start":1,"end":1,"codes":[{"key":"20x","hits":1}]}`, `want a status code`},
		{`{"kind":"total","start":1,"end":1,"codes":[{"key":"0200","hits":1}]}`, `want a status code`},
		{`{"kind":"total","start":1,"end":1,"paths":[{"hits":1}]}`, `missing field "paths[].key"`},
		{`{"kind":"total","start":1,"end":1,"paths":[{"key":"/","hits":-1}]}`, `non-negative`},
		{`{"kind":"total","start":1,"end":1,"approx":{"paths":"x"}}`, `approx.paths`},
		{`{"kind":"total","start":1,"end":1,"days":[{"key":"yesterday","hits":1}]}`, `is not a date, YYYY-MM-DD`},
		{`{"kind":"total","start":1,"end":1,"days":[{"key":"2019-2-7","hits":1}]}`, `is not a date`},
	} {
		var tt Total
		err := NewDecoder().Total([]byte(tc.line), &tt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.line, err, tc.want)
		}
	}
}
