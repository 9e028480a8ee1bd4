package ui_test

import (
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// TestGroup: consecutive messages by one author within GroupGap share a
// group; another author, a note, an event, a gap or a new day start
// another; each day opens with its separator, in the viewer's zone.
func TestGroup(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, loc)
	at := func(d, h, m int) int64 { return time.Date(2026, 11, d, h, m, 0, 0, loc).UnixMilli() }
	ann := parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	ola := parley.Author{Kind: parley.AuthorAgent, ID: 2, Name: "Ola"}
	vis := parley.Author{Kind: parley.AuthorVisitor}
	items := []ui.Item{
		{Key: "1", From: vis, At: at(28, 9, 0)},                         // Sat 28 Nov
		{Key: "2", From: vis, At: at(28, 9, 4)},                         // same group
		{Key: "3", From: vis, At: at(28, 9, 10)},                        // 6 min later: new group
		{Key: "4", From: vis, At: at(29, 0, 30)},                        // next day (23:30 UTC the 28th)
		{Key: "5", From: ann, At: at(30, 10, 0)},                        // today
		{Key: "6", From: ola, At: at(30, 10, 1)},                        // another agent
		{Key: "7", From: ola, At: at(30, 10, 2), Kind: parley.KindNote}, // a note stands alone
		{Key: "8", From: ola, At: at(30, 10, 3)},                        // after the note: new group
		{Key: "9", From: parley.Author{Kind: parley.AuthorSite}, At: at(30, 10, 3), Kind: parley.KindEvent},
		{Key: "10", From: vis, At: at(30, 10, 4)},
		{Key: "11", From: vis, At: at(30, 10, 5)},
		{Key: "12", From: vis, Status: ui.Sending}, // on its way: joins, no time
	}
	type want struct {
		day         string
		first, last bool
	}
	wants := []want{
		{"Sat 28 Nov", true, false},
		{"", false, true},
		{"", true, true},
		{"Yesterday", true, true},
		{"Today", true, true},
		{"", true, true},
		{"", true, true},
		{"", true, true},
		{"", true, true},
		{"", true, false},
		{"", false, true},
		{"", false, true},
	}
	rows := ui.Group(items, now, i18n.EN)
	if len(rows) != len(wants) {
		t.Fatalf("%d rows, want %d", len(rows), len(wants))
	}
	for i, w := range wants {
		r := rows[i]
		if r.Key != items[i].Key || r.Day != w.day || r.First != w.first || r.Last != w.last {
			t.Errorf("row %s: day %q first %v last %v, want %q %v %v", r.Key, r.Day, r.First, r.Last, w.day, w.first, w.last)
		}
	}
	// A first message on its way is today's already.
	if got := ui.Group([]ui.Item{{Key: "out-a", From: vis, Status: ui.Sending}}, now, i18n.EN); got[0].Day != "Today" {
		t.Errorf("a message on its way: day %q, want Today", got[0].Day)
	}
	if got := ui.Group(nil, now, i18n.EN); len(got) != 0 {
		t.Errorf("Group(nil) = %v", got)
	}
}

func TestDayLabel(t *testing.T) {
	loc := time.FixedZone("EST", -5*3600)
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, loc)
	for _, c := range []struct {
		t    time.Time
		lang i18n.Lang
		want string
	}{
		{time.Date(2026, 11, 30, 0, 1, 0, 0, loc), i18n.EN, "Today"},
		// 03:00 UTC on the 30th is still the 29th in New York.
		{time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), i18n.EN, "Yesterday"},
		{time.Date(2026, 11, 28, 12, 0, 0, 0, loc), i18n.EN, "Sat 28 Nov"},
		{time.Date(2025, 11, 28, 12, 0, 0, 0, loc), i18n.EN, "Fri 28 Nov 2025"},
		{time.Date(2026, 11, 30, 1, 0, 0, 0, loc), i18n.DE, "Heute"},
		{time.Date(2026, 11, 28, 12, 0, 0, 0, loc), i18n.DE, "Sa., 28. Nov."},
		{time.Date(2026, 11, 28, 12, 0, 0, 0, loc), i18n.PL, "sob. 28 lis"},
	} {
		if got := ui.DayLabel(c.t, now, c.lang); got != c.want {
			t.Errorf("DayLabel(%v, %s) = %q, want %q", c.t, c.lang, got, c.want)
		}
	}
}

func TestEmojiMove(t *testing.T) {
	n := len(ui.Emojis)
	for _, c := range []struct {
		i    int
		key  string
		want int
		ok   bool
	}{
		{0, "ArrowRight", 1, true},
		{0, "ArrowLeft", 0, true},
		{3, "ArrowDown", 3 + ui.EmojiColumns, true},
		{3, "ArrowUp", 0, true},
		{n - 2, "ArrowDown", n - 1, true},
		{5, "End", n - 1, true},
		{5, "Home", 0, true},
		{5, "a", 5, false},
	} {
		if got, ok := ui.EmojiMove(c.i, n, c.key); got != c.want || ok != c.ok {
			t.Errorf("EmojiMove(%d, %s) = %d, %v; want %d, %v", c.i, c.key, got, ok, c.want, c.ok)
		}
	}
}

// TestComposerEmojiButton: with Emoji, the composer's last slot is the
// emoji button, named in the viewer's language, its picker closed.
func TestComposerEmojiButton(t *testing.T) {
	c := &ui.Composer{Key: "7", Emoji: true, Lang: i18n.DE, OnSend: func(app.Context, string) {}}
	load(t, c)
	match(t, app.Div().Class("composer-emoji-wrap"), c, 0, 6)
	match(t, app.Button().ID(ui.EmojiButtonID).Type("button").Class("composer-emoji").
		Aria("label", "Emoji").Title("Emoji").Aria("expanded", false).Aria("controls", ui.EmojiPickerID).
		OnClick(func(app.Context, app.Event) {}), c, 0, 6, 0)
	match(t, app.Span().Class("emoji-picker-none"), c, 0, 6, 1)

	off := &ui.Composer{Key: "8"}
	load(t, off)
	match(t, app.Span().Class("composer-emoji-none"), off, 0, 6)
}
