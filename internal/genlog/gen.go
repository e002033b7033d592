package genlog

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"time"
)

// config is what the flags set.
type config struct {
	Lines            int
	Format           string
	Seed             uint64
	Start            int64
	Rate             float64
	Bursts           bool
	Disorder         int
	Malformed        float64
	DistinctSections bool
	DistinctClients  bool
	TZ               string
	// ErrorBurst makes ErrorShare of the requests logged in the
	// ErrorLen seconds from Start+ErrorAt answer 500, 502 or 503, like an
	// outage, so that error alerts have something to fire on.
	ErrorAt, ErrorLen int64
	ErrorShare        float64
}

func defaultConfig() config {
	return config{
		Lines:  1_000_000,
		Format: "combined",
		Seed:   1,
		Start:  1549573860,
		Rate:   100,
		TZ:     "+0000",
	}
}

type format int

const (
	combined format = iota
	common
	csv
)

// The shape of -bursts, in seconds of log time: each cycle is quiet, then a
// burst long enough to push the default alert's two-minute average over 10
// req/s; the quiet part is long enough for it to fall back.
const (
	cycleLen  = 600
	burstLen  = 180
	quietRate = 2.0
	// hotShare of a burst's requests go to one section, which changes from
	// burst to burst, as a real spike has a cause.
	hotShare = 0.5
	// disorderShare of requests are logged late with -disorder.
	disorderShare = 0.1
	// v6Share of clients use IPv6.
	v6Share = 0.06
)

const csvHeader = `"remotehost","rfc931","authuser","date","request","status","bytes"` + "\n"

// generator writes the log. All randomness comes from rng, drawn in a fixed
// order, so the output depends only on the config.
type generator struct {
	cfg       config
	format    format
	rng       *rand.Rand
	tz        []byte // " +0330]", ready to append
	tzOff     int64
	burstRate float64 // requests/s in a burst, with -bursts

	ips4, ips6 [][]byte

	section, depth, method, proto, status, user, referer, agent, query *table

	ts   [256]tsEntry // CLF timestamps by second, direct-mapped
	path []byte       // scratch
	host []byte       // scratch, for -distinct-clients

	// lines and malformed count what has been written.
	lines, malformed int
}

type tsEntry struct {
	unix int64
	ok   bool
	text [20]byte // "07/Feb/2019:21:11:00"
}

func newGenerator(cfg config) (*generator, error) {
	g := &generator{cfg: cfg}
	switch cfg.Format {
	case "combined":
		g.format = combined
	case "common", "clf":
		g.format = common
	case "csv":
		g.format = csv
	default:
		return nil, fmt.Errorf("-format: unknown format %q (want combined, common or csv)", cfg.Format)
	}
	switch {
	case cfg.Lines < 0:
		return nil, errors.New("-n: must not be negative")
	case !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0):
		return nil, errors.New("-rate: must be above 0")
	case cfg.Disorder < 0:
		return nil, errors.New("-disorder: must not be negative")
	case !(cfg.Malformed >= 0 && cfg.Malformed <= 1):
		return nil, errors.New("-malformed: must be a fraction from 0 to 1")
	case cfg.Start < int64(cfg.Disorder) || cfg.Start >= 253402214400: // 9999-01-01
		return nil, errors.New("-start: out of range")
	case cfg.ErrorAt < 0 || cfg.ErrorLen < 0 || !(cfg.ErrorShare >= 0 && cfg.ErrorShare <= 1):
		return nil, errors.New("-error-burst: want START,LENGTH,SHARE: seconds after -start, seconds, and a fraction from 0 to 1")
	}
	off, err := parseTZ(cfg.TZ)
	if err != nil {
		return nil, err
	}
	g.tzOff = off
	g.tz = []byte(" " + cfg.TZ + "]")
	if cfg.Bursts {
		// The mean over a cycle stays cfg.Rate, unless that is too low for a
		// burst to matter.
		quiet := min(quietRate, cfg.Rate)
		g.burstRate = max((cfg.Rate*cycleLen-quiet*(cycleLen-burstLen))/burstLen, 30)
	}

	g.rng = rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	g.ips4 = make([][]byte, 3000)
	for i := range g.ips4 {
		a := [4]byte{byte(1 + g.rng.IntN(223)), byte(g.rng.IntN(256)), byte(g.rng.IntN(256)), byte(1 + g.rng.IntN(254))}
		if a[0] == 10 || a[0] == 127 {
			a[0]++
		}
		g.ips4[i] = netip.AddrFrom4(a).AppendTo(nil)
	}
	g.ips6 = make([][]byte, 200)
	prefixes := []uint16{0x2001, 0x2a02, 0x2600, 0x2804, 0x2400, 0x2a01}
	for i := range g.ips6 {
		var a [16]byte
		p := prefixes[g.rng.IntN(len(prefixes))]
		a[0], a[1] = byte(p>>8), byte(p)
		for j := 2; j < 8; j++ {
			a[j] = byte(g.rng.IntN(256))
		}
		if g.rng.IntN(2) == 0 {
			a[15] = byte(1 + g.rng.IntN(255)) // a router-assigned ::1-style host
		} else {
			for j := 8; j < 16; j++ {
				a[j] = byte(g.rng.IntN(256))
			}
		}
		g.ips6[i] = netip.AddrFrom16(a).AppendTo(nil)
	}

	w := make([]float64, len(sections))
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), 1.1) // Zipf-like
	}
	g.section = newTable(w)
	g.depth = newTable([]float64{20, 40, 30, 10})
	g.method = newTable(weights(methods))
	g.proto = newTable(weights(protocols))
	g.status = newTable(weights(statuses))
	g.user = newTable(weights(users))
	g.referer = newTable(weights(referers))
	g.agent = newTable(weights(agents))
	g.query = newTable(weights(queries))
	return g, nil
}

// parseTZ parses a ±hhmm offset into seconds east of UTC.
func parseTZ(s string) (int64, error) {
	bad := fmt.Errorf("-tz: bad offset %q (want ±hhmm, like +0330)", s)
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return 0, bad
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	h, m := int64(s[1]-'0')*10+int64(s[2]-'0'), int64(s[3]-'0')*10+int64(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, bad
	}
	off := (h*60 + m) * 60
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}

// table picks an index with given weights in one random draw.
type table [1 << 12]uint8

func newTable(w []float64) *table {
	var t table
	var sum float64
	for _, x := range w {
		sum += x
	}
	var acc float64
	i := 0
	for k := range t {
		for i < len(w)-1 && (float64(k)+0.5)/float64(len(t)) >= (acc+w[i])/sum {
			acc += w[i]
			i++
		}
		t[k] = uint8(i)
	}
	return &t
}

func (g *generator) pick(t *table) int { return int(t[g.rng.Uint32()&(uint32(len(t))-1)]) }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// rateAt returns the mean number of requests in second t.
func (g *generator) rateAt(t int64) float64 {
	switch {
	case !g.cfg.Bursts:
		return g.cfg.Rate
	case g.inBurst(t):
		return g.burstRate
	}
	return min(quietRate, g.cfg.Rate)
}

// inBurst reports whether second t is in a burst.
func (g *generator) inBurst(t int64) bool {
	return g.cfg.Bursts && (t-g.cfg.Start)%cycleLen >= cycleLen-burstLen
}

// poisson draws a Poisson count with mean l, by Knuth's method for small
// means and a normal approximation for large ones.
func (g *generator) poisson(l float64) int {
	if l < 30 {
		limit, p, k := math.Exp(-l), 1.0, 0
		for {
			p *= g.rng.Float64()
			if p <= limit {
				return k
			}
			k++
		}
	}
	n := math.Round(l + math.Sqrt(l)*g.rng.NormFloat64())
	return int(max(n, 0))
}

// writeTo writes cfg.Lines lines to w.
func (g *generator) writeTo(w *bufio.Writer) error {
	if g.format == csv {
		if _, err := w.WriteString(csvHeader); err != nil {
			return err
		}
	}
	now, left := g.cfg.Start-1, 0
	for g.lines < g.cfg.Lines {
		for left == 0 {
			now++
			left = g.poisson(g.rateAt(now))
		}
		b := w.AvailableBuffer()
		if g.cfg.Malformed > 0 && g.chance(g.cfg.Malformed) {
			b = g.appendGarbage(b, now)
			g.malformed++
		} else {
			b = g.appendRequest(b, now)
			left--
		}
		g.lines++
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// appendRequest appends one request line logged in second now.
func (g *generator) appendRequest(b []byte, now int64) []byte {
	ts := now
	if g.cfg.Disorder > 0 && g.chance(disorderShare) {
		ts -= 1 + int64(g.rng.IntN(g.cfg.Disorder))
	}
	var host []byte
	if g.cfg.DistinctClients {
		// Counting through the addresses from 1.0.0.0: every line has its
		// own, as in a flood from a botnet, the worst case for per-client
		// tables.
		n := uint32(g.lines) + 1<<24
		g.host = strconv.AppendUint(g.host[:0], uint64(n>>24), 10)
		for sh := 16; sh >= 0; sh -= 8 {
			g.host = append(g.host, '.')
			g.host = strconv.AppendUint(g.host, uint64(n>>sh&0xff), 10)
		}
		host = g.host
	} else if g.chance(v6Share) {
		host = g.ips6[g.rng.IntN(len(g.ips6))]
	} else {
		// Cubing a uniform draw skews towards the first addresses: a few
		// clients make most requests.
		u := g.rng.Float64()
		host = g.ips4[int(u*u*u*float64(len(g.ips4)))]
	}
	user := users[g.pick(g.user)].s
	method := methods[g.pick(g.method)].s
	proto := protocols[g.pick(g.proto)].s
	g.path = g.appendPath(g.path[:0], now)
	status := statuses[g.pick(g.status)].s
	if g.cfg.ErrorShare > 0 && now-g.cfg.Start >= g.cfg.ErrorAt && now-g.cfg.Start < g.cfg.ErrorAt+g.cfg.ErrorLen &&
		g.chance(g.cfg.ErrorShare) {
		status = outageStatuses[g.rng.IntN(len(outageStatuses))]
	}
	size := g.size(method, status)

	if g.format == csv {
		b = append(b, '"')
		b = append(b, host...)
		b = append(b, `","-","`...)
		b = append(b, user...)
		b = append(b, `",`...)
		b = strconv.AppendInt(b, ts, 10)
		b = append(b, ',', '"')
		b = g.appendRequestLine(b, method, proto)
		b = append(b, '"', ',')
		b = append(b, status...)
		b = append(b, ',')
		b = appendSize(b, size)
		return append(b, '\n')
	}
	b = append(b, host...)
	b = append(b, " - "...)
	b = append(b, user...)
	b = append(b, " ["...)
	b = g.appendTime(b, ts)
	b = append(b, ' ', '"')
	b = g.appendRequestLine(b, method, proto)
	b = append(b, '"', ' ')
	b = append(b, status...)
	b = append(b, ' ')
	b = appendSize(b, size)
	if g.format == combined {
		b = append(b, ' ', '"')
		b = append(b, referers[g.pick(g.referer)].s...)
		b = append(b, `" "`...)
		b = append(b, agents[g.pick(g.agent)].s...)
		b = append(b, '"')
	}
	return append(b, '\n')
}

// appendRequestLine appends "METHOD path PROTOCOL", the request line that
// every format quotes.
func (g *generator) appendRequestLine(b []byte, method, proto string) []byte {
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, g.path...)
	b = append(b, ' ')
	return append(b, proto...)
}

// appendPath appends a request target: a section, up to three more
// segments (the last with a file extension in sections of files), and
// sometimes a query string.
func (g *generator) appendPath(b []byte, now int64) []byte {
	b = append(b, '/')
	var s *sectionInfo
	if g.cfg.DistinctSections {
		b = append(b, scanned[g.lines%len(scanned)]...)
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(g.lines), 36)
		s = &scannedInfo
	} else {
		i := g.pick(g.section)
		if g.inBurst(now) && g.chance(hotShare) {
			i = 1 + int((now-g.cfg.Start)/cycleLen)%12 // sections 1-12 are never leaves
		}
		s = &sections[i]
		b = append(b, s.name...)
		if s.leaf {
			return g.appendQuery(b, s)
		}
	}
	more := g.pick(g.depth) // segments after the section: 0 to 3
	for range more {
		b = append(b, '/')
		if g.chance(0.3) {
			b = strconv.AppendUint(b, uint64(g.rng.IntN(100000)), 10)
		} else {
			b = append(b, segments[g.rng.IntN(len(segments))]...)
		}
	}
	if more > 0 && len(s.exts) > 0 {
		b = append(b, s.exts[g.rng.IntN(len(s.exts))]...)
	}
	return g.appendQuery(b, s)
}

func (g *generator) appendQuery(b []byte, s *sectionInfo) []byte {
	if len(s.exts) > 0 || !g.chance(0.08) {
		return b
	}
	q := queries[g.pick(g.query)].s
	b = append(b, q...)
	if q[len(q)-1] == '=' {
		b = strconv.AppendUint(b, uint64(1+g.rng.IntN(500)), 10)
	}
	return b
}

// size returns the response size for a request, or -1 for "-".
func (g *generator) size(method, status string) int64 {
	switch {
	case method == "HEAD" || status == "304" || status == "204":
		return -1
	case status[0] == '3':
		return 200 + int64(g.rng.IntN(150))
	case status[0] >= '4':
		if g.chance(0.1) {
			return -1
		}
		return 150 + int64(g.rng.IntN(800))
	case g.chance(0.01):
		return -1
	}
	// Log-normal: median about 3 kB, a long tail of large files.
	return int64(min(math.Exp(8+1.4*g.rng.NormFloat64()), 1<<31))
}

func appendSize(b []byte, n int64) []byte {
	if n < 0 {
		return append(b, '-')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendTime appends "dd/Mon/yyyy:HH:MM:SS ±hhmm]" for unix time t.
func (g *generator) appendTime(b []byte, t int64) []byte {
	e := &g.ts[uint64(t)%uint64(len(g.ts))]
	if !e.ok || e.unix != t {
		tm := time.Unix(t+g.tzOff, 0).UTC()
		y, mo, d := tm.Date()
		h, mi, s := tm.Clock()
		x := &e.text
		put2(x[0:], d)
		x[2] = '/'
		copy(x[3:6], mo.String())
		x[6] = '/'
		put2(x[7:], y/100)
		put2(x[9:], y%100)
		x[11] = ':'
		put2(x[12:], h)
		x[14] = ':'
		put2(x[15:], mi)
		x[17] = ':'
		put2(x[18:], s)
		e.unix, e.ok = t, true
	}
	b = append(b, e.text[:]...)
	return append(b, g.tz...)
}

func put2(b []byte, n int) { b[0], b[1] = byte('0'+n/10), byte('0'+n%10) }

// appendGarbage appends a line that no parser should accept, of the kinds
// found in real logs.
func (g *generator) appendGarbage(b []byte, now int64) []byte {
	host := g.ips4[g.rng.IntN(len(g.ips4))]
	switch g.rng.IntN(4) {
	case 0: // a TLS handshake sent to a plain-HTTP port, logged raw
		b = append(b, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"...)
		for range 16 {
			b = append(b, byte(0x80|g.rng.IntN(0x80)))
		}
	case 1: // a line cut short, as by a full disk
		if g.format == csv {
			b = append(b, '"')
			b = append(b, host...)
			b = append(b, `","-","-",`...)
			b = strconv.AppendInt(b, now, 10)
			break
		}
		b = append(b, host...)
		b = append(b, " - - ["...)
		x := g.appendTime(nil, now) // "dd/Mon/yyyy:HH:MM:SS +hhmm]"
		b = append(b, x[:g.rng.IntN(len(x)-1)]...)
	case 2: // an impossible date
		if g.format == csv {
			b = append(b, '"')
			b = append(b, host...)
			b = append(b, `","-","-",yesterday,"GET / HTTP/1.1",200,512`...)
		} else {
			b = append(b, host...)
			b = append(b, ` - - [31/Foo/2019:25:61:61 +0000] "GET / HTTP/1.1" 200 512`...)
		}
	default: // another program's log
		b = append(b, "Feb  7 21:11:00 web1 sshd[4242]: Invalid user admin from "...)
		b = append(b, host...)
		b = append(b, " port 52113"...)
	}
	return append(b, '\n')
}

type weighted struct {
	s string
	w float64
}

func weights(xs []weighted) []float64 {
	w := make([]float64, len(xs))
	for i, x := range xs {
		w[i] = x.w
	}
	return w
}

type sectionInfo struct {
	name string
	leaf bool     // the path is the section alone
	exts []string // file extensions of its last segment
}

var (
	statics = []string{".js", ".css", ".png", ".svg"}
	images  = []string{".png", ".jpg", ".gif", ".webp"}
	files   = []string{".pdf", ".zip", ".html"}
)

// sections in order of popularity. Entries 1-12 must not be leaves: bursts
// pick their hot section there.
var sections = []sectionInfo{
	{name: "api"},
	{name: "static", exts: statics},
	{name: "images", exts: images},
	{name: "products"},
	{name: "assets", exts: statics},
	{name: "blog"},
	{name: "search"},
	{name: "js", exts: []string{".js"}},
	{name: "css", exts: []string{".css"}},
	{name: "user"},
	{name: "cart"},
	{name: "category"},
	{name: "checkout"},
	{name: "", leaf: true}, // "/"
	{name: "favicon.ico", leaf: true},
	{name: "account"},
	{name: "news"},
	{name: "login", leaf: true},
	{name: "media", exts: []string{".jpg", ".mp4", ".png"}},
	{name: "uploads", exts: images},
	{name: "docs", exts: files},
	{name: "help"},
	{name: "about", leaf: true},
	{name: "contact", leaf: true},
	{name: "feeds"},
	{name: "wp-content", exts: statics},
	{name: "robots.txt", leaf: true},
	{name: "admin"},
	{name: "downloads", exts: files},
	{name: "fonts", exts: []string{".woff2", ".ttf"}},
	{name: "orders"},
	{name: "payments"},
	{name: "reports"},
	{name: "health", leaf: true},
	{name: "sitemap.xml", leaf: true},
	{name: "tags"},
	{name: "archive"},
	{name: "logout", leaf: true},
	{name: "metrics", leaf: true},
	{name: "wp-admin"},
}

var scannedInfo sectionInfo

// scanned are what scanners probe, for -distinct-sections.
var scanned = []string{"phpmyadmin", "wp-login", "cgi-bin", ".env", ".git", "xmlrpc", "vendor",
	"actuator", "solr", "jenkins", "owa", "boaform", "HNAP1", "manager", "console"}

var segments = []string{"v1", "v2", "users", "items", "list", "detail", "page", "edit", "view",
	"comments", "2019", "02", "latest", "popular", "thumb", "large", "en", "de", "settings", "profile"}

var queries = []weighted{
	{"?page=", 30}, {"?id=", 25}, {"?q=shoes", 10}, {"?q=red+dress&sort=price", 5},
	{"?utm_source=twitter&utm_medium=social", 10}, {"?ref=home&id=", 10}, {"?v=", 10},
}

var methods = []weighted{{"GET", 88}, {"POST", 8}, {"HEAD", 2}, {"PUT", 1}, {"DELETE", 0.5}, {"OPTIONS", 0.5}}

var protocols = []weighted{{"HTTP/1.1", 85}, {"HTTP/2.0", 10}, {"HTTP/1.0", 5}}

// outageStatuses are what a failing backend answers during -error-burst.
var outageStatuses = []string{"500", "502", "503"}

var statuses = []weighted{
	{"200", 80}, {"304", 6}, {"404", 4.5}, {"301", 2}, {"302", 2}, {"201", 1}, {"206", 0.5},
	{"400", 1}, {"403", 1}, {"500", 0.8}, {"503", 0.7}, {"204", 0.5},
}

var users = []weighted{{"-", 94}, {"frank", 2}, {"apache", 2}, {"alice", 1}, {"bob", 1}}

var referers = []weighted{
	{"-", 50}, {"https://www.google.com/", 15}, {"https://example.com/", 10},
	{"https://example.com/products/", 8}, {"https://example.com/blog/", 7},
	{"https://duckduckgo.com/", 5}, {"https://www.bing.com/", 3}, {"https://t.co/x9Zq1aBc", 2},
}

var agents = []weighted{
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 30},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 12},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 15},
	{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", 12},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", 8},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", 6},
	{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 7},
	{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 3},
	{"curl/8.5.0", 4},
	{"python-requests/2.31.0", 3},
}
