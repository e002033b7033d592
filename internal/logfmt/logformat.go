package logfmt

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"strings"

	"github.com/httpmon/httpmon/internal/event"
)

// CompiledFormat is a log format string, nginx's log_format or Apache's
// LogFormat, compiled once into the literals and fields of the lines it
// writes. A field's value ends where the literal after it starts; a field
// between quotes ends at the first quote not escaped by a backslash, so
// that a user agent with \" in it (Apache) or with nginx's escape=json
// escapes is read whole.
type CompiledFormat struct {
	src    string
	lead   []byte // the literal before the first field
	fields []lfField
	// order lists the fields that set a request field, by target: of
	// several variables for one field, the one of lowest priority (the
	// last of equals) is known when compiling, and the others are not
	// read.
	order []int
	// extra lists the fields kept in Request.Fields, which set none.
	extra []int
}

// lfField is one variable of a compiled format and the literal after it.
type lfField struct {
	node  *jsonNode // its target, unit and priority; path is its name
	name  []byte    // for Request.Fields, when the target is tNone
	after []byte
	// afterW and afterM are after's first eight bytes as a word, and the
	// mask of those it has, so that a literal of up to eight bytes is
	// compared with one load.
	afterW, afterM uint64
	quoted         bool
	col            int // 1-based, in the source
}

// FormatError is a format string that cannot be compiled, with the column
// (1-based, in bytes) where the trouble is, or 0 for the string as a
// whole.
type FormatError struct {
	Column int
	Reason string
}

// Error returns the reason, after the column if there is one.
func (e *FormatError) Error() string {
	if e.Column == 0 {
		return e.Reason
	}
	return "column " + strconv.Itoa(e.Column) + ": " + e.Reason
}

// String returns the format string as it was given.
func (f *CompiledFormat) String() string { return f.src }

// CompileLogFormat compiles a format string as pasted from a server's
// configuration: an nginx log_format string, which has $variables, or an
// Apache LogFormat string, which has % directives. A whole directive is
// accepted too: `log_format main escape=json '…' '…';` or `LogFormat
// "…" combined`. Variables the tables do not know are kept, by name, in
// the request's Fields. The format must log a time.
func CompileLogFormat(s string) (*CompiledFormat, error) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "log_format ") || strings.HasPrefix(t, "log_format\t"):
		d, err := parseLogFormatDirective(t)
		if err != nil {
			return nil, err
		}
		return compileNginx(d.format, s)
	case strings.HasPrefix(t, "LogFormat ") || strings.HasPrefix(t, "LogFormat\t"):
		f, off, err := apacheDirectiveString(t)
		if err != nil {
			return nil, err
		}
		cf, err := compileApache(f, s)
		if fe, ok := err.(*FormatError); ok && fe.Column > 0 {
			fe.Column += off + strings.Index(s, t)
		}
		return cf, err
	case isNginxFormat(s):
		return compileNginx(s, s)
	}
	return compileApache(s, s)
}

// isNginxFormat reports whether s has an nginx variable, $ and a name.
func isNginxFormat(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && (isNameByte(s[i+1]) || s[i+1] == '{') {
			return true
		}
	}
	return false
}

func isNameByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

// compiler builds a CompiledFormat from literal and field pieces.
type compiler struct {
	f     CompiledFormat
	lit   []byte
	pend  bool // a field waits for the literal after it
	hasTS bool
}

func (c *compiler) literal(b ...byte) { c.lit = append(c.lit, b...) }

func (c *compiler) field(n *jsonNode, col int) error {
	if c.pend {
		if len(c.lit) == 0 {
			prev := c.f.fields[len(c.f.fields)-1]
			return &FormatError{Column: col, Reason: strconv.Quote(n.path) + " follows " + strconv.Quote(prev.node.path) +
				" with nothing between them, so a line cannot be split there"}
		}
		c.f.fields[len(c.f.fields)-1].after = c.lit
	} else {
		c.f.lead = c.lit
	}
	quoted := len(c.lit) > 0 && c.lit[len(c.lit)-1] == '"'
	c.lit = nil
	c.f.fields = append(c.f.fields, lfField{node: n, name: []byte(n.path), quoted: quoted, col: col})
	c.pend = true
	if n.target == tTS {
		c.hasTS = true
	}
	return nil
}

func (c *compiler) finish(src string, timeVars string) (*CompiledFormat, error) {
	if c.pend {
		last := &c.f.fields[len(c.f.fields)-1]
		last.after = c.lit
		if last.quoted && (len(c.lit) == 0 || c.lit[0] != '"') {
			last.quoted = false
		}
	} else {
		c.f.lead = c.lit
	}
	for i := range c.f.fields {
		fl := &c.f.fields[i]
		if fl.quoted && (len(fl.after) == 0 || fl.after[0] != '"') {
			fl.quoted = false
		}
		for k, b := range fl.after[:min(len(fl.after), 8)] {
			fl.afterW |= uint64(b) << (8 * k)
			fl.afterM |= 0xff << (8 * k)
		}
	}
	if !c.hasTS {
		return nil, &FormatError{Reason: "the format logs no time (" + timeVars + "), which httpmon needs"}
	}
	c.f.src = src
	var best [numTargets]int
	for i := range best {
		best[i] = -1
	}
	for i, fl := range c.f.fields {
		t := fl.node.target
		if t == tNone {
			c.f.extra = append(c.f.extra, i)
		} else if best[t] < 0 || fl.node.prio <= c.f.fields[best[t]].node.prio {
			best[t] = i
		}
	}
	for _, i := range best {
		if i >= 0 {
			c.f.order = append(c.f.order, i)
		}
	}
	return &c.f, nil
}

// compileNginx compiles the text of an nginx log_format: $name and
// ${name} are variables, everything else is literal.
func compileNginx(s, src string) (*CompiledFormat, error) {
	var c compiler
	for i := 0; i < len(s); {
		if s[i] != '$' {
			c.literal(s[i])
			i++
			continue
		}
		col := i + 1
		var name string
		switch {
		case i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return nil, &FormatError{Column: col, Reason: "unterminated ${"}
			}
			name = s[i+2 : i+2+end]
			i += 3 + end
		default:
			j := i + 1
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			name = s[i+1 : j]
			i = j
		}
		if name == "" || strings.IndexFunc(name, func(r rune) bool { return r > 0x7f || !isNameByte(byte(r)) }) >= 0 {
			return nil, &FormatError{Column: col, Reason: "invalid variable name after $ (nginx's own error for it)"}
		}
		if err := c.field(nginxVar(name), col); err != nil {
			return nil, err
		}
	}
	return c.finish(src, "$time_local, $time_iso8601 or $msec")
}

// nginxVars maps the nginx variables that stand for request fields.
var nginxVars = map[string]jsonKey{
	"remote_addr":              {target: tRemoteHost},
	"remote_user":              {target: tUser},
	"time_local":               {target: tTS},
	"time_iso8601":             {target: tTS},
	"msec":                     {target: tTS, prio: 1},
	"request":                  {target: tRequest},
	"request_method":           {target: tMethod},
	"request_uri":              {target: tPath},
	"uri":                      {target: tPath, prio: 1},
	"document_uri":             {target: tPath, prio: 2},
	"server_protocol":          {target: tProtocol},
	"status":                   {target: tStatus},
	"body_bytes_sent":          {target: tBytes},
	"bytes_sent":               {target: tBytes, prio: 1},
	"http_referer":             {target: tReferer},
	"http_user_agent":          {target: tUserAgent},
	"request_time":             {target: tRequestTime},
	"upstream_response_time":   {target: tUpstreamTime},
	"request_length":           {target: tRequestLength},
	"host":                     {target: tHost},
	"http_host":                {target: tHost, prio: 1},
	"server_name":              {target: tHost, prio: 2},
	"scheme":                   {target: tScheme},
	"http_x_forwarded_for":     {target: tXForwardedFor},
	"geoip_country_code":       {target: tCountry},
	"geoip2_data_country_code": {target: tCountry},
	"geoip2_country_code":      {target: tCountry},
	"http_cf_ipcountry":        {target: tCountry, prio: 1},
}

func nginxVar(name string) *jsonNode {
	k := nginxVars[name]
	return &jsonNode{target: k.target, unit: k.unit, prio: k.prio, path: name}
}

// apacheDirectiveString returns the quoted format of a LogFormat
// directive, unquoted, and the offset of its text in t.
func apacheDirectiveString(t string) (string, int, error) {
	rest := strings.TrimLeft(t[len("LogFormat"):], " \t")
	off := len(t) - len(rest)
	if rest == "" || rest[0] != '"' {
		return "", 0, &FormatError{Column: off + 1, Reason: "LogFormat: want a quoted format string"}
	}
	for i := 1; i < len(rest); i++ {
		switch rest[i] {
		case '\\':
			i++
		case '"':
			return rest[1:i], off + 1, nil
		}
	}
	return "", 0, &FormatError{Column: off + 1, Reason: "LogFormat: unterminated quoted format string"}
}

// compileApache compiles an Apache LogFormat string (mod_log_config):
// %x directives with optional conditions (%400,501{…}i, %!200s), < or >,
// and {arguments}; \" \\ \t and \n are the escapes of the quoted form.
func compileApache(s, src string) (*CompiledFormat, error) {
	var c compiler
	for i := 0; i < len(s); {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				switch s[i+1] {
				case '"', '\\':
					c.literal(s[i+1])
					i += 2
					continue
				case 't':
					c.literal('\t')
					i += 2
					continue
				case 'n':
					c.literal('\n')
					i += 2
					continue
				}
			}
			c.literal('\\')
			i++
			continue
		case '%':
		default:
			c.literal(s[i])
			i++
			continue
		}
		col := i + 1
		j := i + 1
		if j < len(s) && s[j] == '%' {
			c.literal('%')
			i = j + 1
			continue
		}
		// Conditions and the original/final request switches do not
		// change what the field looks like.
		for j < len(s) && (isDigit(s[j]) || s[j] == ',' || s[j] == '!' || s[j] == '<' || s[j] == '>') {
			j++
		}
		arg := ""
		if j < len(s) && s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				return nil, &FormatError{Column: col, Reason: "unterminated %{"}
			}
			arg = s[j+1 : j+end]
			j += end + 1
		}
		if j >= len(s) {
			return nil, &FormatError{Column: col, Reason: "% at the end of the format with no directive"}
		}
		letter := s[j : j+1]
		if s[j] == '^' && j+2 < len(s) {
			letter = s[j : j+3]
		}
		j += len(letter)
		name := s[i:j]
		n, ok := apacheDirective(letter, arg, name)
		if !ok {
			return nil, &FormatError{Column: col, Reason: "unknown Apache directive " + strconv.Quote(name)}
		}
		if letter == "U" && strings.HasPrefix(s[j:], "%q") {
			// "%U%q" is the path and its query, which %q writes with its
			// "?": one field, the request target.
			j += 2
			n = &jsonNode{target: tPath, path: s[i:j]}
		}
		if letter == "t" && arg == "" {
			// %t is "[10/Oct/2000:13:55:36 -0700]", brackets included.
			c.literal('[')
			if err := c.field(n, col); err != nil {
				return nil, err
			}
			c.literal(']')
		} else if err := c.field(n, col); err != nil {
			return nil, err
		}
		i = j
	}
	return c.finish(src, "%t or %{…}t")
}

// apacheDirective returns the field of a directive, and false for one
// mod_log_config does not have.
func apacheDirective(letter, arg, name string) (*jsonNode, bool) {
	n := &jsonNode{path: name}
	switch letter {
	case "h":
		n.target = tRemoteHost
	case "a":
		n.target, n.prio = tRemoteHost, 1
	case "l":
		n.target = tIdent
	case "u":
		n.target = tUser
	case "t":
		switch {
		case strings.HasSuffix(arg, "msec_frac"), strings.HasSuffix(arg, "usec_frac"):
		default:
			n.target = tTS
		}
	case "r":
		n.target = tRequest
	case "m":
		n.target = tMethod
	case "U":
		n.target, n.prio = tPath, 1
	case "H":
		n.target = tProtocol
	case "s":
		n.target = tStatus
	case "b", "B":
		n.target = tBytes
	case "O":
		n.target, n.prio = tBytes, 1
	case "I":
		n.target = tRequestLength
	case "D":
		n.target, n.unit = tRequestTime, unitMicros
	case "T":
		n.target = tRequestTime
		switch arg {
		case "", "s":
		case "ms":
			n.unit = unitMillis
		case "us":
			n.unit = unitMicros
		default:
			return nil, false
		}
	case "v":
		n.target = tHost
	case "V":
		n.target, n.prio = tHost, 1
	case "i":
		switch strings.ToLower(arg) {
		case "referer":
			n.target = tReferer
		case "user-agent":
			n.target = tUserAgent
		case "x-forwarded-for":
			n.target = tXForwardedFor
		case "host":
			n.target, n.prio = tHost, 2
		case "cf-ipcountry":
			n.target, n.prio = tCountry, 1
		}
	case "e":
		switch arg {
		case "GEOIP_COUNTRY_CODE", "MM_COUNTRY_CODE":
			n.target = tCountry
		}
	case "q", "S", "p", "P", "k", "X", "f", "R", "L", "n", "o", "C", "x", "A", "F", "M", "^ti", "^to":
	default:
		return nil, false
	}
	return n, true
}

// lfState is what parsing a line of a compiled format reuses.
type lfState struct {
	spans []span
}

// span is where a value is in its line, line[start:end]. Values are kept
// as spans rather than slices, which are larger and, holding pointers,
// are stored with the garbage collector's write barrier.
type span struct{ start, end int }

// SetLogFormat makes p read LogFormat lines with f.
func (p *Parser) SetLogFormat(f *CompiledFormat) { p.lf = f }

// split cuts line into the values of f's fields, as spans of line.
func (f *CompiledFormat) split(line []byte, spans []span) ([]span, error) {
	if cap(spans) < len(f.fields) {
		spans = make([]span, len(f.fields))
	}
	spans = spans[:len(f.fields)]
	if !hasLit(line, 0, f.lead) {
		return spans, f.splitErr(-1, line)
	}
	i := len(f.lead)
	for k := range f.fields {
		fl := &f.fields[k]
		var end int
		switch {
		case len(fl.after) == 0:
			end = len(line)
		case fl.quoted:
			end = quoteEnd(line, i)
			if end >= 0 && !fl.hasAfter(line, end) {
				end = -1
			}
		default:
			// indexAfter's search of the line's words, written out: its
			// call would cost a third of it.
			end = -1
			c := uint64(fl.after[0]) * swar.ones
			j := i
		words:
			for ; j+8 <= len(line); j += 8 {
				x := binary.LittleEndian.Uint64((*[8]byte)(line[j : j+8])[:]) ^ c
				for m := (x - swar.ones) &^ x & swar.highs; m != 0; m &= m - 1 {
					if e := j + bits.TrailingZeros64(m)>>3; fl.hasAfter(line, e) {
						end = e
						break words
					}
				}
			}
			if end < 0 {
				end = fl.indexAfter(line, j)
			}
		}
		if end < 0 {
			return spans, f.splitErr(k, line[i:])
		}
		spans[k] = span{i, end}
		i = end + len(fl.after)
	}
	if i != len(line) {
		return spans, f.splitErr(len(f.fields), line[i:])
	}
	return spans, nil
}

// splitErr is the error for a line whose field k, from rest on, does not
// end with its literal: k -1 for a line without the format's lead, and
// len(f.fields) for one with junk after its end. It is never inlined, so
// that the strings it builds do not crowd split's registers.
//
//go:noinline
func (f *CompiledFormat) splitErr(k int, rest []byte) error {
	switch {
	case k < 0:
		return errorf("line does not start with the format's "+strconv.Quote(string(f.lead))+":", rest)
	case k == len(f.fields):
		return errorf("junk after the format's end:", rest)
	}
	fl := &f.fields[k]
	return errorf("missing "+strconv.Quote(string(fl.after))+" after "+fl.node.path+" in", rest)
}

// indexAfter returns the index of the first of fl.after in line at or
// after i, or -1, as bytes.Index does. The values before literals are
// short, a host, a time, a status: looking for the literal's first byte
// eight bytes at a time, as stringEnd does, costs less than a call of
// bytes.IndexByte, and far less than one of bytes.Index.
func (fl *lfField) indexAfter(line []byte, i int) int {
	ones, highs := swar.ones, swar.highs
	c := uint64(fl.after[0]) * ones
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64((*[8]byte)(line[i : i+8])[:]) ^ c
		// The lowest bit is exact, and hasAfter rejects the others.
		for m := (x - ones) &^ x & highs; m != 0; m &= m - 1 {
			if j := i + bits.TrailingZeros64(m)>>3; fl.hasAfter(line, j) {
				return j
			}
		}
	}
	for ; i < len(line); i++ {
		if fl.hasAfter(line, i) {
			return i
		}
	}
	return -1
}

// hasAfter reports whether line[i:] starts with fl.after, as
// bytes.HasPrefix does, without a call of memequal.
func (fl *lfField) hasAfter(line []byte, i int) bool {
	if len(fl.after) <= 8 && i+8 <= len(line) {
		return (binary.LittleEndian.Uint64((*[8]byte)(line[i : i+8])[:])^fl.afterW)&fl.afterM == 0
	}
	return hasLit(line, i, fl.after)
}

// hasLit reports whether line[i:] starts with lit, as bytes.HasPrefix
// does, without its call of memequal for a literal of a few bytes.
func hasLit(line []byte, i int, lit []byte) bool {
	if len(line)-i < len(lit) {
		return false
	}
	for k, c := range lit {
		if line[i+k] != c {
			return false
		}
	}
	return true
}

// parseLogFormat parses a line of the format set with SetLogFormat.
func (p *Parser) parseLogFormat(line []byte, r *event.Request) error {
	r.Reset()
	f := p.lf
	if f == nil {
		return &Error{Reason: "no log format given (--log-format)"}
	}
	s := &p.lfs
	var err error
	if s.spans, err = f.split(line, s.spans); err != nil {
		return err
	}
	for _, k := range f.extra {
		sp := s.spans[k]
		if v := dash(line[sp.start:sp.end]); len(v) > 0 {
			r.Fields = append(r.Fields, event.Field{Name: f.fields[k].name, Value: v})
		}
	}
	for _, k := range f.order {
		n := f.fields[k].node
		sp := s.spans[k]
		if n.target.isText() {
			// What apply would do, without its call.
			setText(r, n.target, line[sp.start:sp.end], n.flags)
		} else if err := p.apply(n.target, line[sp.start:sp.end], n, false, false, r); err != nil {
			return err
		}
	}
	return nil
}
