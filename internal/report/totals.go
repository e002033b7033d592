package report

import "github.com/httpmon/httpmon/internal/event"

// KindTotal is the kind of the record httpmon-window writes at the end of
// a run with the totals of the whole run.
const KindTotal = event.KindTotal

// The top lists of a total record, in the record's order.
const (
	ListSections = event.TopSections
	ListNotFound = event.TopNotFound
	NumLists     = event.NumTopLists
)

// ListNames are the record's names of the top lists, indexed by
// ListSections….
var ListNames = event.TopListNames

// listHeads are the headings of the top lists' key columns, for people.
var listHeads = [NumLists]string{"section", "path", "client", "referer", "user agent", "virtual host", "not found (404)", "country"}

// Entry is one row of a top list, a status code or a day.
type Entry struct {
	Key   []byte
	Hits  int64
	Bytes int64
}

// Totals is what the report shows of a total record: the whole run's
// counts. It is the report's own, so that the renderer does not depend on
// how the record is decoded.
type Totals struct {
	Start, End int64 // the first second and one past the last seen
	UTCOffset  int32
	Seconds    int64 // seconds observed
	Hits       int64
	Bytes      int64
	Late       int64
	Status     event.StatusCounts
	Codes      []Entry // by hits; Bytes unused
	Latency    event.Latency
	Lists      [NumLists][]Entry
	// Approx holds, for each list that went approximate, the most by
	// which a listed hits may be too high; zero when the list is exact.
	Approx      [NumLists]int64
	Hours       [24]int64 // hits per hour of day in the log's own zone
	HasHours    bool
	Days        []Entry // by date, key YYYY-MM-DD
	DaysDropped int64
}

// reset empties t, keeping the capacity of its slices.
func (t *Totals) reset() {
	lists, codes, days := t.Lists, t.Codes[:0], t.Days[:0]
	*t = Totals{Codes: codes, Days: days}
	for i := range lists {
		t.Lists[i] = lists[i][:0]
	}
}
