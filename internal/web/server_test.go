package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
)

func get(t *testing.T, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestHeadersAndMethods(t *testing.T) {
	s := New(Options{}, sharedFake())
	for _, target := range []string{"/", "/api/ticks?last=15m", "/static/live.js", "/nope", "/?from=x"} {
		w := get(t, s.Handler(), "GET", target)
		h := w.Header()
		if got := h.Get("Content-Security-Policy"); got != pageCSP {
			t.Errorf("%s: Content-Security-Policy %q", target, got)
		}
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "connect-src 'self'"} {
			if !strings.Contains(h.Get("Content-Security-Policy"), want) {
				t.Errorf("%s: the policy lacks %s", target, want)
			}
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", target, h)
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		w := get(t, s.Handler(), m, "/")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: want 405 with Allow, got %d %v", m, w.Code, w.Header())
		}
	}
	if w := get(t, s.Handler(), "HEAD", "/"); w.Code != http.StatusOK {
		t.Errorf("HEAD /: %d", w.Code)
	}
	if w := get(t, s.Handler(), "GET", "/nope"); w.Code != http.StatusNotFound {
		t.Errorf("GET /nope: %d", w.Code)
	}
}

func TestBadRangeIs400(t *testing.T) {
	s := New(Options{}, sharedFake())
	for _, target := range []string{"/?from=yesterday", "/api/ticks?to=%3Cscript%3E", "/api/alerts?last=1y", "/?from=5&to=1"} {
		w := get(t, s.Handler(), "GET", target)
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: want 400, got %d", target, w.Code)
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: a message must be plain text, got %q", target, ct)
		}
		if !strings.Contains(w.Body.String(), ": want ") && !strings.Contains(w.Body.String(), "must be before") {
			t.Errorf("%s: want the reason, got %q", target, w.Body)
		}
	}
}

// A history that cannot be read is a 500 that tells the browser nothing
// of the store.
func TestReaderErrorIs500(t *testing.T) {
	f := newFakeReader(1)
	f.fail = errors.New("database disk image is malformed: /secret/path")
	s := New(Options{}, f)
	for _, target := range []string{"/?from=1796000000&to=1796003600", "/api/ticks?from=1796000000&to=1796003600"} {
		w := get(t, s.Handler(), "GET", target)
		if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "secret") {
			t.Errorf("%s: want a 500 without details, got %d %q", target, w.Code, w.Body)
		}
	}
}

func TestAPITicks(t *testing.T) {
	s := New(Options{}, sharedFake())
	w := get(t, s.Handler(), "GET", "/api/ticks?from=1796000000&to=1796000600")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("want 200 NDJSON, got %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	dec := event.NewDecoder()
	var tick event.Tick
	n, want := 0, int64(1796000000)
	sc := bufio.NewScanner(w.Body)
	for sc.Scan() {
		if err := dec.Tick(sc.Bytes(), &tick); err != nil {
			t.Fatalf("line %d: %v: %q", n+1, err, sc.Bytes())
		}
		if tick.TS != want {
			t.Fatalf("line %d: want second %d, got %d", n+1, want, tick.TS)
		}
		want++
		n++
	}
	if n != 600 {
		t.Errorf("want 600 ticks, got %d", n)
	}
}

func TestAPIKinds(t *testing.T) {
	s := New(Options{}, sharedFake())
	for path, kind := range map[string]string{"/api/summaries": "summary", "/api/alerts": "alert", "/api/totals": "total"} {
		w := get(t, s.Handler(), "GET", path+"?last=24h")
		lines := strings.Split(strings.TrimSuffix(w.Body.String(), "\n"), "\n")
		if w.Code != 200 || len(lines) == 0 || lines[0] == "" {
			t.Fatalf("%s: %d %q", path, w.Code, w.Body)
		}
		dec := event.NewDecoder()
		for i, l := range lines {
			k, err := dec.Kind([]byte(l))
			if err != nil || string(k) != kind {
				t.Fatalf("%s line %d: want kind %s, got %q %v", path, i+1, kind, k, err)
			}
		}
	}
}

// A failure after the first record must not look like a whole answer.
func TestAPIFailureMidStream(t *testing.T) {
	f := newFakeReader(1)
	s := New(Options{}, brokenWalk{f})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	// Nothing or half an answer: either way the client sees an error.
	resp, err := http.Get(srv.URL + "/api/ticks?from=1796000000&to=1796000600")
	if err == nil {
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
	}
	if err == nil {
		t.Fatal("want the body to end in an error")
	}
}

type brokenWalk struct{ *fakeReader }

func (b brokenWalk) Ticks(ctx context.Context, r history.Range, fn func([]byte) error) error {
	n := 0
	err := b.fakeReader.Ticks(ctx, r, func(l []byte) error {
		if n++; n > 10 {
			return errors.New("disk I/O error")
		}
		return fn(l)
	})
	return err
}

func TestEvents(t *testing.T) {
	s := New(Options{}, sharedFake())
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	br := bufio.NewReader(resp.Body)
	if l, _ := br.ReadString('\n'); l != "retry: 2000\n" {
		t.Fatalf("first line %q", l)
	}
	// The stream is registered before its first line is written.
	tick := `{"kind":"tick","ts":1796083200,"hits":7,"bytes":1,"status":{"1xx":0,"2xx":7,"3xx":0,"4xx":0,"5xx":0,"other":0}}`
	s.Publish("request", []byte(`{"kind":"request"}`))
	// A damaged record is the report's to reject, not the browser's.
	s.Publish("tick", []byte(`{"kind":"tick","ts":1796083200,"hits":`))
	s.Publish("tick", []byte(tick+"\n"))
	var got []string
	for len(got) < 3 {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l != "\n" {
			got = append(got, l)
		}
		if strings.HasPrefix(l, "data: ") {
			break
		}
	}
	want := []string{"event: tick\n", "data: " + tick + "\n"}
	if strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("want %q, got %q", want, got)
	}
	// Close ends the stream, so that a shutdown does not wait for it.
	s.Close()
	if _, err := io.ReadAll(br); err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("after Close: %v", err)
	}
}

// A browser that does not read loses its oldest records, not the newest,
// and never holds up Publish.
func TestSlowStreamKeepsTheNewest(t *testing.T) {
	b := newBroker(2)
	st := b.add()
	for i := 0; i < streamQueue+10; i++ {
		b.publish("tick", []byte(`{"n":`+strconv.Itoa(i)+`}`))
	}
	msgs := st.take(nil)
	if len(msgs) != streamQueue || st.dropped != 10 {
		t.Fatalf("want %d queued and 10 dropped, got %d and %d", streamQueue, len(msgs), st.dropped)
	}
	last := msgs[len(msgs)-1]
	if want := "event: tick\ndata: {\"n\":" + strconv.Itoa(streamQueue+9) + "}\n\n"; string(last) != want {
		t.Errorf("want the newest last, %q, got %q", want, last)
	}
	if b.add() == nil || b.add() != nil {
		t.Error("want the limit of streams kept")
	}
}

func TestWriteHTML(t *testing.T) {
	s := New(Options{}, sharedFake())
	var buf bytes.Buffer
	if err := s.WriteHTML(context.Background(), &buf, history.Range{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "<script") {
		t.Error("the file has a script")
	}
	for _, re := range []string{`(?i)(src|href)="(https?:)?//`, `(?i)<link`, `@import`, `url\(`} {
		if regexp.MustCompile(re).MatchString(out) {
			t.Errorf("the file fetches something (%s)", re)
		}
	}
	m := regexp.MustCompile(`<style>([^<]*)</style>`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no inline style")
	}
	// The policy is an attribute's value, which a browser unescapes.
	if !strings.Contains(html.UnescapeString(out), "style-src 'sha256-"+hashOf([]byte(m[1]))+"'") {
		t.Errorf("the policy does not allow the inline style by its hash")
	}
	if n := strings.Count(out, "<polyline class=\"line hits\""); n != 1 {
		t.Errorf("want the requests graph, got %d", n)
	}
}

// The page escapes every probe in every context it lands in: text,
// attributes (the section filter's links and the form) and JSON.
func TestPageEscapesProbes(t *testing.T) {
	s := New(Options{}, sharedFake())
	for _, target := range []string{"/?last=24h", "/?last=24h&section=" + urlQuery(probeImg)} {
		w := get(t, s.Handler(), "GET", target)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		out := w.Body.String()
		for _, bad := range []string{probeScript, "<img", `href="javascript:`, "\u202E", "onerror=alert(1)>"} {
			if strings.Contains(out, bad) {
				i := strings.Index(out, bad)
				t.Errorf("%s: the page holds %q raw: …%s…", target, bad, out[max(0, i-80):min(len(out), i+80)])
			}
		}
		if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(out, `\u202e`) {
			t.Errorf("%s: want the probes shown as text", target)
		}
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "+", "%2B", " ", "%20", `"`, "%22", "<", "%3C", ">", "%3E").Replace(s)
}
