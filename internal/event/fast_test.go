package event

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// slowRequest decodes line the general way only, bypassing fastRequest.
func slowRequest(d *Decoder, line []byte, r *Request) error {
	// Request with a line fastRequest declines runs the same code; force it
	// by decoding a copy with a trailing space, which fastRequest never
	// accepts and the general decoder ignores.
	return d.Request(append(bytes.Clone(line), ' '), r)
}

// sameRequest reports whether a and b hold the same request, field by
// field, whatever their buffers: a nil slice and an empty one are the same.
func sameRequest(a, b *Request) bool {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		switch x, y := va.Field(i).Interface(), vb.Field(i).Interface(); x := x.(type) {
		case []byte:
			if !bytes.Equal(x, y.([]byte)) {
				return false
			}
		case []Field:
			y := y.([]Field)
			if len(x) != len(y) {
				return false
			}
			for i := range x {
				if !bytes.Equal(x[i].Name, y[i].Name) || !bytes.Equal(x[i].Value, y[i].Value) {
					return false
				}
			}
		default:
			if x != y {
				return false
			}
		}
	}
	return true
}

// FuzzFastRequest checks that whatever fastRequest accepts, the general
// decoder accepts too, with the same result.
func FuzzFastRequest(f *testing.F) {
	for _, s := range seedLines {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"kind":"request","ts":-0,"status":-0,"bytes":0,"x":"y","path":""}`))
	f.Add([]byte(`{"ts":1,"ts":2,"section":"/a","section":"/b"}`))
	f.Add([]byte(`{"kind":"request","ts":123456789012345,"utc_offset":-86400}`))
	f.Add([]byte(`{"kind":"request","ts":1,"request_time":0.123,"upstream_time":12,"request_length":0,"host":"h","fields":{"a":"b","c":""}}`))
	f.Add([]byte(`{"ts":1,"request_time":999999999.9999999,"upstream_time":0.0000001,"fields":{},"fields":{"x":"y"},"z":1.5}`))
	typical := []byte(seedLines[0])
	f.Fuzz(func(t *testing.T, line []byte) {
		// Keys guessed from another record, then from line itself: a
		// guess, right or wrong, must not change what is decoded.
		var fast, again, slow Request
		g := new(keyGuess)
		fastRequest(typical, &again, g)
		ok := fastRequest(line, &fast, g)
		if fastRequest(line, &again, g) != ok || ok && !sameRequest(&fast, &again) {
			t.Fatalf("%q decoded differently with the keys guessed from itself", line)
		}
		if !ok {
			return
		}
		if err := slowRequest(NewDecoder(), line, &slow); err != nil {
			t.Fatalf("fast path accepted %q, general decoder says %v", line, err)
		}
		if !sameRequest(&fast, &slow) {
			t.Fatalf("%q:\nfast %+v\nslow %+v", line, fast, slow)
		}
	})
}

// randomBytes returns a field value: mostly plain ASCII like real logs,
// sometimes with quotes, backslashes, control characters, UTF-8 or invalid
// bytes.
func randomBytes(rng *rand.Rand) []byte {
	const plain = "abcXYZ019/-._~?=&%:;@ +()"
	b := make([]byte, rng.IntN(40))
	odd := 1 + 1000*rng.IntN(2) // half the values are all plain
	for i := range b {
		switch rng.IntN(20 * odd) {
		case 0:
			b[i] = byte(rng.IntN(256))
		case 1:
			b[i] = `"\`[rng.IntN(2)]
		default:
			b[i] = plain[rng.IntN(len(plain))]
		}
	}
	if rng.IntN(10) == 0 {
		b = append(b, "é→😀"...)
	}
	return b
}

// TestRequestDifferential encodes random requests, checks that the
// encoder's unchecked path wrote what escaping field by field writes, that
// the decoder reads back what encoding/json reads from the same line, and
// that the decoder's fast path took the plain ones.
func TestRequestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	enc, dec := NewEncoder(), NewDecoder()
	// A quarter of the records have plain strings only, which the fast
	// path takes whatever their number.
	plain := false
	opt := func() []byte {
		if rng.IntN(4) == 0 {
			return nil
		}
		if b := randomBytes(rng); !plain || plainASCII(b) {
			return b
		}
		return []byte("plain")
	}
	// Times as logs have them, to the millisecond, or to the last bit,
	// or small enough to need an exponent, or absent.
	seconds := func() float64 {
		switch rng.IntN(8) {
		case 0:
			return -1
		case 1:
			return rng.Float64() * 1e9
		case 2:
			return rng.Float64() * 1e-6
		}
		return float64(rng.IntN(100000)) / 1000
	}
	fastSeen := 0
	for i := range 20000 {
		plain = i%4 == 0
		in := Request{
			TS: rng.Int64N(MaxTS-MinTS) + MinTS, UTCOffset: int32(rng.IntN(2*86400+1) - 86400),
			Status: rng.IntN(1000), Bytes: rng.Int64N(1<<40) - 1,
			Source: opt(), RemoteHost: opt(), Ident: opt(), User: opt(), Method: opt(), Path: opt(),
			Protocol: opt(), Request: opt(), Section: opt(), Referer: opt(), UserAgent: opt(),
			RequestTime: seconds(), UpstreamTime: seconds(), RequestLength: rng.Int64N(1<<40) - 1,
			Host: opt(), Scheme: opt(), XForwardedFor: opt(), Country: opt(),
		}
		for range rng.IntN(4) {
			if name := opt(); len(name) > 0 {
				in.Fields = append(in.Fields, Field{name, opt()})
			}
		}
		line, err := enc.Request(&in)
		if err != nil {
			t.Fatal(err)
		}
		line = bytes.Clone(line)
		escaped, err := NewEncoder().requestEscaped(&in)
		if err != nil || !bytes.Equal(line, escaped) {
			t.Fatalf("record %d: unchecked and escaped encodings differ:\n%q\n%q", i, line, escaped)
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		var want struct {
			TS            int64          `json:"ts"`
			UTCOffset     int32          `json:"utc_offset"`
			Status        int            `json:"status"`
			Bytes         *int64         `json:"bytes"`
			Source        string         `json:"source"`
			RemoteHost    string         `json:"remote_host"`
			Ident         string         `json:"ident"`
			User          string         `json:"user"`
			Method        string         `json:"method"`
			Path          string         `json:"path"`
			Protocol      string         `json:"protocol"`
			Request       string         `json:"request"`
			Section       string         `json:"section"`
			Referer       string         `json:"referer"`
			UserAgent     string         `json:"user_agent"`
			RequestTime   *float64       `json:"request_time"`
			UpstreamTime  *float64       `json:"upstream_time"`
			RequestLength *int64         `json:"request_length"`
			Host          string         `json:"host"`
			Scheme        string         `json:"scheme"`
			XForwardedFor string         `json:"x_forwarded_for"`
			Country       string         `json:"country"`
			Fields        orderedStrings `json:"fields"`
		}
		if err := json.Unmarshal(line, &want); err != nil {
			t.Fatalf("encoding/json rejects %q: %v", line, err)
		}
		var got Request
		if err := dec.Request(line, &got); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		var fast Request
		if fastRequest(line, &fast, new(keyGuess)) {
			fastSeen++
		}
		orAbsent := func(p *float64) float64 {
			if p == nil {
				return -1
			}
			return *p
		}
		orNone := func(p *int64) int64 {
			if p == nil {
				return -1
			}
			return *p
		}
		wantR := Request{TS: want.TS, UTCOffset: want.UTCOffset, Status: want.Status, Bytes: orNone(want.Bytes),
			Source: []byte(want.Source), RemoteHost: []byte(want.RemoteHost), Ident: []byte(want.Ident),
			User: []byte(want.User), Method: []byte(want.Method), Path: []byte(want.Path),
			Protocol: []byte(want.Protocol), Request: []byte(want.Request), Section: []byte(want.Section),
			Referer: []byte(want.Referer), UserAgent: []byte(want.UserAgent),
			RequestTime: orAbsent(want.RequestTime), UpstreamTime: orAbsent(want.UpstreamTime),
			RequestLength: orNone(want.RequestLength), Host: []byte(want.Host), Scheme: []byte(want.Scheme),
			XForwardedFor: []byte(want.XForwardedFor), Country: []byte(want.Country), Fields: want.Fields,
		}
		if !sameRequest(&got, &wantR) {
			t.Fatalf("record %d %q:\n got %+v\nwant %+v", i, line, got, wantR)
		}
		if in.RequestTime != got.RequestTime || in.UpstreamTime != got.UpstreamTime {
			t.Fatalf("record %d %q: times %v %v read back as %v %v", i, line, in.RequestTime, in.UpstreamTime, got.RequestTime, got.UpstreamTime)
		}
	}
	if fastSeen < 100 {
		t.Errorf("fast path took only %d of 20000 records", fastSeen)
	}
}

// orderedStrings reads a JSON object of strings with encoding/json,
// keeping the order of its members, as a reference for Request.Fields.
type orderedStrings []Field

func (o *orderedStrings) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if _, err := d.Token(); err != nil {
		return err
	}
	for d.More() {
		name, err := d.Token()
		if err != nil {
			return err
		}
		var v string
		if err := d.Decode(&v); err != nil {
			return err
		}
		*o = append(*o, Field{[]byte(name.(string)), []byte(v)})
	}
	return nil
}
