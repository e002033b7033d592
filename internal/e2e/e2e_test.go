package e2e_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/httpmon/httpmon/internal/alertcmd"
	"github.com/httpmon/httpmon/internal/genlog"
	"github.com/httpmon/httpmon/internal/parsecmd"
	"github.com/httpmon/httpmon/internal/reportcmd"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/windowcmd"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"httpmon-parse":  func() { os.Exit(stage.Main(parsecmd.New(), os.Args)) },
		"httpmon-window": func() { os.Exit(stage.Main(windowcmd.New(), os.Args)) },
		"httpmon-alert":  func() { os.Exit(stage.Main(alertcmd.New(), os.Args)) },
		"httpmon-report": func() { os.Exit(stage.Main(reportcmd.New(), os.Args)) },
		// Scripts generate their logs as scripts/genlog would.
		"genlog": func() { os.Exit(genlog.Run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// sampleLog is the CSV sample that README's first command runs on; scripts
// find it as $WORK/sample_csv.txt.
var sampleLog = filepath.Join("..", "..", "scripts", "testdata", "sample_csv.txt")

func TestScripts(t *testing.T) {
	sample, err := os.ReadFile(sampleLog)
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("UPDATE_GOLDEN") != "",
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"sum": sumCmd, "mklong": mklongCmd, "waitstate": waitStateCmd, "mkmmdb": mkmmdbCmd, "histsql": histsqlCmd},
		Setup: func(env *testscript.Env) error {
			// Colour and terminal detection must not depend on who runs
			// the tests.
			env.Setenv("NO_COLOR", "")
			env.Setenv("TERM", "dumb")
			return os.WriteFile(filepath.Join(env.WorkDir, "sample_csv.txt"), sample, 0o644)
		},
	})
}

// sumCmd implements "sum FILE KIND FIELD": it prints the sum of FIELD over
// the records of KIND in the NDJSON file FILE, reading it with encoding/json
// so that the check does not trust httpmon's own decoder.
func sumCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sum FILE KIND FIELD")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	var total, records int64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			ts.Fatalf("%s: %v", args[0], err)
		}
		if rec["kind"] != args[1] {
			continue
		}
		records++
		v, ok := rec[args[2]].(float64)
		if !ok {
			ts.Fatalf("%s: record without numeric %q: %s", args[0], args[2], strings.TrimSpace(sc.Text()))
		}
		total += int64(v)
	}
	ts.Check(sc.Err())
	fmt.Fprintf(ts.Stdout(), "%d %s records, %s %d\n", records, args[1], args[2], total)
}

// mklongCmd implements "mklong FILE N": a log whose second line is N bytes
// long, between two valid lines.
func mklongCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mklong FILE N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	valid := `1.1.1.1 - - [09/May/2018:16:00:00 +0000] "GET /a HTTP/1.1" 200 10` + "\n"
	long := `1.1.1.1 - - [09/May/2018:16:00:00 +0000] "GET /` + strings.Repeat("x", n) + ` HTTP/1.1" 200 10` + "\n"
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(valid+long+valid), 0o644))
}
