package humane

import (
	"math"
	"testing"
)

func TestRate(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{-1, "0"},
		{math.NaN(), "0"},
		{1.0 / 30, "0.033"},
		{0.5, "0.5"},
		{0.1, "0.1"},
		{0.25, "0.25"},
		{0.0999, "0.1"},
		{0.994, "0.99"},
		{0.995, "1.0"},
		{1, "1.0"},
		{8.781818, "8.8"},
		{120.6, "120.6"},
		{9_876_543.2, "9876543.2"},
		{0.00012345, "0.00012"},
		{0.000001, "0.000001"},
		{0.0000001, "<0.000001"},
	}
	for _, tc := range tests {
		if got := Rate(tc.v); got != tc.want {
			t.Errorf("Rate(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
