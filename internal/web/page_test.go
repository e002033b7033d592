package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// A range without requests says so on each of its graphs and the
// heatmap, instead of drawing flat lines that look like a quiet site; one
// with requests does not.
func TestPageSaysNoData(t *testing.T) {
	s := New(Options{}, sharedStore(t))
	for _, tc := range []struct {
		target string
		want   int
	}{
		{"/?from=1700000000&to=1700003600", 3}, // requests, classes, heatmap
		{"/?last=1h", 0},
		{"/?last=1h&section=%2Fnone", 3},
	} {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest("GET", tc.target, nil))
		if w.Code != 200 {
			t.Fatalf("%s: %d", tc.target, w.Code)
		}
		if n := strings.Count(w.Body.String(), `class="nodata"`); n != tc.want {
			t.Errorf("%s: want %d panels saying there is no data, got %d", tc.target, tc.want, n)
		}
	}
}
