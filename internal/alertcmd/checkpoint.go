package alertcmd

import (
	"slices"
	"strconv"
	"strings"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/stage"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// checkpoint passes a checkpoint record on with the states of the rules
// after the tick of its second, which httpmon-window wrote before it. A
// resume checkpoint, first in a restarted pipeline, gives the rules the
// states it holds instead, and goes on unchanged; the transitions its
// store held are not notified again.
func (m *manager) checkpoint(raw []byte) error {
	if err := m.dec.Checkpoint(raw, &m.ck); err != nil {
		return stage.Bad(err)
	}
	if m.ck.Resume {
		m.restore(m.ck.Rules)
		m.nt.resumed(&m.ck)
		m.nt.refire(m.eng.Firing(nil))
		return m.st.Pass(raw)
	}
	m.ck.Rules = m.eng.States(m.ck.Rules)
	return m.st.Emit(m.ckEnc.Checkpoint(&m.ck))
}

// restore gives the rules their saved states and says which continue; a
// state that does not fit is told once, and every rule then starts
// afresh.
func (m *manager) restore(saved []event.RuleState) {
	names, err := m.eng.Restore(saved)
	if err != nil {
		m.st.Rejects.Tell("resume checkpoint: " + err.Error() + "; the rules start afresh")
		return
	}
	if len(names) == 0 {
		return
	}
	for i := range saved {
		if !slices.Contains(names, string(saved[i].Name)) {
			continue
		}
		if !m.resumed || saved[i].Last > m.resumedLast {
			m.resumed, m.resumedLast = true, saved[i].Last
		}
	}
	for i, n := range names {
		names[i] = textsafe.String(n)
	}
	m.st.Rejects.Tell(strconv.Itoa(len(names)) + " rules resumed from the checkpoint: " + strings.Join(names, ", "))
}
