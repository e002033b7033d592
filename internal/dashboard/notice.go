package dashboard

import (
	"fmt"
	"io"
	"strconv"

	"github.com/httpmon/httpmon/internal/event"
	"github.com/httpmon/httpmon/internal/textsafe"
)

// maxNotices is how many of the latest notices the dashboard keeps, to
// show and to print after it closes; the rest are counted.
const maxNotices = 20

// maxNoticeBytes bounds the text kept of one notice.
const maxNoticeBytes = 512

// noticeText is the line a notice's stage printed on stderr, "stage:
// [input: ][line N: ]message", escaped for the terminal and cut to
// maxNoticeBytes.
func noticeText(n *event.Notice) string {
	b := textsafe.Append(nil, n.Stage)
	b = append(b, ": "...)
	if len(n.Input) > 0 {
		b = textsafe.Append(b, n.Input)
		b = append(b, ": "...)
	}
	if n.Line > 0 {
		b = append(b, "line "...)
		b = strconv.AppendInt(b, n.Line, 10)
		b = append(b, ": "...)
	}
	b = textsafe.Append(b, n.Message)
	if len(b) > maxNoticeBytes {
		b = append(cutAtRune(b, maxNoticeBytes-len("…")), "…"...)
	}
	return string(b)
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
