package logfmt

import (
	"github.com/httpmon/httpmon/internal/event"
)

// isALBType reports whether b is a value of an ALB entry's first field, the
// kind of request or connection.
func isALBType(b []byte) bool {
	switch string(b) {
	case "http", "https", "h2", "grpcs", "ws", "wss":
		return true
	}
	return false
}

// parseALB parses an Application Load Balancer access-log entry,
//
//	type time elb client:port target:port request_processing_time target_processing_time response_processing_time elb_status_code target_status_code received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" …
//
// as AWS documents it. Fields after the user agent are ignored: AWS adds
// fields at the end and tells parsers to ignore what they do not know.
// The request time is the sum of the three processing times, in seconds,
// and the upstream time the target's; a processing time of -1 (the request
// never reached a target, or the target closed the connection) leaves the
// times absent. The status is the load balancer's, and the request length
// received_bytes.
func (p *Parser) parseALB(line []byte, r *event.Request) error {
	r.Reset()
	kind, i, _ := nextField(line, 0)
	if !isALBType(kind) {
		return errorf("bad type", kind)
	}
	return p.parseELBFields(line, i, r)
}

// parseELB parses a Classic Load Balancer access-log entry, which is an
// ALB entry without its first field and with fewer fields at the end:
//
//	time elb client:port backend:port request_processing_time backend_processing_time response_processing_time elb_status_code backend_status_code received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol
//
// The user agent and TLS fields were added in 2015 and are optional. A TCP
// listener logs "- - - " for the request and "-" for the statuses.
func (p *Parser) parseELB(line []byte, r *event.Request) error {
	r.Reset()
	return p.parseELBFields(line, 0, r)
}

// elbFields names the fields of an ELB entry, for messages.
var elbFields = [...]string{"time", "elb", "client:port", "target:port", "request_processing_time",
	"target_processing_time", "response_processing_time", "elb_status_code", "target_status_code",
	"received_bytes", "sent_bytes", "request"}

// parseELBFields parses the fields the two load balancers share, from
// line[i:] on.
func (p *Parser) parseELBFields(line []byte, i int, r *event.Request) error {
	var f [len(elbFields)][]byte
	for n := range f {
		v, next, ok := nextField(line, i)
		if !ok {
			return &Error{Reason: "missing " + elbFields[n] + " field"}
		}
		f[n], i = v, next
	}
	ts, off, ok := p.more.isoDay.rfc3339(f[0])
	if !ok {
		return errorf("bad time", f[0])
	}
	r.TS, r.UTCOffset = ts, off
	r.RemoteHost = addrHost(f[2])
	var sum float64
	for n := 4; n <= 6; n++ {
		t, ok := parseDecimal(f[n])
		if !ok {
			if string(f[n]) != "-1" {
				return errorf("bad "+elbFields[n], f[n])
			}
			sum = -1
			continue
		}
		if sum >= 0 {
			sum += t
		}
		if n == 5 {
			r.UpstreamTime = t
		}
	}
	r.RequestTime = sum
	if err := parseStatus(f[7], r); err != nil {
		return err
	}
	size, ok := parseUint(f[9])
	if !ok {
		return errorf("bad received_bytes", f[9])
	}
	r.RequestLength = size
	if err := parseBytes(f[10], r); err != nil {
		return err
	}
	splitRequest(f[11], r)
	if len(r.Method) > 0 {
		// The request line has the absolute URL the client asked for.
		r.Scheme, r.Host = urlParts(requestTarget(f[11]))
	}
	ua, _, _ := nextField(line, i)
	r.UserAgent = dash(ua)
	return nil
}

// requestTarget returns the target of a request line that splitRequest
// split, "METHOD target PROTOCOL".
func requestTarget(req []byte) []byte {
	target := req[methodEnd(req)+1:]
	for j, c := range target {
		if c == ' ' {
			return target[:j]
		}
	}
	return target
}

// s3Fields names the fields of an S3 server access-log entry, for
// messages.
var s3Fields = [...]string{"bucket_owner", "bucket", "time", "remote_ip", "requester", "request_id",
	"operation", "key", "request_uri", "http_status", "error_code", "bytes_sent", "object_size",
	"total_time", "turn_around_time", "referer", "user_agent"}

// parseS3 parses an S3 server access-log entry,
//
//	bucket_owner bucket [06/Feb/2019:00:00:38 +0000] remote_ip requester request_id operation key "request_uri" http_status error_code bytes_sent object_size total_time turn_around_time "referer" "user_agent" version_id host_id signature_version cipher_suite authentication_type host_header tls_version …
//
// as AWS documents it; the fields after the user agent were added over
// the years and are optional, and more may follow. The request time is
// total_time in milliseconds; the user is the requester (an IAM ARN or
// canonical user ID) and the host host_header. A tls_version of "-" means
// plain http.
func (p *Parser) parseS3(line []byte, r *event.Request) error {
	r.Reset()
	var f [len(s3Fields)][]byte
	i := 0
	for n := range f {
		if n == 2 {
			// The time is bracketed and has a blank in it.
			j := skipSep(line, i)
			if len(line)-j < tsLen+2 || line[j] != '[' || line[j+tsLen+1] != ']' {
				return errorf("bad time", line[j:min(len(line), j+tsLen+2)])
			}
			f[n], i = line[j+1:j+tsLen+1], j+tsLen+2
			continue
		}
		v, next, ok := nextField(line, i)
		if !ok {
			return &Error{Reason: "missing " + s3Fields[n] + " field"}
		}
		f[n], i = v, next
	}
	unix, off, ok := p.ts.timestamp(f[2])
	if !ok {
		return errorf("bad time", f[2])
	}
	r.TS, r.UTCOffset = unix, off
	r.RemoteHost = dash(f[3])
	r.User = dash(f[4])
	splitRequest(f[8], r)
	if err := parseStatus(f[9], r); err != nil {
		return err
	}
	if err := parseBytes(f[11], r); err != nil {
		return err
	}
	r.RequestTime = millis(f[13])
	r.Referer = dash(f[15])
	r.UserAgent = dash(f[16])
	// version_id host_id signature_version cipher_suite authentication_type host_header tls_version
	var rest [7][]byte
	for n := range rest {
		v, next, ok := nextField(line, i)
		if !ok {
			break
		}
		rest[n], i = v, next
	}
	r.Host = dash(rest[5])
	switch {
	case len(rest[6]) == 0:
	case string(rest[6]) == "-":
		r.Scheme = schemeHTTP
	default:
		r.Scheme = schemeHTTPS
	}
	return nil
}
