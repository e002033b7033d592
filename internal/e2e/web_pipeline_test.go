package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/httpmon/httpmon/internal/browsertest"
)

// The whole stack, as README's first command of the web page runs it: a
// log that a writer appends to, followed by httpmon-parse, through
// httpmon-window and httpmon-alert into httpmon-report --db --listen, and
// the page in headless chromium. Then the same history served again by a
// report with no input.
func TestWebPipeline(t *testing.T) {
	dir := t.TempDir()
	logPath, db := filepath.Join(dir, "access.log"), filepath.Join(dir, "history.db")
	if err := os.WriteFile(logPath, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Fires on a burst and resolves once the burst leaves its window.
	const rule = "busy: hits > 100 over 3s"
	p := startWebPipeline(t, logPath, db, rule)
	w := startWebLogWriter(t, logPath)
	ctx, plog := browsertest.Tab(t, 90*time.Second)
	t.Cleanup(browsertest.Close)

	// The page opens on what is stored once something is.
	waitUntil(t, 20*time.Second, "ticks in the store", func() bool { return len(getLines(t, p.base+"api/ticks?last=15m")) > 3 })
	browsertest.Do(t, ctx, chromedp.Navigate(p.base+"?last=15m"), chromedp.WaitVisible(chromedp.ID("requests")))
	browsertest.WaitJS(t, ctx, `document.getElementById('live-status').textContent === 'live'`, 5*time.Second)
	if n := browsertest.Run(t, ctx, chromedp.Evaluate[int](`+document.getElementById('total-hits').textContent`)); n == 0 {
		t.Errorf("the page shows no requests")
	}

	// A burst of lines in one second: its tick reaches the report, and
	// the page's live graph within 2 s of that.
	events := p.events(t)
	graph := `document.querySelector('#requests polyline').getAttribute('points')`
	before := browsertest.Run(t, ctx, chromedp.Evaluate[string](graph))
	sec := w.burst(150)
	var tick struct {
		TS   int64 `json:"ts"`
		Hits int64 `json:"hits"`
	}
	var final time.Time
	for {
		ev, data := events.next(t)
		if ev != "tick" {
			continue
		}
		if err := json.Unmarshal([]byte(data), &tick); err != nil {
			t.Fatal(err)
		}
		if tick.TS == sec {
			final = time.Now()
			break
		}
	}
	if tick.Hits < 150 {
		t.Fatalf("want the burst's 150 requests and more in the tick of %d, got %d", sec, tick.Hits)
	}
	browsertest.WaitJS(t, ctx, fmt.Sprintf(`document.getElementById('last-tick').textContent.endsWith(': %d requests')`, tick.Hits), 2*time.Second)
	t.Logf("the burst's tick was on the page %v after it reached the report", time.Since(final))
	if after := browsertest.Run(t, ctx, chromedp.Evaluate[string](graph)); after == before {
		t.Errorf("the tick did not change the graph")
	}

	// The rule fires on the burst and resolves: the banner shows and
	// clears.
	browsertest.WaitJS(t, ctx, `!document.getElementById('banner').hidden && document.getElementById('banner-list').textContent.includes('busy')`, 10*time.Second)
	browsertest.WaitJS(t, ctx, `document.getElementById('banner').hidden`, 15*time.Second)
	plog.Check(t)

	// The input ends; the report goes on serving what it stored.
	w.stop()
	p.endInput(t)

	// The stored ticks, through the real httpmon-alert with the same
	// rule, give the alert that fired live.
	stored := alertKeys(t, getLines(t, p.base+"api/alerts?from=0"))
	if len(stored) != 2 {
		t.Fatalf("want the firing and resolution of busy stored, got %q", stored)
	}
	replay := command(t, "httpmon-alert", "--rule", rule)
	replay.Stdin = bytes.NewReader(getBody(t, p.base+"api/ticks?from=0"))
	out, err := replay.Output()
	if err != nil {
		t.Fatalf("httpmon-alert over /api/ticks: %v", err)
	}
	if again := alertKeys(t, strings.Split(strings.TrimSpace(string(out)), "\n")); strings.Join(again, "\n") != strings.Join(stored, "\n") {
		t.Errorf("the stored ticks through httpmon-alert give\n%s\nwant the live run's\n%s", strings.Join(again, "\n"), strings.Join(stored, "\n"))
	}

	// /metrics counts the requests of the summaries, which are those of
	// the stored ticks of their seconds.
	checkMetrics(t, p.base)

	p.stop(t)

	// Served again from the file alone: the page opens on its newest
	// second, the last stored tick's.
	q := startWebReport(t, db)
	newest := lastTick(t, q.base)
	browsertest.Do(t, ctx, chromedp.Navigate(q.base), chromedp.WaitVisible(chromedp.ID("requests")))
	var live struct {
		Newest int64 `json:"newest"`
	}
	data := browsertest.Run(t, ctx, chromedp.Evaluate[string](`document.getElementById('live-data').textContent`))
	if err := json.Unmarshal([]byte(data), &live); err != nil {
		t.Fatalf("%v: %q", err, data)
	}
	if live.Newest != newest {
		t.Errorf("want the default range to end at the newest stored second %d, got %d", newest, live.Newest)
	}
	var hits int64
	for _, l := range getLines(t, q.base+"api/ticks") {
		hits += field(t, l, "hits")
	}
	if got := browsertest.Run(t, ctx, chromedp.Evaluate[int64](`+document.getElementById('total-hits').textContent`)); got != hits || hits < 150 {
		t.Errorf("want the stored hour's %d requests (150 or more) on the page, got %d", hits, got)
	}
	if n := browsertest.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#timeline rect.firing').length`)); n != 1 {
		t.Errorf("want the stored alert on the timeline, got %d spans", n)
	}
	plog.Check(t)
	q.stop(t)
}

// webPipeline is the running commands of a test, the report's last.
type webPipeline struct {
	cmds   []*exec.Cmd
	base   string // the page's address, http://127.0.0.1:PORT/
	stderr []*bytes.Buffer
	mu     *sync.Mutex
}

// startWebPipeline runs httpmon-parse -f log | httpmon-window | httpmon-alert
// --rule rule | httpmon-report --db db --listen 127.0.0.1:0.
func startWebPipeline(t *testing.T, log, db, rule string) *webPipeline {
	t.Helper()
	return startWeb(t, [][]string{
		{"httpmon-parse", "-f", "--poll", "100ms", log},
		{"httpmon-window", "--lateness", "1s"},
		{"httpmon-alert", "--rule", rule},
		{"httpmon-report", "--db", db, "--listen", "127.0.0.1:0"},
	})
}

// startWebReport serves the history db alone.
func startWebReport(t *testing.T, db string) *webPipeline {
	t.Helper()
	return startWeb(t, [][]string{{"httpmon-report", "--db", db, "--listen", "127.0.0.1:0"}})
}

func startWeb(t *testing.T, argvs [][]string) *webPipeline {
	t.Helper()
	p := &webPipeline{mu: &sync.Mutex{}}
	var prev *os.File // the read end for the next command
	for i, argv := range argvs {
		cmd := command(t, argv[0], argv[1:]...)
		cmd.Stdin = prev
		var next *os.File
		if i < len(argvs)-1 {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout, next = w, r
		}
		buf := &bytes.Buffer{}
		p.stderr = append(p.stderr, buf)
		var serving *bufio.Reader
		if i == len(argvs)-1 {
			errp, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			serving = bufio.NewReader(errp)
		} else {
			cmd.Stderr = lockedWriter{p.mu, buf}
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		p.cmds = append(p.cmds, cmd)
		// The pipes are the children's now.
		if prev != nil {
			prev.Close()
		}
		if w, ok := cmd.Stdout.(*os.File); ok {
			w.Close()
		}
		prev = next
		if serving != nil {
			line := readLine(t, serving)
			m := regexp.MustCompile(`serving the web page on (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("want the address on stderr, got %q", line)
			}
			p.base = m[1]
			go func() {
				b, _ := io.ReadAll(serving)
				p.mu.Lock()
				buf.Write(b)
				p.mu.Unlock()
			}()
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			p.mu.Lock()
			defer p.mu.Unlock()
			for i, b := range p.stderr {
				t.Logf("%s stderr:\n%s", argvs[i][0], b)
			}
		}
	})
	return p
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// endInput stops the follower, whose end ends the input of the stages
// after it in turn, and waits until all but the report have exited 0.
func (p *webPipeline) endInput(t *testing.T) {
	t.Helper()
	p.cmds[0].Process.Signal(syscall.SIGTERM)
	for _, cmd := range p.cmds[:len(p.cmds)-1] {
		if err, ok := waitExitWithin(t, cmd, 10*time.Second); !ok || err != nil {
			t.Fatalf("%s: want exit 0 at the end of its input, got %v (exited: %v)", filepath.Base(cmd.Path), err, ok)
		}
	}
}

// stop ends the report with SIGTERM and checks that it exits 0.
func (p *webPipeline) stop(t *testing.T) {
	t.Helper()
	cmd := p.cmds[len(p.cmds)-1]
	cmd.Process.Signal(syscall.SIGTERM)
	if err, ok := waitExitWithin(t, cmd, 10*time.Second); !ok || err != nil {
		t.Fatalf("httpmon-report: want exit 0 on SIGTERM, got %v (exited: %v)", err, ok)
	}
}

// webLogWriter appends lines of the wall clock's second to a log, five a
// second, as a web server would.
type webLogWriter struct {
	mu   sync.Mutex
	f    *os.File
	n    int
	quit chan struct{}
	done chan struct{}
}

func startWebLogWriter(t *testing.T, path string) *webLogWriter {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	w := &webLogWriter{f: f, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-w.quit:
				return
			case now := <-tk.C:
				w.write(now, 1)
			}
		}
	}()
	t.Cleanup(w.stop)
	return w
}

var webSections = []string{"/api/orders", "/static/app.js", "/", "/img/logo.png"}

// write appends n lines of the second of now in one write.
func (w *webLogWriter) write(now time.Time, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	stamp := now.UTC().Format("02/Jan/2006:15:04:05 -0700")
	for range n {
		status := 200
		if w.n%7 == 3 {
			status = 500
		}
		fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET %s HTTP/1.1\" %d %d\n", w.n%250, stamp, webSections[w.n%len(webSections)], status, 100+w.n%900)
		w.n++
	}
	w.f.WriteString(b.String())
}

// burst writes n lines of the current second at once, early in a second
// so that they all bear it, and returns it.
func (w *webLogWriter) burst(n int) int64 {
	now := time.Now()
	if now.Nanosecond() > 500_000_000 {
		time.Sleep(time.Second - time.Duration(now.Nanosecond()))
		now = time.Now()
	}
	w.write(now, n)
	return now.Unix()
}

func (w *webLogWriter) stop() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.done
	w.f.Close()
}

// events is the page's live stream, read as the page reads it.
type events struct{ r *bufio.Reader }

func (p *webPipeline) events(t *testing.T) *events {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", p.base+"events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &events{bufio.NewReader(resp.Body)}
}

// next returns the next event's name and data.
func (e *events) next(t *testing.T) (string, string) {
	t.Helper()
	var name string
	for {
		l := strings.TrimSuffix(readLine(t, e.r), "\n")
		switch {
		case strings.HasPrefix(l, "event: "):
			name = l[len("event: "):]
		case strings.HasPrefix(l, "data: "):
			return name, l[len("data: "):]
		}
	}
}

func getBody(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v: %s", url, resp.StatusCode, err, b)
	}
	return b
}

// getLines returns the NDJSON records of an API answer.
func getLines(t *testing.T, url string) []string {
	t.Helper()
	s := strings.TrimSpace(string(getBody(t, url)))
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// field returns the integer member name of the record line.
func field(t *testing.T, line, name string) int64 {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	var n int64
	if raw, ok := m[name]; ok {
		if err := json.Unmarshal(raw, &n); err != nil {
			t.Fatalf("%s of %q: %v", name, line, err)
		}
	}
	return n
}

// alertKeys returns what identifies each alert record of lines: its name,
// state, second and the hits of its window.
func alertKeys(t *testing.T, lines []string) []string {
	t.Helper()
	var keys []string
	for _, l := range lines {
		var a struct {
			Kind, Name, State string
			TS, Hits          int64
		}
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("%v: %q", err, l)
		}
		if a.Kind == "alert" {
			keys = append(keys, fmt.Sprintf("%s %s at %d, %d hits", a.Name, a.State, a.TS, a.Hits))
		}
	}
	return keys
}

// lastTick returns the newest stored second, the newest tick's.
func lastTick(t *testing.T, base string) int64 {
	t.Helper()
	ticks := getLines(t, base+"api/ticks?from=0")
	if len(ticks) == 0 {
		t.Fatal("no ticks stored")
	}
	return field(t, ticks[len(ticks)-1], "ts")
}

// checkMetrics checks that httpmon_requests_total, summed, is the hits of
// the stored summaries and of the stored ticks of their seconds.
func checkMetrics(t *testing.T, base string) {
	t.Helper()
	var total, sums int64
	// The last summaries may still be on their way to the store.
	waitUntil(t, 10*time.Second, "the summaries stored", func() bool {
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(bytes.NewReader(getBody(t, base+"metrics")))
		if err != nil {
			t.Fatalf("parsing /metrics: %v", err)
		}
		fam := fams["httpmon_requests_total"]
		if fam == nil {
			t.Fatalf("no httpmon_requests_total in /metrics")
		}
		total = 0
		for _, m := range fam.GetMetric() {
			total += int64(m.GetCounter().GetValue())
		}
		sums = 0
		for _, l := range getLines(t, base+"api/summaries?from=0") {
			sums += field(t, l, "hits")
		}
		return total == sums
	})
	var ticks int64
	covered := map[int64]bool{}
	for _, l := range getLines(t, base+"api/summaries?from=0") {
		for s := field(t, l, "start"); s < field(t, l, "end"); s++ {
			covered[s] = true
		}
	}
	for _, l := range getLines(t, base+"api/ticks?from=0") {
		if covered[field(t, l, "ts")] {
			ticks += field(t, l, "hits")
		}
	}
	if total != ticks || total < 150 {
		t.Errorf("httpmon_requests_total sums to %d, want the stored ticks' %d (150 or more)", total, ticks)
	}
}

// waitUntil polls cond until it holds, or fails t after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
