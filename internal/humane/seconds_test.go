package humane

import "testing"

func TestAppendSeconds(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {-1, "0"}, {1e-7, "<1µs"}, {0.00085, "850µs"}, {0.0009996, "1ms"}, {0.0125, "12.5ms"},
		{0.1, "100ms"}, {0.12345, "123ms"}, {0.9996, "1s"}, {1.2, "1.2s"}, {1.23456, "1.23s"}, {12.34, "12.3s"},
		{59.4, "59.4s"}, {59.6, "1m"}, {125, "2m5s"}, {3600, "1h"}, {3725, "1h2m"},
	} {
		if got := string(AppendSeconds(nil, tc.v)); got != tc.want {
			t.Errorf("AppendSeconds(%g) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
