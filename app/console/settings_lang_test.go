package console_test

import (
	"testing"

	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

// The form keeps a site's translations as they are, and hands back what
// was typed for a language, whatever the picker shows.
func TestSiteFormTranslations(t *testing.T) {
	site := parley.Site{Name: "Shop", Welcome: "Hi!", WelcomeByLang: parley.Translations{"pl": "Cześć!"},
		Proactive: parley.Proactive{Enabled: true, Message: "Help?", MessageByLang: parley.Translations{"de": "Hilfe?"}},
		Routing:   parley.Routing{Topics: []parley.Topic{{ID: "returns", Name: "Returns", NameByLang: parley.Translations{"fr": "Retours"}}}},
	}
	f := console.NewSiteForm(site, "UTC")
	f.WelcomeByLang["sl"] = "Pozdravljeni!"
	f.TextLang = "es"
	got, err := f.Site(site)
	if err != nil {
		t.Fatal(err)
	}
	if got.WelcomeByLang["pl"] != "Cześć!" || got.WelcomeByLang["sl"] != "Pozdravljeni!" || got.Proactive.MessageByLang["de"] != "Hilfe?" ||
		len(got.Routing.Topics) != 1 || got.Routing.Topics[0].NameByLang["fr"] != "Retours" {
		t.Errorf("the form's site: %+v, %+v, %+v", got.WelcomeByLang, got.Proactive.MessageByLang, got.Routing.Topics)
	}
	if site.WelcomeByLang["sl"] != "" {
		t.Error("editing the form changed the site it was filled from")
	}
}
