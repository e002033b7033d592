package alertcmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/httpmon/httpmon/internal/alert"
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// manager runs the rules over one stream, as Prometheus's rules.Manager
// runs its groups: it owns the engine, the notifier, the rules file's
// watcher and the rule records in force. Only the stream's goroutine uses
// it, so a reload is applied between records, never during one.
type manager struct {
	st   *stage.Stage
	eng  *alert.Engine
	nt   *notifier
	src  *ruleSource // nil without a --rules file
	w    *watcher    // nil when the file is not watched
	dec  *event.Decoder
	enc  *event.Encoder
	errw io.Writer

	rules     []alert.Rule // in force
	ruleLines [][]byte     // the rule records of the rules in force
	announced bool         // the rule records went out
	// resumedLast is the newest second the restored rules had evaluated,
	// when a resume checkpoint restored any (resumed).
	resumed     bool
	resumedLast int64
	// v1 is set when the one rule is the default high_traffic, whose
	// alert records keep the fields this command always wrote.
	v1           bool
	needRequests bool // some rule counts request records

	tick           event.Tick
	req            event.Request
	alerts         []event.Alert
	tickedHits     int64
	toldNoRequests bool

	reloadEnc *event.Encoder
	resolved  []event.Alert // the resolutions of a reload

	ck    event.Checkpoint
	ckEnc *event.Encoder
}

// newManager builds the rules from the flags, then the engine, the
// notifier, the stage and the watcher, in that order: a usage error about
// the rules comes before anything starts.
func newManager(c *cli.Context) (*manager, error) {
	rs, src, data, err := rules(c)
	if err != nil {
		return nil, err
	}
	m := &manager{src: src, rules: rs, v1: len(rs) == 1 && rs[0].V1, errw: c.App.ErrWriter,
		dec: event.NewDecoder(), enc: event.NewEncoder(), reloadEnc: event.NewEncoder(), ckEnc: event.NewEncoder()}
	if m.eng, err = alert.NewEngine(rs); err != nil {
		return nil, stage.UsageError("%v", err)
	}
	if m.ruleLines, err = ruleRecords(event.NewEncoder(), m.eng); err != nil {
		return nil, err
	}
	if m.nt, err = newNotifier(c, m.eng); err != nil {
		return nil, err
	}
	if m.st, err = stage.New(c); err != nil {
		m.nt.close(m.errw)
		return nil, err
	}
	m.needRequests = m.eng.NeedsRequests()
	if src != nil {
		if m.w, err = watch(src, data); err != nil {
			fmt.Fprintf(m.errw, "%s: --rules %s will not be read again on SIGHUP or when it changes: %s\n",
				name, textsafe.String(src.file), textsafe.String(err.Error()))
		}
	}
	return m, nil
}

// recordsOptions makes an idle stream look for a reload to apply, when
// the rules file is watched.
func (m *manager) recordsOptions() []stage.RecordsOption {
	if m.w == nil {
		return nil
	}
	return []stage.RecordsOption{stage.OnIdle(reloadCheck, m.reloadPending)}
}

// announce writes the rule records, once, before the first output: with
// the first input record that is not another stage's rule record, passed
// on or not. A stream with no records gets none, and the stages after
// this one know the rules before any alert.
func (m *manager) announce() {
	if m.announced {
		return
	}
	m.announced = true
	for _, l := range m.ruleLines {
		// A failed write stays in the buffer and ends the stream at the
		// next one.
		m.st.Out.Write(l)
	}
}

// wants reports whether the records of kind are evaluated; the others
// pass through.
func (m *manager) wants(kind []byte) bool {
	// An earlier alert stage's rules go first, so that the rules come in
	// pipeline order.
	if string(kind) != event.KindRule {
		m.announce()
	}
	return string(kind) == event.KindTick || string(kind) == event.KindCheckpoint ||
		(m.needRequests && string(kind) == event.KindRequest)
}

// record evaluates one record that wants accepted.
func (m *manager) record(kind, raw []byte) error {
	switch string(kind) {
	case event.KindRequest:
		return m.request(raw)
	case event.KindCheckpoint:
		return m.checkpoint(raw)
	}
	return m.evalTick(raw)
}

// request counts a request record for the rules over its section or
// source, and passes it on.
func (m *manager) request(raw []byte) error {
	if err := m.dec.Request(raw, &m.req); err != nil {
		return stage.Bad(err)
	}
	m.eng.Request(&m.req)
	return m.st.Pass(raw)
}

// evalTick applies a pending reload, evaluates the rules at the tick's
// second and writes the tick, then the alerts it fired or resolved.
func (m *manager) evalTick(raw []byte) error {
	if err := m.dec.Tick(raw, &m.tick); err != nil {
		return stage.Bad(err)
	}
	if m.resumed && m.tick.TS <= m.resumedLast {
		// Evaluated before the restart, in the states restored: the
		// window wrote the ticks after its checkpoint's second again,
		// and the rules had seen some of them when it went out.
		return m.st.Pass(raw)
	}
	if err := m.reloadPending(); err != nil {
		return err
	}
	m.tickedHits += m.tick.Hits
	m.warnNoRequests()
	var err error
	m.alerts, err = m.eng.Tick(&m.tick, m.alerts[:0])
	var ooo *alert.OutOfOrderError
	if errors.As(err, &ooo) {
		return stage.Bad(err)
	}
	if err := m.st.Pass(raw); err != nil {
		return err
	}
	return m.emit(m.alerts)
}

// warnNoRequests says, once, that the rules over a section or source have
// no data when the first tick came without a request record before it.
// httpmon-window passes the requests of a second before its tick, so none
// by now means none are coming: this is said now, since a live pipeline
// never reaches its end.
func (m *manager) warnNoRequests() {
	if !m.needRequests || m.toldNoRequests || m.eng.SawRequests() {
		return
	}
	m.toldNoRequests = true
	m.st.Rejects.Tell(selectedRules(m.rules) + " counts the request records of a section or source, and none came before the first tick: it has no data and cannot fire until they do; run httpmon-window with --pass-requests")
}

// emit writes the alert records of one tick and hands them to the
// notifier.
func (m *manager) emit(alerts []event.Alert) error {
	for i := range alerts {
		rec := alerts[i]
		if m.v1 {
			// Byte for byte what this command always wrote.
			rec.StripToV1()
		}
		if err := m.st.Emit(m.enc.Alert(&rec)); err != nil {
			return err
		}
		m.nt.send(&alerts[i])
	}
	if len(alerts) > 0 {
		// An alert is what a person is waiting for: don't let it sit in a
		// buffer behind a busy stream.
		return m.st.Out.Flush()
	}
	return nil
}

// finish says what the stream lacked, ends the stage with err, the
// outcome of the records loop, and stops the notifier.
func (m *manager) finish(err error) error {
	if m.needRequests && m.tickedHits > 0 && m.eng.SawRequests() && m.eng.Stats().Requests == 0 {
		fmt.Fprintf(m.errw, "%s: no request records matched the rules over a section or source\n", name)
	}
	if n := m.eng.Stats().Unclocked; n > 0 {
		fmt.Fprintf(m.errw, "%s: %d request records left out: no tick came for their seconds\n", name, n)
	}
	err = m.st.Finish(err)
	m.nt.close(m.errw)
	return err
}

// selectedRules names the rules over a section or source, for messages:
// "rule a" or "rules a, b".
func selectedRules(rs []alert.Rule) string {
	var names []string
	for i := range rs {
		if rs[i].Selected() {
			names = append(names, textsafe.String(rs[i].Name))
		}
	}
	if len(names) == 1 {
		return "rule " + names[0]
	}
	return "rules " + strings.Join(names, ", ")
}
