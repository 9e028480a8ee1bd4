package console_test

import (
	"maps"
	"reflect"
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

// An announcement's translations are edited per language; one left empty
// is dropped (the visitor sees the text), and the site the form was
// filled from keeps its own.
func TestSiteFormAnnouncementTranslations(t *testing.T) {
	site := parley.Site{Name: "Shop", Announcements: []parley.Announcement{
		{Text: "Sale", Texts: map[string]string{"pl": "Wyprzedaż", "ro": "Reduceri"}},
		{Text: "Closed on the 26th"},
	}}
	f := console.NewSiteForm(site, "UTC")
	f.Announcements[0].Texts["de"] = " Ausverkauf "
	f.Announcements[0].Texts["ro"] = " "
	f.Announcements[1].Texts = map[string]string{"sl": "Zaprto 26."}
	got, err := f.Site(site)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"pl": "Wyprzedaż", "de": "Ausverkauf"}; !reflect.DeepEqual(got.Announcements[0].Texts, want) {
		t.Errorf("the first announcement's translations: %v, want %v", got.Announcements[0].Texts, want)
	}
	if want := map[string]string{"sl": "Zaprto 26."}; !reflect.DeepEqual(got.Announcements[1].Texts, want) {
		t.Errorf("the second announcement's translations: %v, want %v", got.Announcements[1].Texts, want)
	}
	if _, ok := site.Announcements[0].Texts["de"]; ok || site.Announcements[0].Texts["ro"] != "Reduceri" {
		t.Errorf("editing the form changed the site it was filled from: %v", site.Announcements[0].Texts)
	}
}

// The form keeps the away and busy messages and their translations,
// hands back what was typed, trimmed, and an emptied one as nothing.
func TestSiteFormAwayAndBusy(t *testing.T) {
	site := parley.Site{Name: "Shop",
		AwayMessage: "We reply within a day.", AwayMessageByLang: parley.Translations{"pl": "Odpowiemy w ciągu dnia."},
		BusyMessage: "Orders ship as usual.", BusyMessageByLang: parley.Translations{"de": "Bestellungen gehen raus."},
	}
	f := console.NewSiteForm(site, "UTC")
	if f.Away != site.AwayMessage || f.Busy != site.BusyMessage || f.AwayByLang["pl"] != "Odpowiemy w ciągu dnia." || f.BusyByLang["de"] != "Bestellungen gehen raus." {
		t.Errorf("the form from the site: %q %v, %q %v", f.Away, f.AwayByLang, f.Busy, f.BusyByLang)
	}
	got, err := f.Site(site)
	if err != nil {
		t.Fatal(err)
	}
	if got.AwayMessage != site.AwayMessage || got.BusyMessage != site.BusyMessage ||
		!maps.Equal(got.AwayMessageByLang, site.AwayMessageByLang) || !maps.Equal(got.BusyMessageByLang, site.BusyMessageByLang) {
		t.Errorf("unedited, the form's site: %q %v, %q %v", got.AwayMessage, got.AwayMessageByLang, got.BusyMessage, got.BusyMessageByLang)
	}

	f.Away, f.Busy = "  Back on Monday.\n", " "
	f.AwayByLang["fr"] = "De retour lundi."
	f.BusyByLang["de"] = ""
	got, err = f.Site(site)
	if err != nil {
		t.Fatal(err)
	}
	if got.AwayMessage != "Back on Monday." || got.BusyMessage != "" || got.AwayMessageByLang["fr"] != "De retour lundi." || got.AwayMessageByLang["pl"] != "Odpowiemy w ciągu dnia." {
		t.Errorf("edited, the form's site: %q %v, %q", got.AwayMessage, got.AwayMessageByLang, got.BusyMessage)
	}
	// What the server keeps of it: the emptied translation goes.
	saved, err := got.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if saved.BusyMessageByLang != nil || len(saved.AwayMessageByLang) != 2 {
		t.Errorf("saved: %v, %v", saved.AwayMessageByLang, saved.BusyMessageByLang)
	}
	if site.AwayMessageByLang["fr"] != "" || site.BusyMessageByLang["de"] == "" {
		t.Error("editing the form changed the site it was filled from")
	}
	again := console.NewSiteForm(saved, "UTC")
	if again.Away != "Back on Monday." || again.Busy != "" || again.AwayByLang["fr"] != "De retour lundi." || len(again.BusyByLang) != 0 {
		t.Errorf("the saved site's form: %+v", again)
	}
}
