// Package alertcmd implements the httpmon-alert command: it evaluates alert
// rules over the per-second ticks, emits an alert record when one fires and
// another when it resolves, and optionally notifies people.
package alertcmd

import (
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
		Name:  name,
		Usage: "evaluate alert rules over the traffic and announce when they fire and resolve",
		UsageText: name + " [options] < ticks.ndjson\n\nexamples:\n   httpmon-parse access.log | httpmon-window | " + name + " --threshold 10 --window 2m | httpmon-report\n" +
			"   ... | httpmon-window --pass-requests | " + name + " --rule high_traffic --rule server_errors \\\n" +
			"         --rule 'api_5xx: 5xx{section=/api} > 50 over 5m for 1m' --notify-webhook http://127.0.0.1:9093/hook",
		Description: "Reads NDJSON from standard input. Without --rule or --rules, the one rule is\n" +
			"high_traffic: for every second t of the \"tick\" records, hits(t) is the number of\n" +
			"requests in the --window seconds ending at t; the alert fires at the first second\n" +
			"where hits(t)/window > --threshold and resolves at the first second where it no\n" +
			"longer holds. Seconds without a tick count as empty.\n\n" +
			"A rule reads:\n   " + alert.Syntax + "\n" +
			"Metrics: hits, 4xx, 5xx, bytes (counts over the window), hits/s, 4xx/s, 5xx/s, bytes/s\n" +
			"(per second), 4xx_ratio, 5xx_ratio (share of requests; 5% or 0.05; false below\n" +
			"min_requests, default 20). The window defaults to 2m. An alert is pending while\n" +
			"its condition has held for less than \"for\" (never announced), then firing; it\n" +
			"resolves once the condition has been false for \"keep_firing_for\". Presets:\n" +
			"high_traffic (from --threshold/--window/--name), server_errors, client_errors.\n" +
			"Rules with {section=...} or {source=...} count request records: run\n" +
			"httpmon-window with --pass-requests.\n\n" +
			"--rules FILE is read again on SIGHUP and when it changes; a file that does not\n" +
			"parse keeps the rules in force. Unchanged rules keep their state; a removed\n" +
			"rule's firing alert is resolved.\n\n" +
			"Every input record passes through unchanged; each \"alert\" record follows the\n" +
			"tick of its second. Before its first output it writes a \"rule\" record per rule\n" +
			"in force, after those of an alert stage before it.",
		HideHelpCommand: true,
		Metadata:        stage.Role{Input: "ticks", From: "httpmon-window"}.Metadata(),
		// A rule's selector has commas in it: "5xx{section=/a,source=b}".
		DisableSliceFlagSeparator: true,
		Flags: stage.WithEnv(name, append([]cli.Flag{
			&cli.Float64Flag{Name: "threshold", Value: event.DefaultThreshold,
				Usage: "high_traffic: alert when average requests per second over the window is above this"},
			&cli.DurationFlag{Name: "window", Value: event.DefaultWindow * time.Second,
				Usage: "high_traffic: length of the sliding window (whole seconds)"},
			&cli.StringFlag{Name: "name", Value: alert.DefaultName,
				Usage: "high_traffic: rule name written in alert records, to tell several alert stages apart"},
			&cli.StringSliceFlag{Name: "rule",
				Usage: "alert `RULE`, repeatable, like 'api_errors: 5xx_ratio{section=/api} > 5% over 5m for 1m', or a preset name; replaces the default rule"},
			&cli.StringFlag{Name: "rules", TakesFile: true,
				Usage: "read alert rules from a YAML `FILE` (see README); replaces the default rule"},
		}, append(notifyFlags(), stage.InputFlags(name)...)...)),
		Action: run,
	}
}

// run is the command: it sets the rules up, evaluates them over the
// records and says at the end what the stream lacked.
func run(c *cli.Context) error {
	if err := stage.NoArgs(c); err != nil {
		return err
	}
	m, err := newManager(c)
	if err != nil {
		return err
	}
	defer m.w.stop()
	return m.finish(m.st.Records(m.dec, m.wants, m.record, m.recordsOptions()...))
}
