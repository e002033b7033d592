// Package event defines the httpmon wire protocol v1: the records that the
// stages exchange as newline-delimited JSON, and their encoders and decoders.
//
// Every record is one JSON object on one line with a "kind" field. The
// encoders write fields in a fixed order so that output is byte-for-byte
// reproducible; the decoders accept fields in any order and skip fields they
// do not know, so newer producers can add fields without breaking older
// consumers.
package event

// Record kinds of protocol v1.
const (
	KindRequest = "request"
	KindTick    = "tick"
	KindSummary = "summary"
	KindAlert   = "alert"
)

// Alert states.
const (
	StateFiring   = "firing"
	StateResolved = "resolved"
)

// Request is one parsed access-log line.
//
// Byte-slice fields may alias the buffer the request was parsed or decoded
// from; they are valid until that buffer is reused. An empty slice means the
// log did not have the field (it was "-" or missing), and such fields are
// left out of the encoded record.
type Request struct {
	// TS is the request time in unix seconds.
	TS int64
	// UTCOffset is the time-zone offset of the log's timestamp in seconds
	// east of UTC; it lets later stages show times in the log's own zone.
	UTCOffset int32
	// Status is the HTTP status code, or 0 when the log had "-".
	Status int
	// Bytes is the response size, or -1 when the log had "-".
	Bytes int64

	Source     []byte // label of the input the line came from
	RemoteHost []byte
	Ident      []byte // RFC 1413 identity, almost always absent
	User       []byte
	Method     []byte
	Path       []byte // request target's path, query string included
	Protocol   []byte
	// Request holds the raw request line when it could not be split into
	// method, path and protocol (garbage sent to an HTTP port, for example);
	// such requests are still traffic and are kept.
	Request   []byte
	Section   []byte // "/" or the path up to, not including, its second "/"
	Referer   []byte
	UserAgent []byte

	// RequestTime is how long the server took over the request, in
	// seconds, or -1 when the log does not say.
	RequestTime float64
	// UpstreamTime is how long the server waited for the upstream servers
	// it proxied the request to, in seconds, or -1.
	UpstreamTime float64
	// RequestLength is the size of the request (request line, headers and
	// body) in bytes, or -1.
	RequestLength int64
	Host          []byte // the virtual host the request was for
	Scheme        []byte // "http" or "https"
	XForwardedFor []byte // the X-Forwarded-For header as logged
	Country       []byte // the client's country, as the server logged it
	// Fields are the values of log-format variables that no field above
	// stands for, in the order of the format, so that nothing a server
	// logs is dropped.
	Fields []Field
}

// Field is a named value from the log that no Request field stands for.
type Field struct {
	Name, Value []byte
}

// Reset clears r for reuse, keeping nothing from the previous request but
// the room of its Fields.
func (r *Request) Reset() {
	fields := r.Fields[:0]
	*r = Request{}
	r.Bytes, r.RequestTime, r.UpstreamTime, r.RequestLength, r.Fields = -1, -1, -1, -1, fields
}

// Status classes, indexes into StatusCounts.
const (
	Class1xx = iota
	Class2xx
	Class3xx
	Class4xx
	Class5xx
	ClassOther // missing or out-of-range status
	NumClasses
)

// StatusClass returns the StatusCounts index for an HTTP status code.
func StatusClass(status int) int {
	if status < 100 || status > 599 {
		return ClassOther
	}
	return status/100 - 1
}

// StatusCounts counts requests per status class, indexed by Class1xx…ClassOther.
type StatusCounts [NumClasses]int64

// Add adds o to c.
func (c *StatusCounts) Add(o *StatusCounts) {
	for i := range c {
		c[i] += o[i]
	}
}

// Tick is the traffic of one event-time second. httpmon-window emits one per
// second, in order and contiguous, including seconds without requests, so
// that later stages see time pass when nothing arrives.
type Tick struct {
	// Source labels the host or stream the tick is of (httpmon-window
	// --source); empty for an unlabelled window and for a merge of many.
	Source    []byte
	TS        int64 // the second, in unix seconds
	UTCOffset int32
	Hits      int64
	Bytes     int64
	Status    StatusCounts
	// Latency is the sketch of the second's request times.
	Latency Latency
}

// SectionStat is the traffic of one site section within a summary interval.
type SectionStat struct {
	Section  []byte
	Hits     int64
	Bytes    int64
	Errors4x int64
	Errors5x int64
	// Status counts the section's requests by status class, so that a
	// consumer can break its hits down exactly (Prometheus's status label).
	// Like the error counts it is a lower bound when the summary's sections
	// are approximate, and all zero in records of producers that predate it.
	Status StatusCounts
	// TopPath and TopBytes name the heaviest document of the section: the
	// largest single response seen in the interval (first one on ties).
	TopPath  []byte
	TopBytes int64
	Latency  Latency // percentiles of the section's request times
}

// Summary is the traffic of one interval [Start, End).
type Summary struct {
	Source    []byte // as in Tick
	Start     int64
	End       int64
	UTCOffset int32
	// Seconds is how many seconds of the interval were observed; it is
	// less than End-Start for the first and last interval of a stream.
	Seconds int64
	Partial bool
	Hits    int64
	RPS     float64 // Hits / Seconds
	Bytes   int64
	Status  StatusCounts
	Late    int64 // records that arrived too late for their own second
	// Latency is the percentiles of the request times of the interval's
	// ticks.
	Latency  Latency
	Sections []SectionStat
	// SectionsTotal is the number of distinct sections in the interval;
	// Sections holds only the top ones.
	SectionsTotal int64
	// SectionsApprox reports that the interval had more distinct sections
	// than httpmon-window counts exactly: SectionsTotal is an estimate, the
	// hits of each listed section may be over by up to SectionsError, and
	// its bytes, error counts and heaviest document are lower bounds.
	SectionsApprox bool
	SectionsError  int64
	// LateSources breaks Late down by source in a merged summary: the
	// sources that sent records for seconds already final.
	LateSources []SourceCount
}

// SourceCount is a count of one source in a merged record.
type SourceCount struct {
	Source []byte
	Count  int64
}

// Alert is a transition of an alert rule.
//
// The fields up to Rate are those of protocol v1, written for every rule
// with the same meaning: Hits and Rate describe the requests the rule
// watched over its window, whatever its metric. The rest describe the rule
// and the alert; they are written only when Metric is set, so that the
// classic high-traffic rule keeps the v1 record byte for byte, and a record
// without "metric" is read as the v1 rule: "hits/s" > Threshold, value Rate.
type Alert struct {
	Name      []byte
	State     []byte // StateFiring or StateResolved
	TS        int64  // second of the transition
	UTCOffset int32
	Hits      int64   // requests in the window at TS
	Threshold float64 // in the unit of Metric; requests per second in v1 records
	Window    int64   // seconds
	Rate      float64 // Hits / Window

	Metric []byte  // what the rule measures, like "5xx_ratio"; empty in v1 records
	Op     []byte  // comparison of Value with Threshold: ">", ">=", "<" or "<="
	Value  float64 // the metric at TS
	// Labels identify the alert beyond its name: the section and source
	// the rule selects, and labels from the rule's configuration.
	Labels        []Label
	For           int64 // seconds the condition had to hold before firing
	KeepFiringFor int64 // seconds the alert keeps firing after the condition clears
	StartsAt      int64 // second the alert started firing
	EndsAt        int64 // second it resolved; set in resolved records only
}

// Label is one name-value pair of an alert. Alerts keep labels sorted by
// name, so that records and payloads built from them are reproducible.
type Label struct {
	Name  []byte
	Value []byte
}
