package visitor_test

import (
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

func queue(pos int, est *int, online int) *parley.QueueStatus {
	return &parley.QueueStatus{Position: pos, Estimate: est, Online: online}
}

func TestBusy(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    *parley.QueueStatus
		min  int
		want bool
	}{
		{"no status", nil, 5, false},
		{"no estimate", queue(9, nil, 2), 5, false},
		{"nil estimate, nobody online", queue(9, nil, 0), 5, false},
		{"nobody online", queue(9, secs(3600), 0), 5, false},
		{"off", queue(9, secs(3600), 2), 0, false},
		{"under", queue(3, secs(240), 2), 5, false},
		{"at the threshold", queue(3, secs(300), 2), 5, false},
		{"over", queue(3, secs(301), 2), 5, true},
		{"well over", queue(12, secs(720), 1), 5, true},
	} {
		if got := visitor.Busy(tc.q, tc.min); got != tc.want {
			t.Errorf("%s: Busy = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSurgeTexts(t *testing.T) {
	for _, tc := range []struct {
		secs int
		want string
	}{
		{10, "We're busy — about 1 minute."},
		{60, "We're busy — about 1 minute."},
		{100, "We're busy — about 2 minutes."},
		{720, "We're busy — about 12 minutes."},
		{740, "We're busy — about 12 minutes."},
	} {
		if got := visitor.BusyText(tc.secs); got != tc.want {
			t.Errorf("BusyText(%d) = %q, want %q", tc.secs, got, tc.want)
		}
	}
	if got, want := visitor.AlsoText("eve@example.com"), "We'll also answer at eve@example.com."; got != want {
		t.Errorf("AlsoText = %q, want %q", got, want)
	}
	if got, want := visitor.AnswerAtText("eve@example.com"), "We'll answer at eve@example.com — you can close this window."; got != want {
		t.Errorf("AnswerAtText = %q, want %q", got, want)
	}
}

func TestSurgeView(t *testing.T) {
	busy := queue(12, secs(720), 2)
	calm := queue(2, secs(120), 2)
	offer := "We're busy — about 12 minutes. " + visitor.SurgeLeaveText
	for _, tc := range []struct {
		name    string
		observe []*parley.QueueStatus
		queued  bool
		q       *parley.QueueStatus
		min     int
		known   string
		prep    func(*visitor.Surge)
		want    visitor.SurgeView
	}{
		{name: "busy", observe: []*parley.QueueStatus{busy}, queued: true, q: busy, min: 5,
			want: visitor.SurgeView{Show: true, Text: offer, Ask: true}},
		{name: "calm", observe: []*parley.QueueStatus{calm}, queued: true, q: calm, min: 5},
		{name: "off", observe: []*parley.QueueStatus{busy}, queued: true, q: busy, min: 0},
		{name: "no estimate", observe: []*parley.QueueStatus{queue(12, nil, 2)}, queued: true, q: queue(12, nil, 2), min: 5},
		{name: "nobody online", observe: []*parley.QueueStatus{queue(12, secs(720), 0)}, queued: true, q: queue(12, secs(720), 0), min: 5},
		{name: "not queued", observe: []*parley.QueueStatus{busy}, queued: false, q: busy, min: 5},
		{name: "calmed down, untouched", observe: []*parley.QueueStatus{busy, calm}, queued: true, q: calm, min: 5},
		{name: "calmed down while typing", observe: []*parley.QueueStatus{busy, calm}, queued: true, q: calm, min: 5,
			prep: func(s *visitor.Surge) { s.Email = "ev" },
			want: visitor.SurgeView{Show: true, Text: offer, Ask: true}},
		{name: "dismissed", observe: []*parley.QueueStatus{busy}, queued: true, q: busy, min: 5,
			prep: func(s *visitor.Surge) { s.Wait() }},
		{name: "known address", observe: []*parley.QueueStatus{busy}, queued: true, q: busy, min: 5, known: "eve@example.com",
			want: visitor.SurgeView{Show: true, Text: "We're busy — about 12 minutes. We'll also answer at eve@example.com."}},
		{name: "in flight", observe: []*parley.QueueStatus{busy}, queued: true, q: busy, min: 5,
			prep: func(s *visitor.Surge) { s.Email = "eve@example.com"; s.Sent("c1", "eve@example.com", true) },
			want: visitor.SurgeView{Show: true, Text: offer, Ask: true, Busy: true, Status: visitor.SurgeSending}},
		{name: "offline", observe: []*parley.QueueStatus{busy}, queued: true, q: busy, min: 5,
			prep: func(s *visitor.Surge) { s.Sent("", "eve@example.com", false) },
			want: visitor.SurgeView{Show: true, Text: offer, Ask: true, Status: visitor.SurgeOffline}},
	} {
		var s visitor.Surge
		for _, q := range tc.observe {
			s.Observe(7, q, tc.min)
		}
		if tc.prep != nil {
			tc.prep(&s)
		}
		if got := s.View(tc.queued, tc.q, tc.min, tc.known); got != tc.want {
			t.Errorf("%s: View = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestSurgeEmail: a bad address is caught before sending; the server's
// refusal shows; the conversation coming back with the address confirms it.
func TestSurgeEmail(t *testing.T) {
	busy := queue(12, secs(720), 2)
	var s visitor.Surge
	s.Observe(7, busy, 5)
	s.Email = "not an address"
	if _, send := s.Submit(); send || s.Problem == "" {
		t.Fatalf("Submit of a bad address sends (%v) or says nothing (%q)", send, s.Problem)
	}
	s.Email = " eve@example.com "
	to, send := s.Submit()
	if !send || to != "eve@example.com" || s.Problem != "" {
		t.Fatalf("Submit = %q, %v (problem %q)", to, send, s.Problem)
	}
	f := s.Frame(to)
	if f.Type != parley.TypeContact || f.Conv != 7 || f.Email != to {
		t.Errorf("Frame = %+v", f)
	}
	s.Sent("c1", to, true)
	if s.Apply(parley.Frame{Type: parley.TypeError, ID: "other", Message: "no"}) {
		t.Error("Apply took another request's error")
	}
	if !s.Apply(parley.Frame{Type: parley.TypeError, ID: "c1", Code: parley.EInvalid, Message: "That address is refused."}) {
		t.Fatal("Apply missed the refusal")
	}
	if v := s.View(true, busy, 5, ""); !v.Ask || v.Busy || v.Status != "That address is refused." {
		t.Errorf("after the refusal: %+v", v)
	}
	s.Sent("c2", to, true)
	if s.Apply(parley.Frame{Type: parley.TypeConv, Conversation: &parley.Conversation{ID: 8, Email: to}}) {
		t.Error("Apply took another conversation")
	}
	if !s.Apply(parley.Frame{Type: parley.TypeConv, Conversation: &parley.Conversation{ID: 7, Email: to}}) {
		t.Fatal("Apply missed the conversation with the address")
	}
	want := visitor.SurgeView{Show: true, Status: visitor.AnswerAtText(to)}
	// The conversation now has the address too: the confirmation wins.
	if v := s.View(true, busy, 5, to); v != want {
		t.Errorf("after success: %+v, want %+v", v, want)
	}
	if v := s.View(false, nil, 5, to); v.Show {
		t.Errorf("once answered: %+v, want nothing", v)
	}
	// A new conversation starts afresh.
	s.Observe(9, queue(1, secs(30), 2), 5)
	if v := s.View(true, queue(1, secs(30), 2), 5, ""); v.Show {
		t.Errorf("new calm conversation: %+v", v)
	}
}

func TestSurgeLost(t *testing.T) {
	var s visitor.Surge
	s.Observe(7, queue(12, secs(720), 2), 5)
	s.Lost()
	if s.Status != "" {
		t.Errorf("Lost with nothing in flight: %q", s.Status)
	}
	s.Sent("c1", "eve@example.com", true)
	s.Lost()
	if v := s.View(true, queue(12, secs(720), 2), 5, ""); v.Busy || v.Status != visitor.SurgeOffline {
		t.Errorf("after Lost: %+v", v)
	}
	if s.Apply(parley.Frame{Type: parley.TypeError, ID: "c1"}) {
		t.Error("Apply took a lost request's error")
	}
}

// TestPanelSurge: the offer sits under the wait line, which stays.
func TestPanelSurge(t *testing.T) {
	p := &visitor.Panel{
		Wait: "You're 12th in line — about 12 min",
		Surge: &visitor.SurgeOffer{View: visitor.SurgeView{Show: true,
			Text: "We're busy — about 12 minutes. " + visitor.SurgeLeaveText, Ask: true}},
	}
	html := app.HTMLString(p)
	for _, want := range []string{
		"12th in line — about 12 min",
		"busy — about 12 minutes.",
		`id="` + visitor.SurgeEmailID + `"`,
		visitor.SurgeEmailButton,
		`id="` + visitor.SurgeWaitID + `"`,
		`id="` + visitor.SurgeStatusID + `"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("panel lacks %q", want)
		}
	}
	if strings.Index(html, `id="wait"`) > strings.Index(html, `id="`+visitor.SurgeID+`"`) {
		t.Error("the offer is above the wait line")
	}
}

// TestSurgeBusyMessage: the shop's busy message shows under the built-in
// headline, in the visitor's language, else its default; without one, or
// once the offer has nothing to say but its status, only the slot stays.
func TestSurgeBusyMessage(t *testing.T) {
	ws := parley.WidgetSettings{BusyMessage: "Orders still ship today.", BusyMessageByLang: parley.Translations{"pl": "Zamówienia nadal wysyłamy dziś."}}
	for _, tc := range []struct {
		lang i18n.Lang
		want string
	}{{i18n.PL, "Zamówienia nadal wysyłamy dziś."}, {i18n.EN, "Orders still ship today."}, {i18n.FR, "Orders still ship today."}} {
		if got := visitor.BusyMessage(ws, tc.lang); got != tc.want {
			t.Errorf("BusyMessage(%s) = %q, want %q", tc.lang, got, tc.want)
		}
	}
	if got := visitor.BusyMessage(parley.WidgetSettings{}, i18n.PL); got != "" {
		t.Errorf("no message: %q", got)
	}

	est := 14 * 60
	s := visitor.Surge{Lang: i18n.PL}
	s.Observe(7, queue(3, &est, 1), 10)
	o := &visitor.SurgeOffer{Lang: i18n.PL, View: s.View(true, queue(3, &est, 1), 10, ""), Message: visitor.BusyMessage(ws, i18n.PL)}
	load(t, o)
	match(t, app.Text(visitor.BusyTextIn(i18n.PL, est)+" "+i18n.PL.T(visitor.SurgeLeaveText)), o, 0, 0, 0)
	match(t, app.P().Class("surge-message"), o, 0, 1)
	match(t, app.Text("Zamówienia nadal wysyłamy dziś."), o, 0, 1, 0)

	o = &visitor.SurgeOffer{View: s.View(true, queue(3, &est, 1), 10, ""), Message: visitor.BusyMessage(parley.WidgetSettings{}, i18n.EN)}
	load(t, o)
	match(t, app.Span().Class("surge-message-none"), o, 0, 1)
	o = &visitor.SurgeOffer{View: visitor.SurgeView{Show: true, Status: "We'll answer at kim@example.com"}, Message: "Orders still ship today."}
	load(t, o)
	match(t, app.Span().Class("surge-message-none"), o, 0, 1)

	// In the panel, under the wait line, as text.
	p := &visitor.Panel{Wait: "You're 3rd in line — about 14 min",
		Surge: &visitor.SurgeOffer{View: visitor.SurgeView{Show: true, Text: visitor.BusyText(est), Ask: true}, Message: "<i>Orders</i> still ship today."}}
	html := app.HTMLString(p)
	if !strings.Contains(html, `<p class="surge-message">&lt;i&gt;Orders&lt;/i&gt; still ship today.</p>`) {
		t.Errorf("the panel's offer lacks the busy message, as text: %s", html)
	}
}
