package follow

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// A file rotated away with more than one pass's worth of lines left, as
// after a restart from an older position, is read to its end before the
// new file at its path: their lines come in the order the server wrote
// them, so that a stage downstream does not see the new file's seconds
// first and count the old file's as late.
func TestDrainingBacklogBeforeTheNewFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rotate func(t *testing.T, h *harness)
	}{
		{"rename", func(t *testing.T, h *harness) {
			if err := os.Rename(h.path("a.log"), h.path("a.log.1")); err != nil {
				t.Fatal(err)
			}
			write(t, h.path("a.log"), "new\n")
		}},
		{"copytruncate", func(t *testing.T, h *harness) {
			b, err := os.ReadFile(h.path("a.log"))
			if err != nil {
				t.Fatal(err)
			}
			write(t, h.path("a.log.1"), string(b))
			if err := os.Truncate(h.path("a.log"), 0); err != nil {
				t.Fatal(err)
			}
			write(t, h.path("a.log"), "new\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir+"/a.log", "first\n")
			h := newHarness(t, dir, Options{Patterns: []string{"a.log"}, FromStart: true})
			h.expect("a.log:1:first")
			st := h.fl.State()
			h.fl.Close()
			var b strings.Builder
			const n = 3 * readBudget / 64
			for i := range n {
				fmt.Fprintf(&b, "old %058d\n", i)
			}
			write(t, h.path("a.log"), b.String())
			tc.rotate(t, h)
			h2 := newHarness(t, dir, Options{Patterns: []string{"a.log"}, Resume: &st})
			got := h2.poll()
			if len(got) != n+1 || !strings.HasSuffix(got[n], ":new") {
				last := ""
				for i, l := range got {
					if strings.HasSuffix(l, ":new") {
						last = fmt.Sprintf("at %d", i)
					}
				}
				t.Fatalf("%d lines, the new file's %s; want the %d old ones first", len(got), last, n)
			}
		})
	}
}
