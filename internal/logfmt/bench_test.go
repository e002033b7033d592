package logfmt

import (
	"bytes"
	"testing"

	"github.com/httpmon/httpmon/internal/event"
)

// benchLines returns n lines of a real log, spread over the file so that
// the timestamp cache sees its real hit rate.
func benchLines(b *testing.B, name string, n int) [][]byte {
	all := readLines(b, name)
	if IsCSVHeader(all[0]) {
		all = all[1:]
	}
	all = all[:min(n, len(all))]
	return all
}

// benchParse parses all lines per op, so SetBytes is their total length and
// ns/line is ns/op divided by their number.
func benchParse(b *testing.B, f Format, lines [][]byte) {
	var size int
	for _, l := range lines {
		size += len(l)
	}
	var p Parser
	var r event.Request
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, l := range lines {
			if err := p.Parse(f, l, &r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
}

// BenchmarkParseCombined parses 300 Apache combined lines and 100 nginx
// lines with an extra field.
func BenchmarkParseCombined(b *testing.B) {
	lines := append(benchLines(b, "elastic_apache_logs.log.gz", 300), benchLines(b, "lnav_zanbil_shop_access.log.gz", 100)...)
	benchParse(b, Combined, lines)
}

// BenchmarkParseCommon parses the combined lines cut after the size field.
func BenchmarkParseCommon(b *testing.B) {
	lines := benchLines(b, "elastic_apache_logs.log.gz", 300)
	for i, l := range lines {
		// The referer is the first quote after the request's closing one.
		q := bytes.IndexByte(l, '"')
		q += 1 + bytes.IndexByte(l[q+1:], '"')
		if r := bytes.IndexByte(l[q+1:], '"'); r > 0 {
			lines[i] = l[:q+r]
		}
	}
	benchParse(b, Common, lines)
}

// BenchmarkParseCSV parses 300 lines of the CSV sample.
func BenchmarkParseCSV(b *testing.B) {
	benchParse(b, CSV, benchLines(b, "sample_csv.txt.gz", 300))
}

// BenchmarkDetectorCombined is BenchmarkParseCombined through a Detector,
// as httpmon-parse --format auto parses: its cost over Parse is the
// detector's.
func BenchmarkDetectorCombined(b *testing.B) {
	lines := append(benchLines(b, "elastic_apache_logs.log.gz", 300), benchLines(b, "lnav_zanbil_shop_access.log.gz", 100)...)
	var size int
	for _, l := range lines {
		size += len(l)
	}
	var p Parser
	var r event.Request
	d := NewDetector(Auto)
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, l := range lines {
			if _, err := d.Parse(&p, l, &r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
}
