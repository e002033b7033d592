package web

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/httpmon/httpmon/internal/browsertest"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
)

// The browser tests drive headless chromium (internal/browsertest) over
// the page of a real store, filled through its write path (store_test.go).

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Close()
	theStore.close()
	yearDB.close()
	os.Exit(code)
}

func browser(t *testing.T) (context.Context, *browsertest.Log) {
	t.Helper()
	return browsertest.Tab(t, 20*time.Second)
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	return browsertest.Run(t, ctx, a)
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, steps...)
}

func waitJS(t *testing.T, ctx context.Context, cond string, d time.Duration) {
	t.Helper()
	browsertest.WaitJS(t, ctx, cond, d)
}

func clickAndLoad(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	browsertest.ClickAndLoad(t, ctx, sel)
}

// pointsOf is the number of points of the requests graph, as drawn.
const pointsOf = `document.querySelector('#requests polyline').points.numberOfItems`

// series is what the store answers for r, which the page must draw.
func series(t *testing.T, h history.Reader, r history.Range) history.Series {
	t.Helper()
	s, err := h.Series(context.Background(), r, DefaultMaxPoints)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantPoints(t *testing.T, h history.Reader, r history.Range) int {
	t.Helper()
	return len(series(t, h, r).Points)
}

// The page loads clean and draws one point per step of the range.
func TestBrowserPageLoads(t *testing.T) {
	// The store first: under -race, writing it takes longer than a
	// tab waits.
	f := sharedStore(t)
	ctx, log := browser(t)
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
	// What is drawn is what the store holds.
	shown(t, ctx, f, history.Range{From: fakeEnd - 86400, To: fakeEnd})
	hm, err := f.Heatmap(context.Background(), history.Range{From: fakeEnd - 86400, To: fakeEnd})
	if err != nil {
		t.Fatal(err)
	}
	var sum, nonzero int64
	for d := range hm {
		for h := range hm[d] {
			sum += hm[d][h]
			if hm[d][h] > 0 {
				nonzero++
			}
		}
	}
	cells := run(t, ctx, chromedp.Evaluate[[]int64](`Array.from(document.querySelectorAll('#heatmap rect title')).map(e => +e.textContent.match(/: (\d+) requests$/)[1])`))
	var gotSum, gotNonzero int64
	for _, c := range cells {
		gotSum += c
		if c > 0 {
			gotNonzero++
		}
	}
	if gotSum != sum || gotNonzero != nonzero || nonzero != 24 {
		t.Errorf("want the heatmap's %d requests in %d hours (24), got %d in %d", sum, nonzero, gotSum, gotNonzero)
	}
	// Before any live tick, the newest stored second, in the log's zone.
	if got := run(t, ctx, chromedp.Evaluate[string](`document.getElementById('last-tick').textContent`)); got != "2026-12-01 00:59:59, stored" {
		t.Errorf("want the newest stored second as the newest tick, got %q", got)
	}
	// The alert timeline has the time axis of the graphs above it, on the
	// screen too.
	axes := run(t, ctx, chromedp.Evaluate[[][]string](`['requests', 'classes', 'latency', 'timeline'].map(id =>
		Array.from(document.querySelectorAll('#' + id + ' text.xlabel')).map(e => {
			const r = e.getBoundingClientRect();
			return e.textContent + ' at ' + Math.round(r.left + r.width / 2);
		}))`))
	for i, a := range axes {
		if len(a) < 2 || !slices.Equal(a, axes[0]) {
			t.Errorf("want the same time axis on every graph, got %q and %q (graph %d)", axes[0], a, i)
		}
	}
	// The live stream connects; so the script ran without error.
	waitJS(t, ctx, `document.getElementById('live-status').textContent === 'live'`, 5*time.Second)
	log.Check(t)
}

// shown checks that the page in ctx draws the series of r as the store
// answers it: one point per step, the range's requests and 5xx.
func shown(t *testing.T, ctx context.Context, h history.Reader, r history.Range) history.Series {
	t.Helper()
	ser := series(t, h, r)
	got := run(t, ctx, chromedp.Evaluate[map[string]int](`({
		points: `+pointsOf+`,
		hits: +document.getElementById('total-hits').textContent,
		e5xx: +document.getElementById('total-5xx').textContent,
	})`))
	want := map[string]int{"points": len(ser.Points), "hits": int(ser.Total.Hits), "e5xx": int(ser.Total.Status[event.Class5xx])}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%+v: %s: want %d from the store, got %d", r, k, v, got[k])
		}
	}
	if ser.Total.Hits == 0 {
		t.Errorf("%+v: the store has no requests there", r)
	}
	return ser
}

// yLabels is the text of the requests graph's axis of values.
const yLabels = `Array.from(document.querySelectorAll('#requests text.ylabel')).map(e => e.textContent).join(' ')`

// A published tick shows within 2 s and the graph scrolls, keeping its
// number of points; the banner shows on a firing record and clears on its
// resolution.
func TestBrowserLive(t *testing.T) {
	f := sharedStore(t)
	ctx, log := browser(t)
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
	// The time axis scrolled with the graph, still on round instants:
	// five minutes apart over a quarter of an hour.
	labels := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#requests text.xlabel')).map(e => e.textContent)`))
	if len(labels) < 2 || !slices.EqualFunc(labels, labels, func(a, _ string) bool { return regexp.MustCompile(`^\d\d:\d[05]$`).MatchString(a) }) {
		t.Errorf("want labels every five minutes, got %q", labels)
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
	log.Check(t)
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
	f := sharedStore(t)
	ctx, log := browser(t)
	_, url := serve(t, f)
	do(t, ctx, chromedp.Navigate(url+"/"), chromedp.WaitVisible(chromedp.ID("requests")))
	if got := run(t, ctx, chromedp.Evaluate[int](pointsOf)); got != 720 {
		t.Fatalf("the default hour: want 720 points of 5 s, got %d", got)
	}
	hour := shown(t, ctx, f, history.Range{From: fakeEnd - 3600, To: fakeEnd})
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
	if q := shown(t, ctx, f, history.Range{From: fakeEnd - 900, To: fakeEnd}); q.Total.Hits >= hour.Total.Hits {
		t.Errorf("15 minutes have %d requests, the hour %d", q.Total.Hits, hour.Total.Hits)
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
	custom := history.Range{From: 1796029200, To: 1796029800}
	shown(t, ctx, f, custom)
	allLabels := run(t, ctx, chromedp.Evaluate[string](yLabels))

	// A section of the table filters the page to it.
	clickAndLoad(t, ctx, `table.sections a`)
	if sec := run(t, ctx, chromedp.Evaluate[string](`document.getElementById('current-section').textContent`)); sec != "/api" {
		t.Errorf("want the page of /api, got %q", sec)
	}
	if loc := run(t, ctx, chromedp.Location()); !strings.Contains(loc, "section=%2Fapi") {
		t.Errorf("want the section in the URL, got %s", loc)
	}
	// The section's own traffic, from its summaries: fewer requests in
	// steps of their interval, on an axis of its own.
	custom.Section = "/api"
	if sec := shown(t, ctx, f, custom); sec.Step != storeInterval {
		t.Errorf("want a point per summary (%d s), got %d s", storeInterval, sec.Step)
	}
	if l := run(t, ctx, chromedp.Evaluate[string](yLabels)); l == allLabels {
		t.Errorf("the axis of values did not change with the section: %q", l)
	}
	log.Check(t)
}

// Hostile sections, paths, labels and rule names stay text: nothing is
// injected, no dialog opens, no link runs script, and bidirectional
// overrides show as escapes.
func TestBrowserProbesInert(t *testing.T) {
	f := sharedStore(t)
	ctx, log := browser(t)
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
		probes := []string{probeScript, probeImg, probeJS, `/adm\u202egnp.exe`}
		if strings.Contains(target, "script") {
			// The page of one section leaves out the alerts of rules over
			// others, the only place of probeImg then.
			probes = slices.DeleteFunc(probes, func(p string) bool { return p == probeImg })
		}
		for _, p := range probes {
			if !strings.Contains(text, p) {
				t.Errorf("%s: want %q shown as text", target, p)
			}
		}
		if strings.Contains(text, "\u202e") {
			t.Errorf("%s: a raw bidirectional override reached the page", target)
		}
	}
	log.Check(t)
}

// A page of a history with nothing stored yet, the first a new pipeline
// shows, says so on its graphs until the first live tick draws on them.
func TestBrowserEmptyUntilTick(t *testing.T) {
	h, err := history.Open(filepath.Join(t.TempDir(), "h.db"), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	ctx, log := browser(t)
	s, url := serve(t, h)
	do(t, ctx, chromedp.Navigate(url+"/?last=15m"), chromedp.WaitVisible(chromedp.ID("requests")))
	waitJS(t, ctx, `document.getElementById('live-status').textContent === 'live'`, 5*time.Second)
	const nodata = `Array.from(document.querySelectorAll('text.nodata')).map(e => e.closest('svg').id).join(' ')`
	if got := run(t, ctx, chromedp.Evaluate[string](nodata)); got != "requests classes heatmap" {
		t.Errorf("want the graphs and heatmap to say there is no data, got %q", got)
	}
	newest := run(t, ctx, chromedp.Evaluate[int64](`JSON.parse(document.getElementById('live-data').textContent).newest`))
	s.Publish("tick", []byte(fmt.Sprintf(`{"kind":"tick","ts":%d,"hits":12,"bytes":1,"status":{"1xx":0,"2xx":12,"3xx":0,"4xx":0,"5xx":0,"other":0}}`, newest+1)))
	waitJS(t, ctx, `document.getElementById('last-tick').textContent.endsWith(': 12 requests')`, 2*time.Second)
	// The heatmap is of stored history, which the tick is not yet.
	if got := run(t, ctx, chromedp.Evaluate[string](nodata)); got != "heatmap" {
		t.Errorf("after a tick, want only the heatmap without data, got %q", got)
	}
	log.Check(t)
}
