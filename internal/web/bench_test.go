package web

import (
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

var (
	month     *fakeReader
	monthOnce sync.Once
)

// BenchmarkPage30Days renders the page of a 30-day range, the whole of
// the page's own work: the questions to the reader (a fake, in memory,
// whose cost the store's benchmarks measure for real), the charts and the
// template. The budget of the whole page is 300 ms.
func BenchmarkPage30Days(b *testing.B) {
	monthOnce.Do(func() { month = newFakeReader(31) })
	s := New(Options{}, month)
	target := "/?from=" + strconv.Itoa(fakeEnd-30*86400) + "&to=" + strconv.Itoa(fakeEnd)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		if w.Code != 200 {
			b.Fatalf("%d: %s", w.Code, w.Body)
		}
		b.SetBytes(int64(w.Body.Len()))
	}
}

// BenchmarkPublish is the cost to the report's loop of each record it
// hands to the live stream: with nobody watching, and with one browser.
func BenchmarkPublish(b *testing.B) {
	line := []byte(`{"kind":"tick","ts":1796083200,"hits":7,"bytes":1,"status":{"1xx":0,"2xx":7,"3xx":0,"4xx":0,"5xx":0,"other":0}}`)
	b.Run("no streams", func(b *testing.B) {
		s := New(Options{}, sharedFake())
		b.ReportAllocs()
		for b.Loop() {
			s.Publish("tick", line)
		}
	})
	b.Run("one stream", func(b *testing.B) {
		s := New(Options{}, sharedFake())
		st := s.broker.add()
		var msgs [][]byte
		b.ReportAllocs()
		for b.Loop() {
			s.Publish("tick", line)
			msgs = st.take(msgs)
		}
	})
}
