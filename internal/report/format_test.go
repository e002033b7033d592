package report

import (
	"strconv"
	"testing"
)

func TestDigits(t *testing.T) {
	for _, n := range []int64{0, 9, 10, 99, 100, 1<<63 - 1, -1, -10, -(1<<63 - 1), -1 << 63} {
		if got, want := digits(n), len(strconv.FormatInt(n, 10)); got != want {
			t.Errorf("digits(%d) = %d, want %d", n, got, want)
		}
	}
}
