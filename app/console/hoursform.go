package console

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// HoursForm is the "Business hours" part of the site settings as the
// agent edits it: one open time a day, as <input type=time> values.
type HoursForm struct {
	Enabled bool
	Zone    string
	// Days are indexed by time.Weekday, 0 Sunday; the form lists them
	// from Monday.
	Days [7]DayForm
	// Holidays are dates, one "2026-12-24" a line.
	Holidays string
}

// DayForm is one weekday of the form: open or not, and from when to when
// ("09:00", "17:00"; a close of "00:00" or "24:00" is midnight).
type DayForm struct {
	Open     bool
	From, To string
	// more are the day's further open times: the model allows several a
	// day, the form edits the first and keeps the others as they are.
	more []parley.Span
}

// More counts the day's open times the form keeps without showing them.
func (d DayForm) More() int { return len(d.more) }

// FormWeek is the order the form lists the days in.
var FormWeek = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// NewHoursForm fills the form from business hours. A schedule without a
// zone gets zone, the browser's own, to start from.
func NewHoursForm(h parley.Hours, zone string) HoursForm {
	f := HoursForm{Enabled: h.Enabled, Zone: h.Zone, Holidays: strings.Join(h.Holidays, "\n")}
	if f.Zone == "" {
		f.Zone = zone
	}
	for d, spans := range h.Week {
		if len(spans) == 0 {
			continue
		}
		f.Days[d] = DayForm{Open: true, From: clockValue(spans[0].From), To: clockValue(spans[0].To), more: slices.Clone(spans[1:])}
	}
	return f
}

// Hours turns the form into business hours, checked as the server checks
// them but for the zone's existence, which needs zone data the browser's
// Go lacks.
func (f HoursForm) Hours() (parley.Hours, error) {
	h := parley.Hours{Enabled: f.Enabled, Zone: strings.TrimSpace(f.Zone)}
	for d, day := range f.Days {
		if !day.Open {
			continue
		}
		name := time.Weekday(d).String()
		from, okFrom := parseClock(day.From)
		to, okTo := parseClock(day.To)
		if !okFrom || !okTo {
			return parley.Hours{}, parley.Errorf(parley.EInvalid, "%s: give the opening and closing times, like 09:00 and 17:00.", name)
		}
		if to == 0 {
			to = 24 * 60
		}
		if to <= from {
			return parley.Hours{}, parley.Errorf(parley.EInvalid,
				"%s closes before it opens. To stay open past midnight, close at 00:00 and open the next day at 00:00.", name)
		}
		h.Week[d] = append([]parley.Span{{From: from, To: to}}, day.more...)
	}
	for _, line := range strings.Split(f.Holidays, "\n") {
		if s := strings.TrimSpace(line); s != "" {
			h.Holidays = append(h.Holidays, s)
		}
	}
	return h.Validate(nil)
}

// parseClock reads an <input type=time> value, "HH:MM" or "HH:MM:SS",
// and "24:00", as minutes from midnight.
func parseClock(s string) (int, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, false
	}
	return h*60 + m, true
}

// clockValue writes minutes from midnight as an <input type=time> value;
// midnight at the end of the day is "00:00", which the form reads back as
// the end of the day when it closes.
func clockValue(min int) string {
	return fmt.Sprintf("%02d:%02d", min/60%24, min%60)
}

// CommonZones are offered with the zone field; any IANA name will do.
var CommonZones = []string{
	"UTC",
	"Europe/London", "Europe/Dublin", "Europe/Lisbon",
	"Europe/Paris", "Europe/Berlin", "Europe/Amsterdam", "Europe/Brussels", "Europe/Madrid", "Europe/Rome",
	"Europe/Vienna", "Europe/Zurich", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen",
	"Europe/Warsaw", "Europe/Prague", "Europe/Budapest",
	"Europe/Helsinki", "Europe/Athens", "Europe/Bucharest", "Europe/Kyiv", "Europe/Istanbul",
}

// OfflineModes are the choices of what the widget does when nobody can
// answer.
var OfflineModes = []struct {
	Mode  parley.OfflineMode
	Label string
}{
	{parley.OfflineHide, "Hide the chat launcher"},
	{parley.OfflineForm, "Show an offline form: name, email and message"},
	{parley.OfflineEmail, "Accept the chat and promise a reply by email"},
}

// OpenLabel is how the console words a site's open state: "Open now",
// "Closed — back Monday at 9:00"; "" when it is unknown or out of date.
func OpenLabel(st *parley.OpenState, now time.Time) string {
	if st == nil || !st.Current(now) {
		return ""
	}
	if st.Open {
		return "Open now"
	}
	if st.Next.IsZero() {
		return "Closed"
	}
	return "Closed — back " + parley.BackAt(st.Next, now)
}

// SiteOpenLabel is one site's open state in the console's header.
type SiteOpenLabel struct {
	Site  string // the site's name, "" when it is the only one shown
	Label string // OpenLabel
	Open  bool
}

// OpenLabels are the header's open states of sites: those with a current
// state only, named when there are several.
func OpenLabels(sites []SiteInfo, now time.Time) []SiteOpenLabel {
	var out []SiteOpenLabel
	for _, s := range sites {
		if label := OpenLabel(s.Open, now); label != "" {
			name := s.Name
			if name == "" {
				name = s.ID
			}
			out = append(out, SiteOpenLabel{Site: name, Label: label, Open: s.Open.Open})
		}
	}
	if len(out) == 1 {
		out[0].Site = ""
	}
	return out
}
