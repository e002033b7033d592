package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"net/http"

	"github.com/httpmon/httpmon/internal/history"
)

//go:embed assets
var assets embed.FS

var pageTemplate = template.Must(template.New("").Funcs(template.FuncMap{
	"plus": func(a, b int) int { return a + b },
	"half": func(a int) int { return a / 2 },
}).ParseFS(assets, "assets/page.html"))

var pageCSS = mustAsset("page.css")

// inlineCSP is the policy of the --html file, which has no server to send
// headers: its one inline stylesheet by hash, images from data: URLs, and
// nothing else, no script at all.
var inlineCSP = "default-src 'none'; style-src 'sha256-" + hashOf(pageCSS) + "'; img-src data:; base-uri 'none'; form-action 'none'"

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func mustAsset(name string) []byte {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// pageData is the template's view of a page: the page and, for the
// --html file, its inline stylesheet and policy.
type pageData struct {
	*page
	CSP string
}

func render(w io.Writer, p *page) error {
	d := pageData{page: p}
	if p.Inline {
		// The stylesheet is ours, from the binary: trusted as CSS.
		p.CSS = template.CSS(pageCSS)
		d.CSP = inlineCSP
	}
	return pageTemplate.ExecuteTemplate(w, "page", d)
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	v, err := parseView(r.Context(), r.URL.Query(), s.h, s.opt.Now)
	if err != nil {
		s.fail(w, err)
		return
	}
	p, err := s.buildPage(r.Context(), v, false)
	if err != nil {
		s.fail(w, err)
		return
	}
	// Rendered whole before the first byte, so that a failure is a 500
	// rather than half a page.
	var buf bytes.Buffer
	if err := render(&buf, p); err != nil {
		s.fail(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// fail answers a bad URL with 400 and its reason, and anything else with
// 500 without details: they are for the server's log, not the browser.
func (s *Server) fail(w http.ResponseWriter, err error) {
	var bad *badRequest
	if errors.As(err, &bad) {
		http.Error(w, bad.msg, http.StatusBadRequest)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	http.Error(w, "the history could not be read", http.StatusInternalServerError)
}

func serveAsset(name, contentType string) http.HandlerFunc {
	b := mustAsset(name)
	etag := `"` + hashOf(b)[:16] + `"`
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(b)
	}
}

// WriteHTML writes the page of r as one self-contained file: its
// stylesheet inline, its graphs inline SVG, no script and nothing to fetch,
// for --html. A zero r is the last hour up to the newest stored second.
func (s *Server) WriteHTML(ctx context.Context, w io.Writer, r history.Range) error {
	v := view{Range: r}
	if r.From == 0 && r.To == 0 {
		var err error
		if v, err = parseView(ctx, nil, s.h, s.opt.Now); err != nil {
			return err
		}
		v.Section, v.Source = r.Section, r.Source
	} else if r.From >= r.To {
		return errors.New("the range of the page is empty")
	}
	v.Live = false
	p, err := s.buildPage(ctx, v, true)
	if err != nil {
		return err
	}
	return render(w, p)
}
