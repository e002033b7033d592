// Command latency measures how long a log line takes to show up at the end
// of a live httpmon pipeline.
//
// It runs httpmon-parse | httpmon-window | httpmon-alert | httpmon-report,
// writes log lines stamped with the current second as that second passes
// (into parse's standard input, or appended to a file that parse follows),
// and notes the wall time at which each second's tick leaves httpmon-alert
// and each alert line leaves httpmon-report. Even seconds get -rate lines
// and odd ones a fifth of that, and the alert rule is "more than half of
// -rate in the last second", so every second is a transition and both paths
// are measured every second. After the traffic, the input stays open and
// silent, so the last ticks and the last recovery come from the wall clock
// alone (httpmon-window --idle).
//
// A second s cannot be final before s+1+lateness: latency is reported from
// that moment, and from the end of the second.
//
//	go run ./scripts/latency -seconds 20 -rate 50
//	go run ./scripts/latency -lateness 5s -follow
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "latency:", err)
		os.Exit(1)
	}
}

type sample struct {
	second int64
	at     time.Time
}

func run() error {
	bin := flag.String("bin", "", "directory with the httpmon binaries (default: build them into a temporary one)")
	seconds := flag.Int("seconds", 20, "seconds of traffic")
	rate := flag.Int("rate", 50, "requests per traffic second")
	lateness := flag.Duration("lateness", 0, "httpmon-window --lateness")
	follow := flag.Bool("follow", false, "append to a file that httpmon-parse --follow reads, instead of its standard input")
	flag.Parse()
	if *rate < 5 || *seconds < 2 || *lateness < 0 || *lateness%time.Second != 0 {
		return errors.New("want -rate ≥ 5, -seconds ≥ 2 and a whole, non-negative -lateness")
	}
	tmp, err := os.MkdirTemp("", "httpmon-latency")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = tmp
		if out, err := exec.Command("go", "build", "-o", tmp+"/", "github.com/httpmon/httpmon/cmd/...").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	cmd := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(*bin, name), args...)
		c.Stderr = os.Stderr
		return c
	}

	logFile := filepath.Join(tmp, "access.log")
	var parse *exec.Cmd
	if *follow {
		if err := os.WriteFile(logFile, nil, 0o644); err != nil {
			return err
		}
		parse = cmd("httpmon-parse", "--follow", logFile)
	} else {
		parse = cmd("httpmon-parse")
	}
	window := cmd("httpmon-window", "--lateness", lateness.String())
	alert := cmd("httpmon-alert", "--window", "1s", "--threshold", fmt.Sprint(*rate/2))
	report := cmd("httpmon-report", "--color", "never")

	var logW io.WriteCloser
	if !*follow {
		if logW, err = parse.StdinPipe(); err != nil {
			return err
		}
	} else if logW, err = os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return err
	}
	if window.Stdin, err = parse.StdoutPipe(); err != nil {
		return err
	}
	if alert.Stdin, err = window.StdoutPipe(); err != nil {
		return err
	}
	alertOut, err := alert.StdoutPipe()
	if err != nil {
		return err
	}
	reportIn, err := report.StdinPipe()
	if err != nil {
		return err
	}
	reportOut, err := report.StdoutPipe()
	if err != nil {
		return err
	}
	procs := []*exec.Cmd{parse, window, alert, report}
	for _, p := range procs {
		if err := p.Start(); err != nil {
			return err
		}
	}

	var mu sync.Mutex
	var ticks, alerts, printed []sample
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // alert's output: note ticks and alerts, pass all to report
		defer wg.Done()
		defer reportIn.Close()
		sc := bufio.NewScanner(alertOut)
		for sc.Scan() {
			at := time.Now()
			var rec struct {
				Kind string `json:"kind"`
				TS   int64  `json:"ts"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				mu.Lock()
				switch rec.Kind {
				case "tick":
					ticks = append(ticks, sample{rec.TS, at})
				case "alert":
					alerts = append(alerts, sample{rec.TS, at})
				}
				mu.Unlock()
			}
			fmt.Fprintf(reportIn, "%s\n", sc.Bytes())
		}
	}()
	go func() { // report's output: note the alert lines a person reads
		defer wg.Done()
		sc := bufio.NewScanner(reportOut)
		for sc.Scan() {
			at := time.Now()
			l := sc.Text()
			i := strings.LastIndex(l, " at ")
			if !strings.Contains(l, "alert") || i < 0 {
				continue
			}
			t, err := time.Parse("2006-01-02 15:04:05 -0700", l[i+4:])
			if err == nil {
				mu.Lock()
				printed = append(printed, sample{t.Unix(), at})
				mu.Unlock()
			}
		}
	}()

	// Start on an even second boundary, then write each second's lines as
	// the second passes.
	start := time.Now().Truncate(time.Second).Add(2 * time.Second)
	if start.Unix()%2 != 0 {
		start = start.Add(time.Second)
	}
	last := start.Unix() + int64(*seconds) - 1
	if last%2 != 0 {
		// End on a busy second, so that the last recovery is in silence.
		last++
	}
	for s := start.Unix(); s <= last; s++ {
		n := *rate
		if s%2 != 0 {
			n /= 5
		}
		for i := range n {
			at := time.Unix(s, int64(i)*int64(time.Second)/int64(n))
			time.Sleep(time.Until(at))
			ts := time.Unix(s, 0).UTC().Format("02/Jan/2006:15:04:05 -0700")
			if _, err := fmt.Fprintf(logW, "127.0.0.1 - - [%s] \"GET /a/%d HTTP/1.1\" 200 100\n", ts, i); err != nil {
				return err
			}
		}
	}
	lastTraffic := last
	recovered := lastTraffic + 1
	// Silence until the recovery after the last traffic second is printed.
	deadline := time.Now().Add(*lateness + 30*time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		done := len(printed) > 0 && printed[len(printed)-1].second == recovered
		mu.Unlock()
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	logW.Close()
	if *follow {
		parse.Process.Signal(os.Interrupt)
	}
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			return fmt.Errorf("%s: %v", filepath.Base(p.Path), err)
		}
	}
	wg.Wait()

	hold := int64(*lateness / time.Second)
	fmt.Printf("httpmon pipeline latency: %d seconds of %d and %d lines, --lateness %s, input %s\n",
		last-start.Unix()+1, *rate, *rate/5, lateness, map[bool]string{false: "parse's stdin", true: "a file parse --follow reads"}[*follow])
	fmt.Printf("latency after the second could first be final (its end + lateness):\n")
	fmt.Printf("%-40s %5s %8s %8s %8s\n", "", "n", "median", "p90", "max")
	// A second is made final by the lines of the second lateness+1 later,
	// while there are any; the last lateness+1 busy seconds and the silent
	// one after them are made final by the wall clock. Ticks after those
	// come from the end of input.
	fromLines := func(s int64) bool { return s < lastTraffic-hold }
	var driven, silent []sample
	for _, t := range ticks {
		switch {
		case t.second < start.Unix() || t.second > recovered:
		case fromLines(t.second):
			driven = append(driven, t)
		default:
			silent = append(silent, t)
		}
	}
	line := func(what string, ss []sample) {
		var d []time.Duration
		for _, s := range ss {
			d = append(d, s.at.Sub(time.Unix(s.second+1+hold, 0)))
		}
		if len(d) == 0 {
			fmt.Printf("%-40s %5d\n", what, 0)
			return
		}
		slices.Sort(d)
		q := func(p float64) string { return d[int(p*float64(len(d)-1))].Round(time.Millisecond).String() }
		fmt.Printf("%-40s %5d %8s %8s %8s\n", what, len(d), q(0.5), q(0.9), q(1))
	}
	line("tick out of httpmon-alert (lines)", driven)
	line("tick out of httpmon-alert (silence)", silent)
	var alertsTraffic, printedTraffic, printedSilence []sample
	for _, a := range alerts {
		if fromLines(a.second) {
			alertsTraffic = append(alertsTraffic, a)
		}
	}
	for _, p := range printed {
		if fromLines(p.second) {
			printedTraffic = append(printedTraffic, p)
		} else {
			printedSilence = append(printedSilence, p)
		}
	}
	line("alert record out of httpmon-alert", alertsTraffic)
	line("alert line out of httpmon-report", printedTraffic)
	line("alert line, input silent (--idle)", printedSilence)
	return nil
}
