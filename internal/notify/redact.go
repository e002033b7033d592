package notify

import (
	"errors"
	"net/url"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// RedactURL returns what a message may say about a notification target:
// its scheme and host. Webhook URLs carry their credentials in the path
// (Slack's /services/T…/B…/token), the query or the userinfo, and
// messages end up in terminals, logs and bug reports. A URL that does not
// parse, or whose host is not plain text, is not shown at all.
func RedactURL(s string) string {
	const hidden = "(URL not shown)"
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return hidden
	}
	out := u.Scheme + "://" + u.Host
	if textsafe.String(out) != out {
		return hidden
	}
	return out
}

// redactError rewrites the errors of net/http, which quote the whole
// request URL ("Post \"https://host/path?token\": dial tcp …"), to name
// the host only; the wrapped error keeps its type for errors.Is.
func redactError(err error, target string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &redactedError{op: ue.Op, target: RedactURL(target), err: ue.Err}
	}
	return err
}

type redactedError struct {
	op, target string
	err        error
}

func (e *redactedError) Error() string { return e.op + " " + e.target + ": " + e.err.Error() }
func (e *redactedError) Unwrap() error { return e.err }
