package dashboard

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// BenchmarkFeed measures decoding a replay into batches: the work done off
// the UI goroutine.
func BenchmarkFeed(b *testing.B) {
	in := bytes.Join(burstLines(b), []byte("\n"))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		ch := make(chan Batch)
		go Feed(bytes.NewReader(in), ch, FeedOptions{})
		for batch := range ch {
			if batch.End {
				break
			}
		}
	}
}

// BenchmarkDecodeBaseline is the floor for BenchmarkFeed: the same
// lines decoded by event.Decoder in a loop, with no copies, sanitizing,
// goroutines or channels.
func BenchmarkDecodeBaseline(b *testing.B) {
	lines := burstLines(b)
	var n int64
	for _, l := range lines {
		n += int64(len(l)) + 1
	}
	dec := event.NewDecoder()
	var (
		tick event.Tick
		sum  event.Summary
		al   event.Alert
	)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			kind, err := dec.Kind(l)
			if err != nil {
				b.Fatal(err)
			}
			switch string(kind) {
			case event.KindTick:
				err = dec.Tick(l, &tick)
			case event.KindSummary:
				err = dec.Summary(l, &sum)
			case event.KindAlert:
				err = dec.Alert(l, &al)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkApply measures what the UI goroutine does with a replay's
// batches, without drawing.
func BenchmarkApply(b *testing.B) {
	lines := burstLines(b)
	in := bytes.Join(lines, []byte("\n"))
	batches := feedAll(b, lines)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		st := NewState(10, 120)
		for i := range batches {
			for j := range batches[i].Records {
				st.Apply(&batches[i].Records[j])
			}
		}
	}
}

// BenchmarkRender measures drawing one frame, which happens once a refresh.
func BenchmarkRender(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			lines := burstLines(b)
			m := model(b, lines[:firingAt(b, lines)], false)
			m = resize(m, sz[0], sz[1])
			st := m.(Model).shown
			u := m.(Model).ui
			b.ReportAllocs()
			for b.Loop() {
				render(st, u)
			}
		})
	}
}
