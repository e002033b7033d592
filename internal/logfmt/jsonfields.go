package logfmt

import (
	"strconv"
	"strings"
)

// jsonFieldAliases are other names --json-fields takes for targets.
var jsonFieldAliases = map[string]target{
	"time":        tTS,
	"timestamp":   tTS,
	"size":        tBytes,
	"uri":         tPath,
	"client":      tRemoteHost,
	"remote_addr": tRemoteHost,
	"ip":          tRemoteHost,
	"xff":         tXForwardedFor,
}

var unitNames = map[string]durationUnit{"s": unitSeconds, "ms": unitMillis, "us": unitMicros, "µs": unitMicros, "ns": unitNanos}

// ParseJSONFields parses a --json-fields mapping, comma-separated
// FIELD=KEY pairs such as "ts=start_time,path=request.uri,status=status,
// bytes=size,request_time=duration:ms". A KEY names a key of the object,
// with dots going down into nested objects; a duration's KEY may end in
// :s (the default), :ms, :us or :ns. The fields named replace the known
// layouts' keys for them; the other fields are still read from those. A
// mistake is a *FormatError with its column.
func ParseJSONFields(spec string) (*JSONLayout, error) {
	var mine []jsonKey
	var user [numTargets]string
	col := 1
	for item := range strings.SplitSeq(spec, ",") {
		itemCol := col
		col += len(item) + 1
		lead := len(item) - len(strings.TrimLeft(item, " "))
		item = strings.TrimSpace(item)
		itemCol += lead
		if item == "" {
			return nil, &FormatError{Column: itemCol, Reason: "empty item; want FIELD=KEY"}
		}
		name, key, ok := strings.Cut(item, "=")
		if !ok {
			return nil, &FormatError{Column: itemCol, Reason: strconv.Quote(item) + " is not FIELD=KEY"}
		}
		name, key = strings.TrimSpace(name), strings.TrimSpace(key)
		t := targetByName(name)
		if t == tNone {
			return nil, &FormatError{Column: itemCol, Reason: "unknown field " + strconv.Quote(name) + " (want " + strings.Join(targetNames[tTS:], ", ") + ")"}
		}
		keyCol := itemCol + strings.Index(item, "=") + 1
		if user[t] != "" {
			return nil, &FormatError{Column: itemCol, Reason: "field " + strconv.Quote(targetNames[t]) + " named twice"}
		}
		k := jsonKey{target: t}
		if t.isDuration() {
			if p, u, ok := strings.Cut(key, ":"); ok {
				unit, known := unitNames[u]
				if !known {
					return nil, &FormatError{Column: keyCol + len(p) + 1, Reason: "unknown unit " + strconv.Quote(u) + " (want s, ms, us or ns)"}
				}
				key, k.unit = p, unit
			}
		}
		for part := range strings.SplitSeq(key, ".") {
			if part == "" {
				return nil, &FormatError{Column: keyCol, Reason: "bad key " + strconv.Quote(key) + ": want a key, or keys joined by dots"}
			}
		}
		k.path = key
		user[t] = key
		mine = append(mine, k)
	}
	keys := make([]jsonKey, 0, len(knownJSONKeys)+len(mine))
	for _, k := range knownJSONKeys {
		if user[k.target] == "" {
			keys = append(keys, k)
		}
	}
	// Added last, so that a key the known layouts use for another field
	// is the user's.
	keys = append(keys, mine...)
	l := newJSONLayout(keys)
	l.user = user
	return l, nil
}

func targetByName(name string) target {
	for t := tTS; t < numTargets; t++ {
		if targetNames[t] == name {
			return t
		}
	}
	return jsonFieldAliases[name]
}
