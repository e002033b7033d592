package web

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// /api/ticks is the wire protocol: piped into the real httpmon-alert, as
// `curl …/api/ticks | httpmon-alert --rule …` does, it re-evaluates a new
// rule over the stored history.
func TestAPITicksThroughAlert(t *testing.T) {
	if testing.Short() {
		t.Skip("builds httpmon-alert")
	}
	bin := filepath.Join(t.TempDir(), "httpmon-alert")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/httpmon/httpmon/cmd/httpmon-alert").CombinedOutput(); err != nil {
		t.Fatalf("building httpmon-alert: %v\n%s", err, out)
	}
	_, url := serve(t, sharedStore(t))
	resp, err := http.Get(url + "/api/ticks?from=1796082300&to=1796083200")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ticks bytes.Buffer
	cmd := exec.Command(bin, "--rule", "busy: hits/s > 1 over 1m")
	cmd.Stdin = io.TeeReader(resp.Body, &ticks)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("httpmon-alert: %v\n%s", err, stderr.Bytes())
	}
	dec := event.NewDecoder()
	kinds := map[string]int{}
	var firing bool
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, err := dec.Kind(sc.Bytes())
		if err != nil {
			t.Fatalf("%v: %q", err, sc.Bytes())
		}
		kinds[string(k)]++
		firing = firing || string(k) == event.KindAlert && strings.Contains(sc.Text(), `"name":"busy","state":"firing"`)
	}
	if kinds[event.KindTick] != 900 || kinds[event.KindRule] != 1 || !firing {
		t.Errorf("want 900 ticks through, the rule and its alert firing, got %v (firing %v)", kinds, firing)
	}
	if n := bytes.Count(ticks.Bytes(), []byte("\n")); n != 900 {
		t.Errorf("want 900 ticks from the API, got %d", n)
	}
	if stderr.Len() > 0 {
		t.Errorf("httpmon-alert complained: %s", stderr.Bytes())
	}
}
