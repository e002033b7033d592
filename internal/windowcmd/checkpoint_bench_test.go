package windowcmd

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/urfave/cli/v2"
)

// benchInput is a replay of 100,000 requests at 1,000 a second, with a
// checkpoint record after every `every` requests (none for 0), as
// httpmon-parse --checkpoints writes one with each state write.
func benchInput(every int) []byte {
	var b bytes.Buffer
	for i := range 100_000 {
		fmt.Fprintf(&b, `{"kind":"request","ts":%d,"source":"access.log","remote_host":"10.0.0.%d","method":"GET","path":"/s%d/page","protocol":"HTTP/1.1","section":"/s%d","status":200,"bytes":%d}`+"\n",
			1525881600+i/1000, i%250, i%40, i%40, 100+i%5000)
		if every > 0 && i%every == every-1 {
			fmt.Fprintf(&b, `{"kind":"checkpoint","files":[{"path":"/var/log/nginx/access.log","dev":65024,"ino":10776486,"fingerprint_len":1024,"fingerprint":"fbda80004f1f0590efd4d559ff106c6dbaeed7a6ae676d9f3c3f6ec24bfb2da4","offset":%d,"line":%d}],"patterns":["/var/log/nginx/access.log"]}`+"\n", i*150, i+1)
		}
	}
	return b.Bytes()
}

// BenchmarkWindowCheckpoints runs the command over the same requests
// without checkpoints and with one a second, so that the cost of holding
// them back shows per request.
func BenchmarkWindowCheckpoints(b *testing.B) {
	for _, every := range []int{0, 1000, 100} {
		in := benchInput(every)
		b.Run(fmt.Sprintf("every=%d", every), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				app := New()
				app.Reader, app.Writer, app.ErrWriter = bytes.NewReader(in), io.Discard, io.Discard
				app.ExitErrHandler = func(*cli.Context, error) {}
				if err := app.Run([]string{name, "--idle", "0", "--total-top", "0"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/request")
		})
	}
}
