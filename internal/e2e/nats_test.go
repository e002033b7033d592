package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsServer is an embedded NATS server with JetStream on disk, which a
// test can restart on the same port and directory.
type natsServer struct {
	t    *testing.T
	dir  string
	port int
	s    *server.Server
}

func startNATS(t *testing.T) *natsServer {
	t.Helper()
	n := &natsServer{t: t, dir: t.TempDir(), port: -1}
	n.start()
	t.Cleanup(func() { n.s.Shutdown() })
	return n
}

func (n *natsServer) start() {
	n.t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: n.port, JetStream: true, StoreDir: n.dir, NoSigs: true})
	if err != nil {
		n.t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		n.t.Fatal("the NATS server did not start")
	}
	n.s, n.port = s, s.Addr().(*net.TCPAddr).Port
}

func (n *natsServer) url(name string) string {
	return fmt.Sprintf("nats://127.0.0.1:%d/%s", n.port, name)
}

// natsBuffer is a stderr that goroutines may write while the test reads it.
type natsBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *natsBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *natsBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const natsCheckpointKind = "checkpoint"

// natsStore stands in for httpmon-report --db: it keeps the records before
// each checkpoint, with the checkpoint, as one transaction, appended to a
// file; what follows the last checkpoint is lost when the merge stops,
// as an uncommitted transaction is.
type natsStore struct {
	mu   sync.Mutex
	path string
	tx   []byte // the records since the last checkpoint
	part []byte
}

func (s *natsStore) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.part = append(s.part, p...)
	for {
		i := bytes.IndexByte(s.part, '\n')
		if i < 0 {
			break
		}
		line := s.part[:i+1]
		s.tx = append(s.tx, line...)
		if bytes.HasPrefix(line, []byte(`{"kind":"checkpoint"`)) {
			f, err := os.OpenFile(s.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return 0, err
			}
			_, err = f.Write(s.tx)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return 0, err
			}
			s.tx = s.tx[:0]
		}
		s.part = s.part[i+1:]
	}
	return len(p), nil
}

// abort drops the open transaction: the merge was stopped.
func (s *natsStore) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tx, s.part = s.tx[:0], s.part[:0]
}

type natsRecord struct {
	Kind    string `json:"kind"`
	Source  string `json:"source"`
	TS      int64  `json:"ts"`
	Start   int64  `json:"start"`
	End     int64  `json:"end"`
	Hits    int64  `json:"hits"`
	Through int64  `json:"through"`
	Resume  bool   `json:"resume"`
	Nats    struct {
		Seq uint64 `json:"seq"`
	} `json:"nats"`
}

func (s *natsStore) records(t *testing.T) []natsRecord {
	t.Helper()
	data, err := os.ReadFile(s.path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var recs []natsRecord
	for line := range bytes.Lines(data) {
		var r natsRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("stored %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// through returns the newest committed checkpoint's second, or -1.
func (s *natsStore) through(t *testing.T) int64 {
	th := int64(-1)
	for _, r := range s.records(t) {
		if r.Kind == natsCheckpointKind && !r.Resume {
			th = r.Through
		}
	}
	return th
}

// committedSeq returns the stream position of the newest committed
// checkpoint: every message before it is in the store.
func (s *natsStore) committedSeq(t *testing.T) uint64 {
	var seq uint64
	for _, r := range s.records(t) {
		if r.Kind == natsCheckpointKind {
			seq = r.Nats.Seq
		}
	}
	return seq
}

// connectJetStream connects to n's JetStream; done closes the connection.
func connectJetStream(t *testing.T, n *natsServer) (js jetstream.JetStream, done func()) {
	t.Helper()
	nc, err := nats.Connect(n.url(""))
	if err != nil {
		t.Fatal(err)
	}
	if js, err = jetstream.New(nc); err != nil {
		nc.Close()
		t.Fatal(err)
	}
	return js, nc.Close
}

// ackFloor returns the sequence up to which the merge's durable consumer
// has acknowledged the stream.
func ackFloor(t *testing.T, n *natsServer) uint64 {
	t.Helper()
	js, done := connectJetStream(t, n)
	defer done()
	cons, err := js.Consumer(context.Background(), "HTTPMON", "httpmon-merge")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.AckFloor.Stream
}

// natsWait polls cond until it holds or the deadline passes.
func natsWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// natsRequests are the request records of a host's seconds [from, to):
// second s has (s*7+k*3)%11+1 requests on host k.
func natsRequests(base int64, k int, from, to int64) []byte {
	var b bytes.Buffer
	for s := from; s < to; s++ {
		for range natsHits(k, s) {
			fmt.Fprintf(&b, `{"kind":"request","ts":%d,"section":"/s%d","status":200,"bytes":10}`+"\n", base+s, s%3)
		}
	}
	return b.Bytes()
}

func natsHits(k int, s int64) int64 { return (s*7+int64(k)*3)%11 + 1 }

// natsCentral is a running merge of the stream into a natsStore.
type natsCentral struct {
	cmd    *exec.Cmd
	copied chan error
	stderr *natsBuffer
}

func startNATSCentral(t *testing.T, n *natsServer, store *natsStore) *natsCentral {
	t.Helper()
	cmd := command(t, "httpmon-window", "--merge", "--interval", "5s", "--sources", "web0,web1,web2", "--source-timeout", "1m",
		"--resume", store.path, n.url("HTTPMON"))
	c := &natsCentral{cmd: cmd, copied: make(chan error, 1), stderr: &natsBuffer{}}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_, err := io.Copy(store, out)
		c.copied <- err
	}()
	return c
}

// stop stops the merge with SIGTERM, as a service manager does; what it
// wrote after its last checkpoint is not committed.
func (c *natsCentral) stop(t *testing.T, store *natsStore) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-c.copied; err != nil {
		t.Fatal(err)
	}
	if err := waitExit(t, c.cmd); err != nil {
		t.Fatalf("merge: %v\n%s", err, c.stderr)
	}
	store.abort()
}

func natsPublish(t *testing.T, n *natsServer, base int64, k int, from, to int64, stderr io.Writer) error {
	t.Helper()
	src := fmt.Sprintf("web%d", k)
	cmd := command(t, "httpmon-window", "--source", src, "--idle", "0", "--interval", "5s", "--total-top", "0",
		"--publish", n.url("httpmon."+src))
	cmd.Stdin = bytes.NewReader(natsRequests(base, k, from, to))
	var errb bytes.Buffer
	cmd.Stderr = io.MultiWriter(stderr, &errb)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %s", err, errb.String())
	}
	return nil
}

// TestNATSRestarts publishes the windows of three hosts through an
// embedded JetStream server to the central merge, and restarts the server
// while a host publishes, the merge, and a host (which publishes seconds
// again): the store ends with every second once, with the hits of all
// three hosts.
func TestNATSRestarts(t *testing.T) {
	const base, last = int64(1764496800), int64(40)
	n := startNATS(t)
	store := &natsStore{path: filepath.Join(t.TempDir(), "store.ndjson")}
	c := startNATSCentral(t, n, store)
	defer func() { c.cmd.Process.Kill() }()

	// web1 lags: its seconds 10 to 19 come after web2's 20 to 24, so that
	// a restart from the store's position reads them again, and must
	// leave them out.
	for _, p := range []struct {
		k        int
		from, to int64
	}{{0, 0, 20}, {1, 0, 10}, {2, 0, 25}, {1, 10, 20}} {
		if err := natsPublish(t, n, base, p.k, p.from, p.to, io.Discard); err != nil {
			t.Fatalf("web%d: %v", p.k, err)
		}
	}
	natsWait(t, "the merge to commit second 14", func() bool { return store.through(t) >= base+14 })
	// The consumer acknowledges only what the store committed: web2's
	// seconds 20 to 24 have been read, not committed.
	natsWait(t, "the consumer to acknowledge", func() bool { return ackFloor(t, n) > 0 })
	if floor, seq := ackFloor(t, n), store.committedSeq(t); floor > seq-1 {
		t.Errorf("acknowledged up to sequence %d, but the store committed only up to %d", floor, seq-1)
	}

	// The server goes away while web0 publishes: the host waits for it.
	n.s.Shutdown()
	n.s.WaitForShutdown()
	pubErr := &natsBuffer{}
	published := make(chan error, 1)
	go func() { published <- natsPublish(t, n, base, 0, 20, last, pubErr) }()
	natsWait(t, "web0 to retry", func() bool { return strings.Contains(pubErr.String(), "trying again") })
	n.start()
	if err := <-published; err != nil {
		t.Fatalf("web0 across the server's restart: %v\n%s", err, pubErr)
	}
	if !strings.Contains(pubErr.String(), "not connected: the server is down or unreachable; trying again") {
		t.Errorf("web0 did not say why it waited: %s", pubErr)
	}

	// The central merge restarts, from what the store committed.
	c.stop(t, store)
	committed := store.through(t)
	c = startNATSCentral(t, n, store)

	// web2 restarts 10 seconds back, and publishes seconds again.
	again := &natsBuffer{}
	if err := natsPublish(t, n, base, 2, 15, last, again); err != nil {
		t.Fatalf("web2 restarted: %v", err)
	}
	// Seconds 15 to 24: 10 ticks and 2 summaries the stream had.
	if want := "published 18 records to nats://127.0.0.1:" + fmt.Sprint(n.port) + "/httpmon.web2; 12 more the stream had already"; !strings.Contains(again.String(), want) {
		t.Errorf("web2 restarted said %q, want %q", again, want)
	}
	if err := natsPublish(t, n, base, 1, 20, last, io.Discard); err != nil {
		t.Fatalf("web1: %v", err)
	}
	natsWait(t, "the merge to commit the last second", func() bool { return store.through(t) >= base+last-1 })
	// The consumer acknowledges what the store committed, all of it.
	var floor uint64
	natsWait(t, "the consumer to acknowledge what the store committed", func() bool {
		floor = ackFloor(t, n)
		return floor >= store.committedSeq(t)-1
	})
	if seq := store.committedSeq(t); floor != seq-1 {
		t.Errorf("acknowledged up to sequence %d, but the store committed up to %d", floor, seq-1)
	}
	c.stop(t, store)
	if !strings.Contains(c.stderr.String(), "resuming stream HTTPMON") {
		t.Errorf("the restarted merge did not say it resumed: %s", c.stderr)
	}

	ticks := map[int64]int{}
	summaries := map[int64]int{}
	resumes := 0
	for _, r := range store.records(t) {
		switch r.Kind {
		case "tick":
			if r.Source != "" {
				t.Fatalf("a source's own tick reached the store: %+v", r)
			}
			ticks[r.TS]++
			var want int64
			for k := range 3 {
				want += natsHits(k, r.TS-base)
			}
			if r.Hits != want {
				t.Errorf("second %d: hits %d, want %d", r.TS-base, r.Hits, want)
			}
		case "summary":
			summaries[r.Start]++
			var want int64
			for s := r.Start; s < r.End; s++ {
				for k := range 3 {
					want += natsHits(k, s-base)
				}
			}
			if r.Hits != want {
				t.Errorf("summary at %d: hits %d, want %d", r.Start-base, r.Hits, want)
			}
		case natsCheckpointKind:
			if r.Resume {
				resumes++
				if r.Through != committed {
					t.Errorf("resumed through %d, the store had %d", r.Through, committed)
				}
			}
		}
	}
	if resumes != 1 {
		t.Errorf("%d resume checkpoints in the store, want 1", resumes)
	}
	for s := int64(0); s < last; s++ {
		if ticks[base+s] != 1 {
			t.Errorf("second %d stored %d times", s, ticks[base+s])
		}
	}
	for s := int64(0); s < last; s += 5 {
		if summaries[base+s] != 1 {
			t.Errorf("summary at %d stored %d times", s, summaries[base+s])
		}
	}
}
