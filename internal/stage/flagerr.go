package stage

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// The messages of Go's flag package and of cli about bad flag values. They
// name flags with one dash and say "parse error", or quote strconv; these
// commands name flags with two dashes and say what a value should be.
var (
	badValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-([^:]+): .*$`)
	unknown   = regexp.MustCompile(`^flag provided but not defined: -(.+)$`)
	needsArg  = regexp.MustCompile(`^flag needs an argument: -(.+)$`)
	badEnvVal = regexp.MustCompile(`^could not parse "(.*)" (?:as \S+(?: slice)? value from|from) environment variable "([^"]+)" (?:as value )?for flag ([^:]+): .*$`)
)

// flagMessage rewrites a usage error of the flag parser; other messages
// are returned as they are.
func flagMessage(app *cli.App, msg string) string {
	if m := badValue.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s: %s", dashes(m[2]), wants(app, m[2], m[1]))
	}
	if m := unknown.FindStringSubmatch(msg); m != nil {
		return "unknown flag " + dashes(m[1])
	}
	if m := needsArg.FindStringSubmatch(msg); m != nil {
		return dashes(m[1]) + " needs a value"
	}
	if env, ok := envMessage(app, msg); ok {
		return env
	}
	return msg
}

// envMessage rewrites cli's error about a bad value in an environment
// variable, which names neither the flag as a user types it nor what the
// value should be, and quotes strconv instead.
func envMessage(app *cli.App, msg string) (string, bool) {
	m := badEnvVal.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	return fmt.Sprintf("%s (%s): %s", m[2], dashes(m[3]), wants(app, m[3], m[1])), true
}

// dashes writes a flag name as it is typed: --name, or -f for a letter.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// wants says why value is wrong for the flag name, from the flag's type.
func wants(app *cli.App, name, value string) string {
	q := strconv.Quote(value)
	switch lookup(app, name).(type) {
	case *cli.DurationFlag:
		like := "1s or 250ms"
		if _, err := strconv.ParseFloat(value, 64); err == nil && !strings.ContainsAny(value, "eE") {
			like = value + "s"
		}
		return q + " is not a duration; give a unit, like " + like
	case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag, *cli.Uint64Flag:
		return q + " is not a whole number"
	case *cli.Float64Flag:
		return q + " is not a number"
	case *cli.BoolFlag:
		return q + " is not true or false"
	}
	return q + " is not a valid value"
}

func lookup(app *cli.App, name string) cli.Flag {
	for _, f := range app.Flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}
