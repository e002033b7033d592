// Command httpmon-alert is a stage of the httpmon pipeline; see
// package alertcmd and the README.
package main

import (
	"os"

	"github.com/httpmon/httpmon/internal/alertcmd"
	"github.com/httpmon/httpmon/internal/stage"
)

func main() { os.Exit(stage.Main(alertcmd.New(), os.Args)) }
