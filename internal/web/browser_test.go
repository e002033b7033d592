package web

import (
	"context"
	"flag"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/httpmon/httpmon/internal/history"
)

// The browser tests drive Debian's chromium, headless, through chromedp:
// one browser for the package, started by the first test that needs it,
// and a tab per test.

var screenshot = flag.String("screenshot", "", "write a PNG of the page with generated data to this file (see TestScreenshot)")

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserSkip   string
	browserCancel = func() {}
	browserDir    string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	browserCancel()
	if browserDir != "" {
		// Chromium's helpers may still write for a moment after it ends.
		for range 50 {
			if os.RemoveAll(browserDir) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	os.Exit(code)
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser returns a new tab, or skips the test without chromium; under
// CI=true a missing browser fails instead.
func browser(t *testing.T) (context.Context, *pageLog) {
	t.Helper()
	browserOnce.Do(startBrowser)
	if browserSkip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s", browserSkip)
		}
		t.Skip(browserSkip)
	}
	if browserErr != nil {
		t.Fatalf("starting chromium: %v", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(cancelT)
	return ctx, watch(ctx)
}

func startBrowser() {
	path := chromiumPath()
	if path == "" {
		browserSkip = "no chromium on PATH (apt-get install chromium)"
		return
	}
	if testing.Short() {
		browserSkip = "-short: no browser"
		return
	}
	browserDir, browserErr = os.MkdirTemp("", "httpmon-chromium")
	if browserErr != nil {
		return
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(browserDir),
		chromedp.WindowSize(1000, 900),
	)
	bctx, cancelB := chromedp.NewContext(actx)
	browserCancel = func() { cancelB(); cancelA() }
	browserCtx = bctx
	// The browser lives as long as the context of its first run, which
	// has no timeout for that reason.
	browserErr = chromedp.Do(bctx)
}

// pageLog collects what a page must not do: write errors to the console,
// throw, or open a dialog.
type pageLog struct {
	mu       sync.Mutex
	problems []string
	dialogs  []string
}

func watch(ctx context.Context) *pageLog {
	l := &pageLog{}
	console := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
				l.mu.Lock()
				l.problems = append(l.problems, m.String())
				l.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.dialogs = append(l.dialogs, string(ev.Type)+": "+ev.Message)
			l.mu.Unlock()
			chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return l
}

// check fails t for any console error, exception or dialog so far.
func (l *pageLog) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.problems {
		t.Errorf("console: %s", p)
	}
	for _, d := range l.dialogs {
		t.Errorf("a dialog opened: %s", d)
	}
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// pointsOf is the number of points of the requests graph, as drawn.
const pointsOf = `document.querySelector('#requests polyline').points.numberOfItems`

// waitJS waits up to d for a JavaScript condition.
func waitJS(t *testing.T, ctx context.Context, cond string, d time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("waiting %v for %s: %v", d, cond, err)
	}
}

func wantPoints(t *testing.T, f history.Reader, r history.Range) int {
	t.Helper()
	s, err := f.Series(context.Background(), r, DefaultMaxPoints)
	if err != nil {
		t.Fatal(err)
	}
	return len(s.Points)
}

// The page loads clean and draws one point per step of the range.
func TestBrowserPageLoads(t *testing.T) {
	ctx, log := browser(t)
	f := sharedFake()
	_, url := serve(t, f)
	do(t, ctx, chromedp.Navigate(url+"/?last=24h"), chromedp.WaitVisible(chromedp.ID("requests")))
	want := wantPoints(t, f, history.Range{From: fakeEnd - 86400, To: fakeEnd})
	if got := run(t, ctx, chromedp.Evaluate[int](pointsOf)); got != want || want != 720 {
		t.Errorf("want %d points (720), got %d", want, got)
	}
	counts := run(t, ctx, chromedp.Evaluate[map[string]int](`({
		heat: document.querySelectorAll('#heatmap rect').length,
		sections: document.querySelectorAll('table.sections tbody tr').length,
		classes: document.querySelectorAll('#classes polyline').length,
		latency: document.querySelectorAll('#latency path').length,
		timeline: document.querySelectorAll('#timeline rect.firing').length,
		rules: document.querySelectorAll('table.rules tbody tr').length,
		banner: document.getElementById('banner').hidden ? 0 : document.querySelectorAll('#banner-list li').length,
	})`))
	want2 := map[string]int{"heat": 168, "sections": 10, "classes": 4, "latency": 3, "timeline": 3, "rules": 3, "banner": 1}
	for k, v := range want2 {
		if counts[k] != v {
			t.Errorf("%s: want %d, got %d", k, v, counts[k])
		}
	}
	// The live stream connects; so the script ran without error.
	waitJS(t, ctx, `document.getElementById('live-status').textContent === 'live'`, 5*time.Second)
	log.check(t)
}

// A published tick shows within 2 s and the graph scrolls, keeping its
// number of points; the banner shows on a firing record and clears on its
// resolution.
func TestBrowserLive(t *testing.T) {
	ctx, log := browser(t)
	f := sharedFake()
	s, url := serve(t, f)
	do(t, ctx, chromedp.Navigate(url+"/?last=15m"), chromedp.WaitVisible(chromedp.ID("requests")))
	n := wantPoints(t, f, history.Range{From: fakeEnd - 900, To: fakeEnd})
	if got := run(t, ctx, chromedp.Evaluate[int](pointsOf)); got != n || n != 450 {
		t.Fatalf("want %d points of 2 s for 15 minutes (450), got %d", n, got)
	}
	waitJS(t, ctx, `document.getElementById('live-status').textContent === 'live'`, 5*time.Second)
	lastY := `(function(){var p=document.querySelector('#requests polyline').points;return p.getItem(p.numberOfItems-1).y})()`

	start := time.Now()
	s.Publish("tick", []byte(fmt.Sprintf(`{"kind":"tick","ts":%d,"utc_offset":3600,"hits":777,"bytes":1,"status":{"1xx":0,"2xx":700,"3xx":0,"4xx":0,"5xx":77,"other":0}}`, fakeEnd)))
	waitJS(t, ctx, `document.getElementById('last-tick').textContent.indexOf('777 requests') >= 0`, 2*time.Second)
	t.Logf("the tick showed after %v", time.Since(start))
	if got := run(t, ctx, chromedp.Evaluate[int](pointsOf)); got != n {
		t.Errorf("after a tick, want %d points still, got %d", n, got)
	}
	// 777 requests in a step of 2 s: 388.5 req/s, under an axis of 400.
	y := run(t, ctx, chromedp.Evaluate[float64](lastY))
	if want := plotTop + plotH - plotH*388.5/400; math.Abs(y-want) > 0.1 {
		t.Errorf("want the newest point at y %.1f, got %.1f", want, y)
	}
	if top := run(t, ctx, chromedp.Evaluate[string](`document.querySelectorAll('#requests text.ylabel')[2].textContent`)); top != "400" {
		t.Errorf("want the axis rescaled to 400 req/s, got %q", top)
	}

	firing := `{"kind":"alert","name":"` + jsonText(probeScript) + `","state":"firing","ts":1796083201,"hits":1500,"threshold":10,"window":120,"rate":12.5,"metric":"hits/s","op":">","value":12.5,"labels":{"section":"` + jsonText(probeImg) + `"},"for":0,"keep_firing_for":0,"starts_at":1796083201}`
	resolved := strings.Replace(strings.Replace(firing, `"firing"`, `"resolved"`, 1), `"starts_at":1796083201}`, `"starts_at":1796083201,"ends_at":1796083260}`, 1)
	s.Publish("alert", []byte(firing))
	waitJS(t, ctx, `document.querySelectorAll('#banner-list li').length === 2 && !document.getElementById('banner').hidden`, 2*time.Second)
	text := run(t, ctx, chromedp.Evaluate[string](`document.getElementById('banner-list').lastChild.textContent`))
	if !strings.Contains(text, probeScript) || !strings.Contains(text, probeImg) {
		t.Errorf("want the alert's name and labels as text, got %q", text)
	}
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('img, #banner script').length`)); n != 0 {
		t.Errorf("the alert injected %d elements", n)
	}
	s.Publish("alert", []byte(resolved))
	waitJS(t, ctx, `document.querySelectorAll('#banner-list li').length === 1`, 2*time.Second)
	// The one firing when the page loaded resolves too: no banner.
	s.Publish("alert", []byte(`{"kind":"alert","name":"errors_5xx","state":"resolved","ts":1796083300,"hits":0,"threshold":10,"window":120,"rate":0,"metric":"hits/s","op":">","value":0,"labels":{},"for":0,"keep_firing_for":0,"starts_at":1796081400,"ends_at":1796083300}`))
	waitJS(t, ctx, `document.getElementById('banner').hidden && document.querySelectorAll('#banner-list li').length === 0`, 2*time.Second)
	log.check(t)
}

// serve starts a server over h for a test: its live streams end before
// the HTTP server closes, which waits for them otherwise.
func serve(t *testing.T, h history.Reader) (*Server, string) {
	s := New(Options{}, h)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(s.Close)
	return s, srv.URL
}

func jsonText(s string) string { return strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(s) }

// The range picker's presets, its custom form and the section links change
// what is drawn, with no script needed.
func TestBrowserRangePicker(t *testing.T) {
	ctx, log := browser(t)
	f := sharedFake()
	_, url := serve(t, f)
	do(t, ctx, chromedp.Navigate(url+"/"), chromedp.WaitVisible(chromedp.ID("requests")))
	if got := run(t, ctx, chromedp.Evaluate[int](pointsOf)); got != 720 {
		t.Fatalf("the default hour: want 720 points of 5 s, got %d", got)
	}
	firstLabel := `document.querySelector('#requests text.axis:not(.ylabel)').textContent`
	hourLabel := run(t, ctx, chromedp.Evaluate[string](firstLabel))

	clickAndLoad(t, ctx, `a[data-last="15m"]`)
	if loc := run(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/?last=15m") {
		t.Errorf("want the range in the URL, got %s", loc)
	}
	if got := run(t, ctx, chromedp.Evaluate[int](pointsOf)); got != 450 {
		t.Errorf("15 minutes: want 450 points of 2 s, got %d", got)
	}
	if l := run(t, ctx, chromedp.Evaluate[string](firstLabel)); l == hourLabel {
		t.Errorf("the time axis did not change: %q", l)
	}

	// A custom range, from the form.
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`input[name=from]`), "2026-11-30T10:00:00+01:00"),
		chromedp.SetValue(chromedp.CSS(`input[name=to]`), "1796029800"),
	)
	clickAndLoad(t, ctx, `button[type=submit]`)
	if got := run(t, ctx, chromedp.Evaluate[int](pointsOf)); got != 600 {
		t.Errorf("a custom 10 minutes: want 600 points, got %d", got)
	}
	if r := run(t, ctx, chromedp.Evaluate[string](`document.querySelector('.range').textContent`)); !strings.Contains(r, "2026-11-30 10:00:00 – 2026-11-30 10:10:00") {
		t.Errorf("want the range shown in the log's zone, got %q", r)
	}

	// A section of the table filters the page to it.
	clickAndLoad(t, ctx, `table.sections a`)
	if sec := run(t, ctx, chromedp.Evaluate[string](`document.getElementById('current-section').textContent`)); sec != "/api" {
		t.Errorf("want the page of /api, got %q", sec)
	}
	log.check(t)
}

func clickAndLoad(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

// Hostile sections, paths, labels and rule names stay text: nothing is
// injected, no dialog opens, no link runs script, and bidirectional
// overrides show as escapes.
func TestBrowserProbesInert(t *testing.T) {
	ctx, log := browser(t)
	f := sharedFake()
	_, url := serve(t, f)
	for _, target := range []string{"/?last=24h", "/?last=24h&section=" + urlQuery(probeImg), "/?last=24h&section=" + urlQuery(probeScript)} {
		do(t, ctx, chromedp.Navigate(url+target), chromedp.WaitVisible(chromedp.ID("requests")))
		waitJS(t, ctx, `document.getElementById('live-status').textContent === 'live'`, 5*time.Second)
		got := run(t, ctx, chromedp.Evaluate[map[string]int](`({
			img: document.querySelectorAll('img').length,
			scripts: document.scripts.length,
			handlers: Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
			jslinks: Array.from(document.querySelectorAll('a[href]')).filter(a => a.protocol !== 'http:').length,
		})`))
		want := map[string]int{"img": 0, "scripts": 2, "handlers": 0, "jslinks": 0}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s: want %d, got %d", target, k, v, got[k])
			}
		}
		text := run(t, ctx, chromedp.Evaluate[string](`document.body.textContent`))
		for _, p := range []string{probeScript, probeImg, probeJS, `/adm\u202egnp.exe`} {
			if !strings.Contains(text, p) {
				t.Errorf("%s: want %q shown as text", target, p)
			}
		}
		if strings.Contains(text, "\u202e") {
			t.Errorf("%s: a raw bidirectional override reached the page", target)
		}
	}
	log.check(t)
}

// TestScreenshot writes the picture of the README with -screenshot FILE:
//
//	go test ./internal/web -run TestScreenshot -screenshot testdata/page.png
func TestScreenshot(t *testing.T) {
	if *screenshot == "" {
		t.Skip("no -screenshot FILE")
	}
	ctx, _ := browser(t)
	f := newFakeReader(7)
	// The screenshot shows the usual kind of site, not the probes.
	f.sections = f.sections[:4]
	f.sections = append(f.sections, fakeSection{"/login", "/login", 0.015, 5120}, fakeSection{"/health", "/health", 0.005, 12})
	f.rules = f.rules[:2]
	f.rules[1].Annotations = nil
	f.alerts = append(f.alerts[:2], f.alerts[4])
	_, url := serve(t, f)
	do(t, ctx, chromedp.EmulateViewport(1000, 900), chromedp.Navigate(url+"/?last=24h"), chromedp.WaitVisible(chromedp.ID("requests")))
	buf := run(t, ctx, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(filepath.Dir(*screenshot), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*screenshot, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
