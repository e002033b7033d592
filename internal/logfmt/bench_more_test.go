package logfmt

import (
	"strings"
	"testing"
)

// moreBenchLines returns the request lines of a sample, repeated to n
// lines, without directives: a Parser without a #Fields: takes the
// default columns, which the samples' last lines have.
func moreBenchLines(b *testing.B, name string, n int) [][]byte {
	var sample [][]byte
	for _, l := range sampleLines(b, name) {
		if !strings.HasPrefix(l, "#") {
			sample = append(sample, []byte(l))
		}
	}
	if name == "iis.log" {
		sample = sample[1:] // the IIS 6 line has other columns
	}
	if name == "haproxy.log" {
		for i, l := range sample {
			sample[i] = StripPrefix(l)
		}
	}
	lines := make([][]byte, 0, n)
	for len(lines) < n {
		lines = append(lines, sample...)
	}
	return lines[:n]
}

// The parsers of the W3C, cloud and proxy formats, beside
// BenchmarkParseCombined; ns/line is the figure to compare.

func BenchmarkParseALB(b *testing.B) { benchParse(b, ALB, moreBenchLines(b, "alb.log", 400)) }
func BenchmarkParseELB(b *testing.B) { benchParse(b, ELB, moreBenchLines(b, "elb.log", 400)) }
func BenchmarkParseS3(b *testing.B)  { benchParse(b, S3, moreBenchLines(b, "s3.log", 400)) }
func BenchmarkParseHAProxy(b *testing.B) {
	benchParse(b, HAProxy, moreBenchLines(b, "haproxy.log", 400))
}
func BenchmarkParseSquid(b *testing.B) { benchParse(b, Squid, moreBenchLines(b, "squid.log", 400)) }
func BenchmarkParseW3C(b *testing.B)   { benchParse(b, W3C, moreBenchLines(b, "iis.log", 400)) }
func BenchmarkParseCloudFront(b *testing.B) {
	benchParse(b, CloudFront, moreBenchLines(b, "cloudfront.log", 400))
}

// BenchmarkStripPrefix strips a syslog header, as the Detector does for
// every line of a prefixed input.
func BenchmarkStripPrefix(b *testing.B) {
	line := []byte("Feb  6 12:14:14 localhost haproxy[14389]: " + clfLine)
	b.ReportAllocs()
	for b.Loop() {
		StripPrefix(line)
	}
}
