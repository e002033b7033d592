package web

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpmon/httpmon/internal/event"
)

// maxStreams bounds the live streams served at once: each is a goroutine
// and a queue.
const maxStreams = 64

// streamQueue is how many records a live stream holds for a browser that
// has not read them yet: a few seconds of ticks.
const streamQueue = 64

// Timings of a live stream: a comment every keepAlive keeps proxies from
// closing a quiet stream and finds browsers that went away; a write that
// takes longer than writeWait ends the stream.
const (
	keepAlive = 15 * time.Second
	writeWait = 10 * time.Second
)

// broker hands published records to the live streams.
type broker struct {
	mu      sync.Mutex
	streams map[*stream]struct{}
	limit   int
	n       atomic.Int32 // len(streams), read without the lock
	dec     *event.Decoder
}

// stream is one browser's queue of records.
type stream struct {
	mu      sync.Mutex
	queue   [][]byte      // each an SSE message, "event: …\ndata: …\n\n"
	ready   chan struct{} // has a value when queue is not empty
	dropped int64
}

func newBroker(limit int) *broker {
	return &broker{streams: map[*stream]struct{}{}, limit: limit, dec: event.NewDecoder()}
}

// Publish hands one record of the live stream, as read from the input, to
// the browsers watching: ticks, summaries, alerts and rules; other kinds
// are ignored. It never blocks and keeps nothing of line: a browser that
// cannot keep up loses its oldest queued records, so that it catches up
// with the newest and the pipeline never waits for it.
func (s *Server) Publish(kind string, line []byte) {
	switch kind {
	case event.KindTick, event.KindSummary, event.KindAlert, event.KindRule:
	default:
		return
	}
	s.broker.publish(kind, line)
}

func (b *broker) publish(kind string, line []byte) {
	// The report calls this for every record: with nobody watching it
	// costs an atomic load and nothing more.
	if b.n.Load() == 0 {
		return
	}
	line = trimLine(line)
	b.mu.Lock()
	defer b.mu.Unlock()
	// The report may hand over a record before it finds it damaged; the
	// browsers get whole JSON objects only.
	if b.dec.Validate(line) != nil {
		return
	}
	msg := make([]byte, 0, len("event: \ndata: \n\n")+len(kind)+len(line))
	msg = append(msg, "event: "...)
	msg = append(msg, kind...)
	msg = append(msg, "\ndata: "...)
	msg = append(msg, line...)
	msg = append(msg, "\n\n"...)
	for st := range b.streams {
		st.push(msg)
	}
}

func (st *stream) push(msg []byte) {
	st.mu.Lock()
	if len(st.queue) == streamQueue {
		// Drop the oldest: the browser wants the newest ticks, and a
		// graph with a hole is better than one that lags.
		copy(st.queue, st.queue[1:])
		st.queue = st.queue[:len(st.queue)-1]
		st.dropped++
	}
	st.queue = append(st.queue, msg)
	st.mu.Unlock()
	select {
	case st.ready <- struct{}{}:
	default:
	}
}

// take returns the queued messages and empties the queue.
func (st *stream) take(into [][]byte) [][]byte {
	st.mu.Lock()
	into = append(into[:0], st.queue...)
	clear(st.queue)
	st.queue = st.queue[:0]
	st.mu.Unlock()
	return into
}

func (b *broker) add() *stream {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.streams) >= b.limit {
		return nil
	}
	st := &stream{ready: make(chan struct{}, 1)}
	b.streams[st] = struct{}{}
	b.n.Store(int32(len(b.streams)))
	return st
}

func (b *broker) remove(st *stream) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.streams, st)
	b.n.Store(int32(len(b.streams)))
}

// serveEvents is the live stream, as Server-Sent Events: each published
// record is an event named by its kind, with the record as its data.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "text/event-stream")
		return
	}
	st := s.broker.add()
	if st == nil {
		http.Error(w, "too many live streams open", http.StatusServiceUnavailable)
		return
	}
	defer s.broker.remove(st)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	// The server's WriteTimeout is for pages; a stream sets a deadline
	// for each write instead, so that it lives as long as it is read.
	write := func(b []byte) bool {
		if err := rc.SetWriteDeadline(time.Now().Add(writeWait)); err != nil && err != http.ErrNotSupported {
			return false
		}
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	// The retry hint, and the headers, go out at once: the browser knows
	// it is connected.
	if !write([]byte("retry: 2000\n\n")) {
		return
	}
	ping := time.NewTicker(keepAlive)
	defer ping.Stop()
	var msgs [][]byte
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-ping.C:
			if !write([]byte(": keep-alive\n\n")) {
				return
			}
		case <-st.ready:
			msgs = st.take(msgs)
			var buf []byte
			for _, m := range msgs {
				buf = append(buf, m...)
			}
			if !write(buf) {
				return
			}
		}
	}
}
