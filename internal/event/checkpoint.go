package event

import (
	"fmt"

	jsoniter "github.com/json-iterator/go"
)

// KindCheckpoint is the kind of the records that carry a follower's
// position through the pipeline, in band with the data, so that a store
// at its end can commit the position with the records before it.
const KindCheckpoint = "checkpoint"

// Checkpoint is a position in the followed logs, and what each stage
// needs to resume from it exactly. httpmon-parse writes Files and
// Patterns; httpmon-window holds the record back until the seconds of the
// lines before it are out and sets Through; httpmon-alert adds its Rules.
//
// A Checkpoint with Resume set is the one a pipeline restarts from: it
// comes before any other record, and the stages restore what it holds
// rather than add to it.
//
// Byte-slice fields of a decoded Checkpoint point into the Decoder's
// buffer and are valid until its next call.
type Checkpoint struct {
	// Files are the followed files, as in the state file of httpmon-parse
	// --state: every line before the record ends at Offset.
	Files []CheckpointFile
	// Patterns are the paths and globs whose files had all been seen.
	Patterns [][]byte
	// Through is the last second whose records are all before this one:
	// every request of the lines before the position is counted in a tick
	// up to Through (or in a summary's late count), and the summary of
	// every interval up to Through is out. HasThrough is false before a
	// window set it, and when the window had seen no request.
	Through    int64
	HasThrough bool
	Resume     bool
	// Alerted, on a resume checkpoint from a store, is the newest second
	// of an alert transition the store holds: the run before the restart
	// notified it, so httpmon-alert does not notify the transitions up to
	// it again. HasAlerted is false when the store held none.
	Alerted    int64
	HasAlerted bool
	// Nats is, on a checkpoint of a merge reading a NATS stream, where in
	// the stream a restart reads again once the store holds every second
	// up to Through; its Stream is empty on the others.
	Nats CheckpointNats
	// Rules are the alert rules' states after the tick of Through.
	Rules []RuleState
}

// CheckpointNats is a position in a NATS JetStream stream: the sequence
// of the first message a restarted merge reads.
type CheckpointNats struct {
	Stream []byte
	Seq    uint64
}

// CheckpointFile is the position in one followed file.
type CheckpointFile struct {
	Path           []byte
	Dev, Ino       uint64
	FingerprintLen int64
	Fingerprint    []byte
	Offset         int64
	Line           int64
}

// Alert rule states in a checkpoint.
const (
	RuleInactive = "inactive"
	RulePending  = "pending"
	RuleFiring   = "firing"
)

// RuleState is what an alert rule needs to go on evaluating after a
// restart as if there had been none: its alert's state machine and the
// counts of its window.
type RuleState struct {
	Name []byte
	// Expr is the rule as in its rule record; a rule whose expression
	// changed starts afresh.
	Expr  []byte
	State []byte // RuleInactive, RulePending or RuleFiring
	// ActiveAt is the first second of the condition's current run (while
	// pending or firing), FiredAt the second it fired (while firing).
	ActiveAt, FiredAt int64
	// KeepingFiring is set while firing with the condition false since
	// KeepFiringSince.
	KeepingFiring   bool
	KeepFiringSince int64
	// From is the first second the rule evaluated, Last the newest.
	From, Last int64
	// Base and Hits are the counts of the seconds of the window ending at
	// Last, oldest first: the metric's count (requests, errors or bytes)
	// and the requests.
	Base, Hits []int64
	// Latency holds, for a latency rule, the sketch of each of those
	// seconds (Count 0 for one without request times); nil for the others.
	Latency []Latency
}

// Checkpoint encodes c as a "checkpoint" line.
func (e *Encoder) Checkpoint(c *Checkpoint) ([]byte, error) {
	e.begin(KindCheckpoint)
	e.s.WriteRaw(`,"files":[`)
	for i := range c.Files {
		f := &c.Files[i]
		if i > 0 {
			e.s.WriteRaw(",")
		}
		e.s.WriteRaw(`{"path":`)
		e.writeBytes(f.Path)
		e.field("dev")
		e.s.WriteUint64(f.Dev)
		e.field("ino")
		e.s.WriteUint64(f.Ino)
		e.int("fingerprint_len", f.FingerprintLen)
		e.str("fingerprint", f.Fingerprint)
		e.int("offset", f.Offset)
		e.int("line", f.Line)
		e.s.WriteRaw("}")
	}
	e.s.WriteRaw("]")
	if len(c.Patterns) > 0 {
		e.s.WriteRaw(`,"patterns":[`)
		for i, p := range c.Patterns {
			if i > 0 {
				e.s.WriteRaw(",")
			}
			e.writeBytes(p)
		}
		e.s.WriteRaw("]")
	}
	if c.HasThrough {
		e.int("through", c.Through)
	}
	if c.Resume {
		e.field("resume")
		e.s.WriteBool(true)
	}
	if c.HasAlerted {
		e.int("alerted", c.Alerted)
	}
	if len(c.Nats.Stream) > 0 {
		e.s.WriteRaw(`,"nats":{"stream":`)
		e.writeBytes(c.Nats.Stream)
		e.field("seq")
		e.s.WriteUint64(c.Nats.Seq)
		e.s.WriteRaw("}")
	}
	if len(c.Rules) > 0 {
		e.s.WriteRaw(`,"rules":[`)
		for i := range c.Rules {
			r := &c.Rules[i]
			if i > 0 {
				e.s.WriteRaw(",")
			}
			e.s.WriteRaw(`{"name":`)
			e.writeBytes(r.Name)
			e.str("expr", r.Expr)
			e.str("state", r.State)
			e.int("active_at", r.ActiveAt)
			e.int("fired_at", r.FiredAt)
			if r.KeepingFiring {
				e.int("keep_firing_since", r.KeepFiringSince)
			}
			e.int("from", r.From)
			e.int("last", r.Last)
			e.ints("base", r.Base)
			e.ints("hits", r.Hits)
			if r.Latency != nil {
				e.s.WriteRaw(`,"latency":[`)
				for i := range r.Latency {
					if i > 0 {
						e.s.WriteRaw(",")
					}
					e.sketch(&r.Latency[i])
				}
				e.s.WriteRaw("]")
			}
			e.s.WriteRaw("}")
		}
		e.s.WriteRaw("]")
	}
	return e.end()
}

// sketch writes l as an object, {"count":0} when it has no times.
func (e *Encoder) sketch(l *Latency) {
	if l.Count == 0 {
		e.s.WriteRaw(`{"count":0}`)
		return
	}
	// latency writes the member; the object is what follows its name.
	start := len(e.s.Buffer())
	e.latency(l, false)
	b := e.s.Buffer()
	obj := len(`,"latency":`)
	e.s.SetBuffer(append(b[:start], b[start+obj:]...))
}

func (e *Encoder) ints(name string, v []int64) {
	e.field(name)
	e.s.WriteRaw("[")
	for i, n := range v {
		if i > 0 {
			e.s.WriteRaw(",")
		}
		e.s.WriteInt64(n)
	}
	e.s.WriteRaw("]")
}

// Checkpoint decodes a "checkpoint" line into c, reusing its slices.
func (d *Decoder) Checkpoint(line []byte, c *Checkpoint) error {
	files, pats, rules := c.Files[:0], c.Patterns[:0], c.Rules[:0]
	*c = Checkpoint{}
	hasFiles := false
	err := d.members(line, func(f string) (err error) {
		switch f {
		case "files":
			files, err = d.checkpointFiles(f, files)
			hasFiles = true
		case "patterns":
			pats, err = d.strs(f, pats)
		case "through":
			c.Through, c.HasThrough, err = d.ts(f)
		case "resume":
			c.Resume, err = d.bool(f)
		case "alerted":
			c.Alerted, c.HasAlerted, err = d.ts(f)
		case "nats":
			err = d.checkpointNats(f, &c.Nats)
		case "rules":
			rules, err = d.ruleStates(f, rules)
		default:
			d.it.Skip()
		}
		return err
	})
	c.Files, c.Patterns, c.Rules = files, pats, rules
	if err != nil {
		return err
	}
	if !hasFiles {
		return missing("files")
	}
	return nil
}

func (d *Decoder) checkpointFiles(field string, files []CheckpointFile) ([]CheckpointFile, error) {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return files, err
	}
	for d.it.ReadArray() {
		if ok, err := d.expect("files[]", jsoniter.ObjectValue, "an object"); !ok {
			if err == nil {
				continue
			}
			return files, err
		}
		var cf CheckpointFile
		for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
			switch f {
			case "path":
				cf.Path, err = d.str("files[].path")
			case "dev":
				cf.Dev, err = d.uint64("files[].dev")
			case "ino":
				cf.Ino, err = d.uint64("files[].ino")
			case "fingerprint_len":
				cf.FingerprintLen, err = d.count("files[].fingerprint_len")
			case "fingerprint":
				cf.Fingerprint, err = d.str("files[].fingerprint")
			case "offset":
				cf.Offset, err = d.count("files[].offset")
			case "line":
				cf.Line, err = d.count("files[].line")
			default:
				d.it.Skip()
			}
		}
		if err != nil {
			return files, err
		}
		if len(cf.Path) == 0 {
			return files, missing("files[].path")
		}
		if cf.FingerprintLen > cf.Offset {
			return files, fmt.Errorf(`field "files[].fingerprint_len": %d is past "offset" %d`, cf.FingerprintLen, cf.Offset)
		}
		files = append(files, cf)
	}
	return files, d.iterError()
}

func (d *Decoder) checkpointNats(field string, n *CheckpointNats) error {
	ok, err := d.expect(field, jsoniter.ObjectValue, "an object")
	if !ok {
		return err
	}
	for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
		switch f {
		case "stream":
			n.Stream, err = d.str("nats.stream")
		case "seq":
			n.Seq, err = d.uint64("nats.seq")
		default:
			d.it.Skip()
		}
	}
	if err != nil {
		return err
	}
	if err := d.iterError(); err != nil {
		return err
	}
	if len(n.Stream) == 0 {
		return missing("nats.stream")
	}
	return nil
}

func (d *Decoder) ruleStates(field string, rules []RuleState) ([]RuleState, error) {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return rules, err
	}
	for d.it.ReadArray() {
		if ok, err := d.expect("rules[]", jsoniter.ObjectValue, "an object"); !ok {
			if err == nil {
				continue
			}
			return rules, err
		}
		var r RuleState
		for f := d.it.ReadObject(); f != "" && err == nil; f = d.it.ReadObject() {
			switch f {
			case "name":
				r.Name, err = d.str("rules[].name")
			case "expr":
				r.Expr, err = d.str("rules[].expr")
			case "state":
				r.State, err = d.str("rules[].state")
			case "active_at":
				r.ActiveAt, _, err = d.ts("rules[].active_at")
			case "fired_at":
				r.FiredAt, _, err = d.ts("rules[].fired_at")
			case "keep_firing_since":
				r.KeepFiringSince, r.KeepingFiring, err = d.ts("rules[].keep_firing_since")
			case "from":
				r.From, _, err = d.ts("rules[].from")
			case "last":
				r.Last, _, err = d.ts("rules[].last")
			case "base":
				r.Base, err = d.counts("rules[].base", r.Base)
			case "hits":
				r.Hits, err = d.counts("rules[].hits", r.Hits)
			case "latency":
				r.Latency, err = d.sketches("rules[].latency")
			default:
				d.it.Skip()
			}
		}
		if err != nil {
			return rules, err
		}
		switch {
		case len(r.Name) == 0:
			return rules, missing("rules[].name")
		case string(r.State) != RuleInactive && string(r.State) != RulePending && string(r.State) != RuleFiring:
			return rules, fmt.Errorf(`field "rules[].state": want %q, %q or %q`, RuleInactive, RulePending, RuleFiring)
		case len(r.Base) != len(r.Hits) || (r.Latency != nil && len(r.Latency) != len(r.Base)):
			return rules, fmt.Errorf(`fields "rules[].base", "rules[].hits" and "rules[].latency": %d, %d and %d seconds, want as many`, len(r.Base), len(r.Hits), len(r.Latency))
		case r.Last < r.From:
			return rules, fmt.Errorf(`field "rules[].last" is before "from"`)
		}
		rules = append(rules, r)
	}
	return rules, d.iterError()
}

// sketches reads an array of latency sketches, never nil.
func (d *Decoder) sketches(field string) ([]Latency, error) {
	v := []Latency{}
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return v, err
	}
	for d.it.ReadArray() {
		var l Latency
		if err := d.latency(field+"[]", &l); err != nil {
			return v, err
		}
		v = append(v, l)
	}
	return v, d.iterError()
}

// counts reads an array of counts.
func (d *Decoder) counts(field string, v []int64) ([]int64, error) {
	v = v[:0]
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return v, err
	}
	for d.it.ReadArray() {
		n, err := d.count(field + "[]")
		if err != nil {
			return v, err
		}
		v = append(v, n)
	}
	return v, d.iterError()
}

// strs reads an array of strings.
func (d *Decoder) strs(field string, v [][]byte) ([][]byte, error) {
	ok, err := d.expect(field, jsoniter.ArrayValue, "an array")
	if !ok {
		return v, err
	}
	for d.it.ReadArray() {
		s, err := d.str(field + "[]")
		if err != nil {
			return v, err
		}
		if s != nil {
			v = append(v, s)
		}
	}
	return v, d.iterError()
}

// uint64 reads a non-negative integer of up to 64 bits, such as an inode
// number, exactly.
func (d *Decoder) uint64(field string) (uint64, error) {
	ok, err := d.expect(field, jsoniter.NumberValue, "a number")
	if !ok {
		return 0, err
	}
	n := d.it.ReadUint64()
	if d.it.Error != nil {
		return 0, fmt.Errorf("field %q: want an integer from 0 to 2^64-1", field)
	}
	return n, nil
}

func (d *Decoder) iterError() error {
	if d.it.Error != nil {
		return syntaxError(d.it.Error)
	}
	return nil
}
