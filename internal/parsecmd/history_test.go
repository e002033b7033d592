package parsecmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpmon/httpmon/internal/history"
)

func TestHistoryResume(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	log := filepath.Join(dir, "a.log")
	s, err := history.Open(db, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.NewWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{
		`{"kind":"alert","name":"busy","state":"firing","ts":105,"hits":9,"threshold":3,"window":5,"rate":1.8}`,
		`{"kind":"checkpoint","files":[{"path":"` + log + `","dev":1,"ino":2,"fingerprint_len":4,"fingerprint":"ab","offset":40,"line":2}],"patterns":["` + log + `"],"through":109,"rules":[{"name":"busy","expr":"hits > 3 over 5s","state":"firing","active_at":105,"fired_at":105,"from":100,"last":109,"base":[1,1,1,1,1],"hits":[1,1,1,1,1]}]}`,
	} {
		if err := w.Line([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(db)

	st, rec, err := historyResume(db, []string{log})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Files) != 1 || st.Files[0].Path != log || st.Files[0].Offset != 40 || st.Files[0].Ino != 2 || len(st.Patterns) != 1 {
		t.Errorf("state: %+v", st)
	}
	want := `"through":109,"resume":true,"alerted":105,"rules":[{"name":"busy"`
	if !strings.Contains(string(rec), want) || !strings.HasPrefix(string(rec), `{"kind":"checkpoint","files":[{"path":"`+log) {
		t.Errorf("resume record:\n%s\nwant it with %s", rec, want)
	}
	if after, _ := os.ReadFile(db); string(after) != string(before) {
		t.Error("reading the history changed its file")
	}

	// Another pipeline's files: no position of its own yet.
	st, rec, err = historyResume(db, []string{filepath.Join(dir, "b.log")})
	if err != nil || rec != nil || len(st.Files) != 0 {
		t.Errorf("for other files: %+v, %s, %v; want an empty state and no record", st, rec, err)
	}
}
