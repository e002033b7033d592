package event

// KindNotice is the kind of the records that carry a stage's warnings
// downstream, in band with the data.
const KindNotice = "notice"

// Notice is a warning a stage gave about its input: a malformed line, a
// late record, the count at the end of a run. Every stage prints it on
// stderr and also writes it into its output, because stderr is shared with
// the dashboard, which it would scramble, and is gone when the dashboard
// closes; downstream stages pass notices through like any kind they do not
// own.
//
// Byte-slice fields of a decoded Notice point into the Decoder's buffer and
// are valid until its next call.
type Notice struct {
	// Stage is the program that noticed, such as "httpmon-window".
	Stage []byte
	// Input is the file name of the input, empty for standard input.
	Input []byte
	// Line is the input line number, 0 when the notice is about no line.
	Line int64
	// Message is the text printed on stderr after the "prog: [input: ]line
	// N: " prefix, unescaped: renderers escape it for the terminal.
	Message []byte
	// Count is the number the end-of-run summary is about, 0 otherwise.
	Count int64
}

// Notice encodes n as a "notice" line. Optional fields are left out when
// zero.
func (e *Encoder) Notice(n *Notice) ([]byte, error) {
	e.begin(KindNotice)
	e.str("stage", n.Stage)
	e.optStr("input", n.Input)
	if n.Line > 0 {
		e.int("line", n.Line)
	}
	e.str("message", n.Message)
	if n.Count > 0 {
		e.int("count", n.Count)
	}
	return e.end()
}

// Notice decodes a "notice" line into n. The stage and the message are
// required.
func (d *Decoder) Notice(line []byte, n *Notice) error {
	*n = Notice{}
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "stage":
			n.Stage, err = d.str(f)
		case "input":
			n.Input, err = d.str(f)
		case "line":
			n.Line, err = d.count(f)
		case "message":
			n.Message, err = d.str(f)
		case "count":
			n.Count, err = d.count(f)
		default:
			d.it.Skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case len(n.Stage) == 0:
		return missing("stage")
	case n.Message == nil:
		return missing("message")
	}
	return nil
}
