package event

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestRequestFields checks requestFields against the Request type: each
// entry's offset is that of a field of the Go type its fieldType says,
// every field of Request is on the wire, once, and no name is taken twice.
func TestRequestFields(t *testing.T) {
	goType := map[fieldType]reflect.Type{
		textField:    reflect.TypeFor[[]byte](),
		tsField:      reflect.TypeFor[int64](),
		offsetField:  reflect.TypeFor[int32](),
		statusField:  reflect.TypeFor[int](),
		sizeField:    reflect.TypeFor[int64](),
		secondsField: reflect.TypeFor[float64](),
		pairsField:   reflect.TypeFor[[]Field](),
	}
	rt := reflect.TypeFor[Request]()
	byOffset := map[uintptr]reflect.StructField{}
	for i := range rt.NumField() {
		byOffset[rt.Field(i).Offset] = rt.Field(i)
	}
	seen := map[string]int{}
	names := map[string]int{}
	for k := keyOther + 1; k < numKeys; k++ {
		f := &requestFields[k]
		sf, ok := byOffset[f.off]
		if !ok {
			t.Errorf("key %d %s: offset %d is no field's", k, f.key(), f.off)
			continue
		}
		if want := goType[f.typ]; sf.Type != want {
			t.Errorf("key %d %s: field %s is a %v, its fieldType says %v", k, f.key(), sf.Name, sf.Type, want)
		}
		if prev, dup := seen[sf.Name]; dup {
			t.Errorf("keys %d and %d are both field %s", prev, k, sf.Name)
		}
		seen[sf.Name] = k
		if prev, dup := names[f.name]; dup {
			t.Errorf("keys %d and %d are both named %q", prev, k, f.name)
		}
		names[f.name] = k
		if requestKeys[f.name] != k {
			t.Errorf("requestKeys[%q] = %d, want %d", f.name, requestKeys[f.name], k)
		}
	}
	for i := range rt.NumField() {
		if _, ok := seen[rt.Field(i).Name]; !ok {
			t.Errorf("field %s of Request is not in requestFields", rt.Field(i).Name)
		}
	}
}

func TestAppendSeconds(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{0.123, "0.123"},
		{12.5, "12.5"},
		{0.001, "0.001"},
		{1, "1"},
		{60.0005, "60.0005"},
		{999999999.999, "999999999.999"},
		{math.Nextafter(0.3, 1), "0.30000000000000004"},
		{0.000001, "0.000001"},
		{1e-7, "1e-7"},
		{1.5e-9, "1.5e-9"},
		{0.000123, "0.000123"},
		{1.000001, "1.000001"},
		{123456.0000005, "123456.0000005"},
		{0.1, "0.1"},
	} {
		if got := string(appendSeconds(nil, tc.v)); got != tc.want {
			t.Errorf("appendSeconds(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	// Against strconv's shortest digits, for times of every resolution.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100000 {
		v := rng.Float64() * math.Pow(10, float64(rng.IntN(15)-6))
		if i%2 == 0 {
			v = math.Round(v*1e3) / 1e3
		}
		if i%4 == 1 {
			v = math.Round(v*1e6) / 1e6
		}
		want := strconv.FormatFloat(v, 'f', -1, 64)
		if v != 0 && v < 1e-6 {
			want = strings.Replace(strconv.FormatFloat(v, 'e', -1, 64), "e-0", "e-", 1)
		}
		if got := string(appendSeconds(nil, v)); got != want {
			t.Fatalf("appendSeconds(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestRequestLogFormatFields checks the fields that only some log formats
// have: written after the others in a fixed order, left out when absent,
// read back the same by both decoders, and refused out of range.
func TestRequestLogFormatFields(t *testing.T) {
	r := Request{TS: 1549573860, Status: 200, Bytes: 5, Path: []byte("/a"),
		RequestTime: 0.123, UpstreamTime: 12.5, RequestLength: 731,
		Host: []byte("example.com"), Scheme: []byte("https"), XForwardedFor: []byte("203.0.113.7, 10.0.0.1"),
		Country: []byte("FR"),
		Fields:  []Field{{[]byte("ssl_protocol"), []byte("TLSv1.3")}, {[]byte("a\"\tb"), []byte("")}, {[]byte("cache"), []byte("HIT")}},
	}
	const want = `{"kind":"request","ts":1549573860,"path":"/a","status":200,"bytes":5,"request_time":0.123,"upstream_time":12.5,"request_length":731,"host":"example.com","scheme":"https","x_forwarded_for":"203.0.113.7, 10.0.0.1","country":"FR","fields":{"ssl_protocol":"TLSv1.3","a\"\tb":"","cache":"HIT"}}` + "\n"
	enc, dec := NewEncoder(), NewDecoder()
	line, err := enc.Request(&r)
	if err != nil {
		t.Fatal(err)
	}
	if string(line) != want {
		t.Fatalf("want %s got %s", want, line)
	}
	var fast, slow Request
	if err := dec.Request(line, &fast); err != nil {
		t.Fatal(err)
	}
	if err := slowRequest(dec, line, &slow); err != nil {
		t.Fatal(err)
	}
	if !sameRequest(&fast, &r) || !sameRequest(&slow, &r) {
		t.Fatalf("\nwant %+v\nfast %+v\nslow %+v", r, fast, slow)
	}

	// The plain path and the fast decoder, without the escaped name.
	r.Fields = r.Fields[:1]
	line, _ = enc.Request(&r)
	line = bytes.Clone(line)
	if !fastRequest(bytes.TrimSuffix(line, []byte("\n")), &fast, new(keyGuess)) || !sameRequest(&fast, &r) {
		t.Fatalf("fast path: %s\n%+v", line, fast)
	}

	absent := Request{TS: 1, Bytes: -1, RequestTime: -1, UpstreamTime: -1, RequestLength: -1}
	line, _ = enc.Request(&absent)
	if string(line) != `{"kind":"request","ts":1}`+"\n" {
		t.Errorf("absent fields written: %s", line)
	}
	for _, line := range []string{`{"kind":"request","ts":1}`, `{"kind":"request","ts":1,"request_time":null,"fields":null} `} {
		if err := dec.Request([]byte(line), &fast); err != nil || !sameRequest(&fast, &absent) {
			t.Errorf("%s: %v %+v", line, err, fast)
		}
	}
}

func TestRequestLogFormatFieldErrors(t *testing.T) {
	dec := NewDecoder()
	for _, tc := range []struct{ line, err string }{
		{`{"ts":1,"request_time":-0.5}`, `field "request_time": want seconds from 0 to below 1e9`},
		{`{"ts":1,"upstream_time":1e9}`, `field "upstream_time": want seconds from 0 to below 1e9`},
		{`{"ts":1,"upstream_time":"1"}`, `field "upstream_time": want a number, got a string`},
		{`{"ts":1,"request_length":1.5}`, `field "request_length": want a non-negative integer below 2^53`},
		{`{"ts":1,"request_length":9007199254740992}`, `field "request_length": want a non-negative integer below 2^53`},
		{`{"ts":1,"fields":["a"]}`, `field "fields": want an object, got an array`},
		{`{"ts":1,"fields":{"a":1}}`, `field "fields.a": want a string, got a number`},
		{`{"ts":1,"host":2}`, `field "host": want a string, got a number`},
	} {
		var r Request
		if err := dec.Request([]byte(tc.line), &r); err == nil || err.Error() != tc.err {
			t.Errorf("%s: want %q, got %v", tc.line, tc.err, err)
		}
	}
	for _, tc := range []struct {
		name string
		r    Request
		want string
	}{
		{"request time", Request{RequestTime: 1e9, UpstreamTime: -1, RequestLength: -1}, "request time 1000000000 s is not below 1e9 s"},
		{"upstream time NaN", Request{RequestTime: -1, UpstreamTime: math.NaN(), RequestLength: -1}, "upstream time NaN s is not below 1e9 s"},
		{"upstream time infinite", Request{RequestTime: -1, UpstreamTime: math.Inf(1), RequestLength: -1}, "upstream time +Inf s is not below 1e9 s"},
		{"request length", Request{RequestTime: -1, UpstreamTime: -1, RequestLength: 1 << 53}, "request length 9007199254740992 is over"},
		{"field without a name", Request{RequestTime: -1, UpstreamTime: -1, RequestLength: -1, Fields: []Field{{Value: []byte("x")}}}, "a field has no name"},
	} {
		tc.r.TS, tc.r.Bytes = 1, -1
		if err := CheckRequest(&tc.r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want an error with %q, got %v", tc.name, tc.want, err)
		}
	}
	ok := Request{TS: 1, Bytes: -1, RequestTime: 999999999.999, UpstreamTime: 0, RequestLength: MaxCount}
	if err := CheckRequest(&ok); err != nil {
		t.Errorf("want no error, got %v", err)
	}
	if _, err := NewEncoder().Request(&Request{TS: 1, Bytes: -1, RequestTime: math.NaN(), UpstreamTime: -1, RequestLength: -1}); err == nil {
		t.Error("encoder: want an error for a NaN time")
	}
}

// TestKeyAt checks keyAt against every key of requestFields, with and
// without the bytes of a value after it, and against each key cut short or
// changed in one byte.
func TestKeyAt(t *testing.T) {
	for k := keyOther + 1; k < numKeys; k++ {
		for j := keyOther + 1; j < numKeys; j++ {
			b := []byte(requestFields[j].key() + `"a value long enough for three words"`)
			if got := keyAt(b, k); got != (j == k) {
				t.Errorf("keyAt(%q, %s) = %v", b, requestFields[k].name, got)
			}
		}
		key := requestFields[k].key()
		for i := range len(key) {
			b := []byte(key + `"a value long enough for three words"`)
			b[i] ^= 0x20
			if keyAt(b, k) {
				t.Errorf("keyAt(%q, %s) = true", b, requestFields[k].name)
			}
		}
		if keyAt([]byte(key), k) && len(key) < 24 {
			t.Errorf("keyAt(%q, %s) = true for fewer than three words", key, requestFields[k].name)
		}
	}
	if keyAt([]byte(`"path":"/a value long enough for three words"`), keyOther) {
		t.Error("keyAt guessed keyOther")
	}
}
