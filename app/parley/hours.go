package parley

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Business hours: when a site (or one of its teams) answers chats, in its
// own time zone, and what the widget does outside them (OfflineMode).
//
// Only the server computes whether a site is open: it has the zone data.
// A browser's Go (GOOS=js) reads no zone files, and the wasm apps do not
// embed time/tzdata, which would cost them ~450 KB. So the server sends an
// OpenState, whose Next carries the site's UTC offset at that instant, and
// the wasm apps only format it.

// Hours is a weekly schedule in a time zone, with holidays.
type Hours struct {
	// Enabled turns the schedule on; without it the site is always open.
	Enabled bool `json:"enabled"`
	// Zone is an IANA time zone name, like "Europe/Warsaw".
	Zone string `json:"zone"`
	// Week holds each day's open spans, indexed by time.Weekday (0 is
	// Sunday): minutes from local midnight, sorted and apart after
	// Validate. A day without spans is closed.
	Week [7][]Span `json:"week"`
	// Holidays are local dates, "2026-12-24", closed all day; sorted and
	// without repeats after Validate.
	Holidays []string `json:"holidays,omitempty"`
}

// Span is an open time of a day, in minutes from local midnight: From is
// 0–1439, To is From+1–1440. A span ending at 1440 runs into the next
// day's span starting at 0, as one open time.
type Span struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Business hours bounds.
const (
	MaxDaySpans  = 10
	MaxHolidays  = 366
	minutesInDay = 24 * 60
	maxZoneName  = 64
	// HoursLookahead is how many days OpenAt looks ahead for the next
	// change, holidays not counted.
	HoursLookahead = 14
	// DateLayout is the layout of a holiday.
	DateLayout = "2006-01-02"
)

// OfflineMode is what the widget does when the site is closed, or when no
// member of the chosen team is online.
type OfflineMode string

const (
	// OfflineHide hides the launcher.
	OfflineHide OfflineMode = "hide"
	// OfflineForm shows an offline form: name, email, message (and the
	// topic when the site has topics). The default.
	OfflineForm OfflineMode = "form"
	// OfflineEmail accepts the chat and promises a reply by email.
	OfflineEmail OfflineMode = "email"
)

// valid says whether m is an offline mode; "" is the default, OfflineForm.
func (m OfflineMode) valid() bool {
	return m == "" || m == OfflineHide || m == OfflineForm || m == OfflineEmail
}

// WhenClosed is the site's offline mode, OfflineForm when it has none.
func (r Routing) WhenClosed() OfflineMode {
	if r.Offline == "" {
		return OfflineForm
	}
	return r.Offline
}

// HoursFor returns the business hours of team id: its own when it has
// them, else the site's.
func (r Routing) HoursFor(team string) Hours {
	if t, ok := r.Team(team); ok && t.Hours != nil {
		return *t.Hours
	}
	return r.Hours
}

// Weekday names, for messages.
var weekdays = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// Validate checks and normalises business hours from outside: spans in
// range, sorted, not overlapping (touching spans are joined), at most
// MaxDaySpans a day; holidays real dates, sorted, at most MaxHolidays; a
// zone when enabled. loadZone (time.LoadLocation on the server) checks
// that the zone exists; nil checks only the name's shape, for the wasm
// apps, which have no zone data.
func (h Hours) Validate(loadZone func(string) (*time.Location, error)) (Hours, error) {
	h.Zone = strings.TrimSpace(h.Zone)
	if h.Enabled && h.Zone == "" {
		return Hours{}, Errorf(EInvalid, "Business hours need a time zone, like Europe/Warsaw.")
	}
	if h.Zone != "" {
		if !zoneNameShape(h.Zone) {
			return Hours{}, Errorf(EInvalid, "%q is not a time zone name, like Europe/Warsaw.", Truncate(h.Zone, 40))
		}
		if loadZone != nil {
			if _, err := loadZone(h.Zone); err != nil {
				return Hours{}, Errorf(EInvalid, "Unknown time zone %q.", h.Zone)
			}
		}
	}
	for d := range h.Week {
		spans := h.Week[d]
		if len(spans) > MaxDaySpans {
			return Hours{}, Errorf(ETooLarge, "%s has %d open times; the limit is %d.", weekdays[d], len(spans), MaxDaySpans)
		}
		for _, s := range spans {
			if s.From < 0 || s.From >= minutesInDay || s.To <= s.From || s.To > minutesInDay {
				return Hours{}, Errorf(EInvalid, "%s: %s–%s is not an open time: it must start before it ends, within the day.",
					weekdays[d], clock(s.From), clock(s.To))
			}
		}
		// At most MaxDaySpans: an insertion sort, which costs the wasm
		// apps far less than a generic sort's instantiation.
		sorted := slices.Clone(spans)
		for i := 1; i < len(sorted); i++ {
			for j := i; j > 0 && sorted[j].From < sorted[j-1].From; j-- {
				sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
			}
		}
		var out []Span
		for _, s := range sorted {
			if n := len(out); n > 0 && s.From <= out[n-1].To {
				if s.From < out[n-1].To {
					return Hours{}, Errorf(EInvalid, "%s: %s–%s overlaps %s–%s.", weekdays[d],
						clock(out[n-1].From), clock(out[n-1].To), clock(s.From), clock(s.To))
				}
				out[n-1].To = s.To
				continue
			}
			out = append(out, s)
		}
		h.Week[d] = out
	}
	if len(h.Holidays) > MaxHolidays {
		return Hours{}, Errorf(ETooLarge, "At most %d holidays.", MaxHolidays)
	}
	holidays := make([]string, 0, len(h.Holidays))
	for _, s := range h.Holidays {
		s = strings.TrimSpace(s)
		if _, err := time.Parse(DateLayout, s); err != nil {
			return Hours{}, Errorf(EInvalid, "Holiday %q is not a date of the form 2026-12-24.", Truncate(s, 20))
		}
		holidays = append(holidays, s)
	}
	slices.Sort(holidays)
	h.Holidays = slices.Compact(holidays)
	if len(h.Holidays) == 0 {
		h.Holidays = nil
	}
	return h, nil
}

// zoneNameShape says whether s looks like an IANA zone name: ASCII
// letters, digits and "/_-+", not starting with '/', no "..". "Local" is
// the server's own zone, not the site's.
func zoneNameShape(s string) bool {
	if len(s) > maxZoneName || s[0] == '/' || strings.Contains(s, "..") || s == "Local" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_-+", r)) {
			return false
		}
	}
	return true
}

// clock writes minutes from midnight as "9:00", "17:30", "24:00".
func clock(min int) string {
	return fmt.Sprintf("%d:%02d", min/60, min%60)
}

// OpenAt says whether the schedule is open at t, in loc (the zone of
// h.Zone, which the caller loads), and when that changes: when it closes
// if open, when it opens if closed. next is zero when no change comes
// within HoursLookahead days (holidays not counted): a schedule without
// spans, or one open around the clock. A disabled schedule is always open.
//
// Open times are wall-clock times of each date, so 9:00 is 9:00 on the
// days the clocks change too; a time the clocks skip counts as the time
// it becomes.
func (h Hours) OpenAt(t time.Time, loc *time.Location) (open bool, next time.Time) {
	if !h.Enabled {
		return true, time.Time{}
	}
	holiday := make(map[string]bool, len(h.Holidays))
	for _, d := range h.Holidays {
		holiday[d] = true
	}
	lt := t.In(loc)
	y, m, d := lt.Date()
	// The open times from t's date on, joined where they touch.
	type interval struct{ from, to time.Time }
	var times []interval
	var end time.Time // the end of the last day looked at
	skipped := 0
	for k := 0; k <= HoursLookahead+skipped; k++ {
		day := time.Date(y, m, d+k, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d+k+1, 0, 0, 0, 0, loc)
		if holiday[day.Format(DateLayout)] {
			skipped++
			continue
		}
		for _, s := range h.Week[day.Weekday()] {
			iv := interval{time.Date(y, m, d+k, 0, s.From, 0, 0, loc), time.Date(y, m, d+k, 0, s.To, 0, 0, loc)}
			if n := len(times); n > 0 && !iv.from.After(times[n-1].to) {
				times[n-1].to = iv.to
				continue
			}
			times = append(times, iv)
		}
	}
	for _, iv := range times {
		switch {
		case t.Before(iv.from):
			return false, iv.from
		case t.Before(iv.to):
			if !iv.to.Before(end) {
				// Open to the end of what was looked at: the close is
				// further away.
				return true, time.Time{}
			}
			return true, iv.to
		}
	}
	return false, time.Time{}
}

// OpenState is whether a site (or a team) is open, as the server computes
// it for the console and the widget.
type OpenState struct {
	Open bool `json:"open"`
	// Next is when that changes, with the site's UTC offset at that
	// instant, so that it formats in the site's zone without zone data;
	// zero when no change is in sight.
	Next time.Time `json:"next,omitzero"`
	// Text says it to a visitor: ClosedText when closed, "" when open.
	Text string `json:"text,omitempty"`
	// Away says the site is closed although its hours are open: nobody
	// who answers chat is online. Next is then zero: nobody knows when
	// someone comes back.
	Away bool `json:"away,omitempty"`
	// Teams (a site's state, when the site answers) are the teams that do
	// not: outside their own hours, or with none of their members online.
	// The key "" is the default team, which a chat without a topic goes
	// to.
	Teams map[string]OpenState `json:"teams,omitempty"`
}

// ForTeam is the state a chat with team meets, from its site's state s
// (nil: the site answers, and so does every team).
func (s *OpenState) ForTeam(team string) *OpenState {
	if s == nil || !s.Open {
		return s
	}
	if t, ok := s.Teams[team]; ok {
		return &t
	}
	return s
}

// Same says whether s and o tell a visitor the same. Text is left out: it
// is worded at the moment it was computed ("back today at 9:00" turns
// into "back tomorrow at 9:00" at midnight), and the widget words Next
// itself.
func (s *OpenState) Same(o *OpenState) bool {
	if s == nil || o == nil {
		return s == o
	}
	if s.Open != o.Open || s.Away != o.Away || !s.Next.Equal(o.Next) || len(s.Teams) != len(o.Teams) {
		return false
	}
	for k, t := range s.Teams {
		u, ok := o.Teams[k]
		if !ok || !t.Same(&u) {
			return false
		}
	}
	return true
}

// AwayText is what a visitor is told when nobody is online in business
// hours.
const AwayText = "We're away right now."

// AwayState is the state of a site that is open by its hours but has
// nobody online to answer.
func AwayState() OpenState { return OpenState{Away: true, Text: AwayText} }

// State is the OpenState of h at now, in loc (the zone of h.Zone).
func (h Hours) State(now time.Time, loc *time.Location) OpenState {
	open, next := h.OpenAt(now, loc)
	st := OpenState{Open: open}
	if !next.IsZero() {
		// A fixed zone of the offset at next: all the wasm apps need.
		_, off := next.In(loc).Zone()
		st.Next = next.In(time.FixedZone("", off))
	}
	if !open {
		st.Text = ClosedText(st.Next, now)
	}
	return st
}

// Current says whether s still holds at now: once Next has passed the
// state has changed, and what it changed to is the server's to say.
func (s OpenState) Current(now time.Time) bool {
	return s.Next.IsZero() || now.Before(s.Next)
}

// ClosedText tells a visitor when a closed site opens: "We're back today
// at 14:00", "… tomorrow at 9:00", "… Monday at 9:00" within the week,
// "… on 27 December at 9:00" beyond it. next is in the site's zone (or
// its offset), now is the present; with next zero it says only that the
// site is closed.
func ClosedText(next, now time.Time) string {
	if next.IsZero() {
		return "We're closed at the moment."
	}
	return "We're back " + BackAt(next, now)
}

// BackAt words when next is, seen from now, in next's zone: "today at
// 14:00", "tomorrow at 9:00", "Monday at 9:00", "on 27 December at 9:00"
// (with the year when it is not now's).
func BackAt(next, now time.Time) string {
	now = now.In(next.Location())
	at := " at " + clock(next.Hour()*60+next.Minute())
	days := civilDays(next) - civilDays(now)
	switch {
	case days <= 0:
		return "today" + at
	case days == 1:
		return "tomorrow" + at
	case days < 7:
		return next.Weekday().String() + at
	case next.Year() != now.Year():
		return fmt.Sprintf("on %d %s %d%s", next.Day(), next.Month(), next.Year(), at)
	default:
		return fmt.Sprintf("on %d %s%s", next.Day(), next.Month(), at)
	}
}

// civilDays numbers t's calendar date in its own zone.
func civilDays(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}
