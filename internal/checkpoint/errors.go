package checkpoint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// invalid returns the error for a file that is not a state file.
func invalid(reason string) error {
	return errors.New("not a valid httpmon state file (" + reason + ")")
}

// whyNotState returns a short reason why b did not decode as a State.
// jsoniter's own messages are long, name Go types and quote the input raw,
// control bytes included, which a terminal would act on.
func whyNotState(b []byte, err error) string {
	switch {
	case len(bytes.TrimSpace(b)) == 0:
		return "empty file"
	case !stateJSON.Valid(b):
		return "not JSON"
	case bytes.TrimSpace(b)[0] != '{':
		return "not a JSON object"
	case strings.Contains(err.Error(), "bytes left after unmarshal"):
		return "text after the JSON object"
	}
	// "checkpoint.State.Files: []checkpoint.File: checkpoint.File.Offset:
	// readUint64: …": the last Go field named is the culprit.
	field := ""
	for _, part := range strings.Split(err.Error(), ": ") {
		if i := strings.LastIndexByte(part, '.'); strings.HasPrefix(part, "checkpoint.") && i >= 0 {
			field = part[i+1:]
		}
	}
	if name, ok := jsonNames[field]; ok {
		return fmt.Sprintf("field %q has the wrong type", name)
	}
	return "not in the state file's form"
}

// jsonNames maps the Go names of the fields to their names in the file.
var jsonNames = map[string]string{
	"Version": "version", "Files": "files", "Patterns": "patterns",
	"Path": "path", "Dev": "dev", "Ino": "ino", "FingerprintLen": "fingerprint_len",
	"Fingerprint": "fingerprint", "Offset": "offset", "Line": "line",
}

// cut shortens a quoted value so that a message stays one line.
func cut(s string) string {
	const limit = 60
	if len(s) <= limit {
		return s
	}
	n := limit
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// bare drops the file name from an *os.PathError, so that the caller can
// say which file under the name it was given, and a temporary file's name
// never shows.
func bare(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// dirError explains why no file could be created in dir.
func dirError(dir string, err error) error {
	fi, serr := os.Stat(dir)
	switch {
	case errors.Is(serr, os.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", textsafe.String(dir))
	case serr == nil && !fi.IsDir():
		return fmt.Errorf("%s is not a directory", textsafe.String(dir))
	case errors.Is(bare(serr), syscall.ENOTDIR):
		return fmt.Errorf("directory %s does not exist (a parent is not a directory)", textsafe.String(dir))
	}
	return fmt.Errorf("cannot create a file in directory %s: %w", textsafe.String(dir), bare(err))
}
