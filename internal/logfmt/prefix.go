package logfmt

import "bytes"

// StripPrefix returns line without the header that a collector put before
// the access-log line it carries, or line itself if it has none. It knows
// the prefixes seen in the wild:
//
//	<134>May  9 16:00:00 web1 nginx: …                 RFC 3164 syslog, as sent
//	May  9 16:00:00 web1 haproxy[14389]: …             RFC 3164, as rsyslog writes files
//	2024-05-09T16:00:00.123+02:00 web1 nginx[12]: …    rsyslog's high-precision file format
//	<134>1 2024-05-09T16:00:00Z web1 nginx 12 - - …    RFC 5424 syslog (structured data skipped)
//	2024-05-09T16:00:00.669794202Z stdout F …          CRI (Kubernetes container logs)
//	web_1  | …                                         docker compose logs
//
// A prefix is only taken when it is whole: a line that merely starts like
// one is returned as it is, for the format's parser to judge.
func StripPrefix(line []byte) []byte {
	if len(line) == 0 {
		return line
	}
	switch c := line[0]; {
	case c == '<':
		if rest, ok := syslogPRI(line); ok {
			return rest
		}
	case isDigit(c):
		if rest, ok := timestampPrefix(line); ok {
			return rest
		}
	case isLetter(c):
		if rest, ok := bsdSyslog(line); ok {
			return rest
		}
	}
	if rest, ok := composePrefix(line); ok {
		return rest
	}
	return line
}

// syslogPRI strips "<PRI>" and the RFC 5424 or RFC 3164 header after it.
func syslogPRI(line []byte) ([]byte, bool) {
	i := 1
	for i < len(line) && i <= 4 && isDigit(line[i]) {
		i++
	}
	if i == 1 || i == len(line) || line[i] != '>' {
		return nil, false
	}
	rest := line[i+1:]
	if len(rest) > 2 && isDigit(rest[0]) && rest[1] == ' ' {
		return rfc5424(rest[2:])
	}
	if len(rest) > 0 && isDigit(rest[0]) {
		return timestampPrefix(rest)
	}
	return bsdSyslog(rest)
}

// rfc5424 strips "TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD " from an
// RFC 5424 message whose "<PRI>VERSION " is gone. The structured data is
// "-" or one or more [elements], whose quoted values may hold "\]".
func rfc5424(b []byte) ([]byte, bool) {
	i := 0
	for n := 0; n < 5; n++ {
		j := bytes.IndexByte(b[i:], ' ')
		if j <= 0 {
			return nil, false
		}
		i += j + 1
	}
	switch {
	case i < len(b) && b[i] == '-':
		i++
	case i < len(b) && b[i] == '[':
		for i < len(b) && b[i] == '[' {
			quoted := false
			for i++; i < len(b); i++ {
				if b[i] == '\\' {
					i++
				} else if b[i] == '"' {
					quoted = !quoted
				} else if b[i] == ']' && !quoted {
					break
				}
			}
			if i >= len(b) {
				return nil, false
			}
			i++
		}
	default:
		return nil, false
	}
	if i == len(b) {
		return b[i:], true
	}
	if b[i] != ' ' {
		return nil, false
	}
	return bytes.TrimPrefix(b[i+1:], []byte("\uFEFF")), true
}

// timestampPrefix strips an RFC 3339 timestamp and what follows it in a
// CRI line ("stdout F ") or an rsyslog file ("host tag: ").
func timestampPrefix(line []byte) ([]byte, bool) {
	if len(line) < 20 || line[4] != '-' || line[7] != '-' || line[10] != 'T' {
		return nil, false
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return nil, false
	}
	rest := line[sp+1:]
	for _, stream := range [...]string{"stdout ", "stderr "} {
		if len(rest) >= len(stream)+2 && string(rest[:len(stream)]) == stream &&
			(rest[len(stream)] == 'F' || rest[len(stream)] == 'P') && rest[len(stream)+1] == ' ' {
			return rest[len(stream)+2:], true
		}
	}
	return hostTag(rest)
}

// bsdSyslog strips an RFC 3164 header, "Mmm dd hh:mm:ss host tag: ",
// where the day is padded with a blank.
func bsdSyslog(line []byte) ([]byte, bool) {
	if len(line) < 16 || monthNumber(line[0], line[1], line[2]) == 0 || line[3] != ' ' ||
		!(isDigit(line[4]) || line[4] == ' ') || !isDigit(line[5]) || line[6] != ' ' {
		return nil, false
	}
	if _, ok := decodeClock(line[7:15]); !ok || line[15] != ' ' {
		return nil, false
	}
	return hostTag(line[16:])
}

// hostTag strips "host tag: " or "host tag[pid]: ", or a "tag: " alone,
// which some relays send without the host.
func hostTag(b []byte) ([]byte, bool) {
	for n := 0; n < 2; n++ {
		j := bytes.IndexByte(b, ' ')
		if j <= 0 {
			return nil, false
		}
		if b[j-1] == ':' {
			return b[j+1:], true
		}
		b = b[j+1:]
	}
	return nil, false
}

// composePrefix strips the "service  | " that docker compose puts before
// each line of a container's output.
func composePrefix(line []byte) ([]byte, bool) {
	i := 0
	for i < len(line) && (isLetter(line[i]) || isDigit(line[i]) || line[i] == '_' || line[i] == '-' || line[i] == '.') {
		i++
	}
	if i == 0 || i == len(line) || line[i] != ' ' {
		return nil, false
	}
	i = skipSep(line, i)
	if i == len(line) || line[i] != '|' {
		return nil, false
	}
	if i+1 == len(line) {
		return line[i+1:], true
	}
	if line[i+1] != ' ' {
		return nil, false
	}
	return line[i+2:], true
}
