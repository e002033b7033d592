package e2e_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	// The history's driver, for histsql.
	_ "modernc.org/sqlite"
)

// histsqlCmd implements "histsql FILE QUERY": it runs the SQL QUERY on the
// SQLite file FILE, an httpmon history, and prints each row of its result
// as its columns separated by spaces, so that scripts can check what
// httpmon-report --db stored without an sqlite3 command.
func histsqlCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: histsql FILE QUERY")
	}
	db, err := sql.Open("sqlite", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	rows, err := db.Query(args[1])
	ts.Check(err)
	defer rows.Close()
	cols, err := rows.Columns()
	ts.Check(err)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		ts.Check(rows.Scan(ptrs...))
		var line []string
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			line = append(line, fmt.Sprint(v))
		}
		fmt.Fprintln(ts.Stdout(), strings.Join(line, " "))
	}
	ts.Check(rows.Err())
}

// TestHistoryLocked holds the write lock of a history while
// httpmon-report --db opens it: the report fails after the busy timeout
// with an error naming the file, exit 1, and the file is unchanged.
func TestHistoryLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	cmd := command(t, "httpmon-report", "--db", path)
	cmd.Stdin = strings.NewReader("")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making the history: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cmd = command(t, "httpmon-report", "--db", path)
	cmd.Stdin = strings.NewReader(`{"kind":"tick","ts":1700000000,"hits":1,"bytes":1,"status":{"1xx":0,"2xx":1,"3xx":0,"4xx":0,"5xx":0,"other":0}}` + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if st := exitStatus(t, cmd.Run()); st != "exit 1" {
		t.Errorf("%s, want exit 1", st)
	}
	if want := "httpmon-report: history " + path + ": locked by another writer for longer than 5s"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("stderr %q, want it to start %q", stderr.String(), want)
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
	conn.ExecContext(t.Context(), `ROLLBACK`)
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the locked file was changed")
	}
}
