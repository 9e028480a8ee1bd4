package visitor

import (
	"strconv"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// Texts of the wait line. None of them names a time the server did not
// measure: without an estimate there is only the position.
const (
	// NobodyOnlineText is shown while nobody of the conversation's team is
	// online, instead of any time.
	NobodyOnlineText = "Nobody from the team is online right now. Leave your message and we'll answer as soon as someone is back."
	// WaitingText is shown while queued before the first queue frame.
	WaitingText = "Waiting for someone from the team…"
)

// QueueText is the wait line for a queued conversation: "You're 3rd in
// line — about 4 min", "You're next — less than a minute", or
// NobodyOnlineText. A nil status (not heard yet) is WaitingText.
func QueueText(q *parley.QueueStatus) string { return QueueTextIn(i18n.EN, q) }

// QueueTextIn is QueueText in language l. Ordinals are English only:
// other languages say "Position in line: 3", which needs no ordinal.
func QueueTextIn(l i18n.Lang, q *parley.QueueStatus) string {
	switch {
	case q == nil:
		return l.T(WaitingText)
	case q.Online <= 0:
		return l.T(NobodyOnlineText)
	}
	line := l.T("You're next")
	if q.Position > 1 {
		if l == i18n.EN || l == "" {
			line = "You're " + Ordinal(q.Position) + " in line"
		} else {
			line = l.T("Position in line: %d", q.Position)
		}
	}
	if q.Estimate != nil && *q.Estimate >= 0 {
		line += " — " + WaitTextIn(l, *q.Estimate)
	}
	return line
}

// WaitText says an estimate in seconds the way people say it: "less than a
// minute", "about 1 min", "about 4 min", "about 2 h", rounding to the
// nearest minute.
func WaitText(seconds int) string { return WaitTextIn(i18n.EN, seconds) }

// WaitTextIn is WaitText in language l.
func WaitTextIn(l i18n.Lang, seconds int) string {
	if seconds < 60 {
		return l.T("less than a minute")
	}
	min := (seconds + 30) / 60
	if min < 90 {
		return l.N(min, "about %d min", "about %d min", min)
	}
	h := (min + 30) / 60
	return l.N(h, "about %d h", "about %d h", h)
}

// Ordinal is n as an English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th,
// 21st, 112th.
func Ordinal(n int) string {
	suffix := "th"
	switch n % 100 {
	case 11, 12, 13:
	default:
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}
