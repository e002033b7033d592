package natsio

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultDurable names the central merge's consumer.
const DefaultDurable = "httpmon-merge"

// Consumer reads a stream in order from a given sequence with a durable
// pull consumer. It hands each message on once, whatever the server
// redelivers, and acknowledges only up to the sequences it is told to:
// those a store has committed.
type Consumer struct {
	addr    Addr
	durable string
	nc      *nats.Conn
	js      jetstream.JetStream
	iter    jetstream.MessagesContext
	last    uint64 // the newest sequence handed on
	ack     bool

	mu      sync.Mutex
	pending []pendingMsg // handed on, not acknowledged, oldest first
	// Retry, if set, is told of errors that are waited out, such as a
	// server restart.
	Retry func(err error)
}

type pendingMsg struct {
	seq uint64
	msg jetstream.Msg
}

// ErrStopped is what Next returns after Stop.
var ErrStopped = errors.New("stopped")

// NewConsumer connects to a's server and starts reading the stream a.Name
// at sequence start (1 or 0: from its first message), under the durable
// consumer named durable, which it creates afresh so that it starts
// exactly there: where to start is the store's to say, not the server's.
// The stream is created if it does not exist, so that the central
// pipeline may start before any host.
//
// With ack false the consumer acknowledges nothing and the server expects
// nothing: without a store that commits, nothing would say when to.
func NewConsumer(ctx context.Context, a Addr, durable string, start uint64, ack bool) (*Consumer, error) {
	nc, js, err := connect(a, durable)
	if err != nil {
		return nil, err
	}
	c := &Consumer{addr: a, durable: durable, nc: nc, js: js, ack: ack}
	if start > 0 {
		c.last = start - 1
	}
	if err := c.open(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// open (re)creates the durable consumer after c.last and starts pulling.
func (c *Consumer) open(ctx context.Context) error {
	var err error
	for {
		if err = c.create(ctx); err == nil {
			return nil
		}
		if c.Retry != nil {
			c.Retry(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (c *Consumer) create(ctx context.Context) error {
	actx, cancel := context.WithTimeout(ctx, ackWait)
	defer cancel()
	if _, err := c.js.Stream(actx, c.addr.Name); errors.Is(err, jetstream.ErrStreamNotFound) {
		if _, err := c.js.CreateStream(actx, streamConfig(c.addr.Name)); err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return err
		}
	} else if err != nil {
		return err
	}
	if err := c.js.DeleteConsumer(actx, c.addr.Name, c.durable); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return err
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       c.durable,
		AckPolicy:     jetstream.AckAllPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		// Acknowledgements wait for a store's commit, seconds to
		// minutes after delivery; until then nothing is redelivered
		// (Next would leave the copies out anyway).
		AckWait:       time.Hour,
		MaxAckPending: -1,
	}
	if !c.ack {
		cfg.AckPolicy = jetstream.AckNonePolicy
	}
	if c.last > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = c.last + 1
	}
	cons, err := c.js.CreateConsumer(actx, c.addr.Name, cfg)
	if err != nil {
		return err
	}
	iter, err := cons.Messages()
	if err != nil {
		return err
	}
	c.iter = iter
	return nil
}

// Next returns the next message's stream sequence and data. It waits out
// a server restart; it returns ErrStopped after Stop.
func (c *Consumer) Next() (uint64, []byte, error) {
	for {
		msg, err := c.iter.Next()
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return 0, nil, ErrStopped
			}
			if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) {
				c.iter.Stop()
				if err := c.open(context.Background()); err != nil {
					return 0, nil, err
				}
				continue
			}
			if c.Retry != nil {
				c.Retry(err)
			}
			continue
		}
		md, err := msg.Metadata()
		if err != nil {
			continue // not a stream message
		}
		seq := md.Sequence.Stream
		if seq <= c.last {
			continue // a redelivery of what was handed on
		}
		c.last = seq
		if c.ack {
			c.mu.Lock()
			c.pending = append(c.pending, pendingMsg{seq, msg})
			c.mu.Unlock()
		}
		return seq, msg.Data(), nil
	}
}

// Ack acknowledges every message up to sequence through, which the store
// has committed; one acknowledgement covers them all.
func (c *Consumer) Ack(through uint64) {
	c.mu.Lock()
	i := 0
	for i < len(c.pending) && c.pending[i].seq <= through {
		i++
	}
	var last jetstream.Msg
	if i > 0 {
		last = c.pending[i-1].msg
		c.pending = append(c.pending[:0], c.pending[i:]...)
	}
	c.mu.Unlock()
	if last != nil {
		last.Ack()
	}
}

// Stop ends the reading; a Next waiting returns ErrStopped.
func (c *Consumer) Stop() {
	c.iter.Stop()
	c.nc.Close()
}
