// Command httpmon-parse is a stage of the httpmon pipeline; see
// package parsecmd and the README.
package main

import (
	"os"

	"github.com/httpmon/httpmon/internal/parsecmd"
	"github.com/httpmon/httpmon/internal/stage"
)

func main() { os.Exit(stage.Main(parsecmd.New(), os.Args)) }
