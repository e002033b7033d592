package web

import (
	"context"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/httpmon/httpmon/internal/history"
)

var (
	month     *fakeReader
	monthOnce sync.Once
)

// BenchmarkPage30Days serves the page of a 30-day range, the whole of
// its work: the questions to the history, the charts and the template.
// The budget of the whole page is 300 ms. "store" asks a real store of a
// year of history (built once per run, which takes a while); "memory" a
// fake in memory, which leaves the page's own cost.
func BenchmarkPage30Days(b *testing.B) {
	target := "/?from=" + strconv.Itoa(fakeEnd-30*86400) + "&to=" + strconv.Itoa(fakeEnd)
	page := func(b *testing.B, h history.Reader) {
		s := New(Options{}, h)
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
	b.Run("store", func(b *testing.B) {
		h := yearStore(b)
		// A year, and a page of the month that has all of it.
		ser, err := h.Series(context.Background(), history.Range{From: fakeEnd - yearDays*86400, To: fakeEnd}, 400)
		if err != nil || ser.Total.Hits == 0 || ser.Points[0].Hits == 0 {
			b.Fatalf("the year's history: %v, %+v", err, ser.Points[0])
		}
		page(b, h)
	})
	b.Run("memory", func(b *testing.B) {
		monthOnce.Do(func() { month = newFakeReader(31) })
		page(b, month)
	})
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
