package web

import (
	"bufio"
	"context"
	"net/http"
	"time"

	"github.com/httpmon/httpmon/internal/history"
)

// walkFunc is one of the Reader's walks over stored records.
type walkFunc func(h history.Reader, ctx context.Context, r history.Range, fn func(line []byte) error) error

// serveAPI answers with the stored records of the URL's range as NDJSON
// in the wire protocol, streamed as the Reader walks them, so that the
// answer can be piped into httpmon-alert or any other stage.
func (s *Server) serveAPI(walk walkFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := parseView(r.Context(), r.URL.Query(), s.h, s.opt.Now)
		if err != nil {
			s.fail(w, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/x-ndjson")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Disposition", "inline")
		if r.Method == http.MethodHead {
			return
		}
		rc := http.NewResponseController(w)
		// A long range is a long answer: the server's WriteTimeout would
		// cut it, so each write has a deadline of its own instead.
		bw := bufio.NewWriterSize(deadlineWriter{w, rc}, 64<<10)
		started := false
		err = walk(s.h, r.Context(), v.Range, func(line []byte) error {
			started = true
			if _, err := bw.Write(trimLine(line)); err != nil {
				return err
			}
			return bw.WriteByte('\n')
		})
		if err != nil && !started {
			s.fail(w, err)
			return
		}
		if err != nil {
			// Half an answer must not look whole: end the connection
			// without the last chunk, which clients report as an error.
			bw.Flush()
			panic(http.ErrAbortHandler)
		}
		bw.Flush()
		rc.Flush()
	}
}

// deadlineWriter gives each write to a response its own deadline.
type deadlineWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (d deadlineWriter) Write(p []byte) (int, error) {
	d.rc.SetWriteDeadline(time.Now().Add(writeWait))
	return d.w.Write(p)
}
