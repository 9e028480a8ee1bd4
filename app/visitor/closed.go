package visitor

import (
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// PreviewText tells the visitor of a site with the typing preview on that
// the shop reads along; PreviewEvery paces the drafts sent.
const (
	PreviewText  = "The shop sees what you type before you send it."
	PreviewEvery = time.Second
)

// Texts of a closed site.
const (
	// ClosedFormTail follows when the site is back, in the offline form's
	// header.
	ClosedFormTail = " — leave your email and we'll reply there"
	// ClosedEmailText heads a chat that the site answers by email.
	ClosedEmailText = "We're closed now — we'll answer by email"
)

// ClosedMode is the offline mode that applies at now, "" when the site is
// open: it has no business hours, it was open when the page was served, or
// the closed state the page carries has run out (the site has opened
// since; the server says more on the next page load).
func ClosedMode(ws parley.WidgetSettings, now time.Time) parley.OfflineMode {
	st := ws.Open
	if st == nil || st.Open || !st.Current(now) {
		return ""
	}
	if ws.Offline == "" {
		return parley.OfflineForm
	}
	return ws.Offline
}

// TeamClosedMode is ClosedMode for a chat with team (the conversation's,
// or the chosen topic's, "" the default team), and the state it meets:
// the site's, or the team's own when the site answers but the team does
// not. A team's closing never hides the chat (the launcher is the
// site's): "hide" becomes the offline form there.
func TeamClosedMode(ws parley.WidgetSettings, team string, now time.Time) (parley.OfflineMode, *parley.OpenState) {
	st := ws.Open.ForTeam(team)
	site := ws
	ws.Open = st
	m := ClosedMode(ws, now)
	if m == parley.OfflineHide && ClosedMode(site, now) == "" {
		m = parley.OfflineForm
	}
	return m, st
}

// ClosedHeader is what the widget header says in offline mode m, with the
// site back at next (zero when not in sight), seen from now: "We're back
// Monday at 9:00 — leave your email and we'll reply there". It is "" when
// the site is open.
func ClosedHeader(m parley.OfflineMode, next, now time.Time) string {
	return ClosedHeaderIn(i18n.EN, m, next, now)
}

// ClosedHeaderIn is ClosedHeader in language l.
func ClosedHeaderIn(l i18n.Lang, m parley.OfflineMode, next, now time.Time) string {
	back := strings.TrimSuffix(ClosedText(l, next, now), ".")
	switch m {
	case parley.OfflineForm:
		return back + l.T(ClosedFormTail)
	case parley.OfflineEmail:
		return l.T(ClosedEmailText)
	case parley.OfflineHide:
		return back + "."
	}
	return ""
}

// Header is what the widget header says in offline mode m with the site
// in state st (nil: open), seen from now: ClosedHeader for a site outside
// its hours, and for one with nobody online "We're away right now —
// leave your email and we'll reply there".
func Header(m parley.OfflineMode, st *parley.OpenState, now time.Time) string {
	return HeaderIn(i18n.EN, m, st, now)
}

// HeaderIn is Header in language l.
func HeaderIn(l i18n.Lang, m parley.OfflineMode, st *parley.OpenState, now time.Time) string {
	if m == "" || st == nil {
		return ""
	}
	if !st.Away {
		return ClosedHeaderIn(l, m, st.Next, now)
	}
	away := strings.TrimSuffix(l.T(parley.AwayText), ".")
	switch m {
	case parley.OfflineForm:
		return away + l.T(ClosedFormTail)
	case parley.OfflineEmail:
		return away + l.T(" — we'll answer by email")
	}
	return l.T(parley.AwayText)
}

// AwayMessage is the shop's own away message (parley.Site.AwayMessage) in
// language l, shown while the header says the site is closed or away
// (header, HeaderIn's, is not empty); "" while it answers, or when the
// shop wrote none.
func AwayMessage(ws parley.WidgetSettings, l i18n.Lang, header string) string {
	if header == "" {
		return ""
	}
	return ws.AwayMessageByLang.In(string(l), ws.AwayMessage)
}

// ClosedText is parley.ClosedText in language l: "We're back Monday at
// 9:00.", a date beyond the week in the language's own numeric layout.
func ClosedText(l i18n.Lang, next, now time.Time) string {
	if next.IsZero() {
		return l.T("We're closed at the moment.")
	}
	now = now.In(next.Location())
	at := fmt.Sprintf("%d:%02d", next.Hour(), next.Minute())
	y1, m1, d1 := now.Date()
	y2, m2, d2 := next.Date()
	days := int(time.Date(y2, m2, d2, 12, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 12, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case days <= 0:
		return l.T("We're back today at %s.", at)
	case days == 1:
		return l.T("We're back tomorrow at %s.", at)
	case days < 7:
		switch next.Weekday() {
		case time.Monday:
			return l.T("We're back Monday at %s.", at)
		case time.Tuesday:
			return l.T("We're back Tuesday at %s.", at)
		case time.Wednesday:
			return l.T("We're back Wednesday at %s.", at)
		case time.Thursday:
			return l.T("We're back Thursday at %s.", at)
		case time.Friday:
			return l.T("We're back Friday at %s.", at)
		case time.Saturday:
			return l.T("We're back Saturday at %s.", at)
		default:
			return l.T("We're back Sunday at %s.", at)
		}
	case y2 != y1:
		return l.T("We're back on %s at %s.", next.Format(l.T("2 January 2006")), at)
	default:
		return l.T("We're back on %s at %s.", next.Format(l.T("2 January")), at)
	}
}

// ClosedForm is the pre-chat form of a closed site in offline mode m: the
// email is required, since the reply goes there; the offline form also
// asks for a name (optional unless the site requires it). The topic stays
// as the site set it. The site's own form is returned when open or hidden,
// never changed in place.
func ClosedForm(site *parley.WidgetPreChat, m parley.OfflineMode) *parley.WidgetPreChat {
	if m != parley.OfflineForm && m != parley.OfflineEmail {
		return site
	}
	f := parley.WidgetPreChat{}
	if site != nil {
		f = *site
	}
	f.Email = parley.FieldRequired
	if m == parley.OfflineForm && f.Name == parley.FieldOff {
		f.Name = parley.FieldOptional
	}
	return &f
}

// HidesChat says whether a closed site in offline mode m takes the
// composer away: it hides its chat, and the visitor has nothing going on
// that the widget must let them finish.
func HidesChat(m parley.OfflineMode, c *Chat) bool {
	return m == parley.OfflineHide && c.Conv == 0 && c.Thread.Len() == 0 && len(c.Outbox) == 0 && len(c.Failed) == 0
}

// SubmitText is the pre-chat form's button in offline mode m.
func SubmitText(m parley.OfflineMode) string { return SubmitTextIn(i18n.EN, m) }

// SubmitTextIn is SubmitText in language l.
func SubmitTextIn(l i18n.Lang, m parley.OfflineMode) string {
	if m == parley.OfflineForm {
		return l.T("Send message")
	}
	return l.T("Start chat")
}
