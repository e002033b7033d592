package e2e_test

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// A site that stops getting requests altogether must still see its alert
// resolve: with the input open and silent, httpmon-window moves event time
// on with the wall clock, and the ticks it emits reach httpmon-alert.
func TestSilenceResolvesAlert(t *testing.T) {
	win := command(t, "httpmon-window", "--lateness", "0s", "--interval", "1s", "--idle", "300ms")
	alert := command(t, "httpmon-alert", "--window", "2s", "--threshold", "1")
	in, _ := win.StdinPipe()
	pipe, _ := win.StdoutPipe()
	alert.Stdin = pipe
	out, _ := alert.StdoutPipe()
	if err := win.Start(); err != nil {
		t.Fatal(err)
	}
	if err := alert.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		win.Process.Kill()
		alert.Process.Kill()
	}()

	// A burst logged now, then nothing; the input stays open.
	now := time.Now().Unix()
	for range 10 {
		fmt.Fprintf(in, `{"kind":"request","ts":%d,"section":"/a","status":200,"bytes":1}`+"\n", now)
	}
	br := bufio.NewReader(out)
	states := []string{}
	for len(states) < 2 {
		l := readLine(t, br)
		if !strings.Contains(l, `"kind":"alert"`) {
			continue
		}
		for _, s := range []string{"firing", "resolved"} {
			if strings.Contains(l, `"state":"`+s+`"`) {
				states = append(states, s)
			}
		}
		if len(states) == 1 && !strings.Contains(l, fmt.Sprintf(`"ts":%d`, now)) {
			t.Errorf("alert for the wrong second: %s", l)
		}
	}
	if states[0] != "firing" || states[1] != "resolved" {
		t.Fatalf("got alerts %v, want firing then resolved", states)
	}
	in.Close()
	io.Copy(io.Discard, br)
	if err := waitExit(t, win); err != nil {
		t.Fatal(err)
	}
	if err := waitExit(t, alert); err != nil {
		t.Fatal(err)
	}
}
