package notify

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// transitions returns n alerts' firing and resolution each, interleaved as
// a flapping stream makes them: a1 firing, a2 firing, a1 resolved, a1
// firing again, ….
func transitions(n, rounds int) []*Alert {
	var out []*Alert
	for r := range rounds {
		for i := range n {
			for _, st := range []string{"firing", "resolved"} {
				a := firing()
				a.Name, a.State, a.TS = fmt.Sprintf("a%d", i), st, int64(1000+r)
				a.Record = fmt.Appendf(nil, `{"kind":"alert","name":"a%d","state":"%s","round":%d}`, i, st, r)
				out = append(out, a)
			}
		}
	}
	return out
}

// checkOrder fails unless every alert's lines alternate firing, resolved,
// firing, … from the first, and each alert got want of them.
func checkOrder(t *testing.T, lines []string, alerts, want int) {
	t.Helper()
	seen := map[string][]string{}
	for _, l := range lines {
		name, state, _ := strings.Cut(l, " ")
		seen[name] = append(seen[name], state)
	}
	if len(seen) != alerts {
		t.Fatalf("want %d alerts, got %d: %q", alerts, len(seen), lines)
	}
	for name, states := range seen {
		if len(states) != want {
			t.Errorf("%s: want %d transitions, got %d", name, want, len(states))
		}
		for i, s := range states {
			if w := []string{"firing", "resolved"}[i%2]; s != w {
				t.Errorf("%s: transition %d is %s, want %s: %q", name, i, s, w, states)
				break
			}
		}
	}
}

// TestQueueOrderPerAlert runs many alerts' transitions through several
// workers whose deliveries take random times: every alert's transitions
// arrive in the order queued, while different alerts go at once.
func TestQueueOrderPerAlert(t *testing.T) {
	for run := range 5 {
		var mu sync.Mutex
		var lines []string
		running, most := 0, 0
		var q queue
		q.start("test", NewLog(&bytes.Buffer{}, "test"), 10000, 8, func(a *Alert) {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
			mu.Lock()
			running--
			lines = append(lines, a.Name+" "+a.State)
			mu.Unlock()
		})
		for _, a := range transitions(20, 5) {
			q.push(a)
		}
		closeQueue(t, &q)
		checkOrder(t, lines, 20, 10)
		if most < 2 {
			t.Errorf("run %d: deliveries never overlapped: unrelated alerts must go in parallel", run)
		}
	}
}

// TestExecOrderPerAlert: a command that takes longer for firing than for
// resolved alerts, run four at a time, still sees every alert's
// resolution after its firing.
func TestExecOrderPerAlert(t *testing.T) {
	for range 3 {
		out := filepath.Join(t.TempDir(), "out")
		var log bytes.Buffer
		e := NewExec(ExecConfig{
			Command: `cat >/dev/null; [ "$HTTPMON_ALERT_STATE" = firing ] && sleep 0.05; echo "$HTTPMON_ALERT_NAME $HTTPMON_ALERT_STATE" >> ` + out,
			Timeout: 10 * time.Second, Parallel: 4, Queue: 100, Log: NewLog(&log, "test"),
		})
		for _, a := range transitions(6, 2) {
			e.Notify(a)
		}
		if st := closeNow(e); st != (Stats{Delivered: 24}) {
			t.Fatalf("stats %+v, log %s", st, log.String())
		}
		b, _ := os.ReadFile(out)
		checkOrder(t, strings.Split(strings.TrimSpace(string(b)), "\n"), 6, 4)
	}
}

func closeQueue(t *testing.T, q *queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if st := q.close(ctx); st.Dropped != 0 {
		t.Fatalf("dropped %d", st.Dropped)
	}
}
