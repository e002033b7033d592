// Package genlog writes a synthetic web-server access log for benchmarks,
// load tests and end-to-end scripts of the httpmon pipeline: the genlog
// command of scripts/genlog, and a command of the end-to-end test scripts.
// The same flags always give the same bytes, so a log can be described by
// its command line instead of being shipped.
package genlog

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Exit codes, as the httpmon commands use them.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// Run is the genlog command with its arguments (without the command's
// name), streams and exit code explicit, so that deferred closes run and
// tests, the end-to-end scripts among them, run it in-process.
func Run(args []string, stdout, stderr io.Writer) int {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("genlog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.Lines, "n", cfg.Lines, "number of `lines` to write, malformed ones included, the csv header not")
	fs.StringVar(&cfg.Format, "format", cfg.Format, "log `format`: combined, common or csv")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random `seed`; the same flags always give the same output")
	fs.Int64Var(&cfg.Start, "start", cfg.Start, "unix `time` of the first request")
	fs.Float64Var(&cfg.Rate, "rate", cfg.Rate, "mean requests per second over the whole log")
	fs.BoolVar(&cfg.Bursts, "bursts", cfg.Bursts, "alternate 7 quiet minutes (2 req/s) with 3-minute bursts that carry the rest of -rate,\nso that the default alert (over 10 req/s for 2 minutes) fires and resolves every 10 minutes")
	fs.IntVar(&cfg.Disorder, "disorder", cfg.Disorder, "move one request in ten back in time by 1 to `N` seconds (logs written at completion time)")
	fs.Float64Var(&cfg.Malformed, "malformed", cfg.Malformed, "`fraction` of lines that are garbage the parser must reject (e.g. 0.001)")
	fs.BoolVar(&cfg.DistinctSections, "distinct-sections", cfg.DistinctSections, "give every request a new section, like a vulnerability scanner")
	fs.BoolVar(&cfg.DistinctClients, "distinct-clients", cfg.DistinctClients, "give every request a new client address, like a flood from a botnet")
	hostile := fs.Bool("hostile", false, "both -distinct-sections and -distinct-clients: every line has a new section, path and address")
	fs.StringVar(&cfg.TZ, "tz", cfg.TZ, "time-zone `offset` of the common and combined timestamps, like +0330")
	fs.Func("error-burst", "`START,LENGTH,SHARE`: for LENGTH seconds from START seconds after -start, SHARE (0 to 1) of requests\nanswer 500, 502 or 503, like an outage (e.g. 300,120,0.4)", func(v string) error {
		parts := strings.Split(v, ",")
		if len(parts) != 3 {
			return errors.New("want START,LENGTH,SHARE")
		}
		var err1, err2, err3 error
		cfg.ErrorAt, err1 = strconv.ParseInt(parts[0], 10, 64)
		cfg.ErrorLen, err2 = strconv.ParseInt(parts[1], 10, 64)
		cfg.ErrorShare, err3 = strconv.ParseFloat(parts[2], 64)
		return errors.Join(err1, err2, err3)
	})
	output := fs.String("o", "", "write to `FILE` instead of standard output")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: genlog [flags]\n\n"+
			"Writes a deterministic synthetic access log: ~40 sections with a Zipf-like skew,\n"+
			"paths of 1-4 segments, a realistic mix of statuses, sizes, clients, referers and\n"+
			"user agents, at -rate requests per second of log time.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *hostile {
		cfg.DistinctSections, cfg.DistinctClients = true, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "genlog: unexpected argument %q (see -h)\n", fs.Arg(0))
		return exitUsage
	}
	g, err := newGenerator(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "genlog: %v (see -h)\n", err)
		return exitUsage
	}
	if err := write(g, *output, stdout); err != nil {
		fmt.Fprintf(stderr, "genlog: %v\n", err)
		return exitError
	}
	return exitOK
}

// write writes the whole log to path, or to stdout when path is "" or "-".
func write(g *generator, path string, stdout io.Writer) (err error) {
	out := stdout
	if path != "" && path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		out = f
	}
	w := bufio.NewWriterSize(out, 1<<20)
	if err := g.writeTo(w); err != nil {
		return err
	}
	return w.Flush()
}
