package parsecmd

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// defaultSlack is how far out of order lines may be for the seek of
// --since to stay exact, unless --since-slack says otherwise: servers log
// a request when it ends with the time it started, so a log is out of
// order by its longest request, minutes at most.
const defaultSlack = 5 * time.Minute

// wallClock is the clock that relative times (-24h, yesterday) are taken
// from, the only one httpmon-parse reads outside --follow; tests set it.
var wallClock = time.Now

// rangeFlags are the flags that keep the requests of a time range.
func rangeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "since",
			Usage: "keep only requests at or after `TIME`: RFC 3339 (2026-11-30T14:00:00Z), \"2026-11-30 14:00[:05]\" in the log's zone, -24h, yesterday or today"},
		&cli.StringFlag{Name: "until",
			Usage: "keep only requests before `TIME`, given as for --since"},
		&cli.DurationFlag{Name: "since-slack", Value: defaultSlack,
			Usage: "with --since or --until, how far out of order a file's lines may be: the seek to --since and the stop after --until stay exact within it"},
	}
}

// timeBound is a --since or --until: an instant, or a time that is one
// only in the log's zone, known from its first request.
type timeBound struct {
	kind boundKind
	// unix is the instant, for absolute; for wall, the date and clock
	// read as if in UTC.
	unix int64
	days int       // for midnight: 0 today, -1 yesterday
	now  time.Time // for midnight
}

type boundKind uint8

const (
	unbounded boundKind = iota
	absolute
	wall     // a date and clock in the log's zone
	midnight // the start of a day relative to now, in the log's zone
)

// in returns the bound in unix seconds for a log whose times are offset
// seconds east of UTC.
func (b timeBound) in(offset int32) int64 {
	switch b.kind {
	case wall:
		return b.unix - int64(offset)
	case midnight:
		z := time.FixedZone("", int(offset))
		y, m, d := b.now.In(z).Date()
		return time.Date(y, m, d+b.days, 0, 0, 0, 0, z).Unix()
	}
	return b.unix
}

// wallLayouts are the forms of a time without a zone, taken in the log's.
var wallLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

var errBadTime = errors.New(`want RFC 3339 (2026-11-30T14:00:00Z), "2026-11-30 14:00[:05]" in the log's zone, a duration before now (-24h, -90m, -7d), yesterday or today`)

// parseBound reads a --since or --until value, with now for the relative
// forms.
func parseBound(s string, now time.Time) (timeBound, error) {
	switch s {
	case "today":
		return timeBound{kind: midnight, now: now}, nil
	case "yesterday":
		return timeBound{kind: midnight, days: -1, now: now}, nil
	}
	if strings.HasPrefix(s, "-") {
		d, err := parseAgo(s[1:])
		if err != nil {
			return timeBound{}, err
		}
		return timeBound{kind: absolute, unix: ceilUnix(now.Add(-d))}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return timeBound{kind: absolute, unix: ceilUnix(t)}, nil
	}
	for _, l := range wallLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return timeBound{kind: wall, unix: t.Unix()}, nil
		}
	}
	return timeBound{}, errBadTime
}

// parseAgo reads the duration of a relative time: a Go duration, or a
// whole number of days.
func parseAgo(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100*366 {
			return 0, errBadTime
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errBadTime
	}
	return d, nil
}

// ceilUnix returns the first whole second at or after t: request times
// are whole seconds, and one is at or after t, or before it, exactly when
// it is so against this.
func ceilUnix(t time.Time) int64 {
	u := t.Unix()
	if t.Nanosecond() > 0 {
		u++
	}
	return u
}

// timeRange is what --since, --until and --since-slack ask for.
type timeRange struct {
	since, until timeBound
	slack        int64 // seconds
	// lo and hi bound the kept requests, [lo, hi), once resolved in the
	// log's zone.
	lo, hi   int64
	resolved bool
	// sorted is set while the input is a regular file, whose lines are
	// taken to be at most slack out of order, so that reading it stops
	// past hi + slack.
	sorted bool
}

// newTimeRange checks the range flags; it returns nil when neither
// --since nor --until is given.
func newTimeRange(c *cli.Context, now time.Time) (*timeRange, error) {
	if !c.IsSet("since") && !c.IsSet("until") {
		if c.IsSet("since-slack") {
			return nil, stage.UsageError("--since-slack needs --since or --until")
		}
		return nil, nil
	}
	r := &timeRange{}
	for _, f := range []struct {
		name  string
		bound *timeBound
	}{{"since", &r.since}, {"until", &r.until}} {
		if !c.IsSet(f.name) {
			continue
		}
		b, err := parseBound(c.String(f.name), now)
		if err != nil {
			return nil, stage.UsageError("--%s %s: %v", f.name, textsafe.String(strconv.Quote(c.String(f.name))), err)
		}
		*f.bound = b
	}
	slack := c.Duration("since-slack")
	if slack < 0 || slack > 24*time.Hour {
		return nil, stage.UsageError("--since-slack must be from 0 to 24h, got %s", slack)
	}
	r.slack = int64(slack / time.Second)
	// Bounds of the same kind compare whatever the log's zone.
	if s, u := r.since, r.until; s.kind != unbounded && u.kind != unbounded &&
		(s.kind == absolute) == (u.kind == absolute) && s.in(0) >= u.in(0) {
		return nil, stage.UsageError("--since %s is not before --until %s", textsafe.String(c.String("since")), textsafe.String(c.String("until")))
	}
	return r, nil
}

// resolve fixes the range in the zone of the first request the run
// parsed, offset seconds east of UTC; later calls change nothing.
func (r *timeRange) resolve(offset int32) {
	if r.resolved {
		return
	}
	r.resolved = true
	r.lo, r.hi = math.MinInt64, math.MaxInt64
	if r.since.kind != unbounded {
		r.lo = r.since.in(offset)
	}
	if r.until.kind != unbounded {
		r.hi = r.until.in(offset)
	}
}

// errPastUntil ends the reading of a sorted input: the rest of it is past
// --until.
var errPastUntil = errors.New("past --until")

// outside reports whether req is out of the range, with errPastUntil
// when no line after it in a sorted input can be in it.
func (r *timeRange) outside(req *event.Request) (bool, error) {
	r.resolve(req.UTCOffset)
	switch {
	case req.TS < r.lo:
		return true, nil
	case req.TS < r.hi:
		return false, nil
	case r.sorted && req.TS-r.slack >= r.hi:
		return true, errPastUntil
	}
	return true, nil
}
