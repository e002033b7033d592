package windowcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/natsio"
	"github.com/httpmon/httpmon/internal/ndjson"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/window"
)

// mergeFlags are the flags of --merge, and of the sources it merges.
func mergeFlags() []cli.Flag {
	def := window.DefaultMergeConfig()
	return []cli.Flag{
		&cli.StringFlag{Name: "source",
			Usage: "label every tick, summary and total with `NAME` (a host), and ship the latency sketches and --source-top sections a --merge needs"},
		&cli.IntFlag{Name: "source-top", Value: defaultSourceTop,
			Usage: "with --source: sections listed per summary, so that a merge of many hosts ranks its top --top exactly, or with a stated error"},
		&cli.BoolFlag{Name: "merge",
			Usage: "merge the ticks, summaries and totals of many sources, interleaved on standard input or in the files given (FIFOs, <(ssh web1 …)), into one stream"},
		&cli.DurationFlag{Name: "source-timeout", Value: def.SourceTimeout,
			Usage: "with --merge: a source silent this long on the wall clock is idle and holds nothing back until it sends again"},
		&cli.StringFlag{Name: "sources",
			Usage: "with --merge: comma-separated names of sources to wait for before any second is final (on an input that carries many)"},
		&cli.DurationFlag{Name: "max-lag", Value: time.Duration(def.MaxLag) * time.Second,
			Usage: "with --merge: how far the newest source may run ahead of the slowest live one; inputs further ahead pause, and on one input the oldest seconds are made final"},
		&cli.StringFlag{Name: "resume-from", Usage: "with --merge: the first merged second not yet stored, as unix seconds or RFC 3339 (a merge restarted on a redelivering transport): records of earlier seconds are duplicates, and left out"},
		&cli.BoolFlag{Name: "pass-sources",
			Usage: "with --merge: also pass each source's own records through, for a store that keys by source (every other stage would count them twice)"},
	}
}

// defaultSourceTop ships enough sections per host that merged top lists of
// a fleet's usual sites are exact.
const defaultSourceTop = 100

// mergeConfig reads the flags of --merge.
func mergeConfig(c *cli.Context) (window.MergeConfig, error) {
	cfg := window.DefaultMergeConfig()
	var err error
	if cfg.Interval, err = stage.Seconds(c, "interval", 1); err != nil {
		return cfg, err
	}
	if cfg.MaxGap, err = stage.Seconds(c, "max-gap", 0); err != nil {
		return cfg, err
	}
	if cfg.MaxLag, err = stage.Seconds(c, "max-lag", 2); err != nil {
		return cfg, err
	}
	cfg.Top, cfg.TotalTop = c.Int("top"), c.Int("total-top")
	cfg.SourceTimeout = c.Duration("source-timeout")
	if cfg.SourceTimeout < time.Second {
		return cfg, stage.UsageError("--source-timeout must be at least 1s, got %s", cfg.SourceTimeout)
	}
	if v := c.String("resume-from"); v != "" {
		ts, err := parseSecond(v)
		if err != nil {
			return cfg, stage.UsageError("--resume-from: %q is neither unix seconds nor an RFC 3339 time", v)
		}
		cfg.Resume, cfg.Resuming = ts, true
	}
	for _, f := range []string{"source", "pass-requests"} {
		if c.IsSet(f) {
			return cfg, stage.UsageError("--%s does not go with --merge: a merge is of many sources, and reads no requests", f)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, stage.UsageError("%v", err)
	}
	return cfg, nil
}

// mergeSink writes the merged records and says what the merge says.
type mergeSink struct {
	st   *stage.Stage
	enc  *event.Encoder
	nats *natsMerge // nil without a NATS input
	// where and line name the record being merged, for messages about it;
	// line is 0 between records.
	where string
	line  int64
}

func (s *mergeSink) Tick(t *event.Tick) error       { return s.st.Emit(s.enc.Tick(t)) }
func (s *mergeSink) Summary(m *event.Summary) error { return s.summary(m) }
func (s *mergeSink) Total(t *event.Total) error     { return s.st.Emit(s.enc.Total(t)) }
func (s *mergeSink) Tell(source []byte, msg string) {
	if len(source) > 0 {
		msg = "source " + string(source) + ": " + msg
	}
	if s.line > 0 {
		s.st.Rejects.Warn(s.where, s.line, "%s", msg)
		return
	}
	s.st.Rejects.Tell(msg)
}

// inputMsg is one line of an input, or its end, from the input's reader
// goroutine to the merge.
type inputMsg struct {
	in   int
	kind string
	line []byte
	no   int64
	seq  uint64 // the stream sequence of a NATS input's record, else 0
	bad  error  // the line is malformed
	end  bool   // the input ended, with err if it failed
	err  error
}

// mergeInput is an input of --merge: a file argument or standard input.
type mergeInput struct {
	name   string // for messages; empty for standard input
	id     int    // the Merger's
	resume chan struct{}
	parked bool
}

func runMerge(c *cli.Context) error {
	cfg, err := mergeConfig(c)
	if err != nil {
		return err
	}
	st, err := stage.New(c)
	if err != nil {
		return err
	}
	sink := &mergeSink{st: st, enc: event.NewEncoder()}
	m, err := window.NewMerger(cfg, sink)
	if err != nil {
		return err
	}
	now := time.Now()
	if list := c.String("sources"); list != "" {
		for _, name := range strings.Split(list, ",") {
			if name = strings.TrimSpace(name); name != "" {
				m.Expect([]byte(name), now)
			}
		}
	}
	names := c.Args().Slice()
	if len(names) == 0 {
		names = []string{"-"}
	}
	if sink.nats, err = newNATSMerge(c, st, names); err != nil {
		return err
	}
	msgs := make(chan inputMsg, 64)
	inputs := make([]*mergeInput, len(names))
	for i, name := range names {
		in := &mergeInput{resume: make(chan struct{}, 1)}
		label := "stdin"
		if name != "-" {
			in.name, label = natsio.Shown(name), natsio.Shown(name)
		}
		in.id = m.Input([]byte(label), now)
		inputs[i] = in
		if sink.nats != nil && natsio.IsAddr(name) {
			go sink.nats.read(st.Ctx, i, name, msgs, in.resume)
			continue
		}
		go readInput(st, i, name, msgs, in.resume)
	}
	pass := c.Bool("pass-sources")
	dec := event.NewDecoder()
	var tk event.Tick
	var sm event.Summary
	var tt event.Total
	check := time.NewTicker(time.Second)
	defer check.Stop()
	open := len(inputs)
	var failed error
	toldRequests := false
	handle := func(msg inputMsg) error {
		in := inputs[msg.in]
		sink.where, sink.line = in.name, msg.no
		defer func() { sink.line = 0 }()
		if msg.bad != nil {
			st.Rejects.Report(in.name, msg.no, msg.line, msg.bad)
			return nil
		}
		if msg.seq > 0 && sink.nats.take(&msg) {
			return nil
		}
		now := time.Now()
		var bad, err error
		switch msg.kind {
		case event.KindTick:
			if bad = dec.Tick(msg.line, &tk); bad == nil {
				err = m.Tick(in.id, &tk, now)
			}
		case event.KindSummary:
			if bad = dec.Summary(msg.line, &sm); bad == nil {
				err = m.Summary(in.id, &sm, now)
			}
		case event.KindTotal:
			if bad = dec.Total(msg.line, &tt); bad == nil {
				err = m.Total(in.id, &tt, now)
			}
		default:
			// Every other kind goes through, as every stage passes what
			// it does not own.
			if msg.kind == event.KindRequest && !toldRequests {
				toldRequests = true
				st.Rejects.Tell(fmt.Sprintf("%s: request records pass through unmerged: --merge reads the ticks and summaries of windows; run httpmon-window --source NAME before it", in.label()))
			}
			if bad = dec.Validate(msg.line); bad == nil {
				return st.Pass(msg.line)
			}
		}
		if mis := (*window.MisalignedError)(nil); errors.As(err, &mis) {
			bad, err = err, nil
		}
		switch {
		case bad != nil:
			st.Rejects.Report(in.name, msg.no, msg.line, bad)
			return nil
		case err == nil && pass && !m.Duplicate():
			return st.Pass(msg.line)
		}
		return err
	}
	// resume lets the inputs that are not too far ahead read on.
	resume := func() {
		for _, in := range inputs {
			if in.parked && (len(inputs) == 1 || !m.Ahead(in.id)) {
				in.parked = false
				in.resume <- struct{}{}
			}
		}
	}
	// After SIGINT or SIGTERM the inputs get the drain every stage gives
	// its upstream; an input still opening (a FIFO without a writer) gets
	// no longer.
	done := st.Ctx.Done()
	var drained <-chan time.Time
loop:
	for open > 0 && err == nil {
		select {
		case <-done:
			if errors.Is(context.Cause(st.Ctx), stage.ErrReaderGone) {
				// Nobody is left to write to.
				break loop
			}
			done, drained = nil, time.After(stage.DrainRecords+time.Second)
		case <-drained:
			break loop
		case msg := <-msgs:
			in := inputs[msg.in]
			if msg.end {
				open--
				if msg.err != nil && !errors.Is(msg.err, lineio.ErrInterrupted) {
					st.Rejects.Tell(fmt.Sprintf("%s: %v", in.label(), msg.err))
					failed = cli.Exit("", stage.ExitError)
				}
				err = m.Close(in.id)
				resume()
				break
			}
			if err = handle(msg); err != nil {
				break
			}
			in.parked = true
			resume()
		case <-check.C:
			err = m.Check(time.Now())
			resume()
		}
		if err == nil && len(msgs) == 0 {
			err = st.Out.Flush()
		}
	}
	if err == nil {
		err = m.Flush()
	}
	for _, s := range m.Stats() {
		var parts []string
		if s.Duplicates > 0 {
			parts = append(parts, fmt.Sprintf("%d duplicate records left out", s.Duplicates))
		}
		if s.Late > 0 {
			parts = append(parts, fmt.Sprintf("%d requests in ticks after their second was final, counted as late", s.Late))
		}
		if s.LateSummaries > 0 {
			parts = append(parts, fmt.Sprintf("%d summaries after their merged summary was out, whose sections are in none", s.LateSummaries))
		}
		if len(parts) > 0 {
			st.Rejects.Tell(fmt.Sprintf("source %s: %s", s.Name, strings.Join(parts, "; ")))
		}
	}
	if err == nil {
		err = failed
	}
	return st.Finish(err)
}

func (in *mergeInput) label() string {
	if in.name == "" {
		return "standard input"
	}
	return in.name
}

// readInput reads the records of input i, name ("-" for standard input),
// and hands them one at a time to the merge, waiting after each for
// resume, so that an input far ahead of the others pauses.
func readInput(st *stage.Stage, i int, name string, msgs chan<- inputMsg, resume <-chan struct{}) {
	var src io.Reader = st.Stdin()
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			msgs <- inputMsg{in: i, end: true, err: err}
			return
		}
		defer f.Close()
		src = f
	}
	// Small reads: a merge may read hundreds of inputs, each of a couple
	// of records a second, and every input holds a few buffers.
	lines := lineio.NewReader(src, lineio.Options{Done: st.Ctx.Done(), Drain: stage.DrainRecords, ChunkSize: 16 << 10})
	r := ndjson.NewReader(lines, ndjson.Options{OnBad: func(no int64, raw []byte, err error) {
		msgs <- inputMsg{in: i, line: slices.Clone(raw), no: no, bad: err}
		<-resume
	}})
	for {
		kind, line, err := r.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			msgs <- inputMsg{in: i, end: true, err: err}
			return
		}
		msgs <- inputMsg{in: i, kind: string(kind), line: slices.Clone(line), no: r.Line()}
		<-resume
	}
}

// sourceConfig applies --source and --source-top to a window's cfg.
func sourceConfig(c *cli.Context, cfg *window.Config) error {
	for _, f := range []string{"source-timeout", "sources", "max-lag", "pass-sources", "resume-from"} {
		if c.IsSet(f) {
			return stage.UsageError("--%s goes only with --merge", f)
		}
	}
	name := c.String("source")
	if name == "" {
		if c.IsSet("source") {
			return stage.UsageError("--source: give a name, such as the host's")
		}
		return nil
	}
	n := c.Int("source-top")
	if n < 1 {
		return stage.UsageError("--source-top must be at least 1, got %d", n)
	}
	cfg.Source = []byte(name)
	cfg.Top = max(cfg.Top, n)
	return nil
}

// parseSecond reads a time as unix seconds or RFC 3339, within the
// protocol's years.
func parseSecond(v string) (int64, error) {
	ts, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t, perr := time.Parse(time.RFC3339, v)
		if perr != nil {
			return 0, perr
		}
		ts = t.Unix()
	}
	if ts < event.MinTS || ts > event.MaxTS {
		return 0, errors.New("outside the years 0–9999")
	}
	return ts, nil
}
