package e2e_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/humane"
)

// After --since seeks into a file, the progress line measures what is
// left to read from the seek on: the bytes jumped over are not read, so
// counting them (as done, or in the total with nothing done) would make
// the fraction, the rate and the ETA those of work that is not there.
func TestProgressAfterSinceSeek(t *testing.T) {
	dir := t.TempDir()
	var log bytes.Buffer
	start := time.Date(2018, 5, 9, 0, 0, 0, 0, time.UTC)
	for i := range 3000 { // a line a minute, 50 hours
		if i == 2990 {
			// A bad line after --since, whose message says where the
			// read began.
			log.WriteString("not a log line\n")
		}
		ts := start.Add(time.Duration(i) * time.Minute).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&log, "10.0.0.%d - - [%s] \"GET /p%d HTTP/1.1\" 200 %d\n", i%250, ts, i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.log"), log.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	term := onTerminal(t, dir, nil, "--since", "2018-05-10T20:00:00Z", "a.log")
	m := regexp.MustCompile(`a\.log, from byte (\d+): line`).FindStringSubmatch(term)
	if m == nil {
		t.Fatalf("no message says where the seek began:\n%q", term)
	}
	from, _ := strconv.ParseInt(m[1], 10, 64)
	if from < int64(log.Len())/2 {
		t.Fatalf("the seek began at byte %d of %d; the test needs it near the end", from, log.Len())
	}
	left := humane.Bytes(int64(log.Len()) - from)
	for _, want := range []string{
		"\rhttpmon-parse: file 1/1, 0 B/" + left + " (0%), 0 lines: a.log\x1b[K",
		// Redrawn after the message, with all of it read (in one read).
		"\rhttpmon-parse: file 1/1, " + left + "/" + left + " (100%), ",
	} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal lacks %q:\n%q", want, term)
		}
	}
}
