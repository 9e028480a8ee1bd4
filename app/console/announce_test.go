package console_test

import (
	"reflect"
	"testing"

	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestSiteFormAnnouncementsAndContact(t *testing.T) {
	base := parley.Site{ID: "demo", Name: "Demo", Color: "#112233", AllowedOrigins: []string{"shop.example"},
		Announcements: []parley.Announcement{
			{Text: "Sale", Link: "https://shop.example/sale", From: "2026-12-01", Until: "2026-12-24T18:00", PagePattern: "/p/*", Teaser: true,
				Texts: map[string]string{"pl": "Wyprzedaż"}},
			{Text: "Closed on the 26th"},
		},
		Contact: parley.Contact{Email: "help@shop.example", Phone: "+48 123 456 789"},
	}
	form := console.NewSiteForm(base, "")
	got, err := form.Site(base)
	if err != nil || !reflect.DeepEqual(got.Announcements, base.Announcements) || got.Contact != base.Contact {
		t.Fatalf("round trip = %+v %+v, %v; want %+v %+v", got.Announcements, got.Contact, err, base.Announcements, base.Contact)
	}
	// A row added and left empty is no announcement; typed values are trimmed.
	form.Announcements = append(form.Announcements, console.AnnouncementForm{}, console.AnnouncementForm{Text: " New ", From: " 2027-01-01 "})
	form.ContactEmail, form.ContactPhone = " a@b.example ", ""
	got, err = form.Site(base)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Announcements); n != 3 || got.Announcements[2].Text != "New" || got.Announcements[2].From != "2027-01-01" {
		t.Errorf("announcements %+v", got.Announcements)
	}
	if got.Contact != (parley.Contact{Email: "a@b.example"}) {
		t.Errorf("contact %+v", got.Contact)
	}
}
