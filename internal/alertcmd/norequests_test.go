package alertcmd

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// TestSectionRuleWithoutRequestsToldAtOnce: a rule over a section with no
// request records in the stream (httpmon-window without --pass-requests)
// never fires, and the person is told at the first tick, while the stream
// is still open, not at its end, which a live pipeline never reaches.
func TestSectionRuleWithoutRequestsToldAtOnce(t *testing.T) {
	pr, pw := io.Pipe()
	app := New()
	var out bytes.Buffer
	stderr := &lockedBuffer{}
	app.Reader, app.Writer, app.ErrWriter = pr, &out, stderr
	app.ExitErrHandler = func(*cli.Context, error) {}
	done := make(chan error, 1)
	go func() {
		done <- app.RunContext(context.Background(), []string{name, "--rule", "api_down: hits/s{section=/api} < 1 over 10s", "--rule", "quiet: hits < 1 over 5s"})
	}()
	for ts := 100; ts < 130; ts++ {
		io.WriteString(pw, `{"kind":"tick","ts":`+strconv.Itoa(ts)+`,"hits":7,"bytes":0}`+"\n")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "api_down") {
		if time.Now().After(deadline) {
			pw.Close()
			<-done
			t.Fatalf("nothing said while the stream is open; stderr %q", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := "httpmon-alert: rule api_down counts the request records of a section or source, and none came before the first tick: it has no data and cannot fire until they do; run httpmon-window with --pass-requests\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr:\nwant %q\n got %q", want, got)
	}
	if strings.Contains(out.String(), `"kind":"alert"`) {
		t.Errorf("alert from no data:\n%s", out.String())
	}
}
