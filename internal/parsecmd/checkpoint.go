package parsecmd

import (
	"github.com/httpmon/httpmon/internal/checkpoint"
	"github.com/httpmon/httpmon/internal/event"
)

// checkpointRecord is the in-band form of a state: the same files and
// patterns as the state file, for the stages downstream and the store at
// the end of the pipeline to commit with the records before it.
type checkpointRecord struct {
	enc *event.Encoder
	rec event.Checkpoint
}

// line returns the checkpoint record of s, valid until the next call.
func (r *checkpointRecord) line(s checkpoint.State) ([]byte, error) {
	if r.enc == nil {
		r.enc = event.NewEncoder()
	}
	c := &r.rec
	c.Files, c.Patterns = c.Files[:0], c.Patterns[:0]
	for _, f := range s.Files {
		c.Files = append(c.Files, event.CheckpointFile{
			Path: []byte(f.Path), Dev: f.Dev, Ino: f.Ino,
			FingerprintLen: f.FingerprintLen, Fingerprint: []byte(f.Fingerprint),
			Offset: f.Offset, Line: f.Line,
		})
	}
	for _, p := range s.Patterns {
		c.Patterns = append(c.Patterns, []byte(p))
	}
	return r.enc.Checkpoint(c)
}
