package reportcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/history"
	"github.com/httpmon/httpmon/internal/lineio"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// historyFlags are the flags of the stored history.
func historyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "db", Usage: "also store what reaches the report (ticks, summaries, totals, alerts, rules) in this SQLite history `FILE`, created mode 0600; replays are stored once"},
		&cli.DurationFlag{Name: "keep-seconds", Value: history.DefaultKeepSeconds * time.Second,
			Usage: "keep the per-second data of --db this long before its newest second"},
		&cli.DurationFlag{Name: "keep", Value: history.DefaultKeep * time.Second,
			Usage: "keep the per-minute and per-hour rollups, summaries, totals and alerts of --db this long before its newest second"},
		&cli.StringFlag{Name: "source", Usage: "label the records that carry no \"source\" of their own with this in --db (default: none, this pipeline)"},
		&cli.StringFlag{Name: "db-max-size", Usage: "bound the --db file to this `SIZE` (like 500MiB or 2GiB): past it, storing fails as on a full disk while the report goes on (default: no bound)"},
	}
}

// pageSize is SQLite's page size, which --db-max-size counts in.
const pageSize = 4096

// maxSize reads --db-max-size as a number of pages; 0 without it.
func maxSize(c *cli.Context) (int64, error) {
	v := c.String("db-max-size")
	if v == "" {
		return 0, nil
	}
	num := strings.TrimRight(v, "KMGTiBkb")
	unit := v[len(num):]
	mult, ok := map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
		"kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n < 1 || n > (1<<50)/mult {
		return 0, stage.UsageError("--db-max-size must be a size like 500MiB or 2GiB, got %q", v)
	}
	pages := n * mult / pageSize
	if pages < 16 {
		return 0, stage.UsageError("--db-max-size must be at least 64KiB, got %q", v)
	}
	return pages, nil
}

// maxKeep is the longest retention accepted: a century, far from overflow.
const maxKeep = 100 * 366 * 86400

// openHistory opens the store of --db, or a private one of this run when
// temp asks for one, or returns nil. Its flags are checked first, as usage
// errors.
func openHistory(c *cli.Context, temp bool) (*recorder, error) {
	keepSeconds, err := keepFlag(c, "keep-seconds", 60)
	if err != nil {
		return nil, err
	}
	keep, err := keepFlag(c, "keep", 3600)
	if err != nil {
		return nil, err
	}
	pages, err := maxSize(c)
	if err != nil {
		return nil, err
	}
	opt := history.Options{Source: c.String("source"), KeepSeconds: keepSeconds, Keep: keep, MaxPages: pages}
	var s *history.Store
	path := c.String("db")
	switch {
	case c.IsSet("db") && path == "":
		return nil, stage.UsageError("--db needs the name of a file")
	case c.IsSet("db"):
		s, err = history.Open(path, opt)
	case temp:
		path = "of this run"
		s, err = history.OpenTemp(opt)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, cli.Exit(err.Error(), stage.ExitError)
	}
	w, err := s.NewWriter(context.Background())
	if err != nil {
		s.Close()
		return nil, cli.Exit(err.Error(), stage.ExitError)
	}
	return newRecorder(c.App.Name, path, s, w, c.App.ErrWriter), nil
}

// newRecorder starts storing through w, into s of the file path.
func newRecorder(prog, path string, s *history.Store, w *history.Writer, errw io.Writer) *recorder {
	rec := &recorder{prog: prog, path: path, store: s, w: w, errw: errw,
		ch: make(chan []byte, 16), free: make(chan []byte, 16), done: make(chan struct{})}
	go rec.run()
	return rec
}

func keepFlag(c *cli.Context, name string, least int64) (int64, error) {
	s, err := stage.Seconds(c, name, least)
	if err == nil && s > maxKeep {
		err = stage.UsageError("--%s must be at most 100 years, got %s", name, c.Duration(name))
	}
	return s, err
}

// recorder stores the records that reach the report, on a goroutine of
// its own, so that the report never waits for the disk but for a full
// queue. A store error (a full disk, a lock held too long) is reported
// once; the report goes on, and the records lost are counted.
type recorder struct {
	prog, path string
	store      *history.Store
	w          *history.Writer

	mu   sync.Mutex
	errw io.Writer // where the store's error goes; the dashboard holds it

	ch      chan []byte // chunks of whole or partial lines
	free    chan []byte
	pending []byte // lines not sent yet, of Line
	done    chan struct{}

	// Of the goroutine; read after done closes.
	rest     []byte // a partial line, of Write
	skipping bool   // in a line longer than lineio.DefaultMaxLine
	reported bool

	finished bool // of the caller: Finish has closed ch
}

// chunkSize is how much Line gathers before sending it.
const chunkSize = 64 << 10

// Line queues a record line, without its newline; nil-safe.
func (r *recorder) Line(line []byte) {
	if r == nil {
		return
	}
	if r.pending == nil {
		r.pending = r.buffer()
	}
	r.pending = append(append(r.pending, line...), '\n')
	if len(r.pending) >= chunkSize {
		r.send()
	}
}

// Idle sends what Line gathered: input has nothing more for now, and the
// store commits what it has when it has caught up.
func (r *recorder) Idle() {
	if r != nil && len(r.pending) > 0 {
		r.send()
	}
}

func (r *recorder) send() {
	r.ch <- r.pending
	r.pending = nil
}

func (r *recorder) buffer() []byte {
	select {
	case b := <-r.free:
		return b[:0]
	default:
		return make([]byte, 0, chunkSize+4096)
	}
}

// Write queues raw input, lines split anywhere, as a tee of the input.
func (r *recorder) Write(p []byte) (int, error) {
	b := append(r.buffer(), p...)
	r.ch <- b
	return len(p), nil
}

// tee returns in, copied to r as it is read; in itself when r is nil.
func (r *recorder) tee(in io.Reader) io.Reader {
	if r == nil {
		return in
	}
	return io.TeeReader(in, r)
}

func (r *recorder) run() {
	defer close(r.done)
	for chunk := range r.ch {
		r.lines(chunk)
		select {
		case r.free <- chunk:
		default:
		}
		if len(r.ch) == 0 {
			// Caught up: commit, so that what is stored is what was read.
			r.check(r.w.Flush())
		}
	}
	r.lines([]byte("\n")) // a last line without its newline
	r.check(r.w.Close())
}

// lines stores the whole lines of chunk, after the partial one before it.
func (r *recorder) lines(chunk []byte) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			r.keep(chunk)
			return
		}
		line := chunk[:i]
		chunk = chunk[i+1:]
		if len(r.rest) > 0 || r.skipping {
			r.keep(line)
			line, r.rest = r.rest, r.rest[:0]
			if r.skipping {
				r.skipping = false
				continue
			}
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		err := r.w.Line(line)
		if _, bad := errors.AsType[*history.BadRecord](err); !bad {
			// The stage reports bad records; they are not stored.
			r.check(err)
		}
	}
}

// keep adds part of a line to r.rest, unless the line is too long to read.
func (r *recorder) keep(part []byte) {
	if r.skipping {
		return
	}
	if len(r.rest)+len(part) > lineio.DefaultMaxLine {
		r.rest, r.skipping = r.rest[:0], true
		return
	}
	r.rest = append(r.rest, part...)
}

// setErrWriter sends the report of a store error to w.
func (r *recorder) setErrWriter(w io.Writer) {
	if r != nil {
		r.mu.Lock()
		r.errw = w
		r.mu.Unlock()
	}
}

// check reports the first store error.
func (r *recorder) check(err error) {
	if err == nil || r.reported {
		return
	}
	r.reported = true
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.errw, "%s: %s; the report goes on without storing, and counts what it could not store\n",
		r.prog, textsafe.String(err.Error()))
}

// Reader returns the store that r writes to, for readers of the
// history, or nil without one.
func (r *recorder) Reader() history.Reader {
	if r == nil {
		return nil
	}
	return r.store
}

// Finish stores what is queued and commits; nil-safe. The store stays
// open for its readers. It returns err, or else an error when records
// could not be stored.
func (r *recorder) Finish(err error) error {
	if r == nil {
		return err
	}
	if !r.finished {
		r.finished = true
		r.Idle()
		close(r.ch)
	}
	<-r.done
	if lost := r.w.Lost(); lost > 0 && err == nil {
		return cli.Exit(fmt.Sprintf("history %s: %d records were not stored", textsafe.String(r.path), lost), stage.ExitError)
	}
	if r.reported && err == nil {
		return cli.Exit("", stage.ExitError)
	}
	return err
}

// Close finishes and closes the store; nil-safe.
func (r *recorder) Close(err error) error {
	if r == nil {
		return err
	}
	err = r.Finish(err)
	if cerr := r.store.Close(); cerr != nil && err == nil {
		err = cli.Exit(cerr.Error(), stage.ExitError)
	}
	return err
}
