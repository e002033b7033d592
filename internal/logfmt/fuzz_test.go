package logfmt

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/httpmon/httpmon/internal/event"
)

// The reference CLF parser: the grammar documented at parseCLF written as
// regular expressions, strings functions and time.Parse, with no regard for
// speed. FuzzParseCombined checks that parseCLF agrees with it on every
// input, accept/reject decision and fields.
var (
	// The timestamp's "[" is the first one after a blank.
	refAnchor = regexp.MustCompile(`[ \t]\[`)
	// From the "[" on: timestamp, quoted request, status, bytes, tail.
	refRest = regexp.MustCompile(`(?s)^\[(\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]` +
		`[ \t]+"((?:[^"\\]|\\.)*)"[ \t]+([^ \t]+)[ \t]+([^ \t]+)(.*)$`)
	refToken  = regexp.MustCompile(`[^ \t]+`)
	refStatus = regexp.MustCompile(`^(?:-|[1-9][0-9][0-9])$`)
	refBytes  = regexp.MustCompile(`^(?:-|[0-9]{1,18})$`)
	// A tail field: quoted (group 1), quoted and cut off by the end of the
	// line (group 2), or bare.
	refField = `(?:"((?:[^"\\]|\\.)*)"|"((?:[^"\\]|\\.)*\\?)$|[^ \t"][^ \t]*)`
	refTail  = regexp.MustCompile(`(?s)^[ \t]+` + refField + `(?:[ \t]+` + refField + `)?`)
	refReq   = regexp.MustCompile(`(?s)^([A-Za-z][A-Za-z0-9_-]*) ([^ ]+)(?: (HTTP/[0-9]+(?:\.[0-9]+)?))?$`)
	refAbs   = regexp.MustCompile(`(?s)^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/.*)?`)
)

func refDash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// refParseCLF returns the view of line and true, or false when the reference
// grammar rejects it.
func refParseCLF(line string) (view, bool) {
	var v view
	a := refAnchor.FindStringIndex(line)
	if a == nil {
		return v, false
	}
	pre, rest := line[:a[0]+1], line[a[0]+1:]

	toks := refToken.FindAllStringIndex(pre, -1)
	tok := func(i int) string { return pre[toks[i][0]:toks[i][1]] }
	found := false
	for k := 1; k+1 < len(toks); k++ {
		if tok(k) == "-" {
			v.Host, v.User = tok(k-1), pre[toks[k+1][0]:toks[len(toks)-1][1]]
			found = true
			break
		}
	}
	if !found {
		n := len(toks)
		if n < 3 {
			return v, false
		}
		v.Host, v.Ident, v.User = tok(n-3), tok(n-2), tok(n-1)
	}
	v.Host, v.Ident, v.User = refDash(v.Host), refDash(v.Ident), refDash(v.User)

	m := refRest.FindStringSubmatch(rest)
	if m == nil {
		return v, false
	}
	tm, err := time.Parse(clfLayout, m[1])
	if err != nil {
		return v, false
	}
	_, off := tm.Zone()
	if off <= -24*3600 || off >= 24*3600 || m[1][24] >= '6' { // hh < 24, mm < 60
		return v, false
	}
	v.TS, v.UTCOffset = tm.Unix(), int32(off)

	refSplitRequest(m[2], &v)

	if !refStatus.MatchString(m[3]) || !refBytes.MatchString(m[4]) {
		return v, false
	}
	v.Status, _ = strconv.Atoi(m[3]) // "-" → 0
	v.Bytes = -1
	if m[4] != "-" {
		v.Bytes, _ = strconv.ParseInt(m[4], 10, 64)
	}

	tail := m[5]
	if t := refTail.FindStringSubmatchIndex(tail); t != nil {
		field := func(g int) string {
			for _, g := range []int{g, g + 1} {
				if t[2*g] >= 0 {
					return refDash(tail[t[2*g]:t[2*g+1]])
				}
			}
			return ""
		}
		v.Referer, v.UserAgent = field(1), field(3)
	}
	return v, true
}

func refSplitRequest(req string, v *view) {
	m := refReq.FindStringSubmatch(req)
	if m == nil {
		v.Request = req
		return
	}
	v.Method, v.Path, v.Protocol = m[1], m[2], m[3]
	if !strings.HasPrefix(v.Path, "/") {
		if a := refAbs.FindStringSubmatch(v.Path); a != nil {
			v.Path = "/"
			if a[1] != "" {
				v.Path = a[1]
			}
		}
	}
	v.Section = refSection(v.Path)
}

func refSection(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if !strings.HasPrefix(p, "/") {
		return ""
	}
	if i := strings.Index(p[1:], "/"); i >= 0 {
		return p[:i+1]
	}
	return p
}

// TestReference keeps the reference honest on the table cases, so that the
// differential fuzzing compares against something known to be right.
func TestReference(t *testing.T) {
	for _, line := range fuzzSeeds(t) {
		var p Parser
		var r event.Request
		err := p.Parse(Combined, []byte(line), &r)
		want, ok := refParseCLF(line)
		if ok != (err == nil) || ok && viewOf(&r) != want {
			t.Errorf("line %q:\nreference %v %+v\n   parser %v %+v", line, ok, want, err, viewOf(&r))
		}
	}
}

// fuzzSeeds returns the lines of the table tests, the vectors and samples
// of the real logs.
func fuzzSeeds(t testing.TB) []string {
	seeds := []string{
		`127.0.0.1 bob frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
		`10.0.0.11 - Songmu Yaxing [11/Jun/2017:05:56:04 +0900] "GET / HTTP/1.1" 200 741 "\\\thoge" "UserAgent \"fake\""`,
		`test.example.com 10.0.0.11 - - [11/Jun/2017:05:56:04 +0900] "GET http://h:80 HTTP/1.1" 304 - - "ua`,
		`- - - [11/Jun/2017:05:56:04 +0900] "\x16\x03" - - "r"x "u"`,
		"::1\t-\t-\t[29/Feb/2024:23:59:59 -0930]\t\"CONNECT h:443 HTTP/2\"\t200\t0 \"a\\",
		`a b c [10/Oct/2000:13:55:36 -0700] "GET /a?b/c#d HTTP/1.1" 200 0 "" "" "" x`,
	}
	for _, v := range loadVectors(t) {
		seeds = append(seeds, v.line)
	}
	for _, name := range []string{"elastic_apache_logs.log.gz", "lnav_zanbil_shop_access.log.gz"} {
		lines := readLines(t, name)
		for i := 0; i < len(lines); i += 97 {
			seeds = append(seeds, string(lines[i]))
		}
	}
	return seeds
}

// within reports whether the bytes of s lie inside line, so that a field
// is known to alias the line rather than some other memory.
func within(s, line []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(line) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(line)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(line))
}

// checkInvariants checks what must hold for every accepted line.
func checkInvariants(t *testing.T, line []byte, r *event.Request) {
	t.Helper()
	if r.Status != 0 && (r.Status < 100 || r.Status > 999) {
		t.Errorf("status %d", r.Status)
	}
	if r.Bytes < -1 {
		t.Errorf("bytes %d", r.Bytes)
	}
	if len(r.Section) > 0 && !bytes.HasPrefix(r.Path, r.Section) {
		t.Errorf("section %q is not a prefix of path %q", r.Section, r.Path)
	}
	if len(r.Request) > 0 && len(r.Method)+len(r.Path)+len(r.Protocol) > 0 {
		t.Errorf("both raw request %q and method %q path %q", r.Request, r.Method, r.Path)
	}
	if len(r.Method) > 0 != (len(r.Path) > 0) {
		t.Errorf("method %q without path %q or the reverse", r.Method, r.Path)
	}
	for name, f := range map[string][]byte{
		"host": r.RemoteHost, "ident": r.Ident, "user": r.User, "method": r.Method,
		"path": r.Path, "protocol": r.Protocol, "request": r.Request, "section": r.Section,
		"referer": r.Referer, "user agent": r.UserAgent,
	} {
		if !within(f, line) {
			t.Errorf("%s %q is not a sub-slice of the line", name, f)
		}
	}
}

// fuzzParser is shared by all inputs, so that its timestamp cache holds
// whatever the previous input left.
var (
	fuzzParserMu sync.Mutex
	fuzzParser   Parser
)

func FuzzParseCombined(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		b := []byte(line)
		var p Parser
		var r event.Request
		err := p.Parse(Combined, b, &r)
		want, ok := refParseCLF(line)
		if ok != (err == nil) {
			t.Fatalf("line %q: reference accepts=%v, parser error %v", line, ok, err)
		}
		if err != nil {
			// A reason of under 80 bytes plus at most maxQuote bytes of
			// input, each escaped in at most 4 bytes (\x95).
			if len(err.Error()) > 80+4*maxQuote {
				t.Errorf("error message too long: %d bytes: %s", len(err.Error()), err)
			}
			return
		}
		if got := viewOf(&r); got != want {
			t.Fatalf("line %q:\nreference %+v\n   parser %+v", line, want, got)
		}
		checkInvariants(t, b, &r)
		// A second parse hits the timestamp cache, and a parser that saw
		// the previous inputs may take the same-day path; both must agree.
		var r2 event.Request
		if err := p.Parse(Combined, b, &r2); err != nil || viewOf(&r2) != viewOf(&r) {
			t.Fatalf("cached parse differs: %v %+v", err, viewOf(&r2))
		}
		fuzzParserMu.Lock()
		err = fuzzParser.Parse(Combined, b, &r2)
		fuzzParserMu.Unlock()
		if err != nil || viewOf(&r2) != viewOf(&r) {
			t.Fatalf("parse with a used parser differs: %v %+v", err, viewOf(&r2))
		}
	})
}

// FuzzParseCSV checks the CSV parser's invariants and, for lines that
// encoding/csv reads as one record, that the fields agree with it.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		`"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234`,
		`10.0.0.2,-,apache,1549573860,GET /api/user HTTP/1.0,200,1234`,
		`"10.0.0.2","-","apache","1549573860","GET /a""b HTTP/1.0","200","-",x`,
		`"remotehost","rfc931","authuser","date","request","status","bytes"`,
		`"","","",0,"",-,-`,
		`"a"b,"`,
	} {
		f.Add(s)
	}
	for i, l := range readLines(f, "sample_csv.txt.gz") {
		if i%101 == 0 {
			f.Add(string(l))
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		b := []byte(line)
		var p Parser
		var r event.Request
		err := p.Parse(CSV, b, &r)
		if err == nil {
			checkInvariants(t, b, &r)
		}

		if strings.ContainsAny(line, "\r\n") {
			return // encoding/csv would read those as line ends
		}
		cr := csv.NewReader(strings.NewReader(line))
		cr.FieldsPerRecord = -1
		rec, cerr := cr.Read()
		if cerr != nil {
			return // not CSV by RFC 4180; we are more lenient, and that is fine
		}
		if len(rec) < 7 {
			if err == nil {
				t.Fatalf("line %q has %d fields, parser accepted it", line, len(rec))
			}
			return
		}
		date, dateErr := strconv.ParseUint(rec[3], 10, 63)
		wantOK := dateErr == nil && len(rec[3]) <= 18 && refStatus.MatchString(rec[5]) && refBytes.MatchString(rec[6])
		if wantOK != (err == nil) {
			t.Fatalf("line %q: fields %q, parser error %v", line, rec, err)
		}
		if err != nil {
			return
		}
		undouble := func(b []byte) string { return strings.ReplaceAll(string(b), `""`, `"`) }
		var want view
		refSplitRequest(rec[4], &want)
		got := view{TS: r.TS, Host: undouble(r.RemoteHost), Ident: undouble(r.Ident), User: undouble(r.User),
			Method: undouble(r.Method), Path: undouble(r.Path), Protocol: undouble(r.Protocol),
			Request: undouble(r.Request), Section: undouble(r.Section)}
		want.TS, want.Host, want.Ident, want.User = int64(date), refDash(rec[0]), refDash(rec[1]), refDash(rec[2])
		if got != want {
			t.Fatalf("line %q:\nencoding/csv %+v\n      parser %+v", line, want, got)
		}
	})
}
