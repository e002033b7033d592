package alertcmd

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/stage"
)

// TestMain lets the tests run the command as a process of its own: the
// test binary, run again with HTTPMON_ALERTCMD_MAIN=1, is httpmon-alert.
func TestMain(m *testing.M) {
	if os.Getenv("HTTPMON_ALERTCMD_MAIN") == "1" {
		os.Exit(stage.Main(New(), os.Args))
	}
	os.Exit(m.Run())
}

// TestReloadOnSIGHUP sends a real SIGHUP to a running httpmon-alert whose
// rules file changed where the file watcher does not look (the target of
// a symbolic link, edited in place in another directory): the signal
// alone makes it read the file again, and it keeps running.
func TestReloadOnSIGHUP(t *testing.T) {
	real := filepath.Join(t.TempDir(), "real.yaml")
	link := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(real, []byte("rules:\n  - \"big: hits > 100 over 1s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "--rules", link)
	cmd.Env = append(os.Environ(), "HTTPMON_ALERTCMD_MAIN=1")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	until := func(want string) string {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("output ended before %q; stderr %s", want, stderr.String())
				}
				if strings.Contains(l, want) {
					return l
				}
			case <-deadline:
				t.Fatalf("no %q within 10s; stderr %s", want, stderr.String())
			}
		}
	}
	// The tick coming back means the signal handlers are in place.
	in.Write([]byte(`{"kind":"tick","ts":1000,"hits":1,"bytes":0}` + "\n"))
	until(`"ts":1000`)

	if err := os.WriteFile(real, []byte("rules:\n  - \"big: hits > 100 over 1s\"\n  - \"small: hits > 0 over 1s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if l := until(`"kind":"notice"`); !strings.Contains(l, "reloaded (SIGHUP): 2 rules in force; added small") {
		t.Errorf("notice %s", l)
	}
	in.Write([]byte(`{"kind":"tick","ts":1001,"hits":1,"bytes":0}` + "\n"))
	until(`"name":"small","state":"firing"`)
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v; stderr %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), name+": --rules "+link+" reloaded (SIGHUP)") {
		t.Errorf("stderr %q", stderr.String())
	}
}
