package logfmt

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/httpmon/httpmon/internal/event"
)

// w3cField is what a column of a W3C extended log holds.
type w3cField uint8

const (
	wOther w3cField = iota // kept in Request.Fields under its name
	wDate
	wTime
	wClientIP
	wUser
	wMethod
	wURIStem
	wURIQuery
	wURI
	wStatus
	wBytes
	wRequestBytes
	wTimeTaken
	wVersion
	wHost       // cs-host, cs(Host): the Host header
	wHostHeader // CloudFront's x-host-header: the Host the viewer sent
	wReferer
	wUserAgent
	wXFF
	wScheme // CloudFront's cs-protocol
	wPort   // s-port: 443 means https
	wCountry
)

// w3cFields maps the field identifiers of the W3C working draft, IIS and
// CloudFront, lower-cased, to what they hold.
var w3cFields = map[string]w3cField{
	"date": wDate, "time": wTime,
	"c-ip": wClientIP, "cs-username": wUser,
	"cs-method": wMethod, "cs-uri-stem": wURIStem, "cs-uri-query": wURIQuery, "cs-uri": wURI,
	"sc-status": wStatus, "sc-bytes": wBytes, "cs-bytes": wRequestBytes,
	"time-taken": wTimeTaken, "cs-version": wVersion, "cs-protocol-version": wVersion,
	"cs-host": wHost, "cs(host)": wHost, "x-host-header": wHostHeader,
	"cs(referer)": wReferer, "cs(referrer)": wReferer, "cs(user-agent)": wUserAgent,
	"cs(x-forwarded-for)": wXFF, "x-forwarded-for": wXFF,
	"cs-protocol": wScheme, "s-port": wPort, "c-country": wCountry,
}

// w3cLayout is the columns of a W3C log, as its last "#Fields:" directive
// named them.
type w3cLayout struct {
	fields []w3cField
	names  [][]byte // of the wOther columns, for Request.Fields
	min    int      // the fewest columns a line may have
	date   bool     // there is a date column
}

// iisLayout is what a W3C log without a #Fields: directive is taken to
// have: the fields IIS logs by default (since IIS 7). Such a log was cut
// from the middle of a file, or had its header stripped.
var iisLayout = mustLayout("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken", 0)

// cloudFrontLayout is the fields of CloudFront's standard log, in
// order. CloudFront has added fields at the end over the years, so a line
// needs only the first 24, which it has logged since 2015.
var cloudFrontLayout = mustLayout("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end", 24)

func mustLayout(fields string, min int) w3cLayout {
	var l w3cLayout
	if err := l.set([]byte("#Fields: " + fields)); err != nil {
		panic(err)
	}
	if min > 0 {
		l.min = min
	}
	return l
}

// errDirective is returned for a directive line by Parse, which has no
// way to say "header".
var errDirective = &Error{Reason: "w3c directive, not a request"}

// isDirective reports whether line is a directive of the W3C extended
// format: "#Version:", "#Fields:", "#Software:" and the others of the
// working draft, "#Name: value".
func isDirective(line []byte) bool {
	if len(line) < 3 || line[0] != '#' || !isLetter(line[1]) {
		return false
	}
	i := 2
	for i < len(line) && (isLetter(line[i]) || line[i] == '-') {
		i++
	}
	return i < len(line) && line[i] == ':'
}

// fieldsDirective returns the identifiers of a "#Fields:" directive, or
// nil if line is none.
func fieldsDirective(line []byte) ([]byte, bool) {
	const p = "#fields:"
	if len(line) < len(p) || !strings.EqualFold(string(line[:len(p)]), p) {
		return nil, false
	}
	return line[len(p):], true
}

// set takes the columns of a "#Fields:" directive. The names are copied,
// since the layout outlives the line.
func (l *w3cLayout) set(line []byte) error {
	list, ok := fieldsDirective(line)
	if !ok {
		return &Error{Reason: "not a #Fields: directive"}
	}
	l.fields, l.names, l.date = l.fields[:0], l.names[:0], false
	var lower []byte
	for i := 0; ; {
		name, next, ok := nextField(list, i)
		if !ok {
			break
		}
		i = next
		lower = append(lower[:0], name...)
		for j, c := range lower {
			if c >= 'A' && c <= 'Z' {
				lower[j] = c + 'a' - 'A'
			}
		}
		f := w3cFields[string(lower)]
		l.fields = append(l.fields, f)
		if f == wOther {
			l.names = append(l.names, bytes.Clone(name))
		}
		l.date = l.date || f == wDate
	}
	l.min = len(l.fields)
	if l.min == 0 {
		return &Error{Reason: "#Fields: directive names no field"}
	}
	return nil
}

// parseW3C parses a line of a W3C extended log whose columns are w's, or
// def's while the input has had no "#Fields:" directive. A directive
// updates w and returns errDirective. Values are kept as logged: IIS
// writes '+' for the blanks of a user agent and CloudFront
// percent-encodes it. A line with a tab in it is split at each tab, as
// CloudFront writes it; others at runs of blanks, with quoted values as
// the working draft allows.
//
// The date and time are UTC, as the working draft says and IIS and
// CloudFront write them. time-taken is a duration in milliseconds when it
// is a whole number, as IIS logs it, and in seconds when it has a
// fraction, as CloudFront logs it and the draft defines it.
//
// cs-uri-stem and cs-uri-query are two columns, but a request has one
// path: the two are joined into the parser's own buffer, so Path may
// alias that buffer rather than the line, until the next Parse.
func (p *Parser) parseW3C(w *w3cLayout, def *w3cLayout, line []byte, r *event.Request) error {
	r.Reset()
	if len(line) > 0 && line[0] == '#' {
		if _, ok := fieldsDirective(line); ok {
			if err := w.set(line); err != nil {
				return err
			}
		}
		if isDirective(line) {
			return errDirective
		}
	}
	l := w
	if len(l.fields) == 0 {
		l = def
	}
	var date, clock, stem, query, method, version, uri []byte
	var port []byte
	// CloudFront separates fields by one tab each, and leaves some empty;
	// IIS separates them by a blank.
	tabs := bytes.IndexByte(line, '\t') >= 0
	n, other := 0, 0
	for i := 0; ; n++ {
		var v []byte
		if tabs {
			if i > len(line) {
				break
			}
			end := bytes.IndexByte(line[i:], '\t')
			if end < 0 {
				end = len(line) - i
			}
			v, i = line[i:i+end], i+end+1
		} else {
			var ok bool
			if v, i, ok = w3cValue(line, i); !ok {
				break
			}
		}
		if n >= len(l.fields) {
			return &Error{Reason: "more fields than the " + strconv.Itoa(len(l.fields)) + " of #Fields:"}
		}
		f := l.fields[n]
		if f == wOther {
			if v = dash(v); len(v) > 0 {
				r.Fields = append(r.Fields, event.Field{Name: l.names[other], Value: v})
			}
			other++
			continue
		}
		switch f {
		case wDate:
			date = v
		case wTime:
			clock = v
		case wClientIP:
			r.RemoteHost = dash(v)
		case wUser:
			r.User = dash(v)
		case wMethod:
			method = dash(v)
		case wURIStem:
			stem = dash(v)
		case wURIQuery:
			query = dash(v)
		case wURI:
			uri = dash(v)
		case wStatus:
			if err := parseStatus(v, r); err != nil {
				return err
			}
		case wBytes:
			if err := parseBytes(v, r); err != nil {
				return err
			}
		case wRequestBytes:
			if size, ok := parseUint(v); ok {
				r.RequestLength = size
			}
		case wTimeTaken:
			if bytes.IndexByte(v, '.') >= 0 {
				r.RequestTime = seconds(v)
			} else {
				r.RequestTime = millis(v)
			}
		case wVersion:
			version = dash(v)
		case wHost:
			if len(r.Host) == 0 {
				r.Host = stripPort(dash(v))
			}
		case wHostHeader:
			if v = dash(v); len(v) > 0 {
				r.Host = stripPort(v)
			}
		case wReferer:
			r.Referer = dash(v)
		case wUserAgent:
			r.UserAgent = dash(v)
		case wXFF:
			r.XForwardedFor = dash(v)
		case wScheme:
			r.Scheme = dash(v)
		case wPort:
			port = v
		case wCountry:
			r.Country = dash(v)
		}
	}
	if n < l.min {
		if n == 0 {
			return &Error{Reason: "empty line"}
		}
		return &Error{Reason: strconv.Itoa(n) + " fields where #Fields: has " + strconv.Itoa(l.min)}
	}
	if !l.date {
		return &Error{Reason: "no date field in #Fields:"}
	}
	midnight, ok := p.more.isoDay.day(date, isoDate)
	if !ok {
		return errorf("bad date", date)
	}
	r.TS = midnight
	if len(clock) > 0 {
		sec, ok := clockFraction(clock)
		if !ok {
			return errorf("bad time", clock)
		}
		r.TS += sec
	}
	if len(r.Scheme) == 0 {
		switch string(port) {
		case "443":
			r.Scheme = schemeHTTPS
		case "80":
			r.Scheme = schemeHTTP
		}
	}
	target := stem
	if len(query) > 0 && len(stem) > 0 {
		p.more.buf = append(append(append(p.more.buf[:0], stem...), '?'), query...)
		target = p.more.buf
	}
	if len(target) == 0 {
		target = uri
	}
	if len(method) > 0 && len(target) > 0 {
		setTarget(method, target, r)
		r.Protocol = version
	} else {
		// A log without cs-method still says what was asked for.
		r.Request = target
	}
	return nil
}

// w3cValue returns the blank-separated value at or after line[i:] and the
// index after it. A quoted value, as the working draft writes strings,
// ends at a quote not doubled, and is returned without its quotes and
// with its doubled quotes kept; an unterminated one runs to the end.
func w3cValue(line []byte, i int) (v []byte, next int, ok bool) {
	i = skipSep(line, i)
	if i == len(line) {
		return nil, i, false
	}
	if line[i] != '"' {
		j := tokenEnd(line, i)
		return line[i:j], j, true
	}
	for j := i + 1; j < len(line); j++ {
		if line[j] != '"' {
			continue
		}
		if j+1 < len(line) && line[j+1] == '"' {
			j++
			continue
		}
		return line[i+1 : j], j + 1, true
	}
	return line[i+1:], len(line), true
}
