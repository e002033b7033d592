package follow

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpmon/httpmon/internal/checkpoint"
)

// sim is a web server writing a log that logrotate rotates, in both of
// its ways, while a follower reads it, stops and resumes from its
// checkpoint, in an order drawn at random from a seed.
type sim struct {
	t       *testing.T
	rng     *rand.Rand
	dir     string
	log     string
	w       *os.File
	next    int  // id of the next line
	partial bool // half a line is written
	reopen  int  // ops left before the server reopens its log; 0: not renamed
	rotated int  // access.log.1 … access.log.N exist
	// seen tells that the follower has read a line of the file now at
	// the path: a file rotated away before that is not known to it, and
	// after a copytruncate nothing tells its copy apart.
	seen bool
	// complete is the number of complete lines in the file at the path.
	complete int
	now      time.Time
	fl       *Follower
	got      map[int]int
	ops      []string // for the failure message
}

func (s *sim) follower(resume *checkpoint.State) {
	fl, err := New(Options{
		Patterns:  []string{s.log},
		FromStart: true,
		Resume:    resume,
		Now:       func() time.Time { return s.now },
		Linger:    5 * time.Second,
	}, func(l Line) error {
		var id int
		if _, err := fmt.Sscanf(string(l.Text), "line %d ", &id); err != nil {
			s.t.Fatalf("after %s: bad line %q (%s:%d)", strings.Join(s.ops, " "), l.Text, l.Path, l.No())
		}
		s.got[id]++
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	s.fl = fl
}

func (s *sim) write(str string) {
	if _, err := s.w.WriteString(str); err != nil {
		s.t.Fatal(err)
	}
}

// line is a line with a body long enough for the fingerprint to cover a
// few lines, and unique.
func (s *sim) line() string {
	s.next++
	return fmt.Sprintf("line %d %s\n", s.next, strings.Repeat("x", s.rng.IntN(300)))
}

// countLine counts a line ended in the file at the path, once the server
// writes there.
func (s *sim) countLine() {
	if s.reopen == 0 {
		s.complete++
	}
}

func (s *sim) shift() {
	for i := s.rotated; i >= 1; i-- {
		check(s.t, os.Rename(fmt.Sprintf("%s.%d", s.log, i), fmt.Sprintf("%s.%d", s.log, i+1)))
	}
	s.rotated++
}

func (s *sim) poll() {
	for {
		more, err := s.fl.Poll()
		if err != nil {
			s.t.Fatal(err)
		}
		if !more {
			return
		}
	}
}

// step does one thing a server, logrotate or the follower might do.
func (s *sim) step(down bool) {
	s.now = s.now.Add(100 * time.Millisecond)
	if s.reopen > 0 {
		s.reopen--
		if s.reopen == 0 {
			s.ops = append(s.ops, "reopen")
			if s.partial {
				// A server writes whole lines; only the file can hold half.
				s.write("rest\n")
				s.partial = false
			}
			w, err := os.OpenFile(s.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			check(s.t, err)
			s.w.Close()
			s.w = w
			s.seen, s.complete = false, 0
			return
		}
	}
	switch r := s.rng.IntN(100); {
	case r < 35:
		s.ops = append(s.ops, "append")
		for range 1 + s.rng.IntN(5) {
			l := s.line()
			if s.partial {
				// The rest of the half-written line comes first.
				s.write("rest\n")
				s.partial = false
				s.countLine()
			}
			s.write(l)
			s.countLine()
		}
	case r < 45 && !s.partial:
		s.ops = append(s.ops, "half")
		l := s.line()
		s.write(l[:len(l)-1] + " ")
		s.partial = true
	case r < 52 && !s.partial && s.reopen == 0 && s.seen:
		s.ops = append(s.ops, "rename")
		s.shift()
		check(s.t, os.Rename(s.log, s.log+".1"))
		s.reopen = 1 + s.rng.IntN(3)
	case r < 58 && !s.partial && s.reopen == 0 && s.seen:
		s.ops = append(s.ops, "copytruncate")
		s.shift()
		b, err := os.ReadFile(s.log)
		check(s.t, err)
		check(s.t, os.WriteFile(s.log+".1", b, 0o644))
		check(s.t, s.w.Truncate(0))
		s.seen, s.complete = false, 0
	case down:
		s.ops = append(s.ops, "nothing")
	default:
		s.ops = append(s.ops, "poll")
		s.poll()
		if s.complete > 0 {
			s.seen = true
		}
	}
}

// Whatever the order of writes, rotations, reads and restarts, every line
// that is in the log files at the end is handed out exactly once.
func TestRandomRotationsAndRestarts(t *testing.T) {
	seeds := 60
	if testing.Short() {
		seeds = 10
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runSeed(t, seed) })
	}
}

// runSeed plays one random history.
func runSeed(t *testing.T, seed int) {
	dir := t.TempDir()
	s := &sim{t: t, rng: rand.New(rand.NewPCG(uint64(seed), 1)), dir: dir,
		log: filepath.Join(dir, "access.log"), now: time.Unix(1000, 0), got: map[int]int{}}
	w, err := os.OpenFile(s.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	check(t, err)
	s.w = w
	defer func() { s.w.Close() }()
	s.follower(nil)
	for range 300 {
		if s.rng.IntN(100) < 4 {
			// Stopped and started again, with up to one rotation
			// meanwhile: a file created and rotated away while the
			// follower is down is in no checkpoint.
			s.ops = append(s.ops, "stop")
			st := s.fl.State()
			s.fl.Close()
			rotations := 0
			for range s.rng.IntN(4) {
				before := s.rotated
				s.step(true)
				if s.rotated != before {
					rotations++
				}
				if rotations == 1 {
					break
				}
			}
			s.ops = append(s.ops, "start")
			s.follower(&st)
			continue
		}
		s.step(false)
	}
	// The server finishes its line and reopens its log; the follower
	// reads everything and lets the rotated files go.
	if s.partial {
		s.write("rest\n")
		s.partial = false
	}
	for s.reopen > 0 {
		s.step(false)
	}
	s.poll()
	s.now = s.now.Add(time.Minute)
	s.poll()
	s.fl.Close()

	files := []string{s.log}
	for i := 1; i <= s.rotated; i++ {
		files = append(files, fmt.Sprintf("%s.%d", s.log, i))
	}
	inFiles := map[int]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		check(t, err)
		for _, l := range strings.Split(string(b), "\n") {
			var id int
			if _, err := fmt.Sscanf(l, "line %d ", &id); err == nil {
				inFiles[id]++
			}
		}
	}
	for id := 1; id <= s.next; id++ {
		if inFiles[id] != 1 {
			t.Fatalf("line %d is in %d files", id, inFiles[id])
		}
		if s.got[id] != 1 {
			t.Fatalf("line %d handed out %d times; ops: %s", id, s.got[id], strings.Join(s.ops, " "))
		}
	}
}
