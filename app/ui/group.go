package ui

import (
	"time"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// GroupGap is how far apart two messages by one author may be and still
// share a group: one name above them, one time under them.
const GroupGap = 5 * time.Minute

// Row is an Item as the message list lays it out: grouped with its
// neighbours by the same author, under the day separator it opens.
type Row struct {
	Item
	// Day labels the day separator above the row ("Today", "Yesterday",
	// "Mon 28 Nov"); "" when the row is on the same day as the one before.
	Day string
	// First starts a group (the author's name shows); Last ends it (the
	// time shows): the last row with a time, rows still on their way
	// having none. A row alone is both.
	First, Last bool
}

// Group lays items out in rows: consecutive messages by one author, on one
// day, each within GroupGap of the one before, form a group; notes and
// events stand alone. Days are the viewer's, in now's location; a row not
// stored yet (no time) is today's, and joins the group before it.
func Group(items []Item, now time.Time, lang i18n.Lang) []Row {
	rows := make([]Row, len(items))
	var prevDay time.Time
	var prevAt int64
	for i, it := range items {
		r := Row{Item: it, First: true, Last: true}
		// A row on its way is being sent today.
		t := now
		if it.At != 0 {
			t = time.UnixMilli(it.At).In(now.Location())
		}
		y, m, d := t.Date()
		if day := time.Date(y, m, d, 0, 0, 0, 0, now.Location()); !day.Equal(prevDay) {
			r.Day, prevDay = DayLabel(t, now, lang), day
		}
		if i > 0 && r.Day == "" && joins(items[i-1], it, prevAt) {
			r.First = false
			if it.At != 0 {
				// A row on its way has no time yet: the one before
				// keeps showing its.
				rows[i-1].Last = false
			}
		}
		if it.At != 0 {
			prevAt = it.At
		}
		rows[i] = r
	}
	return rows
}

// joins says whether it continues the group of prev, whose last known time
// is prevAt.
func joins(prev, it Item, prevAt int64) bool {
	if prev.Kind != parley.KindMessage || it.Kind != parley.KindMessage {
		return false
	}
	if prev.From.Kind != it.From.Kind {
		return false
	}
	// The viewer's own on its way has the bare kind for author
	// (Pending.Self): it joins the viewer's stored messages.
	pending := it.Status != Delivered && it.From.ID == 0
	if !pending && (prev.From.ID != it.From.ID || prev.From.Name != it.From.Name) {
		return false
	}
	if it.At == 0 || prevAt == 0 {
		return true
	}
	return time.Duration(it.At-prevAt)*time.Millisecond <= GroupGap
}

// Short weekday and month names, in English; DayLabel translates them.
var (
	weekdays = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	months   = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// DayLabel names t's day as the viewer sees it from now: "Today",
// "Yesterday", "Mon 28 Nov" within the year, "Mon 28 Nov 2025" before.
func DayLabel(t, now time.Time, lang i18n.Lang) string {
	t = t.In(now.Location())
	switch {
	case sameDay(t, now):
		return lang.T("Today")
	case sameDay(t, now.AddDate(0, 0, -1)):
		return lang.T("Yesterday")
	}
	wd, mon := lang.T(weekdays[t.Weekday()]), lang.T(months[t.Month()-1])
	if t.Year() == now.Year() {
		// Weekday, day, month; languages reorder them.
		return lang.T("%[1]s %[2]d %[3]s", wd, t.Day(), mon)
	}
	return lang.T("%[1]s %[2]d %[3]s %[4]d", wd, t.Day(), mon, t.Year())
}

// ClockTime is a message's time of day (Unix milliseconds) in now's
// location: the day separator above says which day.
func ClockTime(at int64, now time.Time) string {
	return time.UnixMilli(at).In(now.Location()).Format("15:04")
}
