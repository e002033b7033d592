// Package windowcmd implements the httpmon-window command: it turns request
// records into per-second ticks and per-interval summaries, in event time.
package windowcmd

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/window"
)

const name = "httpmon-window"

// New returns the command.
func New() *cli.App {
	def := window.DefaultConfig()
	return &cli.App{
		Name:      name,
		Usage:     "group request records into per-second ticks and per-interval summaries",
		UsageText: name + " [options] < requests.ndjson\n" + name + " --merge [options] [FILE...]\n\nexamples:\n   httpmon-parse access.log | " + name + " --interval 10s | httpmon-alert | httpmon-report\n   " + name + " --merge <(ssh web1 'httpmon-parse -f /var/log/nginx/access.log | " + name + " --source web1') <(ssh web2 …) | httpmon-alert | httpmon-report",
		Description: "Reads NDJSON from standard input. Each \"request\" record is counted in its own\n" +
			"second (event time, from its ts). Emits one \"tick\" per second, contiguous, and a\n" +
			"\"summary\" per interval aligned to multiples of --interval since the epoch, or,\n" +
			"for intervals of an hour or more, in the log's own zone (days start at its midnight).\n" +
			"A second is final once a request more than --lateness past it arrives (more than\n" +
			"--replay-lateness while event time runs over twice as fast as the wall clock: a\n" +
			"replay) or, when input has been silent for --idle, once the wall clock says so\n" +
			"(see README).\n" +
			"At the end of input, or on SIGINT/SIGTERM, one \"total\" record follows for the\n" +
			"whole run (see --total-top).\n" +
			"Records of other kinds pass through unchanged.\n" +
			"With --merge, reads instead the ticks, summaries and totals of many windows given\n" +
			"--source (interleaved on standard input, or in the files given, read at once) and\n" +
			"emits the records one window over all their requests would give (see README).",
		HideHelpCommand: true,
		Metadata:        stage.Role{Input: "request records", From: "httpmon-parse"}.Metadata(),
		Flags: stage.WithEnv(name, append([]cli.Flag{
			&cli.DurationFlag{Name: "interval", Value: time.Duration(def.Interval) * time.Second,
				Usage: "length of a summary interval (whole seconds)"},
			&cli.DurationFlag{Name: "lateness", Value: time.Duration(def.Lateness) * time.Second,
				Usage: "how far out of order records may arrive and still count in their own second"},
			&cli.DurationFlag{Name: "replay-lateness", Value: time.Duration(def.ReplayLateness) * time.Second,
				Usage: "the same, while the input is a replay: records arrive faster than event time passes, so seconds are held this long, at no cost in waiting (at most 1h; below --lateness means --lateness)"},
			&cli.IntFlag{Name: "top", Value: def.Top,
				Usage: "sections listed per summary"},
			&cli.IntFlag{Name: "total-top", Value: def.TotalTop,
				Usage: "entries in each top list of the \"total\" record emitted at the end of input (0: no total record)"},
			&cli.DurationFlag{Name: "idle", Value: 500 * time.Millisecond,
				Usage: "after this long without requests on a live input, event time runs on with the wall clock from the newest request, so quiet seconds still get ticks (0: only requests move time, for exact replays)"},
			&cli.BoolFlag{Name: "pass-requests",
				Usage: "also pass request records through, after counting them, for httpmon-alert rules over a section or source"},
			&cli.DurationFlag{Name: "max-gap", Value: time.Duration(def.MaxGap) * time.Second,
				Usage: "a jump forward in time longer than this restarts the stream instead of emitting empty seconds (0: no limit)"},
		}, append(append(mergeFlags(), natsFlags()...), stage.InputFlags(name)...)...)),
		Action: run,
	}
}

// minIdle keeps --idle from turning the idle check into a busy loop.
const minIdle = 10 * time.Millisecond

// idleCheck is how often a silent input is checked for seconds that the
// wall clock has made final: often enough that they come out well within a
// second, rarely enough to cost nothing.
const idleCheck = 100 * time.Millisecond

func idleFlag(c *cli.Context) (time.Duration, error) {
	d := c.Duration("idle")
	if d != 0 && d < minIdle {
		return 0, stage.UsageError("--idle must be 0 (off) or at least %s, got %s", minIdle, d)
	}
	return d, nil
}

// replay reports whether in is a regular file: it can only be a replay, and
// its reads never wait on a writer, so the wall clock has nothing to add.
func replay(in io.Reader) bool {
	f, ok := in.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

func config(c *cli.Context) (window.Config, error) {
	var cfg window.Config
	var err error
	if err = stage.NoArgs(c); err != nil {
		return cfg, err
	}
	if cfg.Interval, err = stage.Seconds(c, "interval", 1); err != nil {
		return cfg, err
	}
	if cfg.Lateness, err = stage.Seconds(c, "lateness", 0); err != nil {
		return cfg, err
	}
	if cfg.ReplayLateness, err = stage.Seconds(c, "replay-lateness", 0); err != nil {
		return cfg, err
	}
	if cfg.MaxGap, err = stage.Seconds(c, "max-gap", 0); err != nil {
		return cfg, err
	}
	cfg.Top = c.Int("top")
	cfg.TotalTop = c.Int("total-top")
	if err := sourceConfig(c, &cfg); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, stage.UsageError("%v", err)
	}
	return cfg, nil
}

// sink encodes the aggregator's output onto the stage's standard output.
type sink struct {
	st  *stage.Stage
	enc *event.Encoder
	ck  *checkpoints
}

// Tick writes a tick record.
func (s *sink) Tick(t *event.Tick) error { return s.st.Emit(s.enc.Tick(t)) }

// Summary writes a summary record, and the checkpoints that waited for it.
func (s *sink) Summary(m *event.Summary) error {
	if err := s.st.Emit(s.enc.Summary(m)); err != nil {
		return err
	}
	return s.ck.release()
}

// rfc3339 shows a unix time in messages; it formats only when printed.
type rfc3339 int64

func (t rfc3339) String() string { return time.Unix(int64(t), 0).UTC().Format(time.RFC3339) }

func run(c *cli.Context) error {
	if c.Bool("merge") {
		return runMerge(c)
	}
	cfg, err := config(c)
	if err != nil {
		return err
	}
	idle, err := idleFlag(c)
	if err != nil {
		return err
	}
	published, err := startPublish(c)
	if err != nil {
		return err
	}
	st, err := stage.New(c)
	if err != nil {
		return err
	}
	ck := &checkpoints{st: st, dec: event.NewDecoder(), enc: event.NewEncoder()}
	agg, err := window.New(cfg, &sink{st: st, enc: event.NewEncoder(), ck: ck})
	if err != nil {
		return err
	}
	ck.agg = agg
	ck.hold = func() int64 {
		if agg.Replay() {
			return max(cfg.Lateness, cfg.ReplayLateness)
		}
		return cfg.Lateness
	}
	pace := &pacer{idle: idle, caughtUp: time.Duration(cfg.Lateness+1) * time.Second, now: time.Now}
	live := idle > 0 && !replay(st.Stdin())
	// Until the wall clock shows that a stream is live, it is a replay:
	// holding its seconds longer loses nothing, emitting them early would
	// make every record out of order by more than --lateness late.
	if err := agg.SetReplay(true); err != nil {
		return err
	}
	var idleOpts []stage.RecordsOption
	if live {
		idleOpts = append(idleOpts, stage.OnIdle(idleCheck, func() error {
			if ts, ok := pace.target(); ok {
				if err := agg.SetReplay(pace.replaying); err != nil {
					return err
				}
				return agg.AdvanceTo(ts)
			}
			return nil
		}))
	}
	dec := event.NewDecoder()
	var req event.Request
	pass := c.Bool("pass-requests")
	saturated := false
	err = st.Records(dec,
		func(kind []byte) bool {
			return string(kind) == event.KindRequest || string(kind) == event.KindCheckpoint
		},
		func(kind, raw []byte) error {
			if string(kind) == event.KindCheckpoint {
				return ck.checkpoint(raw)
			}
			if err := dec.Request(raw, &req); err != nil {
				return stage.Bad(err)
			}
			if ck.covered(req.TS) {
				return nil
			}
			if live {
				if err := agg.SetReplay(pace.request(req.TS)); err != nil {
					return err
				}
			}
			late, err := agg.Add(&req)
			if err == nil {
				err = ck.requested()
			}
			if !saturated && agg.Stats().Saturated > 0 {
				saturated = true
				st.Rejects.Warn("", st.LineNo(), "byte total over %d at %s: saturated there, a lower bound from now on", int64(event.MaxCount), rfc3339(req.TS))
			}
			if late {
				st.Rejects.Warn("", st.LineNo(), "request at %s is older than the last second emitted; counted as late", rfc3339(req.TS))
			}
			if err == nil && pass {
				// After Add, so that every tick the request cannot count in
				// any more is already out: a reader can tell late requests
				// by their second alone.
				err = st.Pass(raw)
			}
			return err
		}, idleOpts...)
	// At the end of input, or on SIGINT/SIGTERM, every pending second and
	// the partial last interval still go out.
	if err == nil {
		err = agg.Flush()
	}
	if err == nil {
		err = emitTotal(st, agg, cfg.Source)
	}
	if n := agg.Stats().Saturated; n > 0 {
		fmt.Fprintf(c.App.ErrWriter, "%s: %d byte totals saturated at %d, the most the protocol carries; they are lower bounds\n", name, n, int64(event.MaxCount))
	}
	if ck.skipped > 0 {
		fmt.Fprintf(c.App.ErrWriter, "%s: %d requests of seconds up to %s skipped: the run the resumed checkpoint continues counted them\n", name, ck.skipped, rfc3339(ck.through))
	}
	if n := agg.Stats().Late; n > 0 {
		fmt.Fprintf(c.App.ErrWriter, "%s: %d late records counted only in \"late\" of their summaries (raise --lateness, or --replay-lateness for a replay, to place them)\n", name, n)
	}
	if published != nil {
		return published(st, err)
	}
	return st.Finish(err)
}

// emitTotal writes the total record of the run, if it has one.
func emitTotal(st *stage.Stage, agg *window.Aggregator, source []byte) error {
	var t event.Total
	if !agg.Total(&t) {
		return nil
	}
	t.Source = source
	return st.Emit(event.NewEncoder().Total(&t))
}
