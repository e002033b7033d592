package logfmt

import "github.com/httpmon/httpmon/internal/event"

// relockAfter is how many lines in a row that fail the settled format but
// parse in the other one make that one the input's format: a log whose
// configuration changed, or two logs concatenated. One stray line does not.
const relockAfter = 3

// candidates are the formats --format auto tries, in order, after the one
// a line looks like.
var candidates = [...]Format{
	Combined, CSV,
	// JSON and pasted format strings
	JSON,
	// W3C, cloud and proxy formats
	ALB, ELB, S3, HAProxy, Squid, CloudFront, W3C,
}

// Detector settles the format of one input from its lines, for --format
// auto, and parses them.
//
// Nothing is settled until a line parses. A first line torn in the middle
// (a log read from an offset, `tail -n +N`) parses in no format, and taking
// its look for the format would reject every line after it: a referer
// starting with a quote looks like CSV. Once settled, a line that is not
// in the format but is in another one is rejected as "not in the
// detected … format", which says more than that format's parser can, and
// relockAfter of them in a row switch the input to their format. With a
// format given by the user, nothing is detected and nothing switches.
// Every other reject says which format the line was tried as.
//
// The Detector also strips the prefixes of StripPrefix (syslog, CRI,
// docker compose), once a line of the input needed it, and keeps the
// columns of a W3C input, which its "#Fields:" directives name and may
// change within the input; directives are headers.
type Detector struct {
	format   Format // Auto until a line parsed
	fixed    bool   // given, not detected
	other    Format // the format of the current run of lines not in format
	run      int
	prefixed bool // lines have a prefix to strip
	w3c      w3cLayout
}

// NewDetector returns a Detector for an input in format f, or one that
// detects the format if f is Auto.
func NewDetector(f Format) Detector {
	return Detector{format: f, fixed: f != Auto}
}

// Format returns the input's format, Auto while no line has parsed.
func (d *Detector) Format() Format { return d.format }

// Parse parses line into r with p, which it resets first; r's fields alias
// line. header reports a CSV header line or a W3C directive, which is
// neither a request nor an error, in an input that is or may be in that
// format. A line that does not parse returns an *Error, and r is then to
// be dropped.
func (d *Detector) Parse(p *Parser, line []byte, r *event.Request) (header bool, err error) {
	if d.format == Auto {
		return d.detect(p, line, r)
	}
	body := line
	if d.prefixed {
		body = StripPrefix(line)
	}
	// The Common family is parsed by p.Parse directly: a line through
	// parse would pay for one call more.
	if _, more := moreFormatName(d.format); more {
		err = d.parse(p, d.format, body, r)
	} else {
		err = p.Parse(d.format, body, r)
	}
	if err == nil {
		d.run = 0
		return false, nil
	}
	return d.mismatch(p, line, r, err)
}

// parse parses body in format f; the W3C formats with the input's
// columns rather than the Parser's.
func (d *Detector) parse(p *Parser, f Format, body []byte, r *event.Request) error {
	if _, ok := moreFormatName(f); ok {
		return p.parseMore(f, &d.w3c, body, r)
	}
	return p.Parse(f, body, r)
}

// directive takes a W3C directive: a "#Fields:" one names the columns of
// the lines after it, and settles an input not given another format.
func (d *Detector) directive(body []byte) bool {
	if !isDirective(body) {
		return false
	}
	if _, ok := fieldsDirective(body); !ok {
		return d.format == Auto || d.format == W3C || d.format == CloudFront
	}
	if d.fixed && d.format != W3C && d.format != CloudFront {
		return false
	}
	if d.w3c.set(body) != nil {
		return false
	}
	if !d.fixed {
		d.format, d.run = W3C, 0
		if d.w3c.isCloudFront() {
			d.format = CloudFront
		}
	}
	return true
}

func (d *Detector) detect(p *Parser, line []byte, r *event.Request) (bool, error) {
	if IsCSVHeader(line) {
		d.format = CSV
		return true, nil
	}
	body := StripPrefix(line)
	if d.directive(body) {
		d.prefixed = len(body) != len(line)
		return true, nil
	}
	guess := Detect(body)
	err := d.parse(p, guess, body, r)
	if err == nil {
		d.format, d.prefixed = guess, len(body) != len(line)
		return false, nil
	}
	if f, ok := d.tryOthers(p, guess, line, body, r); ok {
		d.format = f
		return false, nil
	}
	return false, as(err, guess)
}

// tryOthers tries body, and line if it differs, in the candidates but
// skip, and returns the first format one parses in. It notes that the
// input has prefixes when body parsed and line did not.
func (d *Detector) tryOthers(p *Parser, skip Format, line, body []byte, r *event.Request) (Format, bool) {
	for _, f := range candidates {
		if f == skip {
			continue
		}
		if d.parse(p, f, body, r) == nil {
			d.prefixed = d.prefixed || len(body) != len(line)
			return f, true
		}
		if len(body) != len(line) && d.parse(p, f, line, r) == nil {
			return f, true
		}
	}
	return Auto, false
}

// mismatch handles a line that failed the settled format with err.
func (d *Detector) mismatch(p *Parser, line []byte, r *event.Request, err error) (bool, error) {
	if d.format == CSV && IsCSVHeader(line) {
		return true, nil
	}
	body := StripPrefix(line)
	if d.directive(body) {
		return true, nil
	}
	if !d.prefixed && len(body) != len(line) && d.parse(p, d.format, body, r) == nil {
		d.prefixed, d.run = true, 0
		return false, nil
	}
	if d.fixed {
		return false, as(err, d.format)
	}
	other, ok := d.tryOthers(p, d.format, line, body, r)
	if !ok {
		d.run = 0
		return false, as(err, d.format)
	}
	if d.other != other {
		d.other, d.run = other, 0
	}
	d.run++
	if d.run >= relockAfter {
		d.format, d.run = other, 0
		return false, nil
	}
	return false, &Error{Reason: "not in the detected " + d.format.String() + " format (" + err.Error() + ")"}
}

// as says which format a line was tried as in the reason it was rejected.
func as(err error, f Format) error {
	return &Error{Reason: err.Error() + " (as " + f.String() + ")"}
}
