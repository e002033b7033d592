package stage

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestWithEnv(t *testing.T) {
	flags := WithEnv("httpmon-x", []cli.Flag{
		&cli.StringFlag{Name: "max-gap"},
		&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}},
		&cli.DurationFlag{Name: "idle"},
		&cli.Float64Flag{Name: "threshold"},
		&cli.IntFlag{Name: "top"},
		&cli.StringSliceFlag{Name: "rule"},
		&cli.StringFlag{Name: "own", EnvVars: []string{"OWN"}},
	})
	want := [][]string{
		{"HTTPMON_X_MAX_GAP"}, {"HTTPMON_X_FOLLOW"}, {"HTTPMON_X_IDLE"},
		{"HTTPMON_X_THRESHOLD"}, {"HTTPMON_X_TOP"}, {"HTTPMON_X_RULE"},
		{"OWN"}, // a flag that names its own variables keeps them
	}
	for i, f := range flags {
		got := f.(cli.DocGenerationFlag).GetEnvVars()
		if !slices.Equal(got, want[i]) {
			t.Errorf("flag %s: env %q, want %q", f.Names()[0], got, want[i])
		}
	}
}

func TestInputFlagsEnv(t *testing.T) {
	for _, f := range InputFlags("httpmon-window") {
		want := EnvVar("httpmon-window", f.Names()[0])
		if got := f.(cli.DocGenerationFlag).GetEnvVars(); !slices.Equal(got, []string{want}) {
			t.Errorf("flag %s: env %q, want %q", f.Names()[0], got, want)
		}
	}
}
