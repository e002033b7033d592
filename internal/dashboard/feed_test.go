package dashboard

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

func TestFeedCoalesces(t *testing.T) {
	// A replay that is all in the pipe at once: batches are full, not one
	// per record.
	var in bytes.Buffer
	const n = 100_000
	for i := range n {
		fmt.Fprintf(&in, `{"kind":"tick","ts":%d,"hits":1,"bytes":1,"status":{"2xx":1}}`+"\n", 1_000_000+i)
	}
	ch := make(chan Batch)
	go Feed(&in, ch, FeedOptions{})
	var batches, records int
	for b := range ch {
		batches++
		records += len(b.Records)
		if b.End {
			break
		}
	}
	if records != n {
		t.Errorf("%d records, want %d", records, n)
	}
	if limit := n/MaxBatch + 10; batches > limit {
		t.Errorf("%d batches for %d records, want at most %d", batches, n, limit)
	}
}

func TestFeedReportsMalformed(t *testing.T) {
	in := "{\"kind\":\"tick\",\"ts\":1,\"hits\":2}\nnot json\n{\"kind\":\"alert\",\"ts\":1}\n{\"kind\":\"other\",\"x\":[1]}\n{\"kind\":\"request\",\"ts\":1,\"source\":\"web1\"}\n"
	var bad []int64
	ch := make(chan Batch)
	go Feed(bytes.NewReader([]byte(in)), ch, FeedOptions{OnBad: func(line int64, _ []byte, _ error) { bad = append(bad, line) }})
	var recs []Record
	var malformed int64
	for b := range ch {
		recs = append(recs, b.Records...)
		malformed += b.Malformed
		if b.End {
			if b.Err != nil {
				t.Errorf("end error: %v", b.Err)
			}
			break
		}
	}
	if fmt.Sprint(bad) != "[2 3]" || malformed != 2 {
		t.Errorf("malformed lines %v, count %d; want [2 3], 2", bad, malformed)
	}
	if len(recs) != 2 || recs[0].Tick == nil || recs[0].Tick.Hits != 2 || recs[1].Source != sourceHash([]byte("web1")) {
		t.Errorf("records: %+v", recs)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestFeedEndsOnReadError(t *testing.T) {
	ch := make(chan Batch)
	go Feed(failingReader{}, ch, FeedOptions{})
	b := <-ch
	if !b.End || b.Err == nil {
		t.Errorf("got %+v, want the end with an error", b)
	}
}

func TestFeedStopsWhenDone(t *testing.T) {
	done := make(chan struct{})
	r, w := io.Pipe()
	ch := make(chan Batch)
	finished := make(chan struct{})
	go func() { Feed(r, ch, FeedOptions{Done: done}); close(finished) }()
	fmt.Fprintln(w, `{"kind":"tick","ts":1,"hits":1}`)
	<-ch
	close(done)
	<-finished
	w.Close()
}
