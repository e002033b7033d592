package natsio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/httpmon/httpmon/internal/event"
)

// Publisher publishes the NDJSON records written to it to one subject, one
// message per record, and returns from Write only once the stream has
// acknowledged every whole record it publishes: what a caller has flushed
// is on the server's disk. While the server is unreachable Write waits and
// tries again, so the pipeline before it is held back instead of losing
// records.
//
// Once a checkpoint record has come, it publishes records only up to each
// checkpoint, and keeps back the records after the last one until the
// next: a host restarted from the subject's last message, that checkpoint,
// computes those records again in full, whereas ones published before the
// stop (a second cut short) would keep their ids and leave the complete
// ones out as copies. Close drops what is kept back.
type Publisher struct {
	addr    Addr
	nc      *nats.Conn
	js      jetstream.JetStream
	ids     *msgIDs
	part    []byte // a record not yet ended by its newline
	holding bool   // a checkpoint came: records wait for the next one
	held    []byte // the records since the last checkpoint, each with its newline
	nheld   int64
	// Stop, when closed, makes a record that cannot be published give up
	// after GiveUp more of trying, instead of waiting for the server for
	// ever: the command is being stopped.
	Stop   <-chan struct{}
	GiveUp time.Duration
	// Retry, if set, is told of each failed attempt, for a message to the
	// operator; it is called at most once a RetryEvery.
	Retry     func(err error)
	lastRetry time.Time
	stats     PublishStats
}

// PublishStats counts what a Publisher sent.
type PublishStats struct {
	Published  int64 // records the stream stored
	Duplicates int64 // records the stream already had under their id
	Retries    int64 // failed attempts that were tried again
	KeptBack   int64 // records after the last checkpoint, dropped at Close
}

// errNotConnected is why a record waits while the server is away, rather
// than whatever a publish would say without a connection.
var errNotConnected = errors.New("not connected: the server is down or unreachable")

// RetryEvery spaces out the messages about a server that does not answer.
const RetryEvery = 5 * time.Second

// ackWait is how long one attempt waits for the stream's acknowledgement.
const ackWait = 5 * time.Second

// NewPublisher connects to a's server to publish to the subject a.Name,
// creating the stream DefaultStream when no stream captures the subject.
func NewPublisher(a Addr, client string) (*Publisher, error) {
	nc, js, err := connect(a, client)
	if err != nil {
		return nil, err
	}
	return &Publisher{addr: a, nc: nc, js: js, ids: newMsgIDs(), GiveUp: 10 * time.Second}, nil
}

// Stats returns the counts so far.
func (p *Publisher) Stats() PublishStats { return p.stats }

// Write publishes the whole records in b, and keeps a trailing partial one
// for the next Write.
func (p *Publisher) Write(b []byte) (int, error) {
	n := len(b)
	if len(p.part) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.part = append(p.part, b...)
			return n, nil
		}
		p.part = append(p.part, b[:i]...)
		if err := p.record(p.part); err != nil {
			return 0, err
		}
		p.part = p.part[:0]
		b = b[i+1:]
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.part = append(p.part, b...)
			break
		}
		if err := p.record(b[:i]); err != nil {
			return 0, err
		}
		b = b[i+1:]
	}
	return n, nil
}

// record publishes line, or keeps it back until the next checkpoint, and
// publishes the records kept back when line is a checkpoint.
func (p *Publisher) record(line []byte) error {
	if len(line) == 0 {
		return nil
	}
	kind, err := p.ids.dec.Kind(line)
	if err != nil {
		return fmt.Errorf("nats://%s/%s: a record that does not decode: %v", p.addr.Host, p.addr.Name, err)
	}
	if string(kind) != event.KindCheckpoint {
		if !p.holding {
			return p.publish(line)
		}
		p.held = append(p.held, line...)
		p.held = append(p.held, '\n')
		p.nheld++
		return nil
	}
	for b := p.held; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if err := p.publish(b[:i]); err != nil {
			return err
		}
		b = b[i+1:]
	}
	p.held, p.nheld, p.holding = p.held[:0], 0, true
	return p.publish(line)
}

// publish sends one record until the stream acknowledges it.
func (p *Publisher) publish(line []byte) error {
	if len(line) == 0 {
		return nil
	}
	id, err := p.ids.id(p.addr.Name, line)
	if err != nil {
		return fmt.Errorf("nats://%s/%s: a record that does not decode: %v", p.addr.Host, p.addr.Name, err)
	}
	msg := nats.NewMsg(p.addr.Name)
	msg.Data = line
	msg.Header.Set(jetstream.MsgIDHeader, id)
	var stopped time.Time
	for {
		var ack *jetstream.PubAck
		err := errNotConnected
		if p.nc.IsConnected() {
			ctx, cancel := context.WithTimeout(context.Background(), ackWait)
			ack, err = p.js.PublishMsg(ctx, msg)
			cancel()
		}
		if err == nil {
			if ack.Duplicate {
				p.stats.Duplicates++
			} else {
				p.stats.Published++
			}
			return nil
		}
		if errors.Is(err, nats.ErrMaxPayload) {
			return fmt.Errorf("nats://%s/%s: a record of %d bytes is over the server's limit", p.addr.Host, p.addr.Name, len(line))
		}
		if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) {
			// No stream captures the subject (yet): make the default one,
			// which a server still starting may refuse; then try again.
			p.ensureStream()
		}
		p.stats.Retries++
		if p.Retry != nil && time.Since(p.lastRetry) >= RetryEvery {
			p.lastRetry = time.Now()
			p.Retry(err)
		}
		select {
		case <-p.Stop:
			if stopped.IsZero() {
				stopped = time.Now()
			} else if time.Since(stopped) > p.GiveUp {
				return fmt.Errorf("nats://%s/%s: not acknowledged (%v); stopped with records unpublished", p.addr.Host, p.addr.Name, err)
			}
		default:
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ensureStream creates DefaultStream over the subject's first token when no
// stream captures the subject.
func (p *Publisher) ensureStream() {
	ctx, cancel := context.WithTimeout(context.Background(), ackWait)
	defer cancel()
	if _, err := p.js.StreamNameBySubject(ctx, p.addr.Name); err == nil {
		return
	}
	first, _, _ := bytes.Cut([]byte(p.addr.Name), []byte("."))
	name := string(bytes.ToUpper(first))
	p.js.CreateStream(ctx, streamConfig(name))
}

// Close publishes a trailing record without its newline, drops the records
// kept back after the last checkpoint, and closes the connection.
func (p *Publisher) Close() error {
	var err error
	if len(p.part) > 0 {
		err = p.record(p.part)
		p.part = p.part[:0]
	}
	p.stats.KeptBack += p.nheld
	p.held, p.nheld = p.held[:0], 0
	p.nc.Close()
	return err
}
