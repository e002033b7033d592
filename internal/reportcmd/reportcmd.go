// Package reportcmd implements the httpmon-report command: it renders
// summaries and alerts as text for a person.
package reportcmd

import (
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/report"
	"github.com/httpmon/httpmon/internal/stage"
)

const name = "httpmon-report"

// exitFired is the exit status of --exit-status when an alert fired: apart
// from the codes of errors (1, 2, 3), so that a script can tell "something
// fired" from "something failed".
const exitFired = 4

// New returns the command.
func New() *cli.App {
	return &cli.App{
		Name:      name,
		Usage:     "render summaries and alerts for a person",
		UsageText: name + " [options] < records.ndjson\n\nexample:\n   tail -F /var/log/nginx/access.log | httpmon-parse | httpmon-window | httpmon-alert | " + name,
		Description: "Reads NDJSON from standard input and prints a block per \"summary\" record and a\n" +
			"line per \"alert\" record, with times in the log's own time zone. Other records\n" +
			"are read and ignored. A run of intervals without requests is one line. The\n" +
			"\"total\" record httpmon-window writes at the end becomes the totals block of the\n" +
			"whole run: status codes, busiest hours and days, top lists and the alerts still\n" +
			"firing. Text from the log is escaped so that it can never move the cursor or\n" +
			"change colours; long keys are cut only on a terminal.\n\n" +
			"For cron, --alerts-only prints nothing unless an alert fired, and --exit-status\n" +
			"exits with 4 when one did.\n\n" +
			"When standard output is a terminal and standard input a pipe, it shows a live\n" +
			"dashboard instead: requests per second with the alert threshold, status classes,\n" +
			"top sections and alerts (keys: q quit, p pause, s sort, up/down scroll, t the\n" +
			"whole run after a replay).\n" +
			"--plain keeps the streaming text; --tui asks for the dashboard.",
		HideHelpCommand: true,
		Metadata: stage.Role{Input: "summaries and alerts", From: "httpmon-window or httpmon-alert",
			Kinds:  []string{event.KindSummary, event.KindAlert, report.KindTotal},
			Advice: name + " reads summaries and alerts: put httpmon-window before it", TextOutput: true}.Metadata(),
		Flags: stage.WithEnv(name, append([]cli.Flag{
			&cli.StringFlag{Name: "color", Value: "auto",
				Usage: "colour output: auto (when stdout is a terminal and NO_COLOR is unset), always or never"},
			&cli.BoolFlag{Name: "tui",
				Usage: "show the live dashboard (the default when stdout is a terminal and stdin a pipe)"},
			&cli.BoolFlag{Name: "plain",
				Usage: "print streaming text even on a terminal"},
			&cli.DurationFlag{Name: "refresh", Value: time.Second,
				Usage: "redraw the dashboard this often"},
			&cli.IntFlag{Name: "top", Value: report.DefaultTop,
				Usage: "show this many rows of each top list of the totals block (1 to 1000)"},
			&cli.BoolFlag{Name: "alerts-only",
				Usage: "print only alerts, and the totals block only when an alert fired: no output when none did, for cron"},
			&cli.BoolFlag{Name: "exit-status",
				Usage: "exit with status 4 when an alert fired (errors keep 1, 2 and 3)"},
			&cli.Float64Flag{Name: "threshold", Value: event.DefaultThreshold,
				Usage: "alert threshold in req/s drawn on the dashboard's graph until httpmon-alert's rule records bring their own"},
		}, slices.Concat(historyFlags(), webFlags(), stage.InputFlags(name))...)),
		Action: run,
	}
}

// useColor decides colour the way most modern CLIs do: an explicit flag
// wins; otherwise colour only on a terminal, and never when NO_COLOR is set
// (https://no-color.org) or TERM is "dumb".
func useColor(c *cli.Context) (bool, error) {
	switch c.String("color") {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
			return false, nil
		}
		f, ok := c.App.Writer.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())), nil
	}
	return false, stage.UsageError("--color must be auto, always or never, got %q", c.String("color"))
}

func run(c *cli.Context) error {
	if err := stage.NoArgs(c); err != nil {
		return err
	}
	color, err := useColor(c)
	if err != nil {
		return err
	}
	if c.Bool("alerts-only") && c.Bool("tui") {
		return stage.UsageError("--alerts-only and --tui contradict each other: --alerts-only prints text")
	}
	wo, err := newWebOutput(c)
	if err != nil {
		return err
	}
	tui, err := useTUI(c)
	if err != nil {
		return err
	}
	// The web page needs a history to show: without --db, a private one
	// of this run.
	hist, err := openHistory(c, wo != nil)
	if err != nil {
		return err
	}
	wo.attach(hist.Reader())
	// --alerts-only is for cron and scripts: text even on a terminal.
	if tui && !c.Bool("alerts-only") && wo == nil {
		return runTUI(c, hist)
	}
	top := c.Int("top")
	if top < 1 || top > 1000 {
		return hist.Close(stage.UsageError("--top must be from 1 to 1000, got %d", top))
	}
	alertsOnly := c.Bool("alerts-only")
	st, err := stage.New(c)
	if err != nil {
		return hist.Close(err)
	}
	if err := wo.start(st.Ctx, c); err != nil {
		return hist.Close(st.Finish(err))
	}
	r := report.New(st.Out, report.Options{Color: color, Top: top, Cut: isTerminal(c)})
	dec := event.NewDecoder()
	tdec := report.NewTotalDecoder()
	var sum event.Summary
	var al event.Alert
	var tot report.Totals
	show := func(kind, raw []byte) error {
		hist.Line(raw)
		wo.publish(kind, raw)
		switch string(kind) {
		case event.KindSummary:
			if err := dec.Summary(raw, &sum); err != nil {
				return stage.Bad(err)
			}
			if alertsOnly {
				return nil
			}
			return r.Summary(&sum)
		case event.KindAlert:
			if err := dec.Alert(raw, &al); err != nil {
				return stage.Bad(err)
			}
			if err := r.Alert(&al); err != nil {
				return err
			}
			return st.Out.Flush()
		case report.KindTotal:
			if err := dec.Validate(raw); err != nil {
				return stage.Bad(err)
			}
			if err := tdec.Decode(raw, &tot); err != nil {
				return stage.Bad(err)
			}
			if alertsOnly && !r.Fired() {
				return nil
			}
			return r.Totals(&tot)
		}
		// Records meant for other stages are not shown, but a damaged
		// one is still reported like anywhere else in the pipeline.
		if err := dec.Validate(raw); err != nil {
			return stage.Bad(err)
		}
		return nil
	}
	err = st.Records(dec,
		// The report is the end of the pipeline and writes text, so it
		// takes every record and shows the ones meant for people.
		func([]byte) bool { return true },
		func(kind, raw []byte) error {
			err := show(kind, raw)
			wo.rejected(err)
			return err
		},
		// A live log that falls silent shows its run of empty intervals
		// after a second or two; a replay does not pause.
		stage.OnIdle(time.Second, func() error { hist.Idle(); return r.Idle() }))
	if ferr := r.Flush(); err == nil {
		err = ferr
	}
	// The page of --html and --listen reads what the history has
	// committed: all of the input, once Finish returns.
	err = hist.Finish(err)
	err = wo.finish(st.Ctx, err)
	err = hist.Close(err)
	if err = st.Finish(err); err == nil && c.Bool("exit-status") && r.Fired() {
		// Quiet: the output says what fired.
		err = cli.Exit("", exitFired)
	}
	return err
}

// isTerminal reports whether the output is a terminal, where long keys
// are cut to the screen; a file or a mail keeps them whole.
func isTerminal(c *cli.Context) bool {
	f, ok := c.App.Writer.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
