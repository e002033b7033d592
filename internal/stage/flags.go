package stage

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// UsageError returns an error that exits with ExitUsage and points at --help.
func UsageError(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...)+" (see --help)", ExitUsage)
}

// EnvVar returns the environment variable that sets a flag of a command:
// EnvVar("httpmon-window", "lateness") is HTTPMON_WINDOW_LATENESS.
func EnvVar(command, flag string) string {
	r := strings.NewReplacer("-", "_")
	return strings.ToUpper(r.Replace(command) + "_" + r.Replace(flag))
}

// WithEnv gives every flag of command that names no environment variable
// of its own the one EnvVar derives from its name, so that a flag's name is
// written once, and returns flags.
func WithEnv(command string, flags []cli.Flag) []cli.Flag {
	for _, f := range flags {
		// Every flag type of cli v2 has its own EnvVars field and no
		// setter in common.
		v := reflect.ValueOf(f)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			continue
		}
		env := v.Elem().FieldByName("EnvVars")
		if !env.IsValid() || !env.CanSet() || env.Len() > 0 {
			continue
		}
		env.Set(reflect.ValueOf([]string{EnvVar(command, f.Names()[0])}))
	}
	return flags
}

// InputFlags are the flags every command has for malformed input.
func InputFlags(command string) []cli.Flag {
	return WithEnv(command, []cli.Flag{
		&cli.StringFlag{
			Name:  "rejects",
			Usage: "append malformed input lines, raw, to `FILE`",
		},
		&cli.BoolFlag{
			Name:  "strict",
			Usage: "exit with status 3 at the end if any input line was malformed",
		},
	})
}

// Seconds returns the duration flag name in whole seconds, failing with a
// usage error that names the flag if it is below least or not whole.
func Seconds(c *cli.Context, name string, least int64) (int64, error) {
	d := c.Duration(name)
	if d%time.Second != 0 {
		return 0, UsageError("--%s must be a whole number of seconds, got %s", name, d)
	}
	if s := int64(d / time.Second); s >= least {
		return s, nil
	}
	return 0, UsageError("--%s must be at least %ds, got %s", name, least, d)
}

// NoArgs fails with a usage error if the command was given arguments.
func NoArgs(c *cli.Context) error {
	if c.NArg() > 0 {
		return UsageError("unexpected argument %q; this command reads standard input", c.Args().First())
	}
	return nil
}
