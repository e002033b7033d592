package e2e_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"
)

// A follower that starts with a backlog (httpmon-parse --follow
// --from-start, or tail -F's last lines) is a replay while it reads it, and
// httpmon-window holds its seconds for --replay-lateness; once live lines
// arrive at the pace of the wall clock, it must be live again, and a
// second's tick go out --lateness after the second, not --replay-lateness.
func TestBacklogThenLive(t *testing.T) {
	win := command(t, "httpmon-window", "--interval", "1s")
	in, _ := win.StdinPipe()
	out, _ := win.StdoutPipe()
	if err := win.Start(); err != nil {
		t.Fatal(err)
	}
	defer win.Process.Kill()

	type tick struct {
		ts int64
		at time.Time
	}
	ticks := make(chan tick, 1<<16)
	go func() {
		br := bufio.NewReader(out)
		for {
			l, err := br.ReadBytes('\n')
			if err != nil {
				close(ticks)
				return
			}
			var r struct {
				Kind string `json:"kind"`
				TS   int64  `json:"ts"`
			}
			if json.Unmarshal(l, &r) == nil && r.Kind == "tick" {
				ticks <- tick{r.TS, time.Now()}
			}
		}
	}()
	req := func(ts int64) {
		fmt.Fprintf(in, `{"kind":"request","ts":%d,"section":"/a","status":200,"bytes":1}`+"\n", ts)
	}

	// An hour of backlog, a request every 2 s, read at once.
	start := time.Now().Unix()
	for ts := start - 3600; ts < start; ts += 2 {
		req(ts)
	}
	// Then live lines, one per wall second, stamped with their second,
	// until a live second's tick comes out within --lateness (5s) + 2 s
	// of the second's end, or a deadline long past the 10 s the window
	// may take to see that the input is live.
	deadline := time.Now().Add(40 * time.Second)
	next := start
	var last tick
	for time.Now().Before(deadline) {
		if now := time.Now().Unix(); now >= next {
			req(now)
			next = now + 1
		}
		select {
		case tk, ok := <-ticks:
			if !ok {
				t.Fatal("httpmon-window ended")
			}
			last = tk
			if tk.ts >= start && tk.at.Sub(time.Unix(tk.ts+1, 0)) < 7*time.Second {
				in.Close()
				io.Copy(io.Discard, out)
				return
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("no live second came out within --lateness of its end; the last tick was of %d, %v after its end",
		last.ts, last.at.Sub(time.Unix(last.ts+1, 0)))
}
