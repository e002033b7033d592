package stage

import (
	"runtime/debug"
	"sync"

	"github.com/urfave/cli/v2"
)

var versionFlagOnce sync.Once

// setVersion gives app a --version flag that prints the version of the
// build. cli's own flag also answers to -v, which most people would take
// for "verbose"; it is a package variable of cli, so it is replaced once.
func setVersion(app *cli.App) {
	versionFlagOnce.Do(func() {
		cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version and exit", DisableDefaultText: true}
	})
	if app.Version == "" {
		app.Version = Version()
	}
}

// Version returns the version of the running build: its module version
// when it was installed with go install, the VCS revision when it was
// built from a checkout, or "(devel)".
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return version(info)
}

func version(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "(devel)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "-dirty"
	}
	return rev
}
