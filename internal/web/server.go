package web

import (
	"net/http"
	"sync"
	"time"

	"github.com/httpmon/httpmon/internal/history"
)

// Options configure a Server.
type Options struct {
	// Title heads the page; "httpmon" when empty.
	Title string
	// AuthToken, when set, is required of every request: as a Bearer
	// token, or once as ?token=, which sets a cookie.
	AuthToken string
	// Users, when set, are accepted with HTTP basic authentication.
	Users *Users
	// MaxPoints is the most points of a graph, about its width in pixels;
	// DefaultMaxPoints when zero.
	MaxPoints int
	// TopSections is how many sections the page lists; 10 when zero.
	TopSections int
	// Metrics, when set, is served at /metrics.
	Metrics http.Handler
	// Now is the clock for the default range of an empty history only;
	// time.Now when nil.
	Now func() time.Time
}

// DefaultMaxPoints is the number of points of a graph by default: one per
// pixel of its width.
const DefaultMaxPoints = 720

// Server is the web page, its API and its live stream over one history.
type Server struct {
	opt     Options
	h       history.Reader
	broker  *broker
	handler http.Handler
	auth    *authenticator

	closeOnce sync.Once
	done      chan struct{} // closed by Close: live streams end
}

// New returns a Server that reads h. A nil h is a history with nothing
// stored, for a page of the live stream only.
func New(opt Options, h history.Reader) *Server {
	if opt.Title == "" {
		opt.Title = "httpmon"
	}
	if opt.MaxPoints <= 0 {
		opt.MaxPoints = DefaultMaxPoints
	}
	if opt.TopSections <= 0 {
		opt.TopSections = 10
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if h == nil {
		h = emptyReader{}
	}
	s := &Server{opt: opt, h: h, broker: newBroker(maxStreams), done: make(chan struct{})}
	s.auth = newAuthenticator(opt.AuthToken, opt.Users)
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", s.servePage)
	mux.HandleFunc("/static/page.css", serveAsset("page.css", "text/css; charset=utf-8"))
	mux.HandleFunc("/static/live.js", serveAsset("live.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("/events", s.serveEvents)
	mux.HandleFunc("/api/ticks", s.serveAPI(history.Reader.Ticks))
	mux.HandleFunc("/api/summaries", s.serveAPI(history.Reader.Summaries))
	mux.HandleFunc("/api/alerts", s.serveAPI(history.Reader.AlertRecords))
	mux.HandleFunc("/api/totals", s.serveAPI(history.Reader.Totals))
	if opt.Metrics != nil {
		mux.Handle("/metrics", opt.Metrics)
	}
	s.handler = secure(s.auth.wrap(mux))
	return s
}

// Handler returns the server's HTTP handler: the page at /, the API under
// /api/, the live stream at /events.
func (s *Server) Handler() http.Handler { return s.handler }

// Close ends the live streams, which would otherwise keep a graceful
// shutdown of the HTTP server waiting for ever.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

// secure sets the headers every response carries and refuses every method
// but GET and HEAD: nothing here changes anything.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "only GET and HEAD are served here", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// pageCSP allows the page its own stylesheet, script and live stream and
// nothing else: no inline script, no other origin, no framing.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
