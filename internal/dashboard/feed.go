package dashboard

import (
	"errors"
	"hash/maphash"
	"io"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
)

// Batch is a message carrying the records read since the previous one. The
// reader coalesces records into batches so that replaying a large file
// sends the program a few hundred messages rather than one per record.
type Batch struct {
	Records []Record
	// Malformed counts the lines in the batch that could not be read.
	Malformed int64
	// End is set on the last batch: the input ended, or reading failed
	// with Err.
	End bool
	Err error
}

// MaxBatch is the most records one Batch holds.
const MaxBatch = 1024

// FeedOptions configure Feed.
type FeedOptions struct {
	// Done stops reading when closed; no End batch is sent then.
	Done <-chan struct{}
	// OnBad is told about every malformed line, with its number, for the
	// command's usual reporting; it runs on the reading goroutine.
	OnBad func(line int64, raw []byte, err error)
}

// Feed reads NDJSON records from in until it ends and sends them to out in
// batches: whenever in has nothing more to give for now, when a batch is
// full, and at the end. It blocks while the receiver is busy, which holds
// back a fast producer instead of queueing without bound. Run it on its own
// goroutine, so that decoding never holds up the screen.
func Feed(in io.Reader, out chan<- Batch, opt FeedOptions) {
	var b Batch
	send := func() bool {
		select {
		case out <- b:
			b = Batch{}
			return true
		case <-opt.Done:
			return false
		}
	}
	r := lineio.NewReader(in, lineio.Options{
		Done: opt.Done,
		OnIdle: func() error {
			if len(b.Records) > 0 || b.Malformed > 0 {
				if !send() {
					return lineio.ErrInterrupted
				}
			}
			return nil
		},
	})
	bad := func(line int64, raw []byte, err error) {
		b.Malformed++
		if opt.OnBad != nil {
			opt.OnBad(line, raw, err)
		}
	}
	dec := event.NewDecoder()
	var (
		tick event.Tick
		sum  event.Summary
		al   event.Alert
		req  event.Request
		rule event.Rule
		note event.Notice
	)
	for {
		line, err := r.Next()
		if errors.Is(err, lineio.ErrInterrupted) {
			return
		}
		if err == io.EOF || (err != nil && !isTooLong(err)) {
			b.End = true
			if err != io.EOF {
				b.Err = err
			}
			send()
			return
		}
		if err != nil {
			bad(r.Line(), nil, err)
			continue
		}
		if len(line) == 0 {
			continue
		}
		kind, err := dec.Kind(line)
		if err != nil {
			bad(r.Line(), line, err)
			continue
		}
		var rec Record
		switch string(kind) {
		case event.KindTick:
			if err = dec.Tick(line, &tick); err == nil {
				t := tick
				rec.Tick = &t
			}
		case event.KindSummary:
			if err = dec.Summary(line, &sum); err == nil {
				rec.Interval = NewInterval(&sum)
			}
		case event.KindAlert:
			if err = dec.Alert(line, &al); err == nil {
				rec.Alert = NewAlert(&al)
			}
		case event.KindRule:
			if err = dec.Rule(line, &rule); err == nil {
				rec.Rule = NewRule(&rule)
			}
		case event.KindNotice:
			if err = dec.Notice(line, &note); err == nil {
				rec.Notice = noticeText(&note)
			}
		case event.KindRequest:
			// Requests reach the report only when it reads a parser
			// directly; their source labels are all the dashboard uses.
			if err = dec.Request(line, &req); err == nil && len(req.Source) > 0 {
				rec.Source = sourceHash(req.Source)
			}
		default:
			err = dec.Validate(line)
		}
		if err != nil {
			bad(r.Line(), line, err)
			continue
		}
		if rec == (Record{}) {
			continue
		}
		b.Records = append(b.Records, rec)
		if len(b.Records) >= MaxBatch && !send() {
			return
		}
	}
}

func isTooLong(err error) bool {
	var tl *lineio.TooLongError
	return errors.As(err, &tl)
}

// sourceSeed is the seed of the source hashes, one per process: they are
// compared with each other only.
var sourceSeed = maphash.MakeSeed()

// sourceHash returns a non-zero hash of a source label.
func sourceHash(b []byte) uint64 {
	return max(maphash.Bytes(sourceSeed, b), 1)
}
