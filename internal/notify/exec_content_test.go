package notify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExecGetsAnnotationsAndTime: the command reads the rule's annotations
// in its JSON and its environment, and the time of the transition in the
// log's zone.
func TestExecGetsAnnotationsAndTime(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	var log bytes.Buffer
	e := NewExec(ExecConfig{
		Command: `{ cat; echo "$HTTPMON_ALERT_ANNOTATION_RUNBOOK|$HTTPMON_ALERT_ANNOTATION_ON_CALL_TEAM|$HTTPMON_ALERT_TIME|$HTTPMON_ALERT_SUMMARY"; } > ` + out,
		Timeout: 5 * time.Second, Parallel: 1, Queue: 4, Log: NewLog(&log, "test"),
	})
	a := resolved()
	a.UTCOffset = 3600
	a.Annotations = append(a.Annotations, Label{"on-call team", "api"})
	e.Notify(a)
	if st := closeNow(e); st != (Stats{Delivered: 1}) {
		t.Fatalf("stats %+v, log %s", st, log.String())
	}
	b, _ := os.ReadFile(out)
	js, env, _ := strings.Cut(string(b), "\n")
	var rec struct {
		Name        string            `json:"name"`
		Time        string            `json:"time"`
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal([]byte(js), &rec); err != nil {
		t.Fatalf("stdin %q: %v", js, err)
	}
	if rec.Name != "api_errors" || rec.Time != "2019-02-07 22:14:03 +0100" ||
		rec.Annotations["runbook"] != "https://wiki.example.com/api <errors>" || rec.Annotations["on-call team"] != "api" {
		t.Errorf("stdin %q", js)
	}
	want := "https://wiki.example.com/api <errors>|api|2019-02-07 22:14:03 +0100|" +
		"api_errors resolved: 5xx_ratio = 1.25% (rule 5xx_ratio > 5% over 5m); section=/api severity=page at 2019-02-07 22:14:03 +0100\n"
	if env != want {
		t.Errorf("want %q\n got %q", want, env)
	}
}
