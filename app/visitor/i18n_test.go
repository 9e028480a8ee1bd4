package visitor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

// The wait line in Polish: no ordinal, and the estimate in its plural.
func TestQueueTextPolish(t *testing.T) {
	est := func(s int) *int { return &s }
	for _, c := range []struct {
		q    parley.QueueStatus
		want string
	}{
		{parley.QueueStatus{Position: 1, Online: 1}, "Zaraz Twoja kolej"},
		{parley.QueueStatus{Position: 3, Online: 1, Estimate: est(240)}, "Miejsce w kolejce: 3 — około 4 min"},
		{parley.QueueStatus{Position: 2, Online: 1, Estimate: est(20)}, "Miejsce w kolejce: 2 — mniej niż minuta"},
	} {
		if got := visitor.QueueTextIn(i18n.PL, &c.q); got != c.want {
			t.Errorf("QueueTextIn(pl, %+v) = %q, want %q", c.q, got, c.want)
		}
	}
	// English keeps its ordinals.
	if got := visitor.QueueTextIn(i18n.EN, &parley.QueueStatus{Position: 3, Online: 1}); got != "You're 3rd in line" {
		t.Errorf("English: %q", got)
	}
}

// Counted texts take each language's plural form.
func TestBusyTextPlurals(t *testing.T) {
	for _, c := range []struct {
		l    i18n.Lang
		min  int
		want string
	}{
		{i18n.PL, 1, "około 1 minuty"},
		{i18n.PL, 3, "około 3 minut"},
		{i18n.SL, 2, "približno 2 minuti"},
		{i18n.SL, 3, "približno 3 minute"},
		{i18n.SL, 5, "približno 5 minut"},
		{i18n.RO, 20, "aproximativ 20 de minute"},
		{i18n.DE, 12, "etwa 12 Minuten"},
		{i18n.EN, 1, "about 1 minute"},
	} {
		if got := visitor.BusyTextIn(c.l, c.min*60); !strings.Contains(got, c.want) {
			t.Errorf("BusyTextIn(%s, %d min) = %q, want it to say %q", c.l, c.min, got, c.want)
		}
	}
}

// The closed header names the weekday in the visitor's language.
func TestClosedHeaderLanguages(t *testing.T) {
	now := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC) // a Monday
	next := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)  // Wednesday
	for l, want := range map[i18n.Lang]string{
		i18n.EN: "We're back Wednesday at 9:00 — leave your email and we'll reply there",
		i18n.PL: "Wracamy w środę o 9:00 — zostaw e-mail, a odpiszemy na niego",
		i18n.DE: "Wir sind Mittwoch um 9:00 Uhr wieder da — hinterlassen Sie Ihre E-Mail-Adresse, wir antworten dorthin",
	} {
		if got := visitor.ClosedHeaderIn(l, parley.OfflineForm, next, now); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
	if got, want := visitor.ClosedHeaderIn(i18n.FR, parley.OfflineHide, time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC), now),
		"Nous serons de retour le 05/01/2027 à 9:00."; got != want {
		t.Errorf("fr: %q, want %q", got, want)
	}
}

// A Polish panel says everything of its own in Polish.
func TestPanelPolish(t *testing.T) {
	p := &visitor.Panel{Lang: i18n.PL, Banner: visitor.BannerIn(i18n.PL, client.Connecting, false), Expect: true}
	load(t, p)
	html := app.HTMLString(p)
	for _, want := range []string{"Łączenie…", "Porozmawiaj z nami", "Zwykle odpowiadamy w ciągu kilku minut",
		"Działa dzięki Parley", `placeholder="Napisz wiadomość…"`, `aria-label="Wyślij"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the Polish panel lacks %q", want)
		}
	}
	for _, english := range []string{"Connecting", "Chat with us", "Write a message", "Powered by"} {
		if strings.Contains(html, english) {
			t.Errorf("the Polish panel says %q", english)
		}
	}
}

// The form's errors come in the visitor's language.
func TestCheckFormPolish(t *testing.T) {
	form := &parley.WidgetPreChat{Email: parley.FieldRequired}
	_, errs := visitor.CheckFormIn(i18n.PL, form, visitor.Answers{Text: strings.Repeat("x", 11)}, 10)
	if errs.Email != "Podaj adres e-mail." || errs.Text != "Skróć wiadomość do 10 znaków." {
		t.Errorf("errors: %+v", errs)
	}
}

// The site's topics show in the visitor's language when the owner wrote
// it, else as named.
func TestPreChatTopicsByLanguage(t *testing.T) {
	form := &parley.WidgetPreChat{Topic: parley.FieldRequired, Topics: []parley.Topic{
		{ID: "returns", Name: "Returns", NameByLang: parley.Translations{"pl": "Zwroty"}},
		{ID: "orders", Name: "Orders"},
	}}
	p := &visitor.PreChatForm{Lang: i18n.PL, Form: form}
	load(t, p)
	html := app.HTMLString(p)
	for _, want := range []string{">Zwroty<", ">Orders<", "Wybierz temat…", "W czym możemy pomóc?"} {
		if !strings.Contains(html, want) {
			t.Errorf("the Polish form lacks %q", want)
		}
	}
	if strings.Contains(html, ">Returns<") {
		t.Error("the Polish form shows the English topic name")
	}
}
