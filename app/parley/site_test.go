package parley_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestWidgetSettingsBusyMinutes(t *testing.T) {
	for _, tt := range []struct {
		busy     int
		wantJSON bool
	}{{0, false}, {5, true}, {parley.MaxBusyMinutes, true}} {
		var s parley.Site
		s.Name = "Tea House"
		s.Routing.BusyMinutes = tt.busy
		w := s.WidgetSettings()
		if w.BusyMinutes != tt.busy {
			t.Errorf("BusyMinutes %d: widget has %d", tt.busy, w.BusyMinutes)
		}
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), `"busyMinutes"`); got != tt.wantJSON {
			t.Errorf("BusyMinutes %d: JSON %s has busyMinutes = %v, want %v", tt.busy, b, got, tt.wantJSON)
		}
		var back parley.WidgetSettings
		if err := json.Unmarshal(b, &back); err != nil || back.BusyMinutes != tt.busy {
			t.Errorf("round trip of %s = %d, %v", b, back.BusyMinutes, err)
		}
	}
}

// TestSiteAwayAndBusyMessages: the shop's away and busy messages are
// trimmed and bounded like the welcome, their translations checked the
// same way, each refusal naming the text; the widget's settings carry
// them, and leave them out of the JSON when there are none.
func TestSiteAwayAndBusyMessages(t *testing.T) {
	site := parley.Site{Name: "Tea House",
		AwayMessage: "  We answer within a day. ", AwayMessageByLang: parley.Translations{"pl": " Odpowiemy w ciągu dnia. ", "de": " "},
		BusyMessage: "\tOrders ship as usual.\n", BusyMessageByLang: parley.Translations{"fr": "Les commandes partent comme d'habitude."},
	}
	got, err := site.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if got.AwayMessage != "We answer within a day." || got.BusyMessage != "Orders ship as usual." {
		t.Errorf("messages %q, %q: want trimmed", got.AwayMessage, got.BusyMessage)
	}
	if len(got.AwayMessageByLang) != 1 || got.AwayMessageByLang["pl"] != "Odpowiemy w ciągu dnia." ||
		got.BusyMessageByLang["fr"] != "Les commandes partent comme d'habitude." {
		t.Errorf("translations %v, %v: want trimmed, the empty one dropped", got.AwayMessageByLang, got.BusyMessageByLang)
	}

	for _, bad := range []struct {
		edit func(*parley.Site)
		code string
		says string
	}{
		{func(s *parley.Site) { s.AwayMessage = strings.Repeat("a", 501) }, parley.ETooLarge, "Away message is 501 characters"},
		{func(s *parley.Site) { s.BusyMessage = strings.Repeat("ą", 501) }, parley.ETooLarge, "Busy message is 501 characters"},
		{func(s *parley.Site) { s.AwayMessage = "\xff" }, parley.EInvalid, "Away message"},
		{func(s *parley.Site) { s.AwayMessageByLang = parley.Translations{"xx": "?"} }, parley.EInvalid, `Away message: unknown language "xx"`},
		{func(s *parley.Site) { s.BusyMessageByLang = parley.Translations{"tlh": "?"} }, parley.EInvalid, `Busy message: unknown language "tlh"`},
		{func(s *parley.Site) { s.AwayMessageByLang = parley.Translations{"pl": strings.Repeat("a", 501)} }, parley.ETooLarge, "Away message in pl"},
		{func(s *parley.Site) { s.BusyMessageByLang = parley.Translations{"es": strings.Repeat("a", 501)} }, parley.ETooLarge, "Busy message in es"},
	} {
		s := site
		bad.edit(&s)
		if _, err := s.Validate(); parley.ErrorCode(err) != bad.code || !strings.Contains(parley.ErrorMessage(err), bad.says) {
			t.Errorf("%v, want %s saying %q", err, bad.code, bad.says)
		}
	}
	at500 := site
	at500.AwayMessage, at500.BusyMessageByLang = strings.Repeat("ą", 500), parley.Translations{"pl": strings.Repeat("a", 500)}
	if _, err := at500.Validate(); err != nil {
		t.Errorf("500 characters: %v", err)
	}

	w := got.WidgetSettings()
	if w.AwayMessage != got.AwayMessage || w.AwayMessageByLang["pl"] != "Odpowiemy w ciągu dnia." ||
		w.BusyMessage != got.BusyMessage || w.BusyMessageByLang["fr"] != got.BusyMessageByLang["fr"] {
		t.Errorf("the widget's settings: %+v", w)
	}
	b, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`"awayMessage":`, `"awayMessageByLang":`, `"busyMessage":`, `"busyMessageByLang":`} {
		if !strings.Contains(string(b), name) {
			t.Errorf("the widget's JSON lacks %s: %s", name, b)
		}
	}
	b, _ = json.Marshal(parley.Site{Name: "Plain"}.WidgetSettings())
	if strings.Contains(string(b), "awayMessage") || strings.Contains(string(b), "busyMessage") {
		t.Errorf("a site without messages: %s", b)
	}
}
