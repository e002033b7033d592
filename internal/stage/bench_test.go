package stage

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
)

// BenchmarkRecords measures the per-record cost of the shared reading
// loop: framing, kind, dispatch and the output buffer.
func BenchmarkRecords(b *testing.B) {
	line := `{"kind":"request","ts":1525881600,"source":"access.log","remote_host":"1.1.1.1","method":"GET","path":"/a/b","protocol":"HTTP/1.1","section":"/a","status":200,"bytes":10}` + "\n"
	const n = 10000
	input := []byte(strings.Repeat(line, n))
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	for b.Loop() {
		a := &cli.App{Name: "bench", Flags: InputFlags("bench"), Reader: bytes.NewReader(input), Writer: io.Discard, ErrWriter: io.Discard,
			Action: func(c *cli.Context) error {
				st, err := New(c)
				if err != nil {
					return err
				}
				return st.Finish(st.Records(event.NewDecoder(),
					func([]byte) bool { return true },
					func(_, raw []byte) error { return st.Pass(raw) }))
			}}
		if err := a.Run([]string{"bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
