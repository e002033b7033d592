package e2e_test

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/alertcmd"
	"github.com/httpmon/httpmon/internal/parsecmd"
	"github.com/httpmon/httpmon/internal/reportcmd"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/windowcmd"
)

// TestFlagEnv: every flag of every command is set by the environment
// variable named after the command and the flag, and by no other.
func TestFlagEnv(t *testing.T) {
	for _, app := range []*cli.App{parsecmd.New(), windowcmd.New(), alertcmd.New(), reportcmd.New()} {
		for _, f := range app.Flags {
			name := f.Names()[0]
			want := []string{stage.EnvVar(app.Name, name)}
			if got := f.(cli.DocGenerationFlag).GetEnvVars(); !slices.Equal(got, want) {
				t.Errorf("%s --%s: env %q, want %q", app.Name, name, got, want)
			}
		}
	}
}
