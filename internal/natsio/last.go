package natsio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// LastRecord returns the newest record published to the subject a.Name,
// read-only, or nil when no stream holds one yet: where a host that
// publishes only up to each checkpoint resumes its logs from.
func LastRecord(ctx context.Context, a Addr, client string) ([]byte, error) {
	nc, js, err := connect(a, client)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	name, err := js.StreamNameBySubject(ctx, a.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, nil // a first run: the publisher makes the stream
	}
	if err != nil {
		return nil, fmt.Errorf("nats://%s: finding the stream of %s: %v", a.Host, a.Name, err)
	}
	s, err := js.Stream(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("nats://%s: stream %s: %v", a.Host, name, err)
	}
	m, err := s.GetLastMsgForSubject(ctx, a.Name)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("nats://%s: the last record of %s: %v", a.Host, a.Name, err)
	}
	return m.Data, nil
}
