package visitor_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

// monday9 is when the site of these tests opens again: Monday 17 March
// 2025, 9:00 in Warsaw (UTC+1), seen from t0, a Wednesday.
var monday9 = time.Date(2025, 3, 17, 9, 0, 0, 0, time.FixedZone("", 3600))

func TestClosedMode(t *testing.T) {
	closed := &parley.OpenState{Next: monday9, Text: "We're back Monday at 9:00"}
	for _, tc := range []struct {
		name string
		ws   parley.WidgetSettings
		now  time.Time
		want parley.OfflineMode
	}{
		{"no hours", parley.WidgetSettings{}, t0, ""},
		{"open", parley.WidgetSettings{Open: &parley.OpenState{Open: true, Next: monday9}, Offline: parley.OfflineHide}, t0, ""},
		{"closed, default", parley.WidgetSettings{Open: closed}, t0, parley.OfflineForm},
		{"closed, form", parley.WidgetSettings{Open: closed, Offline: parley.OfflineForm}, t0, parley.OfflineForm},
		{"closed, email", parley.WidgetSettings{Open: closed, Offline: parley.OfflineEmail}, t0, parley.OfflineEmail},
		{"closed, hide", parley.WidgetSettings{Open: closed, Offline: parley.OfflineHide}, t0, parley.OfflineHide},
		{"closed, nothing in sight", parley.WidgetSettings{Open: &parley.OpenState{}, Offline: parley.OfflineEmail}, t0.AddDate(1, 0, 0), parley.OfflineEmail},
		{"closed state ran out", parley.WidgetSettings{Open: closed, Offline: parley.OfflineEmail}, monday9, ""},
	} {
		if got := visitor.ClosedMode(tc.ws, tc.now); got != tc.want {
			t.Errorf("%s: ClosedMode = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestClosedHeader(t *testing.T) {
	for _, tc := range []struct {
		mode parley.OfflineMode
		next time.Time
		want string
	}{
		{"", monday9, ""},
		{parley.OfflineForm, monday9, "We're back Monday at 9:00 — leave your email and we'll reply there"},
		{parley.OfflineForm, time.Time{}, "We're closed at the moment — leave your email and we'll reply there"},
		{parley.OfflineForm, t0.Add(4 * time.Hour), "We're back today at 14:00 — leave your email and we'll reply there"},
		{parley.OfflineEmail, monday9, visitor.ClosedEmailText},
		{parley.OfflineHide, monday9, "We're back Monday at 9:00."},
		{parley.OfflineHide, time.Time{}, "We're closed at the moment."},
	} {
		if got := visitor.ClosedHeader(tc.mode, tc.next, t0); got != tc.want {
			t.Errorf("ClosedHeader(%q, %v) = %q, want %q", tc.mode, tc.next, got, tc.want)
		}
	}
}

func TestHeader(t *testing.T) {
	away := parley.AwayState()
	closed := &parley.OpenState{Next: monday9}
	for _, tc := range []struct {
		mode parley.OfflineMode
		st   *parley.OpenState
		want string
	}{
		{"", nil, ""},
		{parley.OfflineForm, nil, ""},
		{"", &away, ""},
		{parley.OfflineForm, closed, "We're back Monday at 9:00 — leave your email and we'll reply there"},
		{parley.OfflineForm, &away, "We're away right now — leave your email and we'll reply there"},
		{parley.OfflineEmail, &away, "We're away right now — we'll answer by email"},
		{parley.OfflineHide, &away, "We're away right now."},
	} {
		if got := visitor.Header(tc.mode, tc.st, t0); got != tc.want {
			t.Errorf("Header(%q, %+v) = %q, want %q", tc.mode, tc.st, got, tc.want)
		}
	}
}

func TestTeamClosedMode(t *testing.T) {
	away := parley.AwayState()
	returnsShut := parley.OpenState{Next: monday9}
	open := &parley.OpenState{Open: true, Teams: map[string]parley.OpenState{"orders": away, "": away, "returns": returnsShut}}
	closed := &parley.OpenState{Next: monday9}
	for _, tc := range []struct {
		name     string
		st       *parley.OpenState
		offline  parley.OfflineMode
		team     string
		want     parley.OfflineMode
		wantAway bool
	}{
		{"site and team answer", open, parley.OfflineEmail, "advice", "", false},
		{"team away", open, parley.OfflineEmail, "orders", parley.OfflineEmail, true},
		{"default team away", open, parley.OfflineEmail, "", parley.OfflineEmail, true},
		{"team outside its hours", open, parley.OfflineForm, "returns", parley.OfflineForm, false},
		{"a team's closing never hides the chat", open, parley.OfflineHide, "orders", parley.OfflineForm, true},
		{"the site's closing does", closed, parley.OfflineHide, "advice", parley.OfflineHide, false},
		{"no state: open", nil, parley.OfflineHide, "orders", "", false},
	} {
		ws := parley.WidgetSettings{Open: tc.st, Offline: tc.offline}
		m, st := visitor.TeamClosedMode(ws, tc.team, t0)
		if m != tc.want || (st != nil && st.Away) != tc.wantAway {
			t.Errorf("%s: mode %q, state %+v; want %q, away %v", tc.name, m, st, tc.want, tc.wantAway)
		}
	}
}

func TestClosedForm(t *testing.T) {
	req, opt, off := parley.FieldRequired, parley.FieldOptional, parley.FieldOff
	topics := []parley.Topic{{ID: "returns", Name: "Returns"}}
	for _, tc := range []struct {
		name string
		site *parley.WidgetPreChat
		mode parley.OfflineMode
		want *parley.WidgetPreChat
	}{
		{"open keeps no form", nil, "", nil},
		{"open keeps the form", &parley.WidgetPreChat{Name: req}, "", &parley.WidgetPreChat{Name: req}},
		{"hidden keeps the form", &parley.WidgetPreChat{Name: req}, parley.OfflineHide, &parley.WidgetPreChat{Name: req}},
		{"offline form without a site form", nil, parley.OfflineForm, &parley.WidgetPreChat{Name: opt, Email: req}},
		{"offline form keeps topic and a required name", &parley.WidgetPreChat{Topic: req, Name: req, Email: opt, Topics: topics},
			parley.OfflineForm, &parley.WidgetPreChat{Topic: req, Name: req, Email: req, Topics: topics}},
		{"email mode asks the email only", nil, parley.OfflineEmail, &parley.WidgetPreChat{Name: off, Email: req}},
		{"email mode keeps the rest", &parley.WidgetPreChat{Topic: opt, Name: opt, Topics: topics},
			parley.OfflineEmail, &parley.WidgetPreChat{Topic: opt, Name: opt, Email: req, Topics: topics}},
	} {
		var before parley.WidgetPreChat
		if tc.site != nil {
			before = *tc.site
		}
		if got := visitor.ClosedForm(tc.site, tc.mode); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ClosedForm = %+v, want %+v", tc.name, got, tc.want)
		}
		if tc.site != nil && !reflect.DeepEqual(*tc.site, before) {
			t.Errorf("%s: the site's form changed: %+v", tc.name, *tc.site)
		}
	}
}

// TestClosedFormChecksEmail: closed, the form refuses a message without an
// address, takes one without a name, and sends the address with it.
func TestClosedFormChecksEmail(t *testing.T) {
	f := visitor.ClosedForm(nil, parley.OfflineForm)
	_, errs := visitor.CheckForm(f, visitor.Answers{Text: "Is the grinder back in stock?"}, 0)
	if errs.Email == "" || errs.Name != "" {
		t.Errorf("no email: errors %+v, want one on the email only", errs)
	}
	a, errs := visitor.CheckForm(f, visitor.Answers{Email: " eve@example.com ", Text: "Is the grinder back in stock?"}, 0)
	if errs.Any() {
		t.Fatalf("with an email: errors %+v", errs)
	}
	if got := a.Frame(); got.Email != "eve@example.com" || got.Text != "Is the grinder back in stock?" {
		t.Errorf("frame %+v, want the email and the message", got)
	}

	// A closed site with the form: the widget asks for it before chatting.
	c := visitor.NewChat()
	c.Form = f
	c.Apply(welcome(), t0)
	if !c.NeedsForm() {
		t.Error("closed, no conversation: NeedsForm = false, want the offline form")
	}
}

func TestHidesChat(t *testing.T) {
	idle := visitor.NewChat()
	talking := visitor.NewChat()
	talking.Apply(welcome(conv(7, 1, 0, parley.StatusOpen)), t0)
	talking.Apply(msgFrame(7, 1, "a", me, "hi"), t0)
	for _, tc := range []struct {
		name string
		mode parley.OfflineMode
		c    *visitor.Chat
		want bool
	}{
		{"open", "", idle, false},
		{"form", parley.OfflineForm, idle, false},
		{"email", parley.OfflineEmail, idle, false},
		{"hide, nothing going on", parley.OfflineHide, idle, true},
		{"hide, a conversation to finish", parley.OfflineHide, talking, false},
	} {
		if got := visitor.HidesChat(tc.mode, tc.c); got != tc.want {
			t.Errorf("%s: HidesChat = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPanelClosed(t *testing.T) {
	text := visitor.ClosedHeader(parley.OfflineHide, monday9, t0)
	p := &visitor.Panel{Now: t0, Hours: text, Closed: true}
	load(t, p)
	match(t, app.P().ID("hours").Class("widget-hours").Role("status"), p, 0, slotHeader, 3)
	match(t, app.Text(text), p, 0, slotHeader, 3, 0)
	match(t, app.Div().ID("closed").Class("closed-notice"), p, 0, slotComposer)
	match(t, app.Span().Class("transcript-none"), p, 0, slotTranscript)

	// Open: no line, the composer.
	p = &visitor.Panel{Now: t0}
	load(t, p)
	match(t, app.Span().Class("widget-hours-none"), p, 0, slotHeader, 3)
	match(t, app.Div().Class("composer composer-empty"), p, 0, slotComposer, 0)
}

// TestPanelPreviewNotice: a site that reads along says so under the
// composer, and only beside the composer.
func TestPanelPreviewNotice(t *testing.T) {
	p := &visitor.Panel{Now: t0, Preview: true}
	load(t, p)
	match(t, app.P().ID("preview-notice").Class("preview-notice"), p, 0, slotPreview)
	match(t, app.Text(visitor.PreviewText), p, 0, slotPreview, 0)
	p = &visitor.Panel{Now: t0}
	load(t, p)
	match(t, app.Span().Class("preview-none"), p, 0, slotPreview)
	p = &visitor.Panel{Now: t0, Preview: true, Closed: true, Hours: "We're away right now."}
	load(t, p)
	match(t, app.Span().Class("preview-none"), p, 0, slotPreview)
}

// TestPanelAwayMessage: while the header says the site is closed or
// away, the shop's own away message shows under the wait line in the
// visitor's language, else in its default; an open site, or one without
// a message, keeps only the empty slot.
func TestPanelAwayMessage(t *testing.T) {
	away := parley.AwayState()
	closed := parley.WidgetSettings{Open: &parley.OpenState{Next: monday9},
		AwayMessage: "We answer every message within a day.", AwayMessageByLang: parley.Translations{"pl": "Odpowiadamy w ciągu dnia."}}
	awayNow := closed
	awayNow.Open, awayNow.Offline = &away, parley.OfflineEmail
	open := closed
	open.Open = &parley.OpenState{Open: true, Next: monday9}
	none := parley.WidgetSettings{Open: &parley.OpenState{Next: monday9}}
	for _, tc := range []struct {
		name string
		ws   parley.WidgetSettings
		lang i18n.Lang
		want string
	}{
		{"closed, Polish visitor", closed, i18n.PL, "Odpowiadamy w ciągu dnia."},
		{"closed, English visitor", closed, i18n.EN, "We answer every message within a day."},
		{"closed, no German text", closed, i18n.DE, "We answer every message within a day."},
		{"nobody online", awayNow, i18n.PL, "Odpowiadamy w ciągu dnia."},
		{"open", open, i18n.PL, ""},
		{"no message", none, i18n.PL, ""},
	} {
		m, st := visitor.TeamClosedMode(tc.ws, "", t0)
		hours := visitor.HeaderIn(tc.lang, m, st, t0)
		if got := visitor.AwayMessage(tc.ws, tc.lang, hours); got != tc.want {
			t.Errorf("%s: AwayMessage = %q, want %q", tc.name, got, tc.want)
		}
		p := &visitor.Panel{Lang: tc.lang, Now: t0, Hours: hours, Away: visitor.AwayMessage(tc.ws, tc.lang, hours)}
		load(t, p)
		if tc.want == "" {
			match(t, app.Span().Class("away-message-none"), p, 0, slotBody, 3)
			continue
		}
		match(t, app.P().ID(visitor.AwayMessageID).Class("away-message"), p, 0, slotBody, 3)
		match(t, app.Text(tc.want), p, 0, slotBody, 3, 0)
	}

	// Text, never markup.
	p := &visitor.Panel{Now: t0, Hours: "We're away right now.", Away: "<b>Back soon</b>"}
	html := app.HTMLString(p)
	if !strings.Contains(html, "&lt;b&gt;Back soon&lt;/b&gt;") {
		t.Errorf("the away message is not escaped: %s", html)
	}
}
