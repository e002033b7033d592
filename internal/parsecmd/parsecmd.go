// Package parsecmd implements the httpmon-parse command: it reads access
// logs and writes one request record per line.
package parsecmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/logfmt"
	"github.com/httpmon/httpmon/internal/stage"
)

const name = "httpmon-parse"

// New returns the command.
func New() *cli.App {
	return &cli.App{
		Name:      name,
		Usage:     "turn access-log lines into request records (NDJSON)",
		UsageText: name + " [options] [FILE...]\n\nexample:\n   tail -F /var/log/nginx/access.log | " + name + " | httpmon-window | httpmon-alert | httpmon-report",
		Description: "Reads the named files in order, or standard input when there are none or a file\n" +
			"is \"-\". Formats: common (CLF), combined (nginx and Apache; extra quoted fields\n" +
			"after the user agent are allowed) and csv (\"remotehost\",\"rfc931\",\"authuser\",\n" +
			"\"date\",\"request\",\"status\",\"bytes\" with a unix-time date). With --format auto\n" +
			"the format of each input is detected from its first line. Malformed lines are\n" +
			"reported on stderr with their line number, counted, and skipped.",
		HideHelpCommand: true,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Value: "auto",
				Usage: "log format: auto, common (or clf), combined or csv", EnvVars: []string{stage.EnvVar(name, "format")}},
			&cli.StringFlag{Name: "source",
				Usage: "label written in each record's \"source\" (default: the file name, or \"stdin\")", EnvVars: []string{stage.EnvVar(name, "source")}},
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
	p := &parser{st: st, format: format, enc: event.NewEncoder()}
	files := c.Args().Slice()
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
		if err == io.EOF {
			return nil
		}
		var tooLong *lineio.TooLongError
		if errors.As(err, &tooLong) {
			p.st.Rejects.Report(where, r.Line(), nil, err)
			continue
		}
		if err != nil {
			return err
		}
		if len(line) == 0 {
			continue
		}
		if format == logfmt.Auto {
			format = logfmt.Detect(line)
		}
		if format == logfmt.CSV && logfmt.IsCSVHeader(line) {
			continue
		}
		if err := p.lp.Parse(format, line, &p.req); err != nil {
			p.st.Rejects.Report(where, r.Line(), line, err)
			continue
		}
		p.req.Source = source
		if err := p.st.Emit(p.enc.Request(&p.req)); err != nil {
			return err
		}
	}
}
