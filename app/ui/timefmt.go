package ui

import (
	"time"

	"github.com/parley-chat/parley/app/i18n"
)

// FormatTime formats a message time (Unix milliseconds) for the line under a
// message: the clock time today, "Yesterday 15:04", a date this year, or a
// full date, all in now's location.
func FormatTime(at int64, now time.Time) string { return FormatTimeIn(i18n.EN, at, now) }

// FormatTimeIn is FormatTime in language l. The date layouts are texts
// like any other: each language's translation is its own Go layout
// ("2.01., 15:04"), so that no month names need translating.
func FormatTimeIn(l i18n.Lang, at int64, now time.Time) string {
	t := time.UnixMilli(at).In(now.Location())
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return l.T("Yesterday %s", t.Format("15:04"))
	case t.Year() == now.Year():
		return t.Format(l.T("Jan 2, 15:04"))
	default:
		return t.Format(l.T("Jan 2, 2006"))
	}
}

// ShortTime formats a time for a list row, where there is room for one word:
// the clock time today, "Yesterday", or a date.
func ShortTime(t, now time.Time) string { return ShortTimeIn(i18n.EN, t, now) }

// ShortTimeIn is ShortTime in language l.
func ShortTimeIn(l i18n.Lang, t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	switch {
	case sameDay(t, now):
		return t.Format("15:04")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return l.T("Yesterday")
	case t.Year() == now.Year():
		return t.Format(l.T("Jan 2"))
	default:
		return t.Format(l.T("Jan 2, 2006"))
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
