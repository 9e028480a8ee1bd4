package console_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func span(fh, fm, th, tm int) parley.Span { return parley.Span{From: fh*60 + fm, To: th*60 + tm} }

func TestHoursFormRoundTrip(t *testing.T) {
	h := parley.Hours{Enabled: true, Zone: "Europe/Warsaw", Holidays: []string{"2026-12-24", "2026-12-25"}}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Week[d] = []parley.Span{span(9, 0, 17, 0)}
	}
	h.Week[time.Saturday] = []parley.Span{span(10, 0, 14, 0), span(18, 0, 24, 0)} // the second is kept unseen
	h.Week[time.Sunday] = []parley.Span{span(0, 0, 2, 0)}

	f := console.NewHoursForm(h, "America/New_York")
	if f.Zone != "Europe/Warsaw" {
		t.Errorf("zone %q: the browser's replaced the site's", f.Zone)
	}
	sat := f.Days[time.Saturday]
	if !sat.Open || sat.From != "10:00" || sat.To != "14:00" || sat.More() != 1 {
		t.Errorf("Saturday %+v, want 10:00–14:00 and one more", sat)
	}
	if f.Days[time.Tuesday].From != "09:00" || f.Days[time.Sunday].To != "02:00" {
		t.Errorf("days %+v", f.Days)
	}
	if f.Holidays != "2026-12-24\n2026-12-25" {
		t.Errorf("holidays %q", f.Holidays)
	}
	got, err := f.Hours()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, h)
	}

	if z := console.NewHoursForm(parley.Hours{}, "Europe/Lisbon").Zone; z != "Europe/Lisbon" {
		t.Errorf("no zone: got %q, want the browser's", z)
	}
	if got, err := console.NewHoursForm(parley.Hours{}, "").Hours(); err != nil || !reflect.DeepEqual(got, parley.Hours{}) {
		t.Errorf("empty round trip: %+v, %v", got, err)
	}
}

func TestHoursFormEdits(t *testing.T) {
	base := func() console.HoursForm {
		f := console.HoursForm{Enabled: true, Zone: "Europe/Warsaw"}
		f.Days[time.Monday] = console.DayForm{Open: true, From: "09:00", To: "17:00"}
		return f
	}
	tests := []struct {
		name   string
		edit   func(*console.HoursForm)
		monday []parley.Span
		err    string
	}{
		{"as is", func(*console.HoursForm) {}, []parley.Span{span(9, 0, 17, 0)}, ""},
		{"closing at 00:00 is midnight", func(f *console.HoursForm) { f.Days[time.Monday].To = "00:00" }, []parley.Span{span(9, 0, 24, 0)}, ""},
		{"24:00 too", func(f *console.HoursForm) { f.Days[time.Monday].To = "24:00" }, []parley.Span{span(9, 0, 24, 0)}, ""},
		{"seconds from the time input", func(f *console.HoursForm) { f.Days[time.Monday].From = "09:30:00" }, []parley.Span{span(9, 30, 17, 0)}, ""},
		{"closed day drops its times", func(f *console.HoursForm) { f.Days[time.Monday].Open = false }, nil, ""},
		{"closes before it opens", func(f *console.HoursForm) { f.Days[time.Monday].To = "08:00" }, nil, "Monday closes before it opens"},
		{"no times", func(f *console.HoursForm) { f.Days[time.Monday].From = "" }, nil, "Monday: give the opening and closing times"},
		{"not a time", func(f *console.HoursForm) { f.Days[time.Monday].To = "25:00" }, nil, "give the opening and closing times"},
		{"no zone", func(f *console.HoursForm) { f.Zone = " " }, nil, "need a time zone"},
		{"a zone name of the wrong shape", func(f *console.HoursForm) { f.Zone = "Warsaw time" }, nil, "is not a time zone name"},
		{"holidays with blank lines", func(f *console.HoursForm) { f.Holidays = "\n 2026-12-24 \n\n2026-12-24\n" }, []parley.Span{span(9, 0, 17, 0)}, ""},
		{"a bad holiday", func(f *console.HoursForm) { f.Holidays = "2026-12-24\n24/12/2026" }, nil, `Holiday "24/12/2026" is not a date`},
	}
	for _, tt := range tests {
		f := base()
		tt.edit(&f)
		h, err := f.Hours()
		if tt.err != "" {
			if !strings.Contains(parley.ErrorMessage(err), tt.err) {
				t.Errorf("%s: error %q, want one with %q", tt.name, parley.ErrorMessage(err), tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(h.Week[time.Monday], tt.monday) {
			t.Errorf("%s: Monday %v, want %v", tt.name, h.Week[time.Monday], tt.monday)
		}
	}
}

func TestRoutingFormKeepsHours(t *testing.T) {
	own := parley.Hours{Enabled: true, Zone: "UTC"}
	own.Week[time.Sunday] = []parley.Span{span(10, 0, 12, 0)}
	site := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}
	site.Week[time.Monday] = []parley.Span{span(9, 0, 17, 0)}
	base := parley.Routing{
		Teams:   []parley.Team{{ID: "orders", Name: "Orders", Hours: &own}, {ID: "returns", Name: "Returns"}},
		Hours:   site,
		Offline: parley.OfflineEmail,
	}
	f := console.NewRoutingForm(base, "Europe/Lisbon")
	if f.Offline != parley.OfflineEmail {
		t.Errorf("offline %q", f.Offline)
	}
	got, err := f.Routing()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, base) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, base)
	}
	got.Teams[0].Hours.Week[time.Sunday][0].From = 0
	if own.Week[time.Sunday][0].From != 600 {
		t.Error("the form shares a team's spans with the site it came from")
	}
	f.Offline = parley.OfflineHide
	if r, err := f.Routing(); err != nil || r.Offline != parley.OfflineHide {
		t.Errorf("offline hide: %q, %v", r.Offline, err)
	}
}

func TestOpenLabel(t *testing.T) {
	// As decoded from the server: the site's offset, no zone data.
	cet := time.FixedZone("", 3600)
	now := time.Date(2026, 12, 23, 15, 0, 0, 0, cet) // a Wednesday
	monday := time.Date(2026, 12, 28, 9, 0, 0, 0, cet)
	tests := []struct {
		name string
		st   *parley.OpenState
		now  time.Time
		want string
	}{
		{"unknown", nil, now, ""},
		{"open", &parley.OpenState{Open: true, Next: now.Add(2 * time.Hour)}, now, "Open now"},
		{"open, no close in sight", &parley.OpenState{Open: true}, now, "Open now"},
		{"closed", &parley.OpenState{Next: monday}, now, "Closed — back Monday at 9:00"},
		{"closed, seen from UTC", &parley.OpenState{Next: monday}, now.UTC(), "Closed — back Monday at 9:00"},
		{"closed for good", &parley.OpenState{}, now, "Closed"},
		{"out of date: Next has passed", &parley.OpenState{Next: monday}, monday.Add(time.Minute), ""},
	}
	for _, tt := range tests {
		if got := console.OpenLabel(tt.st, tt.now); got != tt.want {
			t.Errorf("%s: OpenLabel = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestOpenLabels(t *testing.T) {
	now := time.Date(2026, 12, 23, 15, 0, 0, 0, time.UTC)
	var sites []console.SiteInfo
	for _, js := range []string{
		`{"id":"shop","name":"Shop","open":{"open":true,"next":"2026-12-23T17:00:00+01:00"}}`,
		`{"id":"blog","name":"Blog"}`,
		`{"id":"outlet","name":"","open":{"open":false,"next":"2026-12-24T09:00:00+01:00","text":"We're back tomorrow at 9:00"}}`,
	} {
		var s console.SiteInfo
		if err := json.Unmarshal([]byte(js), &s); err != nil {
			t.Fatal(err)
		}
		sites = append(sites, s)
	}
	want := []console.SiteOpenLabel{
		{Site: "Shop", Label: "Open now", Open: true},
		{Site: "outlet", Label: "Closed — back tomorrow at 9:00"},
	}
	if got := console.OpenLabels(sites, now); !reflect.DeepEqual(got, want) {
		t.Errorf("OpenLabels = %+v, want %+v", got, want)
	}
	// One site with a state: no name needed.
	if got := console.OpenLabels(sites[:2], now); len(got) != 1 || got[0].Site != "" {
		t.Errorf("one site: %+v", got)
	}
	if got := console.OpenLabels(sites[1:2], now); got != nil {
		t.Errorf("no states: %+v, want nothing shown", got)
	}
}
