package dashboard

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	jsoniter "github.com/json-iterator/go"

	"github.com/httpmon/httpmon/internal/textsafe"
)

// kindNotice is the record kind in which upstream stages repeat their
// stderr warnings (malformed and late lines, end-of-run counts), so that
// they can be shown on the dashboard rather than written across it.
const kindNotice = "notice"

// maxNotices is how many of the latest notices the dashboard keeps, to
// show and to print after it closes; the rest are counted.
const maxNotices = 20

// maxNoticeBytes bounds the text kept of one notice.
const maxNoticeBytes = 512

// decodeNotice reads a notice record into the line its stage printed on
// stderr, "stage: [input: ][line N: ]message", escaped for the terminal
// and cut to maxNoticeBytes. Notices are rate-limited at their source, so
// they are decoded with jsoniter's general iterator.
func decodeNotice(it *jsoniter.Iterator, line []byte) (string, error) {
	it.ResetBytes(line)
	it.Error = nil
	var stage, input, msg []byte
	var n int64
	hasMsg := false
	for f := it.ReadObject(); f != ""; f = it.ReadObject() {
		switch f {
		case "stage":
			stage = append(stage[:0], it.ReadString()...)
		case "input":
			input = append(input[:0], it.ReadString()...)
		case "message":
			msg, hasMsg = append(msg[:0], it.ReadString()...), true
		case "line":
			n = it.ReadInt64()
		default:
			it.Skip()
		}
	}
	if it.Error != nil {
		return "", errors.New("malformed notice record")
	}
	if len(stage) == 0 || !hasMsg {
		return "", errors.New(`notice record without "stage" or "message"`)
	}
	b := textsafe.Append(nil, stage)
	b = append(b, ": "...)
	if len(input) > 0 {
		b = textsafe.Append(b, input)
		b = append(b, ": "...)
	}
	if n > 0 {
		b = append(b, "line "...)
		b = strconv.AppendInt(b, n, 10)
		b = append(b, ": "...)
	}
	b = textsafe.Append(b, msg)
	if len(b) > maxNoticeBytes {
		b = append(cutAtRune(b, maxNoticeBytes-len("…")), "…"...)
	}
	return string(b), nil
}

// cutAtRune cuts b to at most n bytes, not inside a UTF-8 sequence.
func cutAtRune(b []byte, n int) []byte {
	for n > 0 && n < len(b) && b[n]&0xc0 == 0x80 {
		n--
	}
	return b[:n]
}

// notice keeps the text of one notice, the latest maxNotices of them.
func (s *State) notice(text string) {
	s.noticeCount++
	if len(s.notices) == maxNotices {
		copy(s.notices, s.notices[1:])
		s.notices = s.notices[:maxNotices-1]
	}
	s.notices = append(s.notices, text)
}

// Notices returns the latest notices from upstream, oldest first, and how
// many came before them that were not kept.
func (s *State) Notices() ([]string, int64) {
	return s.notices, s.noticeCount - int64(len(s.notices))
}

// noticeLine is the dashboard's line for notices: the latest one, and how
// many there were.
func noticeLine(st *State) string {
	if st.noticeCount == 0 {
		return ""
	}
	text := "! " + st.notices[len(st.notices)-1]
	if st.noticeCount > 1 {
		text += "  (" + strconv.FormatInt(st.noticeCount, 10) + " notices, listed on exit)"
	}
	return styleErr4.Render(text)
}

// WriteNotices prints the notices a dashboard received on w, after it
// closed: what upstream stages wrote on stderr meanwhile went to the
// dashboard's screen and is gone with it. prog names the report in the
// line that counts the notices not kept.
func WriteNotices(w io.Writer, st *State, prog string) {
	kept, older := st.Notices()
	if older > 0 {
		fmt.Fprintf(w, "%s: %d earlier notices from upstream stages not kept; the latest %d:\n", prog, older, len(kept))
	}
	for _, n := range kept {
		fmt.Fprintln(w, n)
	}
}
