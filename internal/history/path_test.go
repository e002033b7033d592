package history

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIsHistoryPath(t *testing.T) {
	dir := t.TempDir()
	h, err := Open(filepath.Join(dir, "h.data"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	os.WriteFile(filepath.Join(dir, "state.db"), []byte(`{"version":1}`), 0o600)
	os.WriteFile(filepath.Join(dir, "empty.sqlite"), nil, 0o600)
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"h.data", true},        // by its header, whatever its name
		{"state.db", false},     // a JSON state file, whatever its name
		{"empty.sqlite", true},  // empty: by its name
		{"new.db", true},        // missing: by its name
		{"state.json", false},   // missing
		{"new.SQLite3", true},   // any case
		{"empty.json.x", false}, // missing, another name
	} {
		if got := IsHistoryPath(filepath.Join(dir, tc.name)); got != tc.want {
			t.Errorf("IsHistoryPath(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
