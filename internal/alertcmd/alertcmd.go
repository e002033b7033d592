// Package alertcmd implements the httpmon-alert command: it watches the
// per-second ticks and emits an alert record when average traffic over a
// sliding window crosses a threshold, and another when it falls back.
package alertcmd

import (
	"errors"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
)

const name = "httpmon-alert"

// New returns the command.
func New() *cli.App {
	return &cli.App{
		Name:      name,
		Usage:     "alert when average traffic over a sliding window exceeds a threshold",
		UsageText: name + " [options] < ticks.ndjson\n\nexample:\n   httpmon-parse access.log | httpmon-window | " + name + " --threshold 10 --window 2m | httpmon-report",
		Description: "Reads NDJSON from standard input. For every second t of the \"tick\" records,\n" +
			"hits(t) is the number of requests in the --window seconds ending at t; the alert\n" +
			"fires at the first second where hits(t)/window > --threshold and resolves at the\n" +
			"first second where it no longer holds. Seconds without a tick count as empty.\n" +
			"Every input record, ticks included, passes through unchanged; each \"alert\"\n" +
			"record follows the tick of its second.",
		HideHelpCommand: true,
		Flags: append([]cli.Flag{
			&cli.Float64Flag{Name: "threshold", Value: 10,
				Usage: "alert when average requests per second over the window is above this", EnvVars: []string{stage.EnvVar(name, "threshold")}},
			&cli.DurationFlag{Name: "window", Value: 2 * time.Minute,
				Usage: "length of the sliding window (whole seconds)", EnvVars: []string{stage.EnvVar(name, "window")}},
			&cli.StringFlag{Name: "name", Value: alert.DefaultName,
				Usage: "rule name written in alert records, to tell several alert stages apart", EnvVars: []string{stage.EnvVar(name, "name")}},
		}, stage.InputFlags(name)...),
		Action: run,
	}
}

func run(c *cli.Context) error {
	if err := stage.NoArgs(c); err != nil {
		return err
	}
	w, err := stage.Seconds(c, "window", 1)
	if err != nil {
		return err
	}
	mon, err := alert.New(alert.Rule{Name: c.String("name"), Window: w, Threshold: c.Float64("threshold")})
	if err != nil {
		return stage.UsageError("%v", err)
	}
	st, err := stage.New(c)
	if err != nil {
		return err
	}
	dec, enc := event.NewDecoder(), event.NewEncoder()
	var tick event.Tick
	var alerts []event.Alert
	err = st.Records(dec,
		func(kind []byte) bool { return string(kind) == event.KindTick },
		func(_, raw []byte) error {
			if err := dec.Tick(raw, &tick); err != nil {
				return stage.Bad(err)
			}
			alerts, err = mon.Observe(&tick, alerts[:0])
			var ooo *alert.OutOfOrderError
			if errors.As(err, &ooo) {
				return stage.Bad(err)
			}
			if err := st.Pass(raw); err != nil {
				return err
			}
			for i := range alerts {
				if err := st.Emit(enc.Alert(&alerts[i])); err != nil {
					return err
				}
			}
			if len(alerts) > 0 {
				// An alert is what a person is waiting for: don't let it
				// sit in a buffer behind a busy stream.
				return st.Out.Flush()
			}
			return nil
		})
	return st.Finish(err)
}
