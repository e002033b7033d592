package logfmt

import (
	"bytes"
	"strings"

	"github.com/httpmon/httpmon/internal/event"
)

// W3C, cloud and proxy formats
//
// Their values are far from the Common family's so that a Format from
// either set can be added to without renumbering the other.
const (
	// W3C is the W3C extended log format that IIS writes, whose columns
	// are named by "#Fields:" directives. Without one, IIS's default
	// fields are assumed.
	W3C Format = 32 + iota
	// CloudFront is Amazon CloudFront's standard (access) log: W3C
	// extended, tab-separated, with CloudFront's own fields.
	CloudFront
	// ALB is the AWS Application Load Balancer access log.
	ALB
	// ELB is the AWS Classic Load Balancer access log.
	ELB
	// S3 is the Amazon S3 server access log.
	S3
	// HAProxy is HAProxy's HTTP log ("option httplog").
	HAProxy
	// Squid is Squid's native access log.
	Squid
)

// moreFormatNames are the names of the formats above, from W3C on.
var moreFormatNames = [...]string{"w3c", "cloudfront", "alb", "elb", "s3", "haproxy", "squid"}

// moreFormatList is how the usage messages list the formats above.
const moreFormatList = "w3c (or iis), cloudfront, alb, elb, s3, haproxy, squid"

// parseMoreFormat returns the format above named s, in any case; "iis"
// is a name for W3C.
func parseMoreFormat(s string) (Format, bool) {
	if strings.EqualFold(s, "iis") {
		return W3C, true
	}
	for i, name := range moreFormatNames {
		if strings.EqualFold(s, name) {
			return W3C + Format(i), true
		}
	}
	return Auto, false
}

// moreFormatName returns the name of f if it is one of the formats above.
func moreFormatName(f Format) (string, bool) {
	if f >= W3C && int(f-W3C) < len(moreFormatNames) {
		return moreFormatNames[f-W3C], true
	}
	return "", false
}

// moreState is what a Parser keeps for the formats above.
type moreState struct {
	isoDay dayCache  // of W3C, CloudFront, ALB and ELB dates
	hapDay dayCache  // of HAProxy's accept dates
	w3c    w3cLayout // the columns of W3C lines given to Parse
	buf    []byte    // a path joined from two columns
}

// The schemes a format implies rather than logs; never to be modified.
var (
	schemeHTTP  = []byte("http")
	schemeHTTPS = []byte("https")
)

// parseMore parses a line of one of the formats above; w holds the
// columns of the W3C input the line belongs to.
func (p *Parser) parseMore(f Format, w *w3cLayout, line []byte, r *event.Request) error {
	switch f {
	case W3C:
		return p.parseW3C(w, &iisLayout, line, r)
	case CloudFront:
		return p.parseW3C(w, &cloudFrontLayout, line, r)
	case ALB:
		return p.parseALB(line, r)
	case ELB:
		return p.parseELB(line, r)
	case S3:
		return p.parseS3(line, r)
	case HAProxy:
		return p.parseHAProxy(line, r)
	case Squid:
		return p.parseSquid(line, r)
	}
	r.Reset()
	return &Error{Reason: "cannot parse with format " + f.String()}
}

// guessMore returns the format of the W3C, cloud and proxy formats that
// line looks like, from its first fields: W3C starts with a directive or
// "yyyy-mm-dd " and CloudFront with "yyyy-mm-dd\t", ELB with an RFC 3339
// time and ALB with its type; Squid's first field is unix time with
// milliseconds; HAProxy's accept date is bracketed with milliseconds; S3
// has two fields before its bracketed time where CLF has three.
func guessMore(line []byte) (Format, bool) {
	if len(line) == 0 {
		return Auto, false
	}
	if line[0] == '#' {
		return W3C, true
	}
	if len(line) > 11 && isDigit(line[0]) && line[4] == '-' && line[7] == '-' {
		switch line[10] {
		case 'T':
			return ELB, true
		case '\t':
			return CloudFront, true
		case ' ':
			return W3C, true
		}
	}
	first := tokenEnd(line, 0)
	if isALBType(line[:first]) {
		return ALB, true
	}
	if dot := bytes.IndexByte(line[:first], '.'); dot >= 9 && bytes.Count(line[:first], []byte(".")) == 1 {
		if _, ok := parseUint(line[:dot]); ok {
			return Squid, true
		}
	}
	lb := timestampStart(line)
	if lb < 0 {
		return Auto, false
	}
	if len(line) > lb+21 && line[lb+21] == '.' && bytes.IndexByte(line[:first], ':') >= 0 {
		return HAProxy, true
	}
	second := tokenEnd(line, skipSep(line, first))
	if skipSep(line, second) == lb && second > first {
		return S3, true
	}
	return Auto, false
}

// isCloudFront reports whether the columns are CloudFront's.
func (l *w3cLayout) isCloudFront() bool {
	for _, n := range l.names {
		if bytes.HasPrefix(n, []byte("x-edge-")) {
			return true
		}
	}
	return false
}
