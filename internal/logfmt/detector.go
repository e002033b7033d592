package logfmt

import "github.com/httpmon/httpmon/internal/event"

// relockAfter is how many lines in a row that fail the settled format but
// parse in the other one make that one the input's format: a log whose
// configuration changed, or two logs concatenated. One stray line does not.
const relockAfter = 3

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
type Detector struct {
	format Format // Auto until a line parsed
	fixed  bool   // given, not detected
	other  Format // the format of the current run of lines not in format
	run    int
}

// NewDetector returns a Detector for an input in format f, or one that
// detects the format if f is Auto.
func NewDetector(f Format) Detector {
	return Detector{format: f, fixed: f != Auto}
}

// Format returns the input's format, Auto while no line has parsed.
func (d *Detector) Format() Format { return d.format }

// Parse parses line into r with p, which it resets first; r's fields alias
// line. header reports a CSV header line, which is neither a request nor
// an error, in an input that is or may be CSV. A line that does not parse
// returns an *Error, and r is then to be dropped.
func (d *Detector) Parse(p *Parser, line []byte, r *event.Request) (header bool, err error) {
	if d.format == Auto {
		return d.detect(p, line, r)
	}
	err = p.Parse(d.format, line, r)
	if err == nil {
		d.run = 0
		return false, nil
	}
	return d.mismatch(p, line, r, err)
}

func (d *Detector) detect(p *Parser, line []byte, r *event.Request) (bool, error) {
	if IsCSVHeader(line) {
		d.format = CSV
		return true, nil
	}
	guess := Detect(line)
	err := p.Parse(guess, line, r)
	if err == nil {
		d.format = guess
		return false, nil
	}
	if f, ok := d.tryOthers(p, guess, line, r); ok {
		d.format = f
		return false, nil
	}
	return false, err
}

// detectable are the formats that --format auto tells apart, in the order
// a line that fails the expected one is tried in. Common is left out: it
// shares Combined's parser.
var detectable = [...]Format{
	Combined,
	CSV,
	// JSON and pasted format strings
	JSON,
}

// tryOthers parses line in each detectable format but not, returning the
// first that fits. The line is then in r.
func (d *Detector) tryOthers(p *Parser, not Format, line []byte, r *event.Request) (Format, bool) {
	if not == Common {
		not = Combined
	}
	for _, f := range detectable {
		if f != not && p.Parse(f, line, r) == nil {
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
	if d.fixed {
		return false, err
	}
	other, ok := d.tryOthers(p, d.format, line, r)
	if !ok {
		d.run = 0
		return false, err
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
