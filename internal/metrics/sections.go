package metrics

import "github.com/httpmon/httpmon/internal/event"

// sectionTable counts requests and bytes by section and status class.
//
// The first max sections with a name that appear in a summary's top list
// get a label of their own, for the rest of the run; every other request
// counts under the section OtherLabel. A labelled section counts the
// requests of the summaries that list it; in an interval where it is not
// in the top list, its requests are in OtherLabel's, since the summary
// does not say how many it had. So the sections' counters add up, class by
// class, to the summaries' totals exactly, and the number of series is
// bounded by (max + 1) × 6 whatever the log.
type sectionTable struct {
	labels labelIndex
	rows   []traffic // by label index
	other  traffic
}

// traffic is what one section label counts.
type traffic struct {
	status event.StatusCounts
	bytes  int64
}

func newSectionTable(max int) sectionTable {
	return sectionTable{labels: newLabelIndex(max), rows: make([]traffic, 0, max)}
}

// add counts the requests of one summary.
func (t *sectionTable) add(s *event.Summary) {
	rest := traffic{status: s.Status, bytes: s.Bytes}
	for i := range s.Sections {
		sec := &s.Sections[i]
		r := t.row(sec)
		if r == nil {
			continue
		}
		for c, n := range sec.Status {
			r.status[c] += n
			rest.status[c] -= n
		}
		r.bytes += sec.Bytes
		rest.bytes -= sec.Bytes
	}
	// The listed counts are exact, or lower bounds when the summary
	// counted its sections approximately, so the rest is never negative
	// but in records that contradict themselves.
	for c, n := range rest.status {
		t.other.status[c] += max(n, 0)
	}
	t.other.bytes += max(rest.bytes, 0)
}

// row returns the counters of a listed section, or nil when it counts
// under OtherLabel: it has no name or is named OtherLabel, there is no
// label left for it, or it was written by a producer that did not break
// sections down by status, whose requests are then counted exactly under
// OtherLabel from the summary's totals.
func (t *sectionTable) row(sec *event.SectionStat) *traffic {
	if len(sec.Section) == 0 || string(sec.Section) == OtherLabel || !hasStatus(sec) {
		return nil
	}
	i := t.labels.of(sec.Section)
	if i < 0 || t.labels.values[i] == OtherLabel {
		return nil
	}
	for len(t.rows) < len(t.labels.values) {
		t.rows = append(t.rows, traffic{})
	}
	return &t.rows[i]
}

func hasStatus(sec *event.SectionStat) bool {
	for _, n := range sec.Status {
		if n > 0 {
			return true
		}
	}
	return false
}
