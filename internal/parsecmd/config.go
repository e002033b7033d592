package parsecmd

import (
	"path/filepath"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/logfmt"
	"github.com/httpmon/httpmon/internal/stage"
)

// config is what the flags and arguments ask for, checked.
type config struct {
	format logfmt.Format
	// formats holds what --json-fields, --log-format and --nginx-conf
	// compiled.
	formats formatConfig
	files   []string // the arguments, or "-" for none without --follow
	label   string   // --source
	// rng is what --since and --until ask for, nil without them.
	rng *timeRange
	// The rest is for --follow only.
	follow        bool
	fromStart     bool
	state         string // the --state file as given, or ""
	stateInterval time.Duration
	checkpoints   bool // --checkpoints: in-band checkpoint records
	poll          time.Duration
}

// newConfig checks every flag and argument, so that a usage error comes
// before anything is opened or created.
func newConfig(c *cli.Context) (config, error) {
	cfg := config{
		files:         c.Args().Slice(),
		label:         c.String("source"),
		follow:        c.Bool("follow"),
		fromStart:     c.Bool("from-start"),
		state:         c.String("state"),
		stateInterval: c.Duration("state-interval"),
		checkpoints:   c.Bool("checkpoints"),
		poll:          c.Duration("poll"),
	}
	var err error
	if cfg.format, err = logfmt.ParseFormat(c.String("format")); err != nil {
		return cfg, stage.UsageError("--format: %v", err)
	}
	if cfg.formats, err = newFormatConfig(c, &cfg.format); err != nil {
		return cfg, err
	}
	if cfg.rng, err = newTimeRange(c, wallClock()); err != nil {
		return cfg, err
	}
	if cfg.follow {
		if cfg.rng != nil {
			return cfg, stage.UsageError("--since and --until read files from the start; they do not go with --follow")
		}
		return cfg, cfg.checkFollow()
	}
	for _, f := range []string{"from-start", "state", "state-interval", "checkpoints", "poll"} {
		if c.IsSet(f) {
			return cfg, stage.UsageError("--%s needs --follow", f)
		}
	}
	if len(cfg.files) == 0 {
		cfg.files = []string{"-"}
	}
	return cfg, nil
}

// checkFollow checks what --follow needs.
func (cfg *config) checkFollow() error {
	switch {
	case len(cfg.files) == 0:
		return stage.UsageError("--follow needs at least one file")
	case slices.Contains(cfg.files, "-"):
		return stage.UsageError("--follow cannot follow standard input; give file names")
	case cfg.poll <= 0:
		return stage.UsageError("--poll must be above 0, got %s", cfg.poll)
	case cfg.stateInterval <= 0:
		return stage.UsageError("--state-interval must be above 0, got %s", cfg.stateInterval)
	case cfg.checkpoints && cfg.state == "":
		return stage.UsageError("--checkpoints needs --state")
	}
	// Every argument is a pattern to the follower, which waits for a
	// name that matches nothing yet.
	for _, f := range cfg.files {
		if _, err := filepath.Match(f, ""); err != nil {
			return stage.UsageError("bad pattern %q: %v", f, err)
		}
	}
	return nil
}
