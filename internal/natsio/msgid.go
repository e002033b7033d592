package natsio

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/httpmon/httpmon/internal/event"
)

// msgIDs gives each record its JetStream deduplication id: the subject (one
// per host), the kind, and the seconds the record is of. A host that
// publishes a second again after a restart sends the same id, and the
// stream keeps one copy. Records with no second of their own (notices,
// checkpoints) are named by their content, so only an identical copy is
// left out.
type msgIDs struct {
	dec *event.Decoder
	tk  event.Tick
	sm  event.Summary
	tt  event.Total
	buf []byte
}

func newMsgIDs() *msgIDs { return &msgIDs{dec: event.NewDecoder()} }

// id returns the id of line, published to subject, and whether line is a
// record at all.
func (m *msgIDs) id(subject string, line []byte) (string, error) {
	kind, err := m.dec.Kind(line)
	if err != nil {
		return "", err
	}
	b := append(m.buf[:0], subject...)
	b = append(b, '/')
	b = append(b, kind...)
	b = append(b, '/')
	switch string(kind) {
	case event.KindTick:
		if err := m.dec.Tick(line, &m.tk); err != nil {
			return "", err
		}
		b = strconv.AppendInt(b, m.tk.TS, 10)
	case event.KindSummary:
		if err := m.dec.Summary(line, &m.sm); err != nil {
			return "", err
		}
		b = strconv.AppendInt(b, m.sm.Start, 10)
	case event.KindTotal:
		if err := m.dec.Total(line, &m.tt); err != nil {
			return "", err
		}
		b = strconv.AppendInt(b, m.tt.Start, 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, m.tt.End, 10)
	default:
		sum := sha256.Sum256(line)
		b = hex.AppendEncode(b, sum[:16])
	}
	m.buf = b
	return string(b), nil
}
