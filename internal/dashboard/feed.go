package dashboard

import (
	"errors"
	"hash/maphash"
	"io"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/ndjson"
	"github.com/httpmon/httpmon/internal/report"
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
	f := &feeder{out: out, done: opt.Done, onBad: opt.OnBad}
	dec := event.NewDecoder()
	r := ndjson.NewReader(lineio.NewReader(in, lineio.Options{Done: opt.Done, OnIdle: f.idle}),
		ndjson.Options{Decoder: dec, OnBad: f.bad})
	rd := recordDecoder{dec: dec}
	for {
		kind, line, err := r.Next()
		switch {
		case errors.Is(err, lineio.ErrInterrupted):
			return
		case err != nil:
			f.end(err)
			return
		}
		rec, err := rd.record(kind, line)
		if err != nil {
			r.Reject(line, err)
			continue
		}
		if rec != (Record{}) && !f.add(rec) {
			return
		}
	}
}

// feeder gathers records into batches and sends them.
type feeder struct {
	out   chan<- Batch
	done  <-chan struct{}
	onBad func(line int64, raw []byte, err error)
	b     Batch
}

// send sends the batch, and reports false if Done closed first.
func (f *feeder) send() bool {
	select {
	case f.out <- f.b:
		f.b = Batch{}
		return true
	case <-f.done:
		return false
	}
}

// idle sends what the batch holds, since input has nothing more for now.
func (f *feeder) idle() error {
	if len(f.b.Records) > 0 || f.b.Malformed > 0 {
		if !f.send() {
			return lineio.ErrInterrupted
		}
	}
	return nil
}

// add adds a record, sending the batch when it is full, and reports false
// if Done closed.
func (f *feeder) add(rec Record) bool {
	f.b.Records = append(f.b.Records, rec)
	return len(f.b.Records) < MaxBatch || f.send()
}

// bad counts a malformed line and tells OnBad about it.
func (f *feeder) bad(line int64, raw []byte, err error) {
	f.b.Malformed++
	if f.onBad != nil {
		f.onBad(line, raw, err)
	}
}

// end sends the last batch, with the error that ended the input unless it
// is io.EOF.
func (f *feeder) end(err error) {
	f.b.End = true
	if err != io.EOF {
		f.b.Err = err
	}
	f.send()
}

// recordDecoder decodes records into the dashboard's own copies, reusing
// one value of each kind for the decoder to fill.
type recordDecoder struct {
	dec  *event.Decoder
	tick event.Tick
	sum  event.Summary
	al   event.Alert
	req  event.Request
	rule event.Rule
	note event.Notice
	tdec *report.TotalDecoder
	tot  report.Totals
}

// record decodes line, of the given kind. Kinds the dashboard does not
// show are only checked to be well-formed, and give the zero Record, as
// do requests without a source.
func (d *recordDecoder) record(kind, line []byte) (rec Record, err error) {
	switch string(kind) {
	case event.KindTick:
		if err = d.dec.Tick(line, &d.tick); err == nil {
			t := d.tick
			t.Latency.Bins = nil // the decoder's, reused; the screen shows no per-second latency
			rec.Tick = &t
		}
	case event.KindSummary:
		if err = d.dec.Summary(line, &d.sum); err == nil {
			rec.Interval = NewInterval(&d.sum)
		}
	case report.KindTotal:
		if d.tdec == nil {
			d.tdec = report.NewTotalDecoder()
		}
		if err = d.dec.Validate(line); err == nil {
			if err = d.tdec.Decode(line, &d.tot); err == nil {
				rec.Total = NewTotal(&d.tot)
			}
		}
	case event.KindAlert:
		if err = d.dec.Alert(line, &d.al); err == nil {
			rec.Alert = NewAlert(&d.al)
		}
	case event.KindRule:
		if err = d.dec.Rule(line, &d.rule); err == nil {
			rec.Rule = NewRule(&d.rule)
		}
	case event.KindNotice:
		if err = d.dec.Notice(line, &d.note); err == nil {
			rec.Notice = noticeText(&d.note)
		}
	case event.KindRequest:
		// Requests reach the report only when it reads a parser
		// directly; their source labels are all the dashboard uses.
		if err = d.dec.Request(line, &d.req); err == nil && len(d.req.Source) > 0 {
			rec.Source = sourceHash(d.req.Source)
		}
	default:
		err = d.dec.Validate(line)
	}
	return rec, err
}

// sourceSeed is the seed of the source hashes, one per process: they are
// compared with each other only.
var sourceSeed = maphash.MakeSeed()

// sourceHash returns a non-zero hash of a source label.
func sourceHash(b []byte) uint64 {
	return max(maphash.Bytes(sourceSeed, b), 1)
}
