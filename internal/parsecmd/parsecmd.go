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
			"is \"-\". Formats: common (CLF), combined (nginx and Apache; extra quoted fields\n" +
			"after the user agent are allowed) and csv (\"remotehost\",\"rfc931\",\"authuser\",\n" +
			"\"date\",\"request\",\"status\",\"bytes\" with a unix-time date). With --format auto\n" +
			"the format of each input is detected from its first line. Malformed lines are\n" +
			"reported on stderr with their line number, counted, and skipped.\n\n" +
			"With --follow the files, which may be globs, are followed like tail -F: from\n" +
			"their end (or whole, with --from-start), across rotation by rename or\n" +
			"copytruncate, waiting for files that do not exist yet. --state FILE keeps a\n" +
			"checkpoint so that a restarted command goes on after the last line it wrote.",
		HideHelpCommand: true,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Value: "auto",
				Usage: "log format: auto, common (or clf), combined or csv", EnvVars: []string{stage.EnvVar(name, "format")}},
			&cli.StringFlag{Name: "source",
				Usage: "label written in each record's \"source\" (default: the file name, or \"stdin\")", EnvVars: []string{stage.EnvVar(name, "source")}},
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"},
				Usage: "follow the files as they grow, across rotation, like tail -F", EnvVars: []string{stage.EnvVar(name, "follow")}},
			&cli.BoolFlag{Name: "from-start",
				Usage: "with --follow, read the files that exist at the start whole instead of from their end", EnvVars: []string{stage.EnvVar(name, "from-start")}},
			&cli.StringFlag{Name: "state",
				Usage: "with --follow, keep a checkpoint in `FILE` and resume from it", EnvVars: []string{stage.EnvVar(name, "state")}},
			&cli.DurationFlag{Name: "state-interval", Value: time.Second,
				Usage: "with --state, how often the checkpoint is written (and at exit)", EnvVars: []string{stage.EnvVar(name, "state-interval")}},
			&cli.DurationFlag{Name: "poll", Value: follow.DefaultPoll,
				Usage: "with --follow, the longest wait between looks at the files", EnvVars: []string{stage.EnvVar(name, "poll")}},
		}, stage.InputFlags(name)...),
		Action: run,
	}
}

func run(c *cli.Context) error {
	format, err := logfmt.ParseFormat(c.String("format"))
	if err != nil {
		return stage.UsageError("--format: %v", err)
	}
	st, err := stage.New(c)
	if err != nil {
		return err
	}
	p := &parser{st: st, format: format, enc: event.NewEncoder(), formats: map[string]logfmt.Format{}}
	files := c.Args().Slice()
	if c.Bool("follow") {
		return p.follow(c, files)
	}
	for _, f := range []string{"from-start", "state", "state-interval", "poll"} {
		if c.IsSet(f) {
			st.Finish(nil)
			return stage.UsageError("--%s needs --follow", f)
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	var failed error
	for _, f := range files {
		err := p.file(f, c.String("source"))
		if errors.Is(err, lineio.ErrInterrupted) {
			break
		}
		var perr *os.PathError
		if errors.As(err, &perr) {
			// Like cat: say so, go on with the other files, fail at the end.
			fmt.Fprintf(c.App.ErrWriter, "%s: %v\n", name, err)
			failed = cli.Exit("", stage.ExitError)
			continue
		}
		if err != nil {
			return st.Finish(err)
		}
	}
	if err := st.Finish(nil); err != nil {
		return err
	}
	return failed
}

type parser struct {
	st     *stage.Stage
	format logfmt.Format
	enc    *event.Encoder
	lp     logfmt.Parser
	req    event.Request
	// formats holds the format detected for each followed file.
	formats map[string]logfmt.Format
	sources map[string][]byte
}

// file parses one input. Messages name the file, except for standard
// input, where a line number alone is clearer.
func (p *parser) file(path, label string) error {
	var in io.Reader = p.st.Stdin()
	where := ""
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
		where = path
	}
	if label == "" {
		label = "stdin"
		if where != "" {
			label = where
		}
	}
	source := []byte(label)
	format := p.format
	r := p.st.Reader(in, 0)
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
				p.st.Rejects.Report(where, r.Line(), nil, err)
				continue
			}
			return err
		}
		bad, err := p.line(line, &format, source)
		if bad != nil {
			p.st.Rejects.Report(where, r.Line(), line, bad)
		}
		if err != nil {
			return err
		}
	}
}

// line parses one log line and writes its record; format is the input's
// format, settled by its first line when it is auto. A malformed line is
// returned as bad, for the caller to report with its line number.
func (p *parser) line(line []byte, format *logfmt.Format, source []byte) (bad, err error) {
	if len(line) == 0 {
		return nil, nil
	}
	if *format == logfmt.Auto {
		*format = logfmt.Detect(line)
	}
	if *format == logfmt.CSV && logfmt.IsCSVHeader(line) {
		return nil, nil
	}
	if err := p.lp.Parse(*format, line, &p.req); err != nil {
		return err, nil
	}
	if err := event.CheckRequest(&p.req); err != nil {
		return err, nil
	}
	p.req.Source = source
	return nil, p.st.Emit(p.enc.Request(&p.req))
}
