// Command httpmon-window is a stage of the httpmon pipeline; see
// package windowcmd and the README.
package main

import (
	"os"

	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/windowcmd"
)

func main() { os.Exit(stage.Main(windowcmd.New(), os.Args)) }
