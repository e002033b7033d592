package e2e_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/httpmon/httpmon/internal/browsertest"
	"github.com/httpmon/httpmon/internal/genlog"
)

var screenshot = flag.String("web.screenshot", "", "write the README's picture of the web page to this PNG `FILE` (see TestWebScreenshot)")

// TestWebScreenshot draws the README's picture of the web page from a
// realistic run: four hours of generated log, with bursts that fire the
// traffic alert, an outage of 5xx and request times, replayed through the
// whole pipeline into a history that httpmon-report --listen serves:
//
//	go test ./internal/e2e -run TestWebScreenshot -web.screenshot ../web/testdata/page.png
func TestWebScreenshot(t *testing.T) {
	if *screenshot == "" {
		t.Skip("no -web.screenshot FILE")
	}
	dir := t.TempDir()
	logPath, db := filepath.Join(dir, "access.log"), filepath.Join(dir, "history.db")
	const from = 1796025600 // 2026-11-30 09:00 +01:00
	var raw bytes.Buffer
	if code := genlog.Run([]string{"-n", "360000", "-rate", "25", "-bursts", "-error-burst", "8100,900,0.3",
		"-tz", "+0100", "-start", strconv.Itoa(from)}, &raw, os.Stderr); code != 0 {
		t.Fatalf("genlog: exit %d", code)
	}
	// genlog writes no request times: add them as nginx's $request_time,
	// mostly tens of milliseconds with a slow tail.
	var b bytes.Buffer
	sc := bufio.NewScanner(&raw)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for i := 0; sc.Scan(); i++ {
		rt := 0.012 + 0.0009*float64(i%89)
		// A slow stretch with the outage, which fires the latency rule.
		if i%250 == 0 || i >= 195_000 && i < 230_000 && i%33 == 0 {
			rt += 0.35 + 0.01*float64(i%67)
		}
		fmt.Fprintf(&b, "%s %.3f\n", sc.Bytes(), rt)
	}
	if err := os.WriteFile(logPath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	const format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time`
	p := startWeb(t, [][]string{
		{"httpmon-parse", "--log-format", format, logPath},
		{"httpmon-window"},
		{"httpmon-alert", "--rule", "high_traffic", "--rule", "server_errors", "--rule", "slow: latency_p99 > 400ms over 5m"},
		{"httpmon-report", "--db", db, "--listen", "127.0.0.1:0"},
	})
	for _, cmd := range p.cmds[:len(p.cmds)-1] {
		if err, ok := waitExitWithin(t, cmd, 60*time.Second); !ok || err != nil {
			t.Fatalf("%s: %v (exited: %v)", filepath.Base(cmd.Path), err, ok)
		}
	}
	// The report stores what it read, then serves it.
	waitUntil(t, 30*time.Second, "the history stored", func() bool {
		return len(getLines(t, p.base+"api/totals?from=0")) > 0
	})
	ctx, _ := browsertest.Tab(t, 60*time.Second)
	t.Cleanup(browsertest.Close)
	browsertest.Do(t, ctx, chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(p.base+"?from="+strconv.Itoa(from)), chromedp.WaitVisible(chromedp.ID("requests")))
	browsertest.WaitJS(t, ctx, `document.getElementById('live-status').textContent === 'live'`, 5*time.Second)
	// The top of the page, down to the alert timeline: the table of
	// transitions below it goes on for as long as the alerts do.
	png := browsertest.Screenshot(t, ctx, 1280, 1800)
	if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d KiB", *screenshot, len(png)>>10)
	p.stop(t)
}
