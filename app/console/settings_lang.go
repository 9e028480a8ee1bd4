package console

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// langNames are the widget's languages in their own names, for the
// Translations picker (app/i18n.Names; the console does not carry the
// widget's catalog).
var langNames = map[string]string{
	"en": "English", "pl": "Polski", "ro": "Română", "sl": "Slovenščina",
	"de": "Deutsch", "fr": "Français", "es": "Español",
}

// setTranslation stores text as t's translation into lang, creating the
// map on the first one.
func setTranslation(t *parley.Translations, lang, text string) {
	if *t == nil {
		*t = parley.Translations{}
	}
	(*t)[lang] = text
}

// renderTranslations is the Translations section: a language picker and,
// for that language, the welcome, the greeting, the away and busy
// messages, each topic's name and each announcement's text. The
// widget shows a visitor the texts of their language, else the ones
// above (the shop's own language, whatever it is).
func (s *Settings) renderTranslations(ro bool) app.UI {
	f := s.form
	lang := f.TextLang
	if lang == "" {
		lang = "pl"
	}
	options := make([]app.UI, 0, len(parley.SiteLanguages))
	for _, l := range parley.SiteLanguages {
		options = append(options, app.Option().Value(l).Text(langNames[l]).Selected(l == lang))
	}
	name := langNames[lang]
	topics := make([]app.UI, 0, len(f.Routing.Topics))
	for i, t := range f.Routing.Topics {
		if t.Name == "" {
			continue
		}
		id := "site-topic-lang-" + t.ID
		topics = append(topics, field(id, "Topic “"+t.Name+"” in "+name,
			app.Input().ID(id).Type("text").Value(t.NameByLang[lang]).ReadOnly(ro).
				OnInput(s.set(func(v string) { setTranslation(&s.form.Routing.Topics[i].NameByLang, lang, v) }))))
	}
	// area is the field of one text's translation into lang.
	area := func(id, text string, t *parley.Translations) app.UI {
		return field(id, text+" in "+name, app.Textarea().ID(id).Rows(2).Text((*t)[lang]).ReadOnly(ro).
			OnInput(s.set(func(v string) { setTranslation(t, lang, v) })))
	}
	return app.Div().ID("site-translations").Class("site-translations").Body(
		app.H3().Text("Translations"),
		app.P().Class("hint").Text("Visitors see these texts in their language, when you write them; otherwise the texts above. Leave a field empty to use the text above."),
		field("site-text-lang", "Language", app.Select().ID("site-text-lang").Disabled(ro).
			OnChange(func(ctx app.Context, e app.Event) { s.form.TextLang = ctx.JSSrc().Get("value").String() }).
			Body(options...)),
		area("site-welcome-lang", "Welcome text", &s.form.WelcomeByLang),
		area("site-greeting-lang", "Greeting", &s.form.GreetingByLang),
		area("site-away-lang", "Away message", &s.form.AwayByLang),
		area("site-busy-lang", "Busy message", &s.form.BusyByLang),
		app.Div().Class("site-topic-langs").Body(topics...),
		s.renderAnnouncementLangs(ro, lang, name),
	)
}
