package genlog

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/logfmt"
)

// generate runs the generator in-process and returns its output and how
// many malformed lines it wrote.
func generate(t *testing.T, cfg config) ([]byte, int) {
	t.Helper()
	g, err := newGenerator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := g.writeTo(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), g.malformed
}

func TestDeterministic(t *testing.T) {
	cfg := defaultConfig()
	cfg.Lines = 2000
	cfg.Bursts, cfg.Disorder, cfg.Malformed = true, 5, 0.01
	a, _ := generate(t, cfg)
	b, _ := generate(t, cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different output")
	}
	cfg.Seed++
	if c, _ := generate(t, cfg); bytes.Equal(a, c) {
		t.Fatal("different seeds, same output")
	}
}

func TestParses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format logfmt.Format
		cfg    func(*config)
	}{
		{"combined", logfmt.Combined, func(c *config) {}},
		{"common", logfmt.Common, func(c *config) { c.Format = "common" }},
		{"csv", logfmt.CSV, func(c *config) { c.Format = "csv" }},
		{"tz", logfmt.Combined, func(c *config) { c.TZ = "-0330"; c.Disorder = 30 }},
		{"scanner", logfmt.Combined, func(c *config) { c.DistinctSections = true }},
		{"hostile", logfmt.Combined, func(c *config) { c.DistinctSections, c.DistinctClients = true, true }},
		{"hostile-csv", logfmt.CSV, func(c *config) { c.Format = "csv"; c.DistinctSections, c.DistinctClients = true, true }},
		{"malformed", logfmt.Combined, func(c *config) { c.Malformed = 0.2 }},
		{"malformed-csv", logfmt.CSV, func(c *config) { c.Format = "csv"; c.Malformed = 0.2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultConfig()
			cfg.Lines = 500
			tc.cfg(&cfg)
			out, malformed := generate(t, cfg)
			lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if cfg.Format == "csv" {
				if !logfmt.IsCSVHeader([]byte(lines[0])) {
					t.Fatalf("first line %q is not the csv header", lines[0])
				}
				lines = lines[1:]
			}
			if len(lines) != cfg.Lines {
				t.Fatalf("want %d lines, got %d", cfg.Lines, len(lines))
			}
			if got := logfmt.Detect([]byte(lines[len(lines)-1])); cfg.Malformed == 0 && got != tc.format && tc.format != logfmt.Common {
				t.Errorf("detected format: want %v, got %v", tc.format, got)
			}
			var p logfmt.Parser
			var req event.Request
			seen, clients := map[string]bool{}, map[string]bool{}
			errs := 0
			for i, l := range lines {
				if err := p.Parse(tc.format, []byte(l), &req); err != nil {
					errs++
					if cfg.Malformed == 0 {
						t.Errorf("line %d: %v\n%s", i+1, err, l)
					}
					continue
				}
				if len(req.Section) == 0 || len(req.Method) == 0 || req.Status == 0 {
					t.Errorf("line %d: missing section, method or status\n%s", i+1, l)
				}
				if off := int32(-(3*60 + 30) * 60); cfg.TZ == "-0330" && req.UTCOffset != off {
					t.Errorf("line %d: want offset %d, got %d", i+1, off, req.UTCOffset)
				}
				if d := cfg.Start - req.TS; d > int64(cfg.Disorder) {
					t.Errorf("line %d: time %d is before the start %d", i+1, req.TS, cfg.Start)
				}
				seen[string(req.Section)] = true
				clients[string(req.RemoteHost)] = true
			}
			if cfg.DistinctClients && len(clients) != cfg.Lines {
				t.Errorf("want %d client addresses, got %d", cfg.Lines, len(clients))
			}
			if errs != malformed {
				t.Errorf("want %d malformed lines, got %d parse errors", malformed, errs)
			}
			if cfg.Malformed > 0 && malformed == 0 {
				t.Error("no malformed lines")
			}
			if cfg.DistinctSections && len(seen) != cfg.Lines {
				t.Errorf("want %d sections, got %d", cfg.Lines, len(seen))
			}
			if !cfg.DistinctSections && len(seen) > len(sections) {
				t.Errorf("want at most %d sections, got %d: %v", len(sections), len(seen), seen)
			}
		})
	}
}

// TestBursts checks that -bursts takes the two-minute average over 10 req/s
// and back, which is what the default alert reacts to.
func TestBursts(t *testing.T) {
	cfg := defaultConfig()
	cfg.Bursts, cfg.Rate, cfg.Format = true, 20, "csv"
	cfg.Lines = 20 * 1200 // about two cycles
	out, _ := generate(t, cfg)
	perSecond := map[int64]int{}
	var p logfmt.Parser
	var req event.Request
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")[1:]
	for _, l := range lines {
		if err := p.Parse(logfmt.CSV, []byte(l), &req); err != nil {
			t.Fatal(err)
		}
		perSecond[req.TS]++
	}
	sum, above, crossings := 0, false, 0
	for ts := cfg.Start; ts < req.TS; ts++ {
		sum += perSecond[ts] - perSecond[ts-120]
		if hi := sum > 10*120; hi != above {
			crossings++
			above = hi
		}
	}
	if crossings < 3 {
		t.Errorf("two-minute average crossed 10 req/s %d times, want at least 3 (fire, resolve, fire)", crossings)
	}
}

func TestFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run([]string{"-n", "3", "-format", "common", "-seed", "7"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 3 {
		t.Errorf("want 3 lines, got %d", n)
	}
	for _, args := range [][]string{{"-format", "xml"}, {"-tz", "0000"}, {"-rate", "0"}, {"-malformed", "2"}, {"extra"}} {
		errOut.Reset()
		if code := Run(args, &out, &errOut); code != exitUsage || !strings.HasPrefix(errOut.String(), "genlog: ") {
			t.Errorf("%q: want usage error, got exit %d: %s", args, code, errOut.String())
		}
	}
}

// TestErrorBurst checks that -error-burst turns the given share of the
// requests of its seconds, and only those, into 5xx answers.
func TestErrorBurst(t *testing.T) {
	cfg := defaultConfig()
	cfg.Rate, cfg.Format, cfg.Lines = 10, "csv", 3000
	cfg.ErrorAt, cfg.ErrorLen, cfg.ErrorShare = 100, 50, 0.5
	out, _ := generate(t, cfg)
	var p logfmt.Parser
	var req event.Request
	var in, in5xx, out5xx, outside int
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		if err := p.Parse(logfmt.CSV, []byte(l), &req); err != nil {
			t.Fatal(err)
		}
		is5xx := req.Status >= 500
		if s := req.TS - cfg.Start; s >= 100 && s < 150 {
			in++
			if is5xx {
				in5xx++
			}
		} else {
			outside++
			if is5xx {
				out5xx++
			}
		}
	}
	if share := float64(in5xx) / float64(in); share < 0.4 || share > 0.6 {
		t.Errorf("5xx share in the burst %.2f (%d of %d), want about 0.5", share, in5xx, in)
	}
	if share := float64(out5xx) / float64(outside); share > 0.05 {
		t.Errorf("5xx share outside the burst %.2f, want the usual 1.5%%", share)
	}

	var o, e bytes.Buffer
	for _, args := range [][]string{{"-error-burst", "1,2"}, {"-error-burst", "a,2,0.5"}, {"-error-burst", "0,10,2"}, {"-error-burst", "-1,10,0.5"}} {
		e.Reset()
		if code := Run(args, &o, &e); code != exitUsage {
			t.Errorf("%q: want usage error, got exit %d: %s", args, code, e.String())
		}
	}
}
