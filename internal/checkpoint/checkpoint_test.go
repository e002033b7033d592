package checkpoint

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := Load(path)
	if err != nil || len(s.Files) != 0 {
		t.Fatalf("missing file: %+v, %v", s, err)
	}
	want := State{Version: Version, Files: []File{{Path: "/var/log/a.log", Dev: 1, Ino: 2,
		FingerprintLen: 3, Fingerprint: Fingerprint([]byte("abc")), Offset: 10, Line: 4}}}
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

// A state file that is not one is refused with a short reason that quotes
// nothing raw from it and leaves naming the file to the caller.
func TestLoadRejects(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "not a valid httpmon state file (empty file)"},
		{"not json", "offset=3", "not a valid httpmon state file (not JSON)"},
		{"binary", "\x00\x1b[2J\x00", "not a valid httpmon state file (not JSON)"},
		{"truncated", `{"version":1,"files":[{"path":"a"`, "not a valid httpmon state file (not JSON)"},
		{"trailing junk", `{"version":1,"files":[]} x`, "not a valid httpmon state file (text after the JSON object)"},
		{"not an object", `[1,2]`, "not a valid httpmon state file (not a JSON object)"},
		{"wrong type", `{"version":1,"files":[{"path":"a","offset":"x"}]}`, `not a valid httpmon state file (field "offset" has the wrong type)`},
		{"version", `{"version":2,"files":[]}`, "version 2"},
		{"negative offset", `{"version":1,"files":[{"path":"a","offset":-1}]}`, `not a valid httpmon state file (bad entry for "a")`},
		{"fingerprint past offset", `{"version":1,"files":[{"path":"a","offset":1,"fingerprint_len":2}]}`, "bad entry"},
		{"no path", `{"version":1,"files":[{"offset":1}]}`, "bad entry"},
		{"control bytes in path", `{"version":1,"files":[{"path":"\u001b]0;x\u0007","offset":-1}]}`, `bad entry for "\x1b]0;x\a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\x00\x1b\x07") || strings.Contains(msg, path) || len(msg) > 100 {
				t.Fatalf("message %q quotes raw bytes, names the file or is long", msg)
			}
		})
	}
}

// A reader never sees a partly written state, however the writes and reads
// interleave.
func TestSaveAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := Save(path, State{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			// States of very different sizes, so a torn write would show.
			s := State{}
			for j := range i % 50 {
				s.Files = append(s.Files, File{Path: fmt.Sprintf("/logs/%d/%s", j, strings.Repeat("p", 200)), Offset: int64(i)})
			}
			if err := Save(path, s); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 300 {
		s, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range s.Files {
			if f.Offset != s.Files[0].Offset {
				t.Fatalf("mixed state: %+v", s)
			}
		}
	}
	close(stop)
	wg.Wait()
}

// A state that cannot be written says why in terms of what the user gave,
// not of the temporary file it writes first.
func TestSaveFailsCleanly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	err := Save(filepath.Join(dir, "state.json"), State{})
	if want := "directory " + dir + " does not exist"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err = Save(filepath.Join(file, "state.json"), State{})
	if want := file + " is not a directory"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}
