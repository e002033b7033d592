// Command genlog writes a synthetic web-server access log for benchmarks and
// load tests of the httpmon pipeline. The same flags always give the same
// bytes, so a benchmark input can be described by its command line instead
// of being shipped.
//
//	go run ./scripts/genlog -n 1000000 -bursts -o /tmp/access.log
//	go run ./scripts/genlog -n 1000 -format csv | httpmon-parse | httpmon-window
package main

import (
	"os"

	"github.com/httpmon/httpmon/internal/genlog"
)

func main() { os.Exit(genlog.Run(os.Args[1:], os.Stdout, os.Stderr)) }
