package parley_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"

	// The tests need Europe/Warsaw wherever they run; a test binary may
	// carry the zone data that the wasm apps must not.
	_ "time/tzdata"
)

func warsaw(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func hm(h, m int) int { return h*60 + m }

// shopHours: Monday to Friday 9–17, Saturday 10–14, closed on Sunday.
func shopHours(holidays ...string) parley.Hours {
	h := parley.Hours{Enabled: true, Zone: "Europe/Warsaw", Holidays: holidays}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Week[d] = []parley.Span{{From: hm(9, 0), To: hm(17, 0)}}
	}
	h.Week[time.Saturday] = []parley.Span{{From: hm(10, 0), To: hm(14, 0)}}
	return h
}

func TestOpenAt(t *testing.T) {
	waw := warsaw(t)
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, waw)
	}
	night := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}
	night.Week[time.Friday] = []parley.Span{{From: hm(22, 0), To: 1440}}
	night.Week[time.Saturday] = []parley.Span{{From: 0, To: hm(2, 0)}}

	allDay := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}
	for d := range allDay.Week {
		allDay.Week[d] = []parley.Span{{From: 0, To: 1440}}
	}
	notSunday := allDay
	notSunday.Week[time.Sunday] = nil

	mondays := parley.Hours{Enabled: true, Zone: "Europe/Warsaw", Holidays: []string{"2026-03-30"}}
	mondays.Week[time.Monday] = []parley.Span{{From: hm(9, 0), To: hm(17, 0)}}

	skipped := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}
	skipped.Week[time.Sunday] = []parley.Span{{From: hm(2, 30), To: hm(4, 0)}}

	closed := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}

	tests := []struct {
		name string
		h    parley.Hours
		t    time.Time
		open bool
		next string // RFC 3339 in UTC, "" for zero
	}{
		{"Monday morning: open until 17:00", shopHours(), at(3, 23, 10, 0), true, "2026-03-23T16:00:00Z"},
		{"Monday 8:59: opens at 9:00", shopHours(), at(3, 23, 8, 59), false, "2026-03-23T08:00:00Z"},
		{"Monday 9:00 on the dot: open", shopHours(), at(3, 23, 9, 0), true, "2026-03-23T16:00:00Z"},
		{"Monday 17:00 on the dot: closed until Tuesday", shopHours(), at(3, 23, 17, 0), false, "2026-03-24T08:00:00Z"},
		{"Friday evening: Saturday at 10:00", shopHours(), at(3, 27, 18, 0), false, "2026-03-28T09:00:00Z"},
		// Clocks go forward on Sunday 29 March: Monday 9:00 is 7:00 UTC.
		{"Saturday after closing, spring DST: Monday 9:00 CEST", shopHours(), at(3, 28, 15, 0), false, "2026-03-30T07:00:00Z"},
		{"Sunday, the DST day itself", shopHours(), at(3, 29, 12, 0), false, "2026-03-30T07:00:00Z"},
		// Clocks go back on Sunday 25 October: Monday 9:00 is 8:00 UTC.
		{"Saturday after closing, autumn DST: Monday 9:00 CET", shopHours(), at(10, 24, 15, 0), false, "2026-10-26T08:00:00Z"},
		{"Saturday open, autumn DST weekend", shopHours(), at(10, 24, 11, 0), true, "2026-10-24T12:00:00Z"},
		{"Easter Monday a holiday: Tuesday", shopHours("2026-04-06"), at(4, 4, 15, 0), false, "2026-04-07T07:00:00Z"},
		{"on the holiday itself: closed", shopHours("2026-04-06"), at(4, 6, 10, 0), false, "2026-04-07T07:00:00Z"},
		{"the day before a holiday: open until 17:00", shopHours("2026-04-06"), at(4, 3, 10, 0), true, "2026-04-03T15:00:00Z"},
		{"overnight: before it", night, at(3, 27, 21, 0), false, "2026-03-27T21:00:00Z"},
		{"overnight: before midnight, open until 2:00", night, at(3, 27, 23, 0), true, "2026-03-28T01:00:00Z"},
		{"overnight: after midnight", night, at(3, 28, 1, 0), true, "2026-03-28T01:00:00Z"},
		{"overnight: after it, a week on", night, at(3, 28, 2, 0), false, "2026-04-03T20:00:00Z"},
		{"no spans: always closed", closed, at(3, 23, 10, 0), false, ""},
		{"disabled: always open", parley.Hours{Zone: "Europe/Warsaw"}, at(3, 23, 3, 0), true, ""},
		{"every day 0–24: open, no end in sight", allDay, at(3, 23, 10, 0), true, ""},
		{"0–24 but Sunday: open until Sunday", notSunday, at(3, 23, 10, 0), true, "2026-03-28T23:00:00Z"},
		{"0–24 but Sunday: on Sunday, Monday at 0:00", notSunday, at(3, 29, 12, 0), false, "2026-03-29T22:00:00Z"},
		{"Mondays only, next one a holiday: the one after", mondays, at(3, 23, 18, 0), false, "2026-04-06T07:00:00Z"},
		// 2:30 does not exist on 29 March: it counts as 3:30 CEST.
		{"a span starting in the skipped hour", skipped, at(3, 29, 1, 0), false, "2026-03-29T01:30:00Z"},
	}
	for _, tt := range tests {
		open, next := tt.h.OpenAt(tt.t, waw)
		got := ""
		if !next.IsZero() {
			got = next.UTC().Format(time.RFC3339)
		}
		if open != tt.open || got != tt.next {
			t.Errorf("%s: OpenAt(%s) = %v, %q; want %v, %q", tt.name, tt.t, open, got, tt.open, tt.next)
		}
	}
}

func TestOpenAtLooksAheadTwoWeeks(t *testing.T) {
	waw := warsaw(t)
	h := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}
	h.Week[time.Monday] = []parley.Span{{From: hm(9, 0), To: hm(17, 0)}}
	// Two Mondays off: the third is beyond 14 days plus the two holidays.
	h.Holidays = []string{"2026-03-30", "2026-04-06"}
	if open, next := h.OpenAt(time.Date(2026, 3, 23, 18, 0, 0, 0, waw), waw); open || !next.IsZero() {
		t.Errorf("OpenAt = %v, %v; want closed with no opening in sight", open, next)
	}
}

func TestHoursValidate(t *testing.T) {
	week := func(d time.Weekday, spans ...parley.Span) parley.Hours {
		h := parley.Hours{Enabled: true, Zone: "Europe/Warsaw"}
		h.Week[d] = spans
		return h
	}
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(parley.DateLayout)
		}
		return out
	}
	var spans11 []parley.Span
	for i := 0; i < 11; i++ {
		spans11 = append(spans11, parley.Span{From: i * 60, To: i*60 + 30})
	}
	tests := []struct {
		name string
		h    parley.Hours
		want string // part of the error; "" for none
	}{
		{"the shop", shopHours("2026-12-24"), ""},
		{"disabled, empty", parley.Hours{}, ""},
		{"enabled without a zone", parley.Hours{Enabled: true}, "need a time zone"},
		{"unknown zone", parley.Hours{Enabled: true, Zone: "Europe/Atlantis"}, `Unknown time zone "Europe/Atlantis"`},
		{"a path for a zone", parley.Hours{Enabled: true, Zone: "../../etc/passwd"}, "is not a time zone name"},
		{"the server's zone", parley.Hours{Enabled: true, Zone: "Local"}, "is not a time zone name"},
		{"UTC", parley.Hours{Enabled: true, Zone: "UTC"}, ""},
		{"overlap", week(time.Monday, parley.Span{From: hm(9, 0), To: hm(12, 0)}, parley.Span{From: hm(11, 0), To: hm(17, 0)}),
			"Monday: 9:00–12:00 overlaps 11:00–17:00."},
		{"overlap, unsorted", week(time.Tuesday, parley.Span{From: hm(11, 0), To: hm(17, 0)}, parley.Span{From: hm(9, 0), To: hm(12, 0)}),
			"Tuesday: 9:00–12:00 overlaps 11:00–17:00."},
		{"ends before it starts", week(time.Sunday, parley.Span{From: hm(17, 0), To: hm(9, 0)}), "Sunday: 17:00–9:00 is not an open time"},
		{"empty span", week(time.Sunday, parley.Span{From: 60, To: 60}), "is not an open time"},
		{"before midnight", week(time.Sunday, parley.Span{From: -1, To: 60}), "is not an open time"},
		{"past midnight", week(time.Saturday, parley.Span{From: hm(22, 0), To: 1441}), "Saturday: 22:00–24:01 is not an open time"},
		{"starts at 24:00", week(time.Saturday, parley.Span{From: 1440, To: 1440}), "is not an open time"},
		{"0–24", week(time.Saturday, parley.Span{From: 0, To: 1440}), ""},
		{"11 spans", week(time.Friday, spans11...), "Friday has 11 open times; the limit is 10."},
		{"10 spans", week(time.Friday, spans11[:10]...), ""},
		{"bad date", shopHours("2026-02-30"), `Holiday "2026-02-30" is not a date`},
		{"not a date", shopHours("24.12.2026"), "is not a date"},
		{"366 holidays", shopHours(many(366)...), ""},
		{"367 holidays", shopHours(many(367)...), "At most 366 holidays."},
	}
	for _, tt := range tests {
		_, err := tt.h.Validate(time.LoadLocation)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate: %v", tt.name, err)
		case tt.want != "" && !strings.Contains(parley.ErrorMessage(err), tt.want):
			t.Errorf("%s: Validate error %q, want one with %q", tt.name, parley.ErrorMessage(err), tt.want)
		}
	}
}

func TestHoursValidateNormalises(t *testing.T) {
	h := parley.Hours{Enabled: true, Zone: " Europe/Warsaw ", Holidays: []string{"2026-12-26", " 2026-12-24", "2026-12-26"}}
	h.Week[time.Monday] = []parley.Span{{From: hm(13, 0), To: hm(17, 0)}, {From: hm(9, 0), To: hm(12, 0)}, {From: hm(12, 0), To: hm(13, 0)}}
	h.Week[time.Tuesday] = []parley.Span{{From: hm(14, 0), To: hm(18, 0)}, {From: hm(8, 0), To: hm(12, 0)}}
	got, err := h.Validate(time.LoadLocation)
	if err != nil {
		t.Fatal(err)
	}
	if got.Zone != "Europe/Warsaw" {
		t.Errorf("zone %q, want it trimmed", got.Zone)
	}
	if want := []parley.Span{{From: hm(9, 0), To: hm(17, 0)}}; !equalSpans(got.Week[time.Monday], want) {
		t.Errorf("Monday %v, want touching spans joined: %v", got.Week[time.Monday], want)
	}
	if want := []parley.Span{{From: hm(8, 0), To: hm(12, 0)}, {From: hm(14, 0), To: hm(18, 0)}}; !equalSpans(got.Week[time.Tuesday], want) {
		t.Errorf("Tuesday %v, want sorted %v", got.Week[time.Tuesday], want)
	}
	if len(h.Week[time.Monday]) != 3 {
		t.Error("Validate changed the caller's spans")
	}
	if want := "2026-12-24 2026-12-26"; strings.Join(got.Holidays, " ") != want {
		t.Errorf("holidays %v, want %s", got.Holidays, want)
	}
	// Without a zone loader (the wasm apps) only the name's shape counts.
	if _, err := (parley.Hours{Enabled: true, Zone: "Europe/Atlantis"}).Validate(nil); err != nil {
		t.Errorf("Validate(nil) refused a well-formed zone name: %v", err)
	}
}

func equalSpans(a, b []parley.Span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRoutingValidateHours(t *testing.T) {
	bad := parley.Hours{Enabled: true, Zone: "Mars/Olympus"}
	tests := []struct {
		name string
		r    parley.Routing
		want string
	}{
		{"no hours, no mode", parley.Routing{}, ""},
		{"every mode", parley.Routing{Offline: parley.OfflineHide}, ""},
		{"email", parley.Routing{Offline: parley.OfflineEmail}, ""},
		{"unknown mode", parley.Routing{Offline: "pigeon"}, `The offline mode must be hide, form or email, not "pigeon".`},
		{"site hours", parley.Routing{Hours: bad}, `Unknown time zone "Mars/Olympus".`},
		{"team hours", parley.Routing{Teams: []parley.Team{{Name: "Orders", Hours: &bad}}}, `Team Orders: Unknown time zone "Mars/Olympus".`},
	}
	for _, tt := range tests {
		_, err := tt.r.Validate(nil, time.LoadLocation)
		if got := parley.ErrorMessage(err); got != tt.want {
			t.Errorf("%s: Validate error %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := (parley.Routing{}).WhenClosed(); got != parley.OfflineForm {
		t.Errorf("default offline mode %q, want %q", got, parley.OfflineForm)
	}
	own := shopHours()
	r := parley.Routing{Hours: parley.Hours{Zone: "UTC"}, Teams: []parley.Team{{ID: "orders"}, {ID: "night", Hours: &own}}}
	if r.HoursFor("orders").Zone != "UTC" || r.HoursFor("night").Zone != "Europe/Warsaw" || r.HoursFor("gone").Zone != "UTC" {
		t.Error("HoursFor: a team without hours of its own has the site's; one with, its own")
	}
}

func TestClosedText(t *testing.T) {
	waw := warsaw(t)
	now := time.Date(2026, 12, 23, 15, 0, 0, 0, waw) // a Wednesday
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, waw) }
	tests := []struct {
		next time.Time
		now  time.Time
		want string
	}{
		{at(2026, 12, 23, 16, 0), now, "We're back today at 16:00"},
		{at(2026, 12, 24, 9, 0), now, "We're back tomorrow at 9:00"},
		{at(2026, 12, 28, 9, 0), now, "We're back Monday at 9:00"},
		{at(2026, 12, 29, 8, 30), now, "We're back Tuesday at 8:30"},
		{at(2026, 12, 30, 9, 0), now, "We're back on 30 December at 9:00"},
		{at(2027, 1, 4, 9, 30), now, "We're back on 4 January 2027 at 9:30"},
		{time.Time{}, now, "We're closed at the moment."},
		// now in another zone: the date that counts is the site's. At
		// 23:30 UTC it is already the 24th in Warsaw.
		{at(2026, 12, 24, 9, 0), time.Date(2026, 12, 23, 23, 30, 0, 0, time.UTC), "We're back today at 9:00"},
		// next as the wasm apps get it: a fixed offset, no zone data.
		{time.Date(2026, 12, 24, 9, 0, 0, 0, time.FixedZone("", 3600)), now.UTC(), "We're back tomorrow at 9:00"},
	}
	for _, tt := range tests {
		if got := parley.ClosedText(tt.next, tt.now); got != tt.want {
			t.Errorf("ClosedText(%s, %s) = %q, want %q", tt.next, tt.now, got, tt.want)
		}
	}
}

// The server sends an OpenState; the console decodes it without zone data
// and still formats it in the site's zone.
func TestOpenStateOverJSON(t *testing.T) {
	waw := warsaw(t)
	now := time.Date(2026, 3, 28, 15, 0, 0, 0, waw)
	st := shopHours().State(now, waw)
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"open":false,"next":"2026-03-30T09:00:00+02:00","text":"We're back Monday at 9:00"}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var got parley.OpenState
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if text := parley.BackAt(got.Next, now.UTC()); text != "Monday at 9:00" {
		t.Errorf("BackAt after the round trip = %q, want Monday at 9:00", text)
	}
	if !got.Current(now) || got.Current(got.Next) {
		t.Error("Current: holds until Next, not from it on")
	}
	open := shopHours().State(time.Date(2026, 3, 30, 10, 0, 0, 0, waw), waw)
	if b, _ := json.Marshal(open); string(b) != `{"open":true,"next":"2026-03-30T17:00:00+02:00"}` {
		t.Errorf("open state JSON %s", b)
	}
}

func TestOpenStateForTeamAndSame(t *testing.T) {
	next := time.Date(2025, 3, 17, 9, 0, 0, 0, time.FixedZone("", 3600))
	away := parley.AwayState()
	site := &parley.OpenState{Open: true, Teams: map[string]parley.OpenState{"orders": away}}
	if got := site.ForTeam("orders"); got == nil || !got.Away {
		t.Errorf("ForTeam(orders) = %+v, want away", got)
	}
	if got := site.ForTeam("returns"); got != site {
		t.Errorf("ForTeam(returns) = %+v, want the site's", got)
	}
	closed := &parley.OpenState{Next: next, Teams: map[string]parley.OpenState{"orders": {Open: true}}}
	if got := closed.ForTeam("orders"); got != closed {
		t.Errorf("a closed site's team: %+v, want the site's state", got)
	}
	if got := (*parley.OpenState)(nil).ForTeam("orders"); got != nil {
		t.Errorf("nil state's team: %+v, want nil", got)
	}
	for _, tc := range []struct {
		a, b *parley.OpenState
		same bool
	}{
		{nil, nil, true},
		{nil, &parley.OpenState{Open: true}, false},
		{&parley.OpenState{Next: next, Text: "We're back Monday"}, &parley.OpenState{Next: next.UTC(), Text: "We're back tomorrow"}, true},
		{&parley.OpenState{Next: next}, &parley.OpenState{Next: next.Add(time.Hour)}, false},
		{site, &parley.OpenState{Open: true, Teams: map[string]parley.OpenState{"orders": away}}, true},
		{site, &parley.OpenState{Open: true, Teams: map[string]parley.OpenState{"returns": away}}, false},
		{site, &parley.OpenState{Open: true}, false},
	} {
		if got := tc.a.Same(tc.b); got != tc.same || tc.b.Same(tc.a) != tc.same {
			t.Errorf("%+v Same %+v = %v, want %v both ways", tc.a, tc.b, got, tc.same)
		}
	}
}
