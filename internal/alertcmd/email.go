package alertcmd

import (
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/notify"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// The SMTP login comes from the environment or a file: a command line is
// seen by every user of the machine in ps, and lands in shell histories.
const (
	envSMTPUsername = "HTTPMON_SMTP_USERNAME"
	envSMTPPassword = "HTTPMON_SMTP_PASSWORD"
)

// smtpServer reads --smtp: smtp://host[:port] (587 by default, STARTTLS
// when offered) or smtps://host[:port] (465 by default, TLS from the
// start). The value is never quoted back whole, in case a password was
// put in it against the advice.
func smtpServer(s string) (host string, port int, ssl bool, err error) {
	const want = "--smtp wants smtp://host:587 or smtps://host:465"
	u, perr := url.Parse(s)
	switch {
	case perr != nil:
		return "", 0, false, stage.UsageError("%s; the value given does not parse", want)
	case u.User != nil:
		return "", 0, false, stage.UsageError("--smtp must not carry a user or password: set %s and %s, or --smtp-password-file", envSMTPUsername, envSMTPPassword)
	case u.Scheme != "smtp" && u.Scheme != "smtps":
		return "", 0, false, stage.UsageError("%s, not a %q URL", want, textsafe.String(u.Scheme))
	case u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "":
		return "", 0, false, stage.UsageError("%s: a host and port only", want)
	}
	ssl = u.Scheme == "smtps"
	port = 587
	if ssl {
		port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, false, stage.UsageError("%s: the port must be from 1 to 65535", want)
		}
		port = n
	}
	return u.Hostname(), port, ssl, nil
}

// address checks one mail address of flag.
func address(flag, s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || strings.ContainsAny(s, "\r\n") {
		return "", stage.UsageError("--%s %q is not a mail address", flag, textsafe.String(s))
	}
	return a.String(), nil
}

// email adds the sink of --notify-email.
func (n *notifier) email(c *cli.Context) error {
	to := c.StringSlice("notify-email")
	if len(to) == 0 {
		for _, f := range []string{"smtp", "smtp-from", "smtp-password-file"} {
			if c.IsSet(f) {
				return stage.UsageError("--%s is for --notify-email, which is not set", f)
			}
		}
		return nil
	}
	if c.String("smtp") == "" {
		return stage.UsageError("--notify-email needs --smtp, the server to send through")
	}
	host, port, ssl, err := smtpServer(c.String("smtp"))
	if err != nil {
		return err
	}
	for i, s := range to {
		if to[i], err = address("notify-email", s); err != nil {
			return err
		}
	}
	from := c.String("smtp-from")
	if from == "" {
		h, _ := os.Hostname()
		if h == "" || net.ParseIP(h) != nil {
			h = "localhost"
		}
		from = name + "@" + h
	}
	if from, err = address("smtp-from", from); err != nil {
		return err
	}
	user, pass := os.Getenv(envSMTPUsername), os.Getenv(envSMTPPassword)
	if f := c.String("smtp-password-file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return stage.UsageError("--smtp-password-file: %s", textsafe.String(err.Error()))
		}
		pass, _, _ = strings.Cut(string(b), "\n")
		pass = strings.TrimSuffix(pass, "\r")
	}
	if pass != "" && user == "" {
		return stage.UsageError("an SMTP password is set but no user: set %s", envSMTPUsername)
	}
	for _, g := range []string{"notify-attempts", "notify-queue"} {
		if err := positive(c, g); err != nil {
			return err
		}
	}
	n.sinks = append(n.sinks, notify.NewEmail(notify.EmailConfig{
		Host: host, Port: port, SSL: ssl, Username: user, Password: pass, From: from, To: to,
		Timeout: c.Duration("notify-timeout"), Attempts: c.Int("notify-attempts"),
		Backoff: c.Duration("notify-backoff"), MaxBackoff: time.Minute, Queue: c.Int("notify-queue"), Log: n.log,
	}))
	return nil
}
