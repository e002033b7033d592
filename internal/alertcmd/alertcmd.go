// Package alertcmd implements the httpmon-alert command: it evaluates alert
// rules over the per-second ticks, emits an alert record when one fires and
// another when it resolves, and optionally notifies people.
package alertcmd

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
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

// classic is the high-traffic rule of the --threshold, --window and --name
// flags, checked with messages that name them.
func classic(c *cli.Context) (alert.Rule, error) {
	w, err := stage.Seconds(c, "window", 1)
	if err != nil {
		return alert.Rule{}, err
	}
	r := alert.Rule{Name: c.String("name"), Window: w, Threshold: c.Float64("threshold"), Origin: "--threshold/--window"}
	switch th := r.Threshold; {
	case r.Name == "":
		return r, stage.UsageError("--name must not be empty")
	case w > alert.MaxSeconds:
		return r, stage.UsageError("--window must be at most 168h")
	case math.IsNaN(th) || math.IsInf(th, 0) || th < 0:
		return r, stage.UsageError("--threshold must be a number of requests per second, 0 or more")
	}
	return r, nil
}

// rules builds the rule list from the flags; every mistake is a usage
// error that points at the flag value or the file line. The source is nil
// without a --rules file, which is then the only thing a reload reads.
func rules(c *cli.Context) ([]alert.Rule, *ruleSource, []byte, error) {
	def, err := classic(c)
	if err != nil {
		return nil, nil, nil, err
	}
	flagRules, file := c.StringSlice("rule"), c.String("rules")
	if len(flagRules) == 0 && file == "" {
		def.V1 = true
		return []alert.Rule{def}, nil, nil, nil
	}
	src := &ruleSource{file: file}
	usesDefault := false
	for _, text := range flagRules {
		if text == alert.DefaultName {
			def.Origin = "--rule " + alert.DefaultName
			src.flags = append(src.flags, def)
			usesDefault = true
			continue
		}
		r, err := alert.ParseRule(text)
		if err != nil {
			return nil, nil, nil, stage.UsageError("--rule %q: %v", text, err)
		}
		r.Origin = fmt.Sprintf("--rule %q", text)
		src.flags = append(src.flags, r)
	}
	out, data, err := src.load()
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, nil, nil, stage.UsageError("--rules: %v", err)
	case err != nil:
		return nil, nil, nil, stage.UsageError("--rules %v", err)
	}
	if !usesDefault {
		for _, f := range []string{"threshold", "window", "name"} {
			if c.IsSet(f) {
				return nil, nil, nil, stage.UsageError("--%s sets the %s rule, which --rule and --rules replace; add --rule %[2]s to keep it", f, alert.DefaultName)
			}
		}
	}
	if file == "" {
		src = nil
	}
	return out, src, data, nil
}

func run(c *cli.Context) error {
	if err := stage.NoArgs(c); err != nil {
		return err
	}
	rs, src, data, err := rules(c)
	if err != nil {
		return err
	}
	eng, err := alert.NewEngine(rs)
	if err != nil {
		return stage.UsageError("%v", err)
	}
	ruleLines, err := ruleRecords(event.NewEncoder(), eng)
	if err != nil {
		return err
	}
	nt, err := newNotifier(c, eng)
	if err != nil {
		return err
	}
	st, err := stage.New(c)
	if err != nil {
		nt.close(c.App.ErrWriter)
		return err
	}
	// The rule records go out before the first output, with the first
	// input record that is not another stage's rule record, passed on or
	// not: a stream with no records gets none, and the stages after this
	// one know the rules before any alert.
	announced := false
	announce := func() {
		if announced {
			return
		}
		announced = true
		for _, l := range ruleLines {
			// A failed write stays in the buffer and ends the stream at
			// the next one.
			st.Out.Write(l)
		}
	}
	needRequests := eng.NeedsRequests()
	v1 := len(rs) == 1 && rs[0].V1
	dec, enc := event.NewDecoder(), event.NewEncoder()
	var w *watcher
	if src != nil {
		if w, err = watch(src, data); err != nil {
			fmt.Fprintf(c.App.ErrWriter, "%s: --rules %s will not be read again on SIGHUP or when it changes: %s\n",
				name, textsafe.String(src.file), textsafe.String(err.Error()))
		}
		defer w.stop()
	}
	rl := &reloader{st: st, eng: eng, nt: nt, src: src, enc: event.NewEncoder()}
	// A reload is applied between records, before a tick and while the
	// input is idle, by this goroutine, which owns the engine and the
	// output.
	applyReload := func() error {
		r, ok := w.pending()
		if !ok {
			return nil
		}
		announce()
		if err := rl.apply(r, &ruleLines); err != nil {
			return err
		}
		rs, needRequests = rl.rules(rs), eng.NeedsRequests()
		return st.Out.Flush()
	}
	var idleOpts []stage.RecordsOption
	if w != nil {
		idleOpts = append(idleOpts, stage.OnIdle(reloadCheck, applyReload))
	}
	var tick event.Tick
	var req event.Request
	var alerts []event.Alert
	var tickedHits int64
	toldNoRequests := false
	err = st.Records(dec,
		func(kind []byte) bool {
			// An earlier alert stage's rules go first, so that the rules
			// come in pipeline order.
			if string(kind) != event.KindRule {
				announce()
			}
			return string(kind) == event.KindTick || (needRequests && string(kind) == event.KindRequest)
		},
		func(kind, raw []byte) error {
			if string(kind) == event.KindRequest {
				if err := dec.Request(raw, &req); err != nil {
					return stage.Bad(err)
				}
				eng.Request(&req)
				return st.Pass(raw)
			}
			if err := dec.Tick(raw, &tick); err != nil {
				return stage.Bad(err)
			}
			if w != nil {
				if err := applyReload(); err != nil {
					return err
				}
			}
			tickedHits += tick.Hits
			if needRequests && !toldNoRequests && !eng.SawRequests() {
				// httpmon-window passes requests of a second before its
				// tick, so none by now means none are coming: say so now,
				// since a live pipeline never reaches its end.
				toldNoRequests = true
				st.Rejects.Tell(selectedRules(rs) + " counts the request records of a section or source, and none came before the first tick: it has no data and cannot fire until they do; run httpmon-window with --pass-requests")
			}
			alerts, err = eng.Tick(&tick, alerts[:0])
			var ooo *alert.OutOfOrderError
			if errors.As(err, &ooo) {
				return stage.Bad(err)
			}
			if err := st.Pass(raw); err != nil {
				return err
			}
			for i := range alerts {
				rec := alerts[i]
				if v1 {
					// Byte for byte what this command always wrote.
					rec.StripToV1()
				}
				if err := st.Emit(enc.Alert(&rec)); err != nil {
					return err
				}
				nt.send(&alerts[i])
			}
			if len(alerts) > 0 {
				// An alert is what a person is waiting for: don't let it
				// sit in a buffer behind a busy stream.
				return st.Out.Flush()
			}
			return nil
		}, idleOpts...)
	if needRequests && tickedHits > 0 && eng.SawRequests() && eng.Stats().Requests == 0 {
		fmt.Fprintf(c.App.ErrWriter, "%s: no request records matched the rules over a section or source\n", name)
	}
	if n := eng.Stats().Unclocked; n > 0 {
		fmt.Fprintf(c.App.ErrWriter, "%s: %d request records left out: no tick came for their seconds\n", name, n)
	}
	err = st.Finish(err)
	nt.close(c.App.ErrWriter)
	return err
}

// selectedRules names the rules over a section or source, for messages:
// "rule a" or "rules a, b".
func selectedRules(rs []alert.Rule) string {
	var names []string
	for i := range rs {
		if rs[i].Selected() {
			names = append(names, textsafe.String(rs[i].Name))
		}
	}
	if len(names) == 1 {
		return "rule " + names[0]
	}
	return "rules " + strings.Join(names, ", ")
}
