package windowcmd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	jsoniter "github.com/json-iterator/go"
	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/natsio"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// natsFlags are the flags of the NATS JetStream transport: a host's window
// publishes, the central merge consumes.
func natsFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "publish",
			Usage: "with --source: publish the records to NATS JetStream, `nats://HOST:PORT/SUBJECT`, each acknowledged by the stream before more input is read, instead of writing them to standard output"},
		&cli.StringFlag{Name: "resume",
			Usage: "with --merge nats://…: the store of the merged records, `FILE`: the history of httpmon-report --db (read only) or a file of NDJSON records; its committed checkpoint says where in the stream to go on, and the consumer acknowledges what it holds"},
		&cli.StringFlag{Name: "durable", Value: natsio.DefaultDurable,
			Usage: "with --merge nats://…: the name of the durable consumer"},
	}
}

// startPublish sends the window's output to --publish instead of standard
// output, and returns what finishes the publishing.
func startPublish(c *cli.Context) (finish func(*stage.Stage, error) error, err error) {
	for _, f := range []string{"resume", "durable"} {
		if c.IsSet(f) {
			return nil, stage.UsageError("--%s goes with --merge nats://HOST:PORT/STREAM", f)
		}
	}
	target := c.String("publish")
	if target == "" {
		return nil, nil
	}
	if c.String("source") == "" {
		return nil, stage.UsageError("--publish needs --source, which names the host in its records")
	}
	a, err := natsio.ParseAddr(target)
	if err != nil {
		return nil, stage.UsageError("--publish %s: %v", textsafe.String(natsio.Shown(target)), err)
	}
	p, err := natsio.NewPublisher(a, name+" "+c.String("source"))
	if err != nil {
		return nil, err
	}
	errw := c.App.ErrWriter
	p.Retry = func(err error) {
		fmt.Fprintf(errw, "%s: nats://%s: %s; trying again\n", name, a.Host, textsafe.String(err.Error()))
	}
	c.App.Writer = p
	return func(st *stage.Stage, err error) error {
		p.Stop = st.Ctx.Done()
		err = st.Finish(err)
		if cerr := p.Close(); err == nil {
			err = cerr
		}
		ps := p.Stats()
		fmt.Fprintf(errw, "%s: published %d records to nats://%s/%s", name, ps.Published, a.Host, textsafe.String(a.Name))
		if ps.Duplicates > 0 {
			fmt.Fprintf(errw, "; %d more the stream had already, from an earlier run", ps.Duplicates)
		}
		if ps.KeptBack > 0 {
			fmt.Fprintf(errw, "; %d after the last checkpoint kept back, for a restart from it to compute again", ps.KeptBack)
		}
		fmt.Fprintln(errw)
		return err
	}, nil
}

// kindCheckpoint is the kind of the records that carry a position in band,
// for a store to commit with the records before it.
const kindCheckpoint = "checkpoint"

// natsMerge is the part of --merge that reads NATS streams: it keeps the
// stream position of the merged records, writes it into the checkpoints it
// emits after each merged summary, and on --resume skips what the store
// holds.
type natsMerge struct {
	st      *stage.Stage
	stream  string
	durable string
	resume  string
	through int64 // the newest second of a checkpoint written
	skip    int64 // the store held every merged second up to it at the start
	errw    io.Writer
	pos     natsio.Positions
	dec     *event.Decoder
	tk      event.Tick
	sm      event.Summary
	line    []byte

	stopping  atomic.Bool // the stream's reading ended
	mu        sync.Mutex
	committed uint64 // the store's last committed resume sequence
	off       int64  // how far the --resume file was read
}

// newNATSMerge returns nil when no input of names is a NATS stream.
func newNATSMerge(c *cli.Context, st *stage.Stage, names []string) (*natsMerge, error) {
	if c.IsSet("publish") {
		return nil, stage.UsageError("--publish does not go with --merge: hosts publish, the merge consumes")
	}
	var streams []string
	for _, n := range names {
		if natsio.IsAddr(n) {
			streams = append(streams, n)
		}
	}
	if len(streams) == 0 {
		if c.IsSet("resume") || c.IsSet("durable") {
			return nil, stage.UsageError("--resume and --durable go with --merge nats://HOST:PORT/STREAM")
		}
		return nil, nil
	}
	if len(streams) > 1 {
		return nil, stage.UsageError("--merge reads one NATS stream, got %d: one stream carries every host's subject", len(streams))
	}
	a, err := natsio.ParseAddr(streams[0])
	if err != nil {
		return nil, stage.UsageError("--merge %s: %v", textsafe.String(natsio.Shown(streams[0])), err)
	}
	nm := &natsMerge{st: st, stream: a.Name, durable: c.String("durable"), resume: c.String("resume"), dec: event.NewDecoder(), through: -1 << 62, skip: -1 << 62, errw: c.App.ErrWriter}
	if nm.resume != "" {
		line, cp, err := nm.readCommitted()
		if err != nil {
			return nil, err
		}
		if line != nil {
			if cp.Nats.Stream != nm.stream {
				return nil, fmt.Errorf("--resume %s: its position is in stream %s, not %s", textsafe.String(nm.resume), textsafe.String(cp.Nats.Stream), textsafe.String(nm.stream))
			}
			nm.through, nm.skip = cp.Through, cp.Through
			// The resume checkpoint goes first, so that the stages after
			// the merge restore their state from it, as after any resume.
			if err := st.Pass(resumeLine(line)); err != nil {
				return nil, err
			}
			st.Rejects.Tell(fmt.Sprintf("resuming stream %s at sequence %d, after %s", textsafe.String(nm.stream), nm.committed, rfc3339(nm.through)))
		}
	}
	return nm, nil
}

// storedCheckpoint is what --resume reads of a checkpoint record.
type storedCheckpoint struct {
	Kind    string `json:"kind"`
	Through int64  `json:"through"`
	Nats    struct {
		Stream string `json:"stream"`
		Seq    uint64 `json:"seq"`
	} `json:"nats"`
}

// readCommitted reads the --resume store's committed position: the last
// checkpoint with a stream position, if any, and the line it came on.
func (nm *natsMerge) readCommitted() ([]byte, storedCheckpoint, error) {
	if history.IsHistoryPath(nm.resume) {
		return nm.readHistory()
	}
	return nm.readNDJSON()
}

// readHistory reads the committed checkpoint of the history of
// httpmon-report --db, read-only. Of several sources' checkpoints it takes
// the one in this merge's stream; the resume line it returns carries the
// rules' states and the newest alert transition stored, so that the
// stages after the merge go on as if there had been no restart.
func (nm *natsMerge) readHistory() ([]byte, storedCheckpoint, error) {
	var cp storedCheckpoint
	if _, err := os.Stat(nm.resume); errors.Is(err, os.ErrNotExist) {
		return nil, cp, nil // a first run: nothing is stored yet
	}
	rs, err := history.ReadResume(nm.resume)
	if err != nil {
		return nil, cp, fmt.Errorf("--resume: %v", err)
	}
	var best *history.Resume
	for i := range rs {
		r := &rs[i]
		switch {
		case r.NatsStream == "":
		case best == nil, r.NatsStream == nm.stream && (best.NatsStream != nm.stream || r.NatsSeq > best.NatsSeq):
			best = r
		}
	}
	if best == nil {
		return nil, cp, nil
	}
	var ck event.Checkpoint
	if err := event.NewDecoder().Checkpoint(best.Checkpoint, &ck); err != nil {
		return nil, cp, fmt.Errorf("--resume %s: its checkpoint is not valid: %v", textsafe.String(nm.resume), err)
	}
	cp.Kind, cp.Through = kindCheckpoint, ck.Through
	cp.Nats.Stream, cp.Nats.Seq = best.NatsStream, best.NatsSeq
	ck.Resume = true
	ck.Alerted, ck.HasAlerted = best.Alerted, best.HasAlerted
	line, err := event.NewEncoder().Checkpoint(&ck)
	if err != nil {
		return nil, cp, err
	}
	nm.mu.Lock()
	nm.committed = cp.Nats.Seq
	nm.mu.Unlock()
	return bytes.Clone(bytes.TrimRight(line, "\n")), cp, nil
}

// readNDJSON reads the --resume file of NDJSON records on from where it
// was last read.
func (nm *natsMerge) readNDJSON() ([]byte, storedCheckpoint, error) {
	var cp storedCheckpoint
	f, err := os.Open(nm.resume)
	if errors.Is(err, os.ErrNotExist) {
		return nil, cp, nil // a first run: nothing is stored yet
	}
	if err != nil {
		return nil, cp, fmt.Errorf("--resume: %v", err)
	}
	defer f.Close()
	if nm.off == 0 {
		// Anything but NDJSON would read as a store with nothing in it,
		// and the merge would start the stream over, counting it twice.
		head := make([]byte, 16)
		if n, _ := io.ReadFull(f, head); n > 0 && head[0] != '{' {
			return nil, cp, fmt.Errorf("--resume %s: not a file of NDJSON records", textsafe.String(nm.resume))
		}
	}
	if _, err := f.Seek(nm.off, 0); err != nil {
		return nil, cp, fmt.Errorf("--resume: %v", err)
	}
	r := bufio.NewReaderSize(f, 64<<10)
	var last []byte
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			break // a record not yet ended is not yet stored
		}
		nm.off += int64(len(line))
		if !bytes.Contains(line, []byte(`"nats"`)) {
			continue
		}
		var c storedCheckpoint
		if jsoniter.Unmarshal(line, &c) == nil && c.Kind == kindCheckpoint && c.Nats.Stream != "" {
			cp, last = c, bytes.TrimRight(line, "\r\n")
		}
	}
	if last != nil {
		nm.mu.Lock()
		nm.committed = cp.Nats.Seq
		nm.mu.Unlock()
	}
	return last, cp, nil
}

// resumeLine marks a stored checkpoint as the one a pipeline resumes from.
func resumeLine(line []byte) []byte {
	const head = `{"kind":"checkpoint",`
	if bytes.HasPrefix(line, []byte(head)) && !bytes.Contains(line, []byte(`"resume":true`)) {
		return append([]byte(head+`"resume":true,`), line[len(head):]...)
	}
	return line
}

// read consumes the stream of input i into msgs, from the committed
// position, acknowledging what the store commits as it commits it.
func (nm *natsMerge) read(ctx context.Context, i int, target string, msgs chan<- inputMsg, resume <-chan struct{}) {
	a, _ := natsio.ParseAddr(target)
	cons, err := natsio.NewConsumer(ctx, a, nm.durable, nm.committed, nm.resume != "")
	if ctx.Err() != nil {
		err = nil // stopped while the server was away
	}
	if err != nil || cons == nil {
		nm.stopping.Store(true)
		msgs <- inputMsg{in: i, end: true, err: err}
		return
	}
	retried := time.Time{}
	cons.Retry = func(err error) {
		if time.Since(retried) >= natsio.RetryEvery {
			retried = time.Now()
			// From this goroutine, not through Rejects, which the merge
			// owns.
			fmt.Fprintf(nm.errw, "%s: nats://%s: %s; waiting\n", name, a.Host, textsafe.String(err.Error()))
		}
	}
	if nm.committed > 1 {
		cons.Ack(nm.committed - 1)
	}
	go func() {
		<-ctx.Done()
		cons.Stop()
	}()
	if nm.resume != "" {
		go nm.ackCommitted(ctx, cons)
	}
	dec := event.NewDecoder()
	var no int64
	for {
		seq, data, err := cons.Next()
		if err != nil {
			if errors.Is(err, natsio.ErrStopped) {
				err = nil
			}
			nm.stopping.Store(true)
			msgs <- inputMsg{in: i, end: true, err: err}
			return
		}
		no++
		kind, kerr := dec.Kind(data)
		msgs <- inputMsg{in: i, kind: string(kind), line: bytes.Clone(data), no: no, seq: seq, bad: kerr}
		<-resume
	}
}

// ackCommitted acknowledges, every few seconds, what the store has
// committed since, so that the stream may let it go.
func (nm *natsMerge) ackCommitted(ctx context.Context, cons *natsio.Consumer) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, _, err := nm.readCommitted(); err != nil {
			continue
		}
		nm.mu.Lock()
		seq := nm.committed
		nm.mu.Unlock()
		if seq > 1 {
			cons.Ack(seq - 1)
		}
	}
}

// take notes a record read from the stream, and reports whether the merge
// leaves it out: the store has its second, or it is a host's own
// checkpoint, a position in the host's logs that means nothing here.
func (nm *natsMerge) take(msg *inputMsg) bool {
	switch msg.kind {
	case event.KindTick:
		if nm.dec.Tick(msg.line, &nm.tk) == nil {
			if nm.tk.TS <= nm.skip {
				nm.pos.Seen(msg.seq)
				return true
			}
			nm.pos.Add(msg.seq, nm.tk.TS)
			return false
		}
	case event.KindSummary:
		if nm.dec.Summary(msg.line, &nm.sm) == nil {
			if nm.sm.End-1 <= nm.skip {
				nm.pos.Seen(msg.seq)
				return true
			}
			nm.pos.Add(msg.seq, nm.sm.End-1)
			return false
		}
	case kindCheckpoint:
		nm.pos.Seen(msg.seq)
		return true
	}
	nm.pos.Seen(msg.seq)
	return false
}

// summary writes a merged summary, and after it, with a NATS input, the
// checkpoint of the stream position it completes.
func (s *mergeSink) summary(m *event.Summary) error {
	if err := s.st.Emit(s.enc.Summary(m)); err != nil || s.nats == nil {
		return err
	}
	return s.nats.checkpoint(m)
}

// checkpoint writes, after merged summary m, the position from which a
// restart reads the stream again once the store holds m.
func (nm *natsMerge) checkpoint(m *event.Summary) error {
	through := m.End - 1
	if through <= nm.through || nm.stopping.Load() {
		// Stopping, the merge flushes seconds that are not final: the
		// sources may still send records of them, so no position may
		// say the store has them.
		return nil
	}
	nm.through = through
	seq := nm.pos.Resume(through)
	b := append(nm.line[:0], `{"kind":"checkpoint","files":[],"through":`...)
	b = strconv.AppendInt(b, through, 10)
	b = append(b, `,"nats":{"stream":`...)
	b = strconv.AppendQuote(b, nm.stream)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, "}}"...)
	nm.line = b
	return nm.st.Pass(b)
}
