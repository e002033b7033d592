package stage

import (
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

func TestFlagMessage(t *testing.T) {
	app := &cli.App{Flags: []cli.Flag{
		&cli.DurationFlag{Name: "interval", Value: time.Second},
		&cli.IntFlag{Name: "top"},
		&cli.Float64Flag{Name: "threshold"},
		&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}},
		&cli.StringFlag{Name: "format"},
	}}
	tests := []struct{ in, want string }{
		{`invalid value "10" for flag -interval: parse error`, `--interval: "10" is not a duration; give a unit, like 10s`},
		{`invalid value "1.5" for flag -interval: parse error`, `--interval: "1.5" is not a duration; give a unit, like 1.5s`},
		{`invalid value "soon" for flag -interval: parse error`, `--interval: "soon" is not a duration; give a unit, like 1s or 250ms`},
		{`invalid value "many" for flag -top: parse error`, `--top: "many" is not a whole number`},
		{`invalid value "ten" for flag -threshold: parse error`, `--threshold: "ten" is not a number`},
		{`invalid boolean value "maybe" for -follow: parse error`, `--follow: "maybe" is not true or false`},
		{`invalid boolean value "maybe" for -f: parse error`, `-f: "maybe" is not true or false`},
		{`flag provided but not defined: -nope`, `unknown flag --nope`},
		{`flag provided but not defined: -x`, `unknown flag -x`},
		{`flag needs an argument: -interval`, `--interval needs a value`},
		{`could not parse "abc" as float64 value from environment variable "HTTPMON_ALERT_THRESHOLD" for flag threshold: strconv.ParseFloat: parsing "abc": invalid syntax`,
			`HTTPMON_ALERT_THRESHOLD (--threshold): "abc" is not a number`},
		{`could not parse "10" as duration value from environment variable "HTTPMON_WINDOW_INTERVAL" for flag interval: time: missing unit in duration "10"`,
			`HTTPMON_WINDOW_INTERVAL (--interval): "10" is not a duration; give a unit, like 10s`},
		{`--top must be at least 1`, `--top must be at least 1`},
	}
	for _, tc := range tests {
		if got := flagMessage(app, tc.in); got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
