// Package testsvc runs the real services that notifications go to,
// Alertmanager and an SMTP server (mailpit), for tests: on 127.0.0.1 with
// free ports, ready before the test goes on, stopped at its end.
//
// The binaries are not dependencies of httpmon; scripts/install-test-services.sh
// builds them at pinned versions. They are looked up on PATH, then in
// $HTTPMON_TEST_BIN, then in $GOPATH/bin. A missing binary skips the test,
// except under CI=true, where it fails it.
package testsvc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Binary returns the path of a service's binary, or skips or fails t.
func Binary(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	var dirs []string
	if d := os.Getenv("HTTPMON_TEST_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	if d := os.Getenv("GOPATH"); d != "" {
		dirs = append(dirs, filepath.Join(filepath.SplitList(d)[0], "bin"))
	} else if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found on PATH, in $HTTPMON_TEST_BIN or in $GOPATH/bin; install it with scripts/install-test-services.sh", name)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listened on a
// moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// output keeps what a service writes, for the failure message.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.b.Len() < 64<<10 {
		o.b.Write(p)
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// start runs a service until the end of the test and waits until ready
// answers 200.
func start(t testing.TB, ready string, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out := &output{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("%s exited: %v\n%s", filepath.Base(bin), err, out.String())
		default:
		}
		if resp, err := http.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 30s at %s\n%s", filepath.Base(bin), ready, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Alertmanager starts Alertmanager with the configuration config (YAML)
// and returns its base URL, like http://127.0.0.1:40123.
func Alertmanager(t testing.TB, config string) string {
	t.Helper()
	bin := Binary(t, "alertmanager")
	dir := t.TempDir()
	file := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	start(t, "http://"+addr+"/-/ready", bin,
		"--config.file="+file, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=warn")
	return "http://" + addr
}

// Mailpit is a running SMTP server that keeps what it receives.
type Mailpit struct {
	SMTP string // host:port
	API  string // base URL of its HTTP API
}

// StartMailpit starts mailpit, taking any user name and password, over
// plain SMTP too.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := Binary(t, "mailpit")
	m := &Mailpit{
		SMTP: "127.0.0.1:" + strconv.Itoa(FreePort(t)),
		API:  "http://127.0.0.1:" + strconv.Itoa(FreePort(t)),
	}
	start(t, m.API+"/readyz", bin,
		"--listen", m.API[len("http://"):], "--smtp", m.SMTP,
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--disable-version-check", "--quiet")
	return m
}

// Message is a mail mailpit received.
type Message struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	From    struct{ Address string }
	Text    string // the plain-text body; set by Messages
}

// Messages returns the mails received so far, oldest first, with their
// text.
func (m *Mailpit) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct{ Messages []Message }
	getJSON(t, m.API+"/api/v1/messages", &list)
	out := make([]Message, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- {
		msg := list.Messages[i]
		var full struct{ Text string }
		getJSON(t, m.API+"/api/v1/message/"+msg.ID, &full)
		msg.Text = full.Text
		out = append(out, msg)
	}
	return out
}

// AlertmanagerAlert is an alert as Alertmanager's GET /api/v2/alerts
// returns it.
type AlertmanagerAlert struct {
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	EndsAt       time.Time
	GeneratorURL string
	Status       struct{ State string }
}

// AlertmanagerAlerts returns the alerts Alertmanager at base holds, active
// and not.
func AlertmanagerAlerts(t testing.TB, base string) []AlertmanagerAlert {
	t.Helper()
	var out []AlertmanagerAlert
	getJSON(t, base+"/api/v2/alerts", &out)
	return out
}

func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// Eventually polls cond until it holds or fails t after a deadline.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 20s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
