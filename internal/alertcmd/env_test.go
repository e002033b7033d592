package alertcmd

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/stage"
)

// Every flag, the notification ones included, is set by the environment
// variable named after it.
func TestFlagsEnv(t *testing.T) {
	for _, f := range New().Flags {
		want := []string{stage.EnvVar(name, f.Names()[0])}
		if got := f.(cli.DocGenerationFlag).GetEnvVars(); !slices.Equal(got, want) {
			t.Errorf("--%s: env %q, want %q", f.Names()[0], got, want)
		}
	}
}
