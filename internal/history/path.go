package history

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// historyNames are the endings of a name taken for a history while the
// file does not exist yet or is still empty: the stages of a pipeline
// start together, and httpmon-report may not have made its file when a
// stage before it looks.
var historyNames = []string{".db", ".sqlite", ".sqlite3"}

// IsHistoryPath reports whether the file at path, given to a stage as
// where to resume from, is an SQLite history rather than a file of another
// kind (a JSON state file, NDJSON records): by its header, or by its name
// while it has no content yet.
func IsHistoryPath(path string) bool {
	f, err := os.Open(path)
	if err == nil {
		defer f.Close()
		head := make([]byte, len(sqliteMagic))
		if n, _ := io.ReadFull(f, head); n > 0 {
			return IsSQLite(head[:n])
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return false
	}
	return slices.Contains(historyNames, strings.ToLower(filepath.Ext(path)))
}
