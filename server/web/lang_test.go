package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// visitorLangIs waits for the stored widget language of visitor id.
func visitorLangIs(t *testing.T, env *sockEnv, id uint64, want string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		_, ctx, err := env.db.VisitorWithContext(id)
		if err == nil && ctx.Lang == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("visitor %d: lang %q (%v), want %q", id, ctx.Lang, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestVisitorLang: the widget's language comes with the hello and with
// context frames, kept on the visitor as its supported code. An
// unsupported one is ignored at hello and refused in a context frame;
// agents may not set it.
func TestVisitorLang(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v := env.dial(t, "visitor", nil)
	v.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID, Lang: "sl"})
	w := v.next()
	if w.Type != parley.TypeWelcome || w.Visitor == nil {
		t.Fatalf("got %+v, want a welcome", w)
	}
	id := w.Visitor.ID
	visitorLangIs(t, env, id, "sl")

	// A tag of a supported language is that language.
	v.sendFrame(map[string]any{"type": "context", "lang": "pl-PL"})
	visitorLangIs(t, env, id, "pl")

	for _, bad := range []string{"xx", "klingon", strings.Repeat("p", 200)} {
		v.sendFrame(map[string]any{"type": "context", "id": "c-" + bad[:2], "lang": bad})
		if e := v.untilError(); e.Code != parley.EInvalid || !strings.Contains(e.Message, "language") {
			t.Errorf("lang %.10q: %+v, want invalid, naming the language", bad, e)
		}
	}
	visitorLangIs(t, env, id, "pl")

	// An unsupported language at hello is ignored: the hello goes on.
	v2 := env.dial(t, "visitor 2", nil)
	v2.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID, Lang: "tlh"})
	w2 := v2.next()
	if w2.Type != parley.TypeWelcome || w2.Visitor == nil {
		t.Fatalf("an unknown lang at hello: got %+v, want a welcome", w2)
	}
	if _, ctx, err := env.db.VisitorWithContext(w2.Visitor.ID); err != nil || ctx.Lang != "" {
		t.Errorf("an unknown lang at hello was kept: %q, %v", ctx.Lang, err)
	}

	ann, _ := env.newAgent(t, "ann", 0)
	ann.sendFrame(map[string]any{"type": "context", "lang": "de"})
	if e := ann.untilError(); e.Code != parley.EForbidden {
		t.Errorf("an agent's lang: %+v, want forbidden", e)
	}
}

// TestMailInVisitorLang: the transcript, and the reply notification, go
// out in the language the visitor's widget speaks, its event lines too;
// without one, in their browser's.
func TestMailInVisitorLang(t *testing.T) {
	env, box, _ := newMailEnv(t)
	newDesk(t, env, 3)
	bob, _ := env.newAgent(t, "bob", 1)
	kim, conv := ask(t, env, "kim", "returns")
	untilEvent(kim, conv, parley.EventAssigned)
	kim.sendFrame(map[string]any{"type": "context", "lang": "pl"})
	bob.say(conv, "r1", "Here to help.")
	kim.msgs(conv, 2)
	kim.sendFrame(parley.Frame{Type: parley.TypeTranscript, ID: "t1", Conv: conv, Email: "kim.other@example.com"})
	waitMails(t, box, 1)
	m := box.Mails()[0]
	if m.Subject != "Twoja rozmowa z Desk Shop" {
		t.Errorf("subject %q, want Polish", m.Subject)
	}
	for _, want := range []string{"Oto Twoja rozmowa z Desk Shop.", "Ty, ", "Otwórz rozmowę", "Here to help.", "Bob dołącza do rozmowy"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the Polish transcript lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "Bob joined") {
		t.Errorf("the Polish transcript says who joined in English:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, `<html lang="pl">`) {
		t.Error("the Polish transcript's html is not lang=pl")
	}
}

// TestSiteTextsByLanguage: the welcome, the greeting and the topics take
// translations through PUT /api/sites/{id} (the owners' and admins'
// endpoint, as before: an agent may not); the widget page carries them.
// An unknown language or an oversized text is refused, naming it, and
// changes nothing.
func TestSiteTextsByLanguage(t *testing.T) {
	env := newHTTPEnv(t)
	c, csrf := env.login(t, "ann@shop.example")
	hdr := map[string]string{"X-CSRF-Token": csrf, "Origin": env.url}
	site := parley.Site{Name: "Shop", AllowedOrigins: []string{"https://shop.example"},
		Welcome: "Hi!", WelcomeByLang: parley.Translations{"pl": " Cześć! ", "de": ""},
		Proactive: parley.Proactive{Enabled: true, Message: "Need help?", MessageByLang: parley.Translations{"fr": "Besoin d'aide ?"}},
	}
	if r := env.do(t, c, "PUT", "/api/sites/shop", site, hdr, nil); r.StatusCode != 200 {
		t.Fatalf("saving translations: %d", r.StatusCode)
	}
	stored, _ := env.db.Site("shop")
	if stored.WelcomeByLang["pl"] != "Cześć!" || len(stored.WelcomeByLang) != 1 || stored.Proactive.MessageByLang["fr"] != "Besoin d'aide ?" {
		t.Errorf("stored %+v / %+v: want trimmed, the empty one dropped", stored.WelcomeByLang, stored.Proactive.MessageByLang)
	}
	ws := widgetSettings(t, &sockEnv{url: env.url}, "shop")
	if ws.WelcomeByLang.In("pl", ws.Welcome) != "Cześć!" || ws.WelcomeByLang.In("es", ws.Welcome) != "Hi!" || ws.GreetingByLang["fr"] != "Besoin d'aide ?" {
		t.Errorf("the widget page's settings: %+v", ws)
	}

	for _, bad := range []struct {
		edit func(*parley.Site)
		code string
		says string
	}{
		{func(s *parley.Site) { s.WelcomeByLang = parley.Translations{"xx": "?"} }, parley.EInvalid, `unknown language "xx"`},
		{func(s *parley.Site) { s.WelcomeByLang = parley.Translations{"pl": strings.Repeat("a", 501)} }, parley.ETooLarge, "Welcome text in pl"},
		{func(s *parley.Site) {
			s.Proactive.MessageByLang = parley.Translations{"de": strings.Repeat("a", 1001)}
		}, parley.ETooLarge, "Greeting in de"},
	} {
		s := site
		bad.edit(&s)
		var e apiErr
		if r := env.do(t, c, "PUT", "/api/sites/shop", s, hdr, &e); r.StatusCode < 400 || e.Code != bad.code || !strings.Contains(e.Message, bad.says) {
			t.Errorf("%d %+v, want %s saying %q", r.StatusCode, e, bad.code, bad.says)
		}
	}
	if again, _ := env.db.Site("shop"); again.WelcomeByLang["pl"] != "Cześć!" || len(again.WelcomeByLang) != 1 {
		t.Errorf("a refused save changed the translations: %+v", again.WelcomeByLang)
	}

	cb, csrfB := env.login(t, "bob@shop.example")
	s := site
	s.WelcomeByLang = parley.Translations{"pl": "Hacked"}
	if r := env.do(t, cb, "PUT", "/api/sites/shop", s, map[string]string{"X-CSRF-Token": csrfB, "Origin": env.url}, nil); r.StatusCode != 403 {
		t.Errorf("an agent's translations: %d, want 403", r.StatusCode)
	}
}

// TestSiteAwayAndBusyMessages: the shop's away and busy messages and
// their translations go through PUT /api/sites/{id} like the welcome (the
// owners' and admins' endpoint: an agent may not), come back trimmed, and
// reach the widget: its settings carry them, and its page, drawn while
// nobody is online, shows the away message in the visitor's language. An
// oversized text or an unknown language is refused, naming it, and
// changes nothing.
func TestSiteAwayAndBusyMessages(t *testing.T) {
	env := newHTTPEnv(t)
	c, csrf := env.login(t, "ann@shop.example")
	hdr := map[string]string{"X-CSRF-Token": csrf, "Origin": env.url}
	site := parley.Site{Name: "Shop", AllowedOrigins: []string{"https://shop.example"},
		Welcome: "Hi!", WelcomeByLang: parley.Translations{"pl": "Cześć!"},
		AwayMessage: " We reply within a day — <b>promise</b>. ", AwayMessageByLang: parley.Translations{"pl": " Odpowiemy w ciągu dnia. ", "de": ""},
		BusyMessage: "Orders still ship today.", BusyMessageByLang: parley.Translations{"fr": "Les commandes partent aujourd'hui."},
	}
	var saved parley.Site
	if r := env.do(t, c, "PUT", "/api/sites/shop", site, hdr, &saved); r.StatusCode != 200 {
		t.Fatalf("saving the messages: %d", r.StatusCode)
	}
	stored, _ := env.db.Site("shop")
	for _, s := range []parley.Site{saved, stored} {
		if s.AwayMessage != "We reply within a day — <b>promise</b>." || len(s.AwayMessageByLang) != 1 || s.AwayMessageByLang["pl"] != "Odpowiemy w ciągu dnia." ||
			s.BusyMessage != "Orders still ship today." || s.BusyMessageByLang["fr"] != "Les commandes partent aujourd'hui." {
			t.Errorf("saved %q %v, %q %v: want trimmed, the empty one dropped", s.AwayMessage, s.AwayMessageByLang, s.BusyMessage, s.BusyMessageByLang)
		}
	}
	var listed []parley.Site
	if r := env.do(t, c, "GET", "/api/sites", nil, nil, &listed); r.StatusCode != 200 || len(listed) != 1 ||
		listed[0].AwayMessageByLang["pl"] != "Odpowiemy w ciągu dnia." || listed[0].BusyMessage != "Orders still ship today." {
		t.Errorf("the console's sites: %d %+v", r.StatusCode, listed)
	}
	sock := &sockEnv{url: env.url}
	ws := widgetSettings(t, sock, "shop")
	if ws.AwayMessage != stored.AwayMessage || ws.AwayMessageByLang["pl"] != "Odpowiemy w ciągu dnia." ||
		ws.BusyMessage != "Orders still ship today." || ws.BusyMessageByLang["fr"] != "Les commandes partent aujourd'hui." {
		t.Errorf("the widget page's settings: %+v", ws)
	}
	// Nobody is online: the page says so, with the shop's message, as text,
	// all in the visitor's language as the app draws it.
	for _, tc := range []struct{ lang, want, intro, notWant string }{
		{"pl-PL,pl;q=0.9", `<p id="away-message" class="away-message">Odpowiemy w ciągu dnia.</p>`, "Cześć!", "We're away"},
		{"de", `<p id="away-message" class="away-message">We reply within a day — &lt;b&gt;promise&lt;/b&gt;.</p>`, "Hi!", "We're away"},
		{"en", `<p id="away-message" class="away-message">We reply within a day`, "Hi!", "Wir sind"},
	} {
		_, page := widgetPageHTML(t, sock, "shop", tc.lang)
		if !strings.Contains(page, `id="hours"`) || !strings.Contains(page, tc.want) || !strings.Contains(page, `<div class="intro">`+tc.intro+`</div>`) ||
			strings.Contains(page, tc.notWant) {
			t.Errorf("the %s page: want the away line in its language, the welcome %q and %s:\n%s", tc.lang, tc.intro, tc.want, page)
		}
	}

	for _, bad := range []struct {
		edit func(*parley.Site)
		code string
		says string
	}{
		{func(s *parley.Site) { s.AwayMessage = strings.Repeat("a", 501) }, parley.ETooLarge, "Away message is 501 characters long"},
		{func(s *parley.Site) { s.BusyMessage = strings.Repeat("ż", 501) }, parley.ETooLarge, "Busy message is 501 characters long"},
		{func(s *parley.Site) { s.AwayMessageByLang = parley.Translations{"xx": "?"} }, parley.EInvalid, `Away message: unknown language "xx"`},
		{func(s *parley.Site) { s.BusyMessageByLang = parley.Translations{"klingon": "?"} }, parley.EInvalid, "Busy message: unknown language"},
		{func(s *parley.Site) { s.AwayMessageByLang = parley.Translations{"pl": strings.Repeat("a", 501)} }, parley.ETooLarge, "Away message in pl"},
		{func(s *parley.Site) { s.BusyMessageByLang = parley.Translations{"es": strings.Repeat("a", 501)} }, parley.ETooLarge, "Busy message in es"},
	} {
		s := site
		bad.edit(&s)
		var e apiErr
		if r := env.do(t, c, "PUT", "/api/sites/shop", s, hdr, &e); r.StatusCode < 400 || r.StatusCode >= 500 || e.Code != bad.code || !strings.Contains(e.Message, bad.says) {
			t.Errorf("%d %+v, want %s saying %q", r.StatusCode, e, bad.code, bad.says)
		}
	}
	unchanged := func(when string) {
		t.Helper()
		again, _ := env.db.Site("shop")
		if again.AwayMessage != stored.AwayMessage || len(again.AwayMessageByLang) != 1 || again.AwayMessageByLang["pl"] != "Odpowiemy w ciągu dnia." ||
			again.BusyMessage != stored.BusyMessage || len(again.BusyMessageByLang) != 1 {
			t.Errorf("%s changed the messages: %q %v, %q %v", when, again.AwayMessage, again.AwayMessageByLang, again.BusyMessage, again.BusyMessageByLang)
		}
	}
	unchanged("a refused save")

	cb, csrfB := env.login(t, "bob@shop.example")
	s := site
	s.AwayMessage, s.BusyMessageByLang = "Hacked", parley.Translations{"pl": "Hacked"}
	if r := env.do(t, cb, "PUT", "/api/sites/shop", s, map[string]string{"X-CSRF-Token": csrfB, "Origin": env.url}, nil); r.StatusCode != 403 {
		t.Errorf("an agent's messages: %d, want 403", r.StatusCode)
	}
	unchanged("an agent's save")

	// Cleared: the widget has nothing of them, its page the empty slot.
	s = site
	s.AwayMessage, s.AwayMessageByLang, s.BusyMessage, s.BusyMessageByLang = " ", nil, "", nil
	if r := env.do(t, c, "PUT", "/api/sites/shop", s, hdr, nil); r.StatusCode != 200 {
		t.Fatalf("clearing the messages: %d", r.StatusCode)
	}
	if ws := widgetSettings(t, sock, "shop"); ws.AwayMessage != "" || ws.AwayMessageByLang != nil || ws.BusyMessage != "" || ws.BusyMessageByLang != nil {
		t.Errorf("cleared, the widget still has %+v", ws)
	}
	if _, page := widgetPageHTML(t, sock, "shop", "pl"); !strings.Contains(page, `<span class="away-message-none"></span>`) || strings.Contains(page, `class="away-message"`) {
		t.Errorf("cleared, the page still draws an away message:\n%s", page)
	}
}
