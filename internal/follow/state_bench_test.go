package follow

import (
	"testing"
)

// BenchmarkCheckpointState takes the state of a follower of one file, as
// httpmon-parse --state does once per --state-interval for its state file
// or its checkpoint record: its cost per line is this over the lines of
// one interval (100,000 at 100k lines/s).
func BenchmarkCheckpointState(b *testing.B) {
	path, _ := benchLog(b)
	fl, err := New(Options{Patterns: []string{path}, FromStart: true}, func(Line) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	defer fl.Close()
	for more := true; more; {
		if more, err = fl.Poll(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := fl.State(); len(s.Files) != 1 {
			b.Fatalf("state of %d files, want 1", len(s.Files))
		}
	}
}
