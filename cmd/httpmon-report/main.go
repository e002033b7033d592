// Command httpmon-report is a stage of the httpmon pipeline; see
// package reportcmd and the README.
package main

import (
	"os"

	"github.com/httpmon/httpmon/internal/reportcmd"
	"github.com/httpmon/httpmon/internal/stage"
)

func main() { os.Exit(stage.Main(reportcmd.New(), os.Args)) }
