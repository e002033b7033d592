// Package natsio carries httpmon's records through NATS JetStream: a host's
// window publishes its ticks, summaries and totals with a publish
// acknowledgement and a deduplication id per (source, kind, second), and
// the central merge reads them back in stream order with a durable
// consumer, keeping the stream position that a store commits with the
// records before it.
package natsio

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Scheme starts the addresses that name a NATS subject or stream where a
// file name could go.
const Scheme = "nats://"

// IsAddr reports whether s names a NATS subject or stream, not a file.
func IsAddr(s string) bool { return strings.HasPrefix(s, Scheme) }

// Shown returns s as messages show it: an address without its
// credentials, anything else as it is.
func Shown(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// Addr is a NATS server and a name on it: a subject to publish to, or a
// stream to consume.
type Addr struct {
	Server string // nats://host:port, with the user and password if given
	Host   string // host:port, for messages: never the credentials
	Name   string
}

// ParseAddr reads nats://[user:password@]host[:port]/NAME.
func ParseAddr(s string) (Addr, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "nats" || u.Host == "" {
		return Addr{}, fmt.Errorf("not a nats://host:port/NAME address")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.ContainsAny(name, "/ \t*>") {
		return Addr{}, fmt.Errorf("nats://%s: give one subject or stream name after the host, such as nats://%s/httpmon.web1", u.Host, u.Host)
	}
	host := u.Host
	if u.Port() == "" {
		host += ":4222"
	}
	server := "nats://" + host
	if u.User != nil {
		server = "nats://" + u.User.String() + "@" + host
	}
	return Addr{Server: server, Host: host, Name: name}, nil
}

// DefaultStream is the stream a publisher creates when none captures its
// subject, over the subjects StreamSubjects gives.
const DefaultStream = "HTTPMON"

// StreamSubjects are the subjects of a stream created under name: its name
// in lower case as the first token, so that HTTPMON holds httpmon.web1.
func StreamSubjects(name string) []string { return []string{strings.ToLower(name) + ".>"} }

// DedupWindow is how long the stream remembers a deduplication id. A host
// that comes back within it re-publishes what it had published without a
// copy reaching the stream; past it, the merge's own idempotence per
// (source, second) still leaves the copies out.
const DedupWindow = time.Hour

// streamConfig is the stream created when none exists: on disk, so that a
// server restart loses nothing, and kept a day for a central pipeline that
// was down to read back.
func streamConfig(name string) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       name,
		Subjects:   StreamSubjects(name),
		Storage:    jetstream.FileStorage,
		Retention:  jetstream.LimitsPolicy,
		MaxAge:     24 * time.Hour,
		Duplicates: DedupWindow,
	}
}

// connect opens a connection that reconnects for ever: a NATS server
// restart is something to wait out, not an error; and its JetStream.
func connect(a Addr, name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(a.Server,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectBufSize(-1), // publishes wait for the server, never sit in a buffer
	)
	if err != nil {
		return nil, nil, fmt.Errorf("nats://%s: %v", a.Host, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("nats://%s: %v", a.Host, err)
	}
	return nc, js, nil
}
