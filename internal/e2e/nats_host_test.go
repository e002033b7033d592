package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

var lastSeen string

// hostHits is how many requests the writer logs in second s.
func hostHits(s int64) int { return int((s*7)%11 + 1) }

// startHost starts a host's pipeline, resuming from its subject, in a
// process group of its own so that the test can signal both stages.
func startHost(t *testing.T, n *natsServer, log string, stderr *natsBuffer) *exec.Cmd {
	t.Helper()
	parse := command(t, "httpmon-parse").Path
	window := command(t, "httpmon-window").Path
	subject := n.url("httpmon.web1")
	cmd := exec.Command("sh", "-c", fmt.Sprintf(`%q -f --from-start --poll 20ms --state-interval 50ms --state %q %q | %q --source web1 --idle 0 --lateness 1s --replay-lateness 1s --interval 5s --total-top 0 --publish %q`,
		parse, subject, log, window, subject))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	return cmd
}

// lastThrough is the Through of the subject's last record, a checkpoint,
// or -1.
func lastThrough(t *testing.T, js jetstream.JetStream) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "HTTPMON")
	if err != nil {
		return -1
	}
	m, err := s.GetLastMsgForSubject(ctx, "httpmon.web1")
	if err != nil {
		return -1
	}
	lastSeen = string(m.Data)
	var rec struct {
		Kind    string `json:"kind"`
		Through *int64 `json:"through"`
	}
	if json.Unmarshal(m.Data, &rec) != nil || rec.Kind != "checkpoint" || rec.Through == nil {
		return -1
	}
	return *rec.Through
}

// streamTicks reads the stream from the start and keeps, as the merge
// does, the first tick of each second of web1.
func streamTicks(t *testing.T, js jetstream.JetStream) map[int64]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, "HTTPMON", jetstream.OrderedConsumerConfig{FilterSubjects: []string{"httpmon.web1"}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending := info.NumPending
	ticks := map[int64]int{}
	for ; pending > 0; pending-- {
		m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Kind string `json:"kind"`
			TS   int64  `json:"ts"`
			Hits int    `json:"hits"`
		}
		if json.Unmarshal(m.Data(), &rec) == nil && rec.Kind == "tick" {
			if _, ok := ticks[rec.TS]; !ok {
				ticks[rec.TS] = rec.Hits
			}
		}
	}
	return ticks
}

// TestNATSHostRestart stops a host's pipeline in the middle of a second,
// once with SIGKILL and once with SIGTERM, while its log is written, and
// starts it again from its subject: every second the stream carries for
// the host has exactly the writer's requests, none lost and none twice.
func TestNATSHostRestart(t *testing.T) {
	n := startNATS(t)
	js, done := connectJetStream(t, n)
	defer done()
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const base = 1525881600 // 09/May/2018:16:00:00 +0000
	write := func(s int64, from, to int) {
		for i := from; i < to; i++ {
			fmt.Fprintf(f, `1.1.1.1 - - [%s] "GET /a/%d HTTP/1.1" 200 10`+"\n", time.Unix(base+s, 0).UTC().Format("02/Jan/2006:15:04:05 -0700"), i)
		}
	}
	stderr := &natsBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last: %s", lastSeen)
			t.Logf("stderr:\n%s", stderr)
		}
	})
	host := startHost(t, n, log, stderr)
	const last = 24
	stops := map[int64]syscall.Signal{6: syscall.SIGKILL, 14: syscall.SIGTERM}
	for s := int64(0); s <= last+3; s++ {
		sig, stop := stops[s]
		if !stop {
			write(s, 0, hostHits(s))
			time.Sleep(30 * time.Millisecond) // paces the writer: seconds arrive as the host follows
			continue
		}
		half := hostHits(s) / 2
		write(s, 0, half)
		// Stopped once the host has published up to a checkpoint of the interval
		// seconds before, and read into this one.
		natsWait(t, "a checkpoint before the stop", func() bool { return lastThrough(t, js) >= base+s-5 })
		time.Sleep(100 * time.Millisecond) // lets the host read the half second it is stopped in
		syscall.Kill(-host.Process.Pid, sig)
		host.Wait()
		if sig == syscall.SIGTERM && !strings.Contains(stderr.String(), "after the last checkpoint kept back") {
			// The seconds after the checkpoint of the interval before,
			// final or not, are the publisher's to keep back.
			t.Fatalf("stopped with SIGTERM, the publisher kept nothing back")
		}
		write(s, half, hostHits(s))
		host = startHost(t, n, log, stderr)
	}
	natsWait(t, "the last second published", func() bool { return lastThrough(t, js) >= base+last })
	syscall.Kill(-host.Process.Pid, syscall.SIGTERM)
	host.Wait()
	ticks := streamTicks(t, js)
	for s := int64(0); s <= last; s++ {
		if got, want := ticks[base+s], hostHits(s); got != want {
			t.Errorf("second %d: %d hits in the stream, the writer logged %d", s, got, want)
		}
	}
}

// TestNATSHostStateNotCheckpoint starts a host from a subject whose last
// record is no checkpoint, published without --checkpoints: nothing says
// where its records end, so httpmon-parse stops rather than guess, and its
// message shows the address without its password.
func TestNATSHostStateNotCheckpoint(t *testing.T) {
	n := startNATS(t)
	pub := command(t, "httpmon-window", "--source", "web9", "--idle", "0", "--publish", n.url("httpmon.web9"))
	pub.Stdin = strings.NewReader(`{"kind":"request","ts":100,"section":"/a","status":200,"bytes":10}` + "\n")
	if out, err := pub.CombinedOutput(); err != nil {
		t.Fatalf("publishing: %v\n%s", err, out)
	}
	log := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(log, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	state := strings.Replace(n.url("httpmon.web9"), "nats://", "nats://u:secret@", 1)
	cmd := command(t, "httpmon-parse", "-f", "--state", state, log)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("want exit 1, got %v\n%s", err, out)
	}
	want := fmt.Sprintf("httpmon-parse: --state nats://127.0.0.1:%d/httpmon.web9: the subject's last record is not a checkpoint", n.port)
	if !strings.Contains(string(out), want) || strings.Contains(string(out), "secret") {
		t.Fatalf("want %q, without the password; got:\n%s", want, out)
	}
}
