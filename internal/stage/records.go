package stage

import (
	"errors"
	"io"
	"time"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/ndjson"
)

// LineNo returns the number of the input line being handled by Records.
func (s *Stage) LineNo() int64 { return s.lineNo }

// DrainRecords is how long the NDJSON stages keep reading after SIGINT or
// SIGTERM: on Ctrl-C every stage of a pipeline gets the signal at once, and
// this lets each one take in what its upstream flushes on the way out.
const DrainRecords = 2 * time.Second

// BadRecord marks an error about one input record, which is reported and
// skipped, as opposed to an error that ends the run.
type BadRecord struct{ Err error }

// Error returns the underlying error's message.
func (e *BadRecord) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *BadRecord) Unwrap() error { return e.Err }

// Bad wraps err as a BadRecord.
func Bad(err error) error { return &BadRecord{err} }

// Records reads NDJSON records from standard input until it ends or the
// stage is interrupted; both return nil. Records whose kind owns reports
// true go to handle; the rest are checked to be well-formed and copied to
// the output unchanged, so stages compose with producers of kinds they do
// not know. Malformed lines, and BadRecord errors from handle, are reported
// and skipped.
func (s *Stage) Records(dec *event.Decoder, owns func(kind []byte) bool, handle func(kind, line []byte) error, opts ...RecordsOption) error {
	var o recordsOptions
	for _, opt := range opts {
		opt(&o)
	}
	s.tally.records = true
	r := ndjson.NewReader(s.reader(s.in, DrainRecords, o.onIdle, o.idleEvery), ndjson.Options{
		Decoder: dec,
		OnBad: func(line int64, raw []byte, err error) {
			s.Rejects.Report("", line, raw, err)
		},
	})
	for {
		kind, line, err := r.Next()
		if err == io.EOF || errors.Is(err, lineio.ErrInterrupted) {
			// Interruption ends the input like EOF does, so the caller
			// emits what it holds.
			return nil
		}
		if err != nil {
			return err
		}
		s.lineNo = r.Line()
		if owns(kind) {
			err = handle(kind, line)
		} else if err = dec.Validate(line); err == nil {
			err = s.Pass(line)
		} else {
			err = Bad(err)
		}
		if err != nil {
			var bad *BadRecord
			if errors.As(err, &bad) {
				r.Reject(line, bad.Err)
				continue
			}
			return err
		}
		s.tally.record(&s.role, kind)
	}
}

// A RecordsOption changes how Records reads.
type RecordsOption func(*recordsOptions)

type recordsOptions struct {
	onIdle    func() error
	idleEvery time.Duration
}

// OnIdle makes Records run fn whenever input has nothing more to give, just
// before output is flushed, and again every period while input stays
// silent (never again if period is 0): it lets a stage emit what the
// passing of time makes final. An error from fn ends Records.
func OnIdle(period time.Duration, fn func() error) RecordsOption {
	return func(o *recordsOptions) { o.onIdle, o.idleEvery = fn, period }
}
