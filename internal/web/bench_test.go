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
