package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// slowRequest decodes line the general way only, bypassing fastRequest.
func slowRequest(d *Decoder, line []byte, r *Request) error {
	// Request with a line fastRequest declines runs the same code; force it
	// by decoding a copy with a trailing space, which fastRequest never
	// accepts and the general decoder ignores.
	return d.Request(append(bytes.Clone(line), ' '), r)
}

func sameRequest(a, b *Request) bool {
	return a.TS == b.TS && a.UTCOffset == b.UTCOffset && a.Status == b.Status && a.Bytes == b.Bytes &&
		bytes.Equal(a.Source, b.Source) && bytes.Equal(a.RemoteHost, b.RemoteHost) &&
		bytes.Equal(a.Ident, b.Ident) && bytes.Equal(a.User, b.User) &&
		bytes.Equal(a.Method, b.Method) && bytes.Equal(a.Path, b.Path) &&
		bytes.Equal(a.Protocol, b.Protocol) && bytes.Equal(a.Request, b.Request) &&
		bytes.Equal(a.Section, b.Section) && bytes.Equal(a.Referer, b.Referer) &&
		bytes.Equal(a.UserAgent, b.UserAgent)
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
	f.Fuzz(func(t *testing.T, line []byte) {
		var fast, slow Request
		if !fastRequest(line, &fast) {
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
	opt := func() []byte {
		if rng.IntN(4) == 0 {
			return nil
		}
		return randomBytes(rng)
	}
	fastSeen := 0
	for i := range 20000 {
		in := Request{
			TS: rng.Int64N(MaxTS-MinTS) + MinTS, UTCOffset: int32(rng.IntN(2*86400+1) - 86400),
			Status: rng.IntN(1000), Bytes: rng.Int64N(1<<40) - 1,
			Source: opt(), RemoteHost: opt(), Ident: opt(), User: opt(), Method: opt(), Path: opt(),
			Protocol: opt(), Request: opt(), Section: opt(), Referer: opt(), UserAgent: opt(),
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
			TS         int64   `json:"ts"`
			UTCOffset  int32   `json:"utc_offset"`
			Status     int     `json:"status"`
			Bytes      *int64  `json:"bytes"`
			Source     string  `json:"source"`
			RemoteHost string  `json:"remote_host"`
			Ident      string  `json:"ident"`
			User       string  `json:"user"`
			Method     string  `json:"method"`
			Path       string  `json:"path"`
			Protocol   string  `json:"protocol"`
			Request    string  `json:"request"`
			Section    string  `json:"section"`
			Referer    string  `json:"referer"`
			UserAgent  string  `json:"user_agent"`
			Unused     *string `json:"-"`
		}
		if err := json.Unmarshal(line, &want); err != nil {
			t.Fatalf("encoding/json rejects %q: %v", line, err)
		}
		var got Request
		if err := dec.Request(line, &got); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		var fast Request
		if fastRequest(line, &fast) {
			fastSeen++
		}
		wantBytes := int64(-1)
		if want.Bytes != nil {
			wantBytes = *want.Bytes
		}
		gotS := fmt.Sprintf("%d %d %d %d %q %q %q %q %q %q %q %q %q %q %q", got.TS, got.UTCOffset, got.Status, got.Bytes,
			got.Source, got.RemoteHost, got.Ident, got.User, got.Method, got.Path, got.Protocol, got.Request,
			got.Section, got.Referer, got.UserAgent)
		wantS := fmt.Sprintf("%d %d %d %d %q %q %q %q %q %q %q %q %q %q %q", want.TS, want.UTCOffset, want.Status, wantBytes,
			want.Source, want.RemoteHost, want.Ident, want.User, want.Method, want.Path, want.Protocol, want.Request,
			want.Section, want.Referer, want.UserAgent)
		if gotS != wantS {
			t.Fatalf("record %d %q:\n got %s\nwant %s", i, line, gotS, wantS)
		}
	}
	if fastSeen < 100 {
		t.Errorf("fast path took only %d of 20000 records", fastSeen)
	}
}
