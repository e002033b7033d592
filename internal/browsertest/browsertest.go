// Package browsertest drives Debian's chromium, headless, through chromedp
// for the tests of the web page: one browser per test binary, started by
// the first test that needs it, and a tab per test. Without chromium the
// tests that need it skip, except under CI=true, where they fail.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var (
	mu     sync.Mutex // of the browser's state, for Close
	once   sync.Once
	ctx0   context.Context
	err0   error
	skip   string
	cancel = func() {}
	dir    string
)

// Close ends the browser and removes its profile; the next Tab starts
// another. A TestMain calls it after m.Run, or a test with t.Cleanup where
// the package has no TestMain of its own to spare.
func Close() {
	mu.Lock()
	defer mu.Unlock()
	cancel()
	if dir != "" {
		// Chromium's helpers may still write for a moment after it ends.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	once, ctx0, err0, skip, cancel, dir = sync.Once{}, nil, nil, "", func() {}, ""
}

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Tab returns a new tab, whose context ends with the test or after
// timeout, and the log of what its pages write to the console; or skips
// t without chromium.
func Tab(t testing.TB, timeout time.Duration) (context.Context, *Log) {
	t.Helper()
	mu.Lock()
	once.Do(start)
	ctx0, err0, skip := ctx0, err0, skip
	mu.Unlock()
	if skip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s", skip)
		}
		t.Skip(skip)
	}
	if err0 != nil {
		t.Fatalf("starting chromium: %v", err0)
	}
	ctx, cancelTab := chromedp.NewContext(ctx0)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelT)
	return ctx, watch(ctx)
}

func start() {
	path := chromiumPath()
	if path == "" {
		skip = "no chromium on PATH (apt-get install chromium)"
		return
	}
	if testing.Short() {
		skip = "-short: no browser"
		return
	}
	dir, err0 = os.MkdirTemp("", "httpmon-chromium")
	if err0 != nil {
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
		// A page in a background tab must not be throttled: the tests
		// time its live updates.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	bctx, cancelB := chromedp.NewContext(actx)
	cancel = func() { cancelB(); cancelA() }
	ctx0 = bctx
	// The browser lives as long as the context of its first run, which
	// has no timeout for that reason.
	err0 = chromedp.Do(bctx)
}

// Log collects what a page must not do: write errors or warnings to the
// console, throw, or open a dialog.
type Log struct {
	mu       sync.Mutex
	problems []string
	dialogs  []string
}

func watch(ctx context.Context) *Log {
	l := &Log{}
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

// Check fails t for any console error, exception or dialog so far.
func (l *Log) Check(t testing.TB) {
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

// Run runs a and returns its value, or fails t.
func Run[T any](t testing.TB, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Do runs the steps, or fails t.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// WaitJS waits up to d for a JavaScript condition to hold, or fails t.
func WaitJS(t testing.TB, ctx context.Context, cond string, d time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("waiting %v for %s: %v", d, cond, err)
	}
}

// ClickAndLoad clicks the element of the CSS selector sel and waits for
// the page it opens to load.
func ClickAndLoad(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
}

// Screenshot returns a PNG of the page in a viewport of width × height;
// height 0 takes the whole page.
func Screenshot(t testing.TB, ctx context.Context, width, height int64) []byte {
	t.Helper()
	if height == 0 {
		Do(t, ctx, chromedp.EmulateViewport(width, 900))
		return Run(t, ctx, chromedp.FullScreenshot(100))
	}
	Do(t, ctx, chromedp.EmulateViewport(width, height))
	return Run(t, ctx, chromedp.CaptureScreenshot())
}
