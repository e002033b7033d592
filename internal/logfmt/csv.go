package logfmt

import (
	"github.com/httpmon/httpmon/internal/event"
)

// parseCSV parses the CSV variant,
//
//	"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234
//
// Any field may be quoted or not, and "" inside quotes is a quote, which is
// kept doubled (see the package comment). The date is unix seconds, so the
// offset is 0. Fields after the seventh are ignored, like the extra fields
// of CLF.
func (p *Parser) parseCSV(line []byte, r *event.Request) error {
	err := parseCSV(line, r)
	if err != nil && IsCSVHeader(line) {
		// Checked only on failure to keep it off the hot path.
		err = &Error{Reason: "csv header line, not a request"}
	}
	return err
}

func parseCSV(line []byte, r *event.Request) error {
	r.Reset()
	var f [len(csvHeader)][]byte
	i := 0
	for n := range f {
		if n > 0 {
			if i == len(line) {
				return &Error{Reason: "missing " + csvHeader[n] + " field"}
			}
			i++ // the comma
		}
		var err error
		f[n], i, err = csvField(line, i, n)
		if err != nil {
			return err
		}
	}

	r.RemoteHost, r.Ident, r.User = dash(f[0]), dash(f[1]), dash(f[2])
	ts, ok := parseUint(f[3])
	if !ok {
		return errorf("bad date", f[3])
	}
	r.TS = ts
	splitRequest(f[4], r)
	if err := parseStatus(f[5], r); err != nil {
		return err
	}
	return parseBytes(f[6], r)
}

// csvField returns field n starting at line[i:] and the index of the comma
// or end of line after it.
func csvField(line []byte, i, n int) ([]byte, int, error) {
	if i == len(line) || line[i] != '"' {
		// Unquoted fields are a few bytes long, too short for IndexByte
		// to pay off.
		j := i
		for j < len(line) && line[j] != ',' {
			j++
		}
		return line[i:j], j, nil
	}
	for j := i + 1; j < len(line); j++ {
		if line[j] != '"' {
			continue
		}
		if j+1 < len(line) && line[j+1] == '"' {
			j++ // "" is an escaped quote
			continue
		}
		if j+1 < len(line) && line[j+1] != ',' {
			return nil, 0, errorf("junk after quoted "+csvHeader[n]+" field", line[i:])
		}
		return line[i+1 : j], j + 1, nil
	}
	return nil, 0, errorf("unterminated quoted "+csvHeader[n]+" field", line[i:])
}
