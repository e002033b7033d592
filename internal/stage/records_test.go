package stage

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/event"
)

// lockedBuffer is a bytes.Buffer that the stage writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRecordsOnIdle checks the idle callback given to Records: output is
// flushed when input goes silent, the callback runs again every period
// while it stays silent, and its error ends the run.
func TestRecordsOnIdle(t *testing.T) {
	in, w := io.Pipe()
	defer w.Close()
	const line = `{"kind":"tick","ts":1,"hits":1}`
	var out lockedBuffer
	stop := errors.New("enough idling")
	// calls counts the idle calls after the record is out: only a flush on
	// idle input puts it there before the end.
	calls := 0
	a := app(func(c *cli.Context) error {
		st, err := New(c)
		if err != nil {
			return err
		}
		return st.Finish(st.Records(event.NewDecoder(),
			func([]byte) bool { return false }, nil,
			OnIdle(time.Millisecond, func() error {
				if out.String() == "" {
					return nil
				}
				calls++
				if calls == 2 {
					return stop
				}
				return nil
			})))
	})
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- run(a, []string{"httpmon-test"}, in, &out, &stderr) }()
	if _, err := io.WriteString(w, line+"\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		if c != ExitError || !strings.Contains(stderr.String(), stop.Error()) {
			t.Errorf("exit %d, stderr %q; want %d and %q", c, stderr.String(), ExitError, stop)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Records did not end on the idle callback's error")
	}
	if calls != 2 {
		t.Errorf("idle callback ran %d times after the record was flushed, want 2", calls)
	}
	if got := out.String(); got != line+"\n" {
		t.Errorf("output %q, want the record", got)
	}
}
