package reportcmd

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// heldWriter keeps what is written to it, up to a limit, until Release,
// and passes writes through after that. Malformed-input notices go to
// stderr, which is the screen the dashboard draws on; they are shown when
// the dashboard is gone instead of tearing through it.
type heldWriter struct {
	mu       sync.Mutex
	w        io.Writer
	buf      bytes.Buffer
	dropped  bool
	released bool
}

const heldLimit = 64 << 10

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return h.w.Write(p)
	}
	if h.buf.Len()+len(p) > heldLimit {
		h.dropped = true
		return len(p), nil
	}
	return h.buf.Write(p)
}

// Release writes what was held and lets later writes through.
func (h *heldWriter) Release(prog string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.w.Write(h.buf.Bytes())
	if h.dropped {
		fmt.Fprintf(h.w, "%s: more notices were given while the dashboard was shown than kept\n", prog)
	}
	h.released = true
}
