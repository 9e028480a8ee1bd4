package parley

import (
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Announcements: a site's banner text ("Free shipping until Sunday"), shown
// at the top of the open widget and, if the owner wants, as a small teaser
// beside the launcher, within a window of dates and on pages matching a
// pattern.
//
// The owner gives the window as local dates or date-times in the site's
// time zone (its business hours' zone, UTC without one). Only the server
// has zone data (see hours.go), so it resolves the window to instants
// (AnnouncementView) and the browser compares them with its clock: the
// loader is cached for minutes, and the widget stays open for hours, so the
// window must not be decided when the page is served.

// Announcement is one announcement as the owner wrote it.
type Announcement struct {
	// Text is the banner, 1–280 characters, shown as text.
	Text string `json:"text"`
	// Texts are the same text in other languages, by language tag
	// ("pl", "de"): the widget shows the visitor's, or Text.
	Texts map[string]string `json:"texts,omitempty"`
	// Link, optional, is an http(s) URL the banner links to.
	Link string `json:"link,omitempty"`
	// From and Until bound the window in the site's time zone:
	// "2026-12-01" or "2026-12-01T09:00". A date From starts at that
	// day's midnight; a date Until includes that whole day. Empty: open.
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
	// PagePattern matches the shop page's path (and query) as the
	// proactive greeting's does (MatchPage); empty matches every page.
	PagePattern string `json:"pagePattern,omitempty"`
	// Teaser also shows the text beside the launcher, before the chat
	// is opened.
	Teaser bool `json:"teaser,omitempty"`
}

// Contact is how else to reach the shop, shown by the loader when the chat
// cannot load. Both are public.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Bounds on announcements and contact details.
const (
	MaxAnnouncements     = 10
	MaxAnnouncementText  = 280
	MaxAnnouncementLink  = 2048
	maxAnnouncementLangs = 10
	maxPhone             = 32
)

// localLayouts are the accepted forms of From and Until; the first is a
// whole day.
var localLayouts = []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"}

// parseLocal reads a From or Until as a wall-clock time (in UTC, to be
// placed in a zone later) and whether it is a whole day.
func parseLocal(s string) (t time.Time, day bool, ok bool) {
	for i, l := range localLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, i == 0, true
		}
	}
	return time.Time{}, false, false
}

// in places wall-clock time t in loc. A time that does not exist there (a
// DST gap) moves forward, as time.Date does.
func in(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
}

// Window is the announcement's window in loc: start and end, each zero when
// open. A whole-day Until ends at the next local midnight, however long
// that day is.
func (a Announcement) Window(loc *time.Location) (start, end time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	if t, _, ok := parseLocal(a.From); ok {
		start = in(t, loc)
	}
	if t, day, ok := parseLocal(a.Until); ok {
		if day {
			t = t.AddDate(0, 0, 1)
		}
		end = in(t, loc)
	}
	return start, end
}

// ActiveAt reports whether now is within the window in loc: from start,
// inclusive, to end, exclusive.
func (a Announcement) ActiveAt(now time.Time, loc *time.Location) bool {
	start, end := a.Window(loc)
	return (start.IsZero() || !now.Before(start)) && (end.IsZero() || now.Before(end))
}

// validate checks and trims an announcement; n is its number, for errors.
func (a Announcement) validate(n int) (Announcement, error) {
	which := "Announcement " + strconv.Itoa(n)
	text := func(s, name string) (string, error) {
		if !utf8.ValidString(s) {
			return "", Errorf(EInvalid, "%s: %s is not valid UTF-8.", which, name)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return "", Errorf(EInvalid, "%s: %s is empty.", which, name)
		}
		if c := utf8.RuneCountInString(s); c > MaxAnnouncementText {
			return "", Errorf(ETooLarge, "%s: %s is %d characters long; the limit is %d.", which, name, c, MaxAnnouncementText)
		}
		if strings.ContainsAny(s, "\r\n\t\x00") {
			return "", Errorf(EInvalid, "%s: %s must be one line.", which, name)
		}
		return s, nil
	}
	var err error
	if a.Text, err = text(a.Text, "the text"); err != nil {
		return a, err
	}
	if len(a.Texts) > maxAnnouncementLangs {
		return a, Errorf(ETooLarge, "%s: at most %d translations.", which, maxAnnouncementLangs)
	}
	if len(a.Texts) > 0 {
		texts := make(map[string]string, len(a.Texts))
		for lang, t := range a.Texts {
			lang = strings.ToLower(strings.TrimSpace(lang))
			if !langTagShape(lang) {
				return a, Errorf(EInvalid, "%s: %q is not a language tag, like pl or pt-br.", which, Truncate(lang, 20))
			}
			if texts[lang], err = text(t, "the "+lang+" text"); err != nil {
				return a, err
			}
		}
		a.Texts = texts
	} else {
		a.Texts = nil
	}
	a.Link = strings.TrimSpace(a.Link)
	if a.Link != "" {
		if len(a.Link) > MaxAnnouncementLink {
			return a, Errorf(ETooLarge, "%s: the link is %d bytes long; the limit is %d.", which, len(a.Link), MaxAnnouncementLink)
		}
		if !WebLink(a.Link) {
			return a, Errorf(EInvalid, "%s: the link must be an http:// or https:// address.", which)
		}
	}
	a.From, a.Until = strings.TrimSpace(a.From), strings.TrimSpace(a.Until)
	from, _, okFrom := parseLocal(a.From)
	if a.From != "" && !okFrom {
		return a, Errorf(EInvalid, "%s: the start %q is not a date like 2026-12-01 or a date and time like 2026-12-01T09:00.", which, Truncate(a.From, 30))
	}
	until, day, okUntil := parseLocal(a.Until)
	if a.Until != "" && !okUntil {
		return a, Errorf(EInvalid, "%s: the end %q is not a date like 2026-12-24 or a date and time like 2026-12-24T18:00.", which, Truncate(a.Until, 30))
	}
	if day {
		until = until.AddDate(0, 0, 1)
	}
	if okFrom && okUntil && !until.After(from) {
		return a, Errorf(EInvalid, "%s: the end must come after the start.", which)
	}
	a.PagePattern = strings.TrimSpace(a.PagePattern)
	if utf8.RuneCountInString(a.PagePattern) > maxPagePattern {
		return a, Errorf(ETooLarge, "%s: the page pattern is longer than %d characters.", which, maxPagePattern)
	}
	if strings.ContainsAny(a.PagePattern, "\r\n\t\x00") || !utf8.ValidString(a.PagePattern) {
		return a, Errorf(EInvalid, "%s: the page pattern may not hold control characters.", which)
	}
	return a, nil
}

// langTagShape: "pl", "pt-br", "zh-hant".
func langTagShape(s string) bool {
	primary, region, _ := strings.Cut(s, "-")
	letters := func(s string, min, max int) bool {
		if len(s) < min || len(s) > max {
			return false
		}
		for _, c := range s {
			if c < 'a' || c > 'z' {
				return false
			}
		}
		return true
	}
	return letters(primary, 2, 3) && (!strings.Contains(s, "-") || letters(region, 2, 4))
}

// WebLink reports whether s is an absolute http or https URL with a host,
// without spaces or control characters.
func WebLink(s string) bool {
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func validateAnnouncements(list []Announcement) ([]Announcement, error) {
	if len(list) > MaxAnnouncements {
		return nil, Errorf(ETooLarge, "At most %d announcements.", MaxAnnouncements)
	}
	out := make([]Announcement, 0, len(list))
	for i, a := range list {
		a, err := a.validate(i + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Validate checks contact details from outside and trims them.
func (c Contact) Validate() (Contact, error) {
	c.Email, c.Phone = strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
	if c.Email != "" && (len(c.Email) > MaxEmail || !LooksLikeEmail(c.Email) || strings.ContainsAny(c.Email, "?&#/\\<>\"'")) {
		return c, Errorf(EInvalid, "%q is not an email address for visitors.", Truncate(c.Email, 60))
	}
	if c.Phone != "" && TelURI(c.Phone) == "" {
		return c, Errorf(EInvalid, "%q is not a phone number: digits, spaces, ( ) - . and a leading +, 6 to 15 digits.", Truncate(c.Phone, 40))
	}
	return c, nil
}

// TelURI is phone as a tel: URI ("tel:+48123456789"), or "" when phone
// is not a phone number: digits with spaces, ( ) - . / between them, an
// optional leading +, 6 to 15 digits (E.164).
func TelURI(phone string) string {
	if len(phone) > maxPhone {
		return ""
	}
	var b strings.Builder
	b.WriteString("tel:")
	digits := 0
	for i, c := range phone {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
			digits++
		case c == '+' && i == 0:
			b.WriteRune(c)
		case strings.ContainsRune(" ()-./", c):
		default:
			return ""
		}
	}
	if digits < 6 || digits > 15 {
		return ""
	}
	return b.String()
}

// AnnouncementView is an announcement as the widget and the loader get it:
// its window resolved to instants, in Unix milliseconds (0: open).
type AnnouncementView struct {
	// ID names the announcement for a visitor's dismissal: a hash of
	// what it says and when, so an edited one shows again.
	ID     string            `json:"id"`
	Text   string            `json:"text"`
	Texts  map[string]string `json:"texts,omitempty"`
	Link   string            `json:"link,omitempty"`
	Start  int64             `json:"start,omitempty"`
	End    int64             `json:"end,omitempty"`
	Page   string            `json:"page,omitempty"`
	Teaser bool              `json:"teaser,omitempty"`
}

// View resolves a in loc.
func (a Announcement) View(loc *time.Location) AnnouncementView {
	start, end := a.Window(loc)
	v := AnnouncementView{Text: a.Text, Texts: a.Texts, Link: a.Link, Page: a.PagePattern, Teaser: a.Teaser}
	if !start.IsZero() {
		v.Start = start.UnixMilli()
	}
	if !end.IsZero() {
		v.End = end.UnixMilli()
	}
	h := fnv.New64a()
	for _, s := range []string{a.Text, a.Link, strconv.FormatInt(v.Start, 36), strconv.FormatInt(v.End, 36), a.PagePattern} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	v.ID = strconv.FormatUint(h.Sum64()&(1<<40-1), 36)
	return v
}

// InWindow reports whether now is within v's window.
func (v AnnouncementView) InWindow(now time.Time) bool {
	ms := now.UnixMilli()
	return (v.Start == 0 || ms >= v.Start) && (v.End == 0 || ms < v.End)
}

// Shows reports whether v shows at now on the page with path (path and
// query, "/products/1?x=2"). An unknown page ("") matches only an
// announcement for every page.
func (v AnnouncementView) Shows(now time.Time, path string) bool {
	if !v.InWindow(now) {
		return false
	}
	if path == "" {
		return v.Page == ""
	}
	return MatchPage(v.Page, path)
}

// TextIn is v's text in language lang ("pl", "pt-BR"), or Text.
func (v AnnouncementView) TextIn(lang string) string {
	lang = strings.ToLower(lang)
	if t, ok := v.Texts[lang]; ok {
		return t
	}
	if p, _, ok := strings.Cut(lang, "-"); ok {
		if t, ok := v.Texts[p]; ok {
			return t
		}
	}
	return v.Text
}

// Zone is the name of the site's time zone: its business hours' zone, or
// UTC without one.
func (s Site) Zone() string {
	if z := s.Routing.Hours.Zone; z != "" {
		return z
	}
	return "UTC"
}

// AnnouncementViews returns s's announcements that have not ended at now,
// resolved in loc (the site's zone), in the owner's order.
func (s Site) AnnouncementViews(now time.Time, loc *time.Location) []AnnouncementView {
	var out []AnnouncementView
	for _, a := range s.Announcements {
		v := a.View(loc)
		if v.End != 0 && now.UnixMilli() >= v.End {
			continue
		}
		out = append(out, v)
	}
	return out
}

// CurrentAnnouncement is the first of list that shows at now on path.
func CurrentAnnouncement(list []AnnouncementView, now time.Time, path string) (AnnouncementView, bool) {
	for _, v := range list {
		if v.Shows(now, path) {
			return v, true
		}
	}
	return AnnouncementView{}, false
}

// NextAnnouncementChange is the first start or end in list after now: when
// what shows may change. Zero when none.
func NextAnnouncementChange(list []AnnouncementView, now time.Time) time.Time {
	ms := now.UnixMilli()
	next := int64(0)
	for _, v := range list {
		for _, t := range []int64{v.Start, v.End} {
			if t > ms && (next == 0 || t < next) {
				next = t
			}
		}
	}
	if next == 0 {
		return time.Time{}
	}
	return time.UnixMilli(next)
}

// PagePath is a page URL's path and query, as the loader matches them
// (location.pathname + location.search); "" when rawURL does not parse.
func PagePath(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}
