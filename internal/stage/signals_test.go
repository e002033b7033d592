package stage

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestInterrupts(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type sig struct {
		s                     os.Signal
		after                 time.Duration // since the previous signal
		wantStop, wantAbandon bool
	}
	tests := []struct {
		name string
		sigs []sig
	}{
		{"one", []sig{{syscall.SIGTERM, 0, true, false}}},
		{"timeout: the same signal twice at once", []sig{{syscall.SIGTERM, 0, true, false}, {syscall.SIGTERM, time.Millisecond, false, false}}},
		{"a burst of the same signal", []sig{{os.Interrupt, 0, true, false}, {os.Interrupt, 100 * time.Millisecond, false, false}, {os.Interrupt, 100 * time.Millisecond, false, false}}},
		{"a deliberate second Ctrl-C", []sig{{os.Interrupt, 0, true, false}, {os.Interrupt, time.Second, false, true}}},
		{"a different signal", []sig{{os.Interrupt, 0, true, false}, {syscall.SIGTERM, time.Millisecond, false, true}}},
		{"merged, then a later one", []sig{{syscall.SIGTERM, 0, true, false}, {syscall.SIGTERM, 0, false, false}, {syscall.SIGTERM, 2 * time.Second, false, true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in interrupts
			now := t0
			for i, s := range tc.sigs {
				now = now.Add(s.after)
				stop, abandon := in.add(s.s, now)
				if stop != s.wantStop || abandon != s.wantAbandon {
					t.Errorf("signal %d (%v after %v): stop %v abandon %v, want %v %v", i+1, s.s, s.after, stop, abandon, s.wantStop, s.wantAbandon)
				}
			}
		})
	}
}
