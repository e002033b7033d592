package stage

import (
	"runtime/debug"
	"testing"
)

func TestVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install of a tag", debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"a checkout", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("1bd79e8c0ffee0123456789abcdef", "false")}, "1bd79e8c0ffe"},
		{"a modified checkout", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("1bd79e8c0ffee0123456789abcdef", "true")}, "1bd79e8c0ffe-dirty"},
		{"nothing known", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"test binary", debug.BuildInfo{}, "(devel)"},
	}
	for _, tc := range tests {
		if got := version(&tc.info); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
