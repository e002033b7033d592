package humane

import (
	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// TimeLayout is the time of an alert for people, with its zone, so that a
// line grepped out of a mail or a file still says when.
const TimeLayout = "2006-01-02 15:04:05 -0700"

// defaultRuleTitle is what people have always known the default rule by.
const defaultRuleTitle = "High traffic"

// unnamed stands for a rule without a name, which only a foreign record
// can have.
const unnamed = "(unnamed)"

// AppendRuleName appends the name people know the default rule by, and
// any other rule's own name, made safe for a terminal.
func AppendRuleName(b, name []byte) []byte {
	switch string(name) {
	case event.DefaultRuleName:
		return append(b, defaultRuleTitle...)
	case "":
		return append(b, unnamed...)
	}
	return textsafe.Append(b, name)
}

// RuleName returns the name people know a rule by, as AppendRuleName does,
// for a name that textsafe has made safe already.
func RuleName(name string) string {
	switch name {
	case event.DefaultRuleName:
		return defaultRuleTitle
	case "":
		return unnamed
	}
	return name
}
