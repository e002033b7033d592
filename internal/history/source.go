package history

import (
	"bytes"

	jsoniter "github.com/json-iterator/go"
)

var (
	sourceKey  = []byte(`"source"`)
	jsonConfig = jsoniter.Config{EscapeHTML: false}.Froze()
)

// sourceReader reads the top-level "source" member of records, which
// ticks and summaries do not carry yet: the many-servers work adds it.
type sourceReader struct {
	it *jsoniter.Iterator
}

// source returns the record's "source", or def when it has none. Only
// lines that mention the word are parsed, so that the common record costs
// one search; an alert's label "source", inside "labels", is not its own.
func (r *sourceReader) source(line []byte, def string) string {
	if !bytes.Contains(line, sourceKey) {
		return def
	}
	if r.it == nil {
		r.it = jsoniter.NewIterator(jsonConfig)
	}
	r.it.ResetBytes(line)
	src, found := def, false
	for f := r.it.ReadObject(); f != ""; f = r.it.ReadObject() {
		if f == "source" && !found && r.it.WhatIsNext() == jsoniter.StringValue {
			src, found = r.it.ReadString(), true
			continue
		}
		r.it.Skip()
	}
	if r.it.Error != nil {
		return def
	}
	return src
}
