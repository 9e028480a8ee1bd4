package parley_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Skipf("no zone data for %s: %v", name, err)
	}
	return loc
}

func TestAnnouncementWindow(t *testing.T) {
	warsaw := mustZone(t, "Europe/Warsaw")
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tt := range []struct {
		name        string
		from, until string
		loc         *time.Location
		now         string
		want        bool
	}{
		{"before start", "2026-12-01", "2026-12-24", warsaw, "2026-11-30T22:59:59Z", false},
		{"at start (local midnight)", "2026-12-01", "2026-12-24", warsaw, "2026-11-30T23:00:00Z", true},
		{"inside", "2026-12-01", "2026-12-24", warsaw, "2026-12-10T12:00:00Z", true},
		{"last day's evening", "2026-12-01", "2026-12-24", warsaw, "2026-12-24T22:59:59Z", true},
		{"after end", "2026-12-01", "2026-12-24", warsaw, "2026-12-24T23:00:00Z", false},
		{"same wall time in UTC", "2026-12-01", "2026-12-24", time.UTC, "2026-11-30T23:30:00Z", false},
		{"datetime start", "2026-12-01T09:30", "", warsaw, "2026-12-01T08:29:00Z", false},
		{"datetime start reached", "2026-12-01T09:30", "", warsaw, "2026-12-01T08:30:00Z", true},
		{"open-ended end", "2026-01-01", "", warsaw, "2099-01-01T00:00:00Z", true},
		{"open start", "", "2026-12-24T18:00", warsaw, "2000-01-01T00:00:00Z", true},
		{"datetime end exclusive", "", "2026-12-24T18:00", warsaw, "2026-12-24T17:00:00Z", false},
		{"always", "", "", warsaw, "2026-12-24T17:00:00Z", true},
		// DST: Warsaw goes from CET (+1) to CEST (+2) on 2026-03-29.
		{"DST day starts at +1 midnight", "2026-03-29", "2026-03-29", warsaw, "2026-03-28T23:00:00Z", true},
		{"DST day is 23 hours", "2026-03-29", "2026-03-29", warsaw, "2026-03-29T21:59:59Z", true},
		{"DST day ends at +2 midnight", "2026-03-29", "2026-03-29", warsaw, "2026-03-29T22:00:00Z", false},
		{"after the change, summer offset", "2026-04-01T10:00", "", warsaw, "2026-04-01T07:59:00Z", false},
		{"after the change, summer offset reached", "2026-04-01T10:00", "", warsaw, "2026-04-01T08:00:00Z", true},
		{"autumn day is 25 hours", "2026-10-25", "2026-10-25", warsaw, "2026-10-25T22:59:00Z", true},
		{"autumn day ends at +1 midnight", "2026-10-25", "2026-10-25", warsaw, "2026-10-25T23:00:00Z", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := parley.Announcement{Text: "Sale", From: tt.from, Until: tt.until}
			now := at(tt.now)
			if got := a.ActiveAt(now, tt.loc); got != tt.want {
				s, e := a.Window(tt.loc)
				t.Errorf("ActiveAt(%v) = %v, want %v (window %v – %v)", now, got, tt.want, s, e)
			}
			// The browser's view, in instants, agrees.
			if got := a.View(tt.loc).InWindow(now); got != tt.want {
				t.Errorf("View.InWindow(%v) = %v, want %v", now, got, tt.want)
			}
		})
	}
}

func TestAnnouncementShowsOnPages(t *testing.T) {
	now := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	v := parley.Announcement{Text: "Sale", PagePattern: "/products/*"}.View(time.UTC)
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"/products/tea", true},
		{"/products/", true},
		{"/cart", false},
		{"", false}, // the page is not known: only "every page" shows
	} {
		if got := v.Shows(now, tt.path); got != tt.want {
			t.Errorf("Shows(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	all := parley.Announcement{Text: "Hi"}.View(time.UTC)
	if !all.Shows(now, "") || !all.Shows(now, "/x") {
		t.Error("an announcement without pattern does not show everywhere")
	}
	if got := parley.PagePath("https://shop.example/products/t%C3%A9?x=1#f"); got != "/products/t%C3%A9?x=1" {
		t.Errorf("PagePath = %q", got)
	}
	if got := parley.PagePath("https://shop.example"); got != "/" {
		t.Errorf("PagePath of a bare origin = %q, want /", got)
	}
}

func TestCurrentAnnouncementAndNextChange(t *testing.T) {
	s := parley.Site{Announcements: []parley.Announcement{
		{Text: "Past", From: "2026-01-01", Until: "2026-01-31"},
		{Text: "Soon", From: "2026-12-20", Until: "2026-12-24"},
		{Text: "Now", From: "2026-12-01", Until: "2026-12-31"},
	}}
	now := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	list := s.AnnouncementViews(now, time.UTC)
	if len(list) != 2 || list[0].Text != "Soon" || list[1].Text != "Now" {
		t.Fatalf("AnnouncementViews = %+v, want Soon and Now (Past has ended)", list)
	}
	if v, ok := parley.CurrentAnnouncement(list, now, "/"); !ok || v.Text != "Now" {
		t.Errorf("current = %q %v, want Now", v.Text, ok)
	}
	// In Soon's window, Soon comes first in the owner's order.
	if v, _ := parley.CurrentAnnouncement(list, time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC), "/"); v.Text != "Soon" {
		t.Errorf("current on the 21st = %q, want Soon", v.Text)
	}
	if got, want := parley.NextAnnouncementChange(list, now), time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next change = %v, want %v", got, want)
	}
	if list[0].ID == "" || list[0].ID == list[1].ID {
		t.Errorf("ids %q, %q: want distinct", list[0].ID, list[1].ID)
	}
	edited := parley.Announcement{Text: "Soon!", From: "2026-12-20", Until: "2026-12-24"}.View(time.UTC)
	if edited.ID == list[0].ID {
		t.Error("an edited announcement keeps its id: a dismissal would hide the new text")
	}
}

func TestAnnouncementTextIn(t *testing.T) {
	v := parley.AnnouncementView{Text: "Sale", Texts: map[string]string{"pl": "Wyprzedaż"}}
	for lang, want := range map[string]string{"pl": "Wyprzedaż", "pl-PL": "Wyprzedaż", "de": "Sale", "": "Sale"} {
		if got := v.TextIn(lang); got != want {
			t.Errorf("TextIn(%q) = %q, want %q", lang, got, want)
		}
	}
}

func TestSiteValidateAnnouncements(t *testing.T) {
	long := strings.Repeat("x", parley.MaxAnnouncementText+1)
	for _, tt := range []struct {
		name string
		a    parley.Announcement
		want string // part of the error; "" for none
	}{
		{"ok", parley.Announcement{Text: " Sale ", Link: "https://shop.example/sale", From: "2026-12-01", Until: "2026-12-24T18:00", PagePattern: "/p/*", Teaser: true}, ""},
		{"no text", parley.Announcement{Text: "  "}, "text is empty"},
		{"long text", parley.Announcement{Text: long}, "limit is 280"},
		{"two lines", parley.Announcement{Text: "a\nb"}, "one line"},
		{"javascript link", parley.Announcement{Text: "x", Link: "javascript:alert(1)"}, "http"},
		{"relative link", parley.Announcement{Text: "x", Link: "/sale"}, "http"},
		{"long link", parley.Announcement{Text: "x", Link: "https://a.example/" + strings.Repeat("a", 2048)}, "limit is 2048"},
		{"bad start", parley.Announcement{Text: "x", From: "1.12.2026"}, "is not a date"},
		{"bad end", parley.Announcement{Text: "x", Until: "tomorrow"}, "is not a date"},
		{"end before start", parley.Announcement{Text: "x", From: "2026-12-24", Until: "2026-12-01"}, "after the start"},
		{"end at start", parley.Announcement{Text: "x", From: "2026-12-01T10:00", Until: "2026-12-01T10:00"}, "after the start"},
		{"one whole day", parley.Announcement{Text: "x", From: "2026-12-01", Until: "2026-12-01"}, ""},
		{"pattern with newline", parley.Announcement{Text: "x", PagePattern: "/a\nb"}, "control"},
		{"bad language", parley.Announcement{Text: "x", Texts: map[string]string{"polish": "y"}}, "language tag"},
		{"empty translation", parley.Announcement{Text: "x", Texts: map[string]string{"pl": " "}}, "pl text is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := parley.Site{Name: "Tea", Announcements: []parley.Announcement{tt.a}}
			got, err := s.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if a := got.Announcements[0]; a.Text != strings.TrimSpace(tt.a.Text) {
					t.Errorf("text %q not trimmed", a.Text)
				}
				return
			}
			if err == nil || !strings.Contains(parley.ErrorMessage(err), tt.want) {
				t.Fatalf("Validate = %v, want an error with %q", err, tt.want)
			}
		})
	}
	s := parley.Site{Name: "Tea", Announcements: make([]parley.Announcement, parley.MaxAnnouncements+1)}
	if _, err := s.Validate(); err == nil || !strings.Contains(parley.ErrorMessage(err), "At most") {
		t.Errorf("11 announcements: %v", err)
	}
}

func TestSiteValidateContact(t *testing.T) {
	for _, tt := range []struct {
		c       parley.Contact
		ok      bool
		wantTel string
	}{
		{parley.Contact{Email: "shop@example.com", Phone: "+48 123 456 789"}, true, "tel:+48123456789"},
		{parley.Contact{Phone: "(030) 1234-5678"}, true, "tel:03012345678"},
		{parley.Contact{}, true, ""},
		{parley.Contact{Email: "not an email"}, false, ""},
		{parley.Contact{Email: "a@b.example?subject=x"}, false, ""},
		{parley.Contact{Phone: "12345"}, false, ""},
		{parley.Contact{Phone: "+48 123 abc"}, false, ""},
		{parley.Contact{Phone: "12+345678"}, false, ""},
		{parley.Contact{Phone: "1234567890123456"}, false, ""},
	} {
		s := parley.Site{Name: "Tea", Contact: tt.c}
		got, err := s.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok %v", tt.c, err, tt.ok)
			continue
		}
		if tt.ok && parley.TelURI(got.Contact.Phone) != tt.wantTel && got.Contact.Phone != "" {
			t.Errorf("TelURI(%q) = %q, want %q", got.Contact.Phone, parley.TelURI(got.Contact.Phone), tt.wantTel)
		}
	}
}
