package e2e_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/humane"
)

// onTerminal runs httpmon-parse with args in dir, with stdin (if not
// nil) and its stderr on a pseudo-terminal, and returns what the terminal
// got.
func onTerminal(t *testing.T, dir string, stdin *os.File, args ...string) string {
	t.Helper()
	master, tty := openPTY(t)
	cmd := command(t, "httpmon-parse", args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.Stdout = io.Discard
	cmd.Stderr = tty
	got := make(chan []byte)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master) // ends with EIO once no one has the terminal open
		got <- b.Bytes()
	}()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	cmd.Wait()
	return string(<-got)
}

// writeLog writes a log with a malformed second line in a file whose name
// would clear the screen if it reached the terminal raw.
func writeLog(t *testing.T) (dir, name string) {
	dir, name = t.TempDir(), "a\x1b[2J.log"
	path := filepath.Join(dir, name)
	log := `10.0.0.1 - - [09/May/2018:16:00:01 +0000] "GET /a HTTP/1.1" 200 1
not a log line
10.0.0.2 - - [09/May/2018:16:00:02 +0000] "GET /b HTTP/1.1" 200 2
`
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, name
}

// On a terminal, httpmon-parse shows how far its files have got, clears
// the line before each message and redraws it after, escapes the file
// name, and leaves no trace of the line at the end.
func TestProgressOnTerminal(t *testing.T) {
	dir, name := writeLog(t)
	term := onTerminal(t, dir, nil, name)
	shown := `a\x1b[2J.log`
	for _, want := range []string{
		"\rhttpmon-parse: file 1/1, 0 B/147 B (0%), 0 lines: " + shown + "\x1b[K",
		// The message about the bad line is on a line of its own.
		"\r\x1b[Khttpmon-parse: ",
	} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal lacks %q:\n%q", want, term)
		}
	}
	if strings.Contains(strings.ReplaceAll(term, "\x1b[K", ""), "\x1b") {
		t.Errorf("a raw escape reached the terminal:\n%q", term)
	}
	// The message is cleared for, then the line comes back, then it is
	// cleared for good before the summary.
	msg := strings.Index(term, "line 2: ")
	redraw := strings.LastIndex(term, "\rhttpmon-parse: file 1/1")
	end := strings.LastIndex(term, "\r\x1b[K")
	if msg < 0 || !(msg < redraw && redraw < end) {
		t.Errorf("want message, redrawing, clearing in that order:\n%q", term)
	}
	if tail := term[end:]; tail != "\r\x1b[Khttpmon-parse: 1 malformed input line skipped\r\n" {
		t.Errorf("terminal ends with %q, want the line cleared and the summary", tail)
	}
}

func TestProgressOff(t *testing.T) {
	dir, name := writeLog(t)
	path := filepath.Join(dir, name)
	if term := onTerminal(t, dir, nil, "--progress=false", name); strings.Contains(term, "file 1/1") || strings.Contains(term, "\r\x1b") {
		t.Errorf("--progress=false: terminal got %q", term)
	}
	// Not a terminal: no line, whatever the flag says.
	cmd := command(t, "httpmon-parse", "--progress", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	if strings.Contains(stderr.String(), "file 1/1") || strings.Contains(stderr.String(), "\r") {
		t.Errorf("stderr to a pipe got %q", stderr.String())
	}
}

// Standard input redirected from a file is measured like a file.
func TestProgressStdinFile(t *testing.T) {
	dir, name := writeLog(t)
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	term := onTerminal(t, dir, f)
	if want := "\rhttpmon-parse: file 1/1, 0 B/147 B (0%), 0 lines: standard input\x1b[K"; !strings.Contains(term, want) {
		t.Errorf("terminal lacks %q:\n%q", want, term)
	}
}

// A gzip input is measured in the compressed bytes its size is in.
func TestProgressGzip(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := range 200 {
		fmt.Fprintf(zw, "10.0.0.%d - - [09/May/2018:16:00:01 +0000] \"GET /a HTTP/1.1\" 200 1\n", i%250)
	}
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "a.log.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	size := humane.Bytes(int64(gz.Len()))
	term := onTerminal(t, dir, nil, "a.log.gz")
	for _, want := range []string{
		"\rhttpmon-parse: file 1/1, 0 B/" + size + " (0%), 0 lines: a.log.gz\x1b[K",
	} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal lacks %q:\n%q", want, term)
		}
	}
	if !strings.HasSuffix(term, "\x1b[K\r\x1b[K") {
		t.Errorf("the line is not cleared at the end:\n%q", term)
	}
}
