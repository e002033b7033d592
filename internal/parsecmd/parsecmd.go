// Package parsecmd implements the httpmon-parse command: it reads access
// logs and writes one request record per line.
package parsecmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/follow"
	"github.com/httpmon/httpmon/internal/geoip"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/logfmt"
	"github.com/httpmon/httpmon/internal/stage"
)

const name = "httpmon-parse"

// New returns the command.
func New() *cli.App {
	return &cli.App{
		Name:  name,
		Usage: "turn access-log lines into request records (NDJSON)",
		UsageText: name + " [options] [FILE...]\n\nexample:\n   tail -F /var/log/nginx/access.log | " + name + " | httpmon-window | httpmon-alert | httpmon-report\n" +
			"   " + name + " --follow --state /var/lib/httpmon/state.json /var/log/nginx/access.log | httpmon-window | httpmon-alert | httpmon-report",
		Description: "Reads the named files in order, or standard input when there are none or a file\n" +
			"is \"-\"; a quoted glob that names no file is expanded. Formats: common (CLF),\n" +
			"combined (nginx and Apache; extra quoted fields after the user agent are allowed)\n" +
			"and csv (\"remotehost\",\"rfc931\",\"authuser\",\"date\",\"request\",\"status\",\n" +
			"\"bytes\" with a unix-time date). W3C, cloud and proxy formats: w3c (IIS and W3C\n" +
			"extended, following its #Fields: directives), cloudfront, alb, elb, s3, haproxy\n" +
			"(HTTP log) and squid (native). Lines may carry a syslog (RFC 3164, RFC 5424),\n" +
			"CRI (\"stdout F\") or docker compose (\"svc | \") prefix. gzip- and zstd-compressed\n" +
			"inputs (access.log.2.gz) are read as they are. With --format auto the format of\n" +
			"each input is the one its first parsable line is in, and a line that fails it\n" +
			"is tried in the others. Malformed lines are reported on stderr with their line\n" +
			"number and the format they were tried as, counted, and skipped.\n\n" +
			"With --follow the files, which may be globs, are followed like tail -F: from\n" +
			"their end (or whole, with --from-start), across rotation by rename or\n" +
			"copytruncate, waiting for files that do not exist yet. --state FILE keeps a\n" +
			"checkpoint so that a restarted command goes on after the last line it wrote.",
		HideHelpCommand: true,
		Metadata:        role.Metadata(),
		Flags: stage.WithEnv(name, append([]cli.Flag{
			&cli.StringFlag{Name: "format", Value: "auto",
				Usage: "log format: auto, common (or clf), combined, csv, json, w3c (or iis), cloudfront, alb, elb, s3, haproxy or squid (log-format with --log-format)"},
			&cli.StringFlag{Name: "source",
				Usage: "label written in each record's \"source\" (default: the file name, or \"stdin\")"},
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"},
				Usage: "follow the files as they grow, across rotation, like tail -F"},
			&cli.BoolFlag{Name: "from-start",
				Usage: "with --follow, read the files that exist at the start whole instead of from their end"},
			&cli.StringFlag{Name: "state",
				Usage: "with --follow, keep a checkpoint in `FILE` and resume from it; the SQLite history of httpmon-report --db (like history.db), or the nats://HOST:PORT/SUBJECT that httpmon-window --publish sends to, is only read, for the position it committed, and implies --checkpoints"},
			&cli.DurationFlag{Name: "state-interval", Value: time.Second,
				Usage: "with --state, how often the checkpoint is written (and at exit)"},
			&cli.BoolFlag{Name: "checkpoints",
				Usage: "with --state, also write each checkpoint into the output as a \"checkpoint\" record, for a store at the end of the pipeline to commit with the records before it"},
			&cli.DurationFlag{Name: "poll", Value: follow.DefaultPoll,
				Usage: "with --follow, the longest wait between looks at the files"},
			geoipFlag(),
			progressFlag(),
		}, append(append(formatFlags(), rangeFlags()...), stage.InputFlags(name)...)...)),
		Action: run,
	}
}

func run(c *cli.Context) error {
	cfg, err := newConfig(c)
	if err != nil {
		return err
	}
	geo, err := openGeoIP(c)
	if err != nil {
		return err
	}
	if geo != nil {
		defer geo.Close()
	}
	meter := newMeter(c, &cfg)
	defer meter.done()
	st, err := stage.New(c)
	if err != nil {
		return err
	}
	cmd := &command{st: st, format: cfg.format, enc: event.NewEncoder(), rng: cfg.rng, geo: geo, meter: meter}
	cfg.formats.setUp(&cmd.lp)
	if cfg.follow {
		return st.Finish(cmd.follow(cfg))
	}
	var failed error
	for _, arg := range cfg.files {
		matched, err := expand(arg)
		for _, f := range matched {
			if err = cmd.file(f, cfg.label); err != nil {
				break
			}
		}
		if errors.Is(err, lineio.ErrInterrupted) {
			break
		}
		var perr *os.PathError
		var nomatch *noMatchError
		if errors.As(err, &perr) || errors.As(err, &nomatch) {
			// Like cat: say so, go on with the other files, fail at the end.
			fmt.Fprintln(c.App.ErrWriter, inputError(err))
			failed = cli.Exit("", stage.ExitError)
			continue
		}
		if err != nil {
			return st.Finish(err)
		}
	}
	meter.done()
	if err := st.Finish(nil); err != nil {
		return err
	}
	return failed
}

// command is one run of httpmon-parse: where its records and rejects go,
// and what it reuses from one line to the next.
type command struct {
	st     *stage.Stage
	format logfmt.Format
	enc    *event.Encoder
	lp     logfmt.Parser
	req    event.Request
	rng    *timeRange // nil without --since and --until
	geo    *geoip.DB  // nil without --geoip
	meter  *meter     // nil without a progress line
	// followed holds what is kept per followed file, by the name it is
	// followed under.
	followed map[string]*input
}

// file parses one input. Messages name the file, except for standard
// input, where a line number alone is clearer.
func (cmd *command) file(path, label string) error {
	var in io.Reader = cmd.st.Stdin()
	if path != "-" {
		f, err := cmd.open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var from int64
	if cmd.rng != nil {
		var err error
		if from, err = cmd.startAt(path, in); err != nil {
			return readError(path, err)
		}
	}
	in, end := cmd.meter.start(path, in, from)
	defer end()
	in, release := decompressed(in)
	defer release()
	input := cmd.newInput(path, label)
	input.seeked(from)
	r := cmd.st.Reader(in, 0)
	for {
		line, err := r.Next()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			// Only here: the target of errors.As escapes, and would cost
			// an allocation on every line.
			var tooLong *lineio.TooLongError
			if errors.As(err, &tooLong) {
				cmd.st.Rejects.Report(input.where, r.Line(), nil, err)
				continue
			}
			return readError(path, err)
		}
		cmd.meter.line()
		bad, err := cmd.line(line, &input.format, input.source)
		if bad != nil {
			cmd.st.Rejects.Report(input.where, r.Line(), line, bad)
		}
		if err == errPastUntil {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// line parses one log line and writes its record; format settles the
// input's format. A malformed line is returned as bad, for the caller to
// report with its line number.
func (cmd *command) line(line []byte, format *logfmt.Detector, source []byte) (bad, err error) {
	if len(line) == 0 {
		return nil, nil
	}
	header, err := format.Parse(&cmd.lp, line, &cmd.req)
	if header {
		return nil, nil
	}
	if err != nil {
		return err, nil
	}
	if err := event.CheckRequest(&cmd.req); err != nil {
		return err, nil
	}
	if cmd.rng != nil {
		if out, err := cmd.rng.outside(&cmd.req); out {
			return nil, err
		}
	}
	cmd.req.Source = source
	addCountry(cmd.geo, &cmd.req)
	return nil, cmd.st.Emit(cmd.enc.Request(&cmd.req))
}
