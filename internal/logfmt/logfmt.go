// Package logfmt parses single access-log lines into event.Request records.
//
// It does no I/O: the caller frames lines, strips the "\n" and "\r", and
// hands each line to a Parser. Parsing copies nothing; the byte-slice fields
// of the request alias the line, so a line can be parsed, encoded and its
// buffer reused without a single allocation.
//
// Quoted fields are kept as logged. Apache escapes '"' and '\' inside quoted
// fields as \" and \\ (nginx writes \x22), and the CSV variant doubles
// quotes; undoing that would need a copy for the rare line that has an
// escape, and the escaped form is what a person grepping the log would
// search for anyway. The escapes are honoured only to find where a field
// ends.
package logfmt

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/httpmon/httpmon/internal/event"
)

// Format is an access-log line format.
type Format int

// The formats. Common and Combined share one parser, which accepts both
// (and nginx's combined with extra fields after the user agent), so a file
// that mixes them, or a format named wrongly on the command line, still
// parses.
const (
	// Auto asks the caller to pick a format with Detect; Parse rejects it.
	Auto Format = iota
	// Common is the NCSA Common Log Format.
	Common
	// Combined is Common followed by the quoted referer and user agent.
	Combined
	// CSV is the comma-separated variant whose date is unix seconds.
	CSV

	// JSON and pasted format strings

	// JSON is one JSON object per line, read with a JSONLayout.
	JSON
	// LogFormat is a format pasted from the server's configuration, an
	// nginx log_format or Apache LogFormat string (see CompileLogFormat).
	LogFormat
)

var formatNames = [...]string{
	Auto:     "auto",
	Common:   "common",
	Combined: "combined",
	CSV:      "csv",

	// JSON and pasted format strings
	JSON:      "json",
	LogFormat: "log-format",
}

// ParseFormat returns the format named s, as given on a command line:
// "auto", "common" (or "clf"), "combined", "csv", "json", "log-format"
// (which needs the string: see CompileLogFormat) or one of the W3C, cloud
// and proxy formats ("w3c" or "iis", "cloudfront", "alb", "elb", "s3",
// "haproxy", "squid"), in any case.
func ParseFormat(s string) (Format, error) {
	if strings.EqualFold(s, "clf") {
		return Common, nil
	}
	if f, ok := parseMoreFormat(s); ok {
		return f, nil
	}
	for f, name := range formatNames {
		if strings.EqualFold(s, name) {
			return Format(f), nil
		}
	}
	return Auto, &Error{Reason: "unknown log format " + quote([]byte(s)) +
		" (want auto, common, clf, combined, csv, json, log-format, " + moreFormatList + ")"}
}

// String returns the name ParseFormat accepts for f.
func (f Format) String() string {
	if name, ok := moreFormatName(f); ok {
		return name
	}
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Detect guesses the format of a log from one of its lines, normally the
// first. The W3C, cloud and proxy formats have shapes of their own (see
// guessMore). CLF lines start with a host, never with a quote, while the CSV
// variant quotes its first field; anything that is not CSV is handed to the
// CLF parser, which reports a useful error if the guess was wrong.
func Detect(line []byte) Format {
	// JSON and pasted format strings
	if i := skipSep(line, 0); i < len(line) && line[i] == '{' {
		return JSON
	}
	if f, ok := guessMore(line); ok {
		return f
	}
	if IsCSVHeader(line) || (len(line) > 0 && line[0] == '"') {
		return CSV
	}
	return Combined
}

// csvHeader holds the names of the CSV variant's fields, in order.
var csvHeader = [...]string{"remotehost", "rfc931", "authuser", "date", "request", "status", "bytes"}

// IsCSVHeader reports whether line is the header of the CSV variant,
// "remotehost","rfc931","authuser","date","request","status","bytes".
// Quotes, blanks around names, letter case and a leading UTF-8 byte-order
// mark are not significant, because the header is often retyped by hand or
// exported by spreadsheets.
func IsCSVHeader(line []byte) bool {
	rest := bytes.TrimPrefix(line, []byte("\uFEFF"))
	for i, name := range csvHeader {
		field := rest
		if j := bytes.IndexByte(rest, ','); j >= 0 {
			if i == len(csvHeader)-1 {
				return false
			}
			field, rest = rest[:j], rest[j+1:]
		} else if i < len(csvHeader)-1 {
			return false
		}
		field = trimBlanks(field)
		if len(field) >= 2 && field[0] == '"' && field[len(field)-1] == '"' {
			field = trimBlanks(field[1 : len(field)-1])
		}
		if !strings.EqualFold(string(field), name) {
			return false
		}
	}
	return true
}

// Parser parses lines. Its zero value is ready to use. A Parser remembers
// the last timestamp it decoded, because consecutive lines of a log mostly
// share their second; it is therefore not safe for concurrent use, and each
// goroutine needs its own.
type Parser struct {
	ts   tsCache
	more moreState

	// JSON and pasted format strings
	js  jsonState
	lf  *CompiledFormat
	lfs lfState
}

// Parse parses one line of format f into r, which it resets first. The
// byte-slice fields of r alias line. Source is left for the caller to set.
//
// Parse returns an *Error when the line is not in format f (or f is Auto);
// r is then partly filled and should be dropped. A request line that is not
// METHOD TARGET [PROTOCOL] is not an error: the server answered it, so it is
// traffic, and its raw text goes to r.Request.
func (p *Parser) Parse(f Format, line []byte, r *event.Request) error {
	switch f {
	case Common, Combined:
		return p.parseCLF(line, r)
	case CSV:
		return p.parseCSV(line, r)

	// JSON and pasted format strings
	case JSON:
		return p.parseJSON(line, r)
	case LogFormat:
		return p.parseLogFormat(line, r)
	case W3C, CloudFront, ALB, ELB, S3, HAProxy, Squid:
		return p.parseMore(f, &p.more.w3c, line, r)
	}
	r.Reset()
	return &Error{Reason: "cannot parse with format " + f.String() + "; detect the format first"}
}

// Error is why a line was rejected: a short lower-case reason, quoting a
// bounded amount of the offending input, fit to follow "line N: ".
type Error struct {
	Reason string
}

// Error returns the reason.
func (e *Error) Error() string { return e.Reason }

// maxQuote bounds how much of a line an error quotes, so that a binary or
// minified line cannot flood a terminal.
const maxQuote = 40

func errorf(what string, input []byte) error {
	return &Error{Reason: what + " " + quote(input)}
}

// quote quotes b Go-style, cut to maxQuote bytes (at a rune boundary) with a
// trailing "…" when it is longer.
func quote(b []byte) string {
	if len(b) <= maxQuote {
		return strconv.Quote(string(b))
	}
	n := maxQuote
	for n > maxQuote-utf8.UTFMax && !utf8.RuneStart(b[n]) {
		n--
	}
	q := strconv.Quote(string(b[:n]))
	return q[:len(q)-1] + "…\""
}

func isSep(c byte) bool { return c == ' ' || c == '\t' }

func skipSep(b []byte, i int) int {
	for i < len(b) && isSep(b[i]) {
		i++
	}
	return i
}

func tokenEnd(b []byte, i int) int {
	for i < len(b) && !isSep(b[i]) {
		i++
	}
	return i
}

func trimBlanks(b []byte) []byte {
	for len(b) > 0 && isSep(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSep(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// dash maps the "-" that logs write for a missing value to an absent field.
func dash(b []byte) []byte {
	if len(b) == 1 && b[0] == '-' {
		return nil
	}
	return b
}

// parseUint parses 1 to 18 decimal digits, enough for any byte count or
// unix time while never overflowing int64.
func parseUint(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	return n, true
}

// parseStatus accepts "-" (Logstash has vectors with it) as 0 and otherwise
// three digits from 100 to 999: "2xx", "0" or "1000" mean the line is not
// what we think it is.
func parseStatus(b []byte, r *event.Request) error {
	if len(b) == 1 && b[0] == '-' {
		r.Status = 0
		return nil
	}
	if len(b) != 3 || b[0] < '1' || b[0] > '9' || b[1]-'0' > 9 || b[2]-'0' > 9 {
		return errorf("bad status", b)
	}
	r.Status = int(b[0]-'0')*100 + int(b[1]-'0')*10 + int(b[2]-'0')
	return nil
}

// parseBytes accepts "-" (Apache's %b for an empty body) as -1.
func parseBytes(b []byte, r *event.Request) error {
	if len(b) == 1 && b[0] == '-' {
		r.Bytes = -1
		return nil
	}
	n, ok := parseUint(b)
	if !ok {
		return errorf("bad bytes", b)
	}
	r.Bytes = n
	return nil
}
