package visitor

import (
	"strings"
	"time"

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
	back := strings.TrimSuffix(parley.ClosedText(next, now), ".")
	switch m {
	case parley.OfflineForm:
		return back + ClosedFormTail
	case parley.OfflineEmail:
		return ClosedEmailText
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
	if m == "" || st == nil {
		return ""
	}
	if !st.Away {
		return ClosedHeader(m, st.Next, now)
	}
	away := strings.TrimSuffix(parley.AwayText, ".")
	switch m {
	case parley.OfflineForm:
		return away + ClosedFormTail
	case parley.OfflineEmail:
		return away + " — we'll answer by email"
	}
	return parley.AwayText
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
func SubmitText(m parley.OfflineMode) string {
	if m == parley.OfflineForm {
		return "Send message"
	}
	return "Start chat"
}
