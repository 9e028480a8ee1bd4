package visitor

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// Element ids of the surge offer; browser tests use them.
const (
	SurgeID       = "surge"
	SurgeFormID   = "surge-form"
	SurgeEmailID  = "surge-email"
	SurgeWaitID   = "surge-wait"
	SurgeStatusID = "surge-status"
)

// Texts of the surge offer.
const (
	SurgeWaitButton  = "I'll wait"
	SurgeEmailButton = "Answer me by email"
	SurgeLeaveText   = "Wait here, or leave your email and we'll answer there."
	SurgeSending     = "Saving your email…"
	SurgeOffline     = "You're offline: try again once the chat reconnects."
	surgeRefused     = "Your email could not be saved."
)

// Busy says whether a queue status passes the site's surge threshold
// (busyMinutes, 0 off): the estimate is over it. Without an estimate it
// never is, and with nobody online the nobody-online line says more.
func Busy(q *parley.QueueStatus, busyMinutes int) bool {
	return busyMinutes > 0 && q != nil && q.Online > 0 && q.Estimate != nil &&
		*q.Estimate > busyMinutes*60
}

// BusyText is the surge headline: "We're busy — about 12 minutes.",
// rounding the estimate in seconds to the nearest minute.
func BusyText(seconds int) string { return BusyTextIn(i18n.EN, seconds) }

// BusyTextIn is BusyText in language l.
func BusyTextIn(l i18n.Lang, seconds int) string {
	min := max((seconds+30)/60, 1)
	return l.N(min, "We're busy — about %d minute.", "We're busy — about %d minutes.", min)
}

// BusyMessage is the shop's own busy message (parley.Site.BusyMessage) in
// language l, "" when it wrote none.
func BusyMessage(ws parley.WidgetSettings, l i18n.Lang) string {
	return ws.BusyMessageByLang.In(string(l), ws.BusyMessage)
}

// AlsoText says the conversation already has an address replies go to.
func AlsoText(email string) string { return AlsoTextIn(i18n.EN, email) }

// AlsoTextIn is AlsoText in language l.
func AlsoTextIn(l i18n.Lang, email string) string { return l.T("We'll also answer at %s.", email) }

// AnswerAtText confirms the address the visitor left.
func AnswerAtText(email string) string { return AnswerAtTextIn(i18n.EN, email) }

// AnswerAtTextIn is AnswerAtText in language l.
func AnswerAtTextIn(l i18n.Lang, email string) string {
	return l.T("We'll answer at %s — you can close this window.", email)
}

// Surge is the busy offer of one conversation: wait, or be answered by
// email. It does no IO; the widget sends what it says to send.
type Surge struct {
	// Lang is the visitor's language, for the texts of View.
	Lang i18n.Lang
	// Email is the address as typed; Problem what is wrong with it.
	Email, Problem string
	// Status is the live line: saving, saved, or the server's refusal.
	Status string
	// Dismissed: the visitor chose to wait.
	Dismissed bool

	conv     uint64 // the conversation the offer is about
	estimate int    // the latest estimate over the threshold, seconds
	offered  bool   // an estimate passed the threshold
	pending  string // the id of the contact request in flight
	to       string // the address in flight
	done     string // the address the server took
}

// Observe follows the conversation and its queue status: a new
// conversation starts afresh; a busy status (Busy) makes the offer.
func (s *Surge) Observe(conv uint64, q *parley.QueueStatus, busyMinutes int) {
	if conv != s.conv {
		*s = Surge{conv: conv, Lang: s.Lang}
	}
	if Busy(q, busyMinutes) {
		s.offered, s.estimate = true, *q.Estimate
	}
}

// SurgeView is what the offer shows.
type SurgeView struct {
	// Show is whether there is anything to show.
	Show bool
	// Text is the headline and what the visitor may do.
	Text string
	// Ask shows the email input and both actions.
	Ask bool
	// Busy disables the input while a request is in flight.
	Busy bool
	// Status is the live line.
	Status string
}

// View is the offer for a conversation that is queued (the wait line
// shows) or not, whose queue status is q, and whose known address (the
// pre-chat form's, or one left before) is known. The queue line is never
// part of it: position and estimate stay where they are.
func (s Surge) View(queued bool, q *parley.QueueStatus, busyMinutes int, known string) SurgeView {
	if !queued || s.conv == 0 {
		return SurgeView{}
	}
	if s.done != "" {
		return SurgeView{Show: true, Status: AnswerAtTextIn(s.Lang, s.done)}
	}
	busy := Busy(q, busyMinutes)
	engaged := s.pending != "" || s.Status != "" || s.Problem != "" || strings.TrimSpace(s.Email) != ""
	if s.Dismissed || !s.offered || !busy && !engaged {
		return SurgeView{}
	}
	est := s.estimate
	if busy {
		est = *q.Estimate
	}
	if known = strings.TrimSpace(known); known != "" && s.pending == "" {
		return SurgeView{Show: true, Text: BusyTextIn(s.Lang, est) + " " + AlsoTextIn(s.Lang, known)}
	}
	return SurgeView{Show: true, Text: BusyTextIn(s.Lang, est) + " " + s.Lang.T(SurgeLeaveText), Ask: true,
		Busy: s.pending != "", Status: s.Status}
}

// Wait is "I'll wait": the offer goes; the queue line stays.
func (s *Surge) Wait() { s.Dismissed = true }

// Submit checks the typed address: send it, or say what is wrong.
func (s *Surge) Submit() (to string, send bool) {
	email := strings.TrimSpace(s.Email)
	if len(email) > parley.MaxEmail || !parley.LooksLikeEmail(email) {
		s.Problem = s.Lang.T(badEmailText)
		return "", false
	}
	s.Problem = ""
	return email, true
}

// Frame is the contact request for to.
func (s *Surge) Frame(to string) parley.Frame {
	return parley.Frame{Type: parley.TypeContact, Conv: s.conv, Email: to}
}

// Sent records the request the client took (id), or that it could not
// (offline, ok false).
func (s *Surge) Sent(id, to string, ok bool) {
	if !ok {
		s.Status = s.Lang.T(SurgeOffline)
		return
	}
	s.pending, s.to, s.Status = id, to, s.Lang.T(SurgeSending)
}

// Lost is the connection going down with a request in flight: the
// visitor may send it again once back.
func (s *Surge) Lost() {
	if s.pending != "" {
		s.pending, s.Status = "", s.Lang.T(SurgeOffline)
	}
}

// Apply takes the server's answer to the request in flight: a refusal
// (an error frame with its id) or the conversation with the address. It
// reports whether f was that.
func (s *Surge) Apply(f parley.Frame) bool {
	if s.pending == "" {
		return false
	}
	switch {
	case f.Type == parley.TypeError && f.ID == s.pending:
		s.pending, s.Status = "", f.Message
		if s.Status == "" {
			s.Status = s.Lang.T(surgeRefused)
		}
		return true
	case f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == s.conv &&
		f.Conversation.Email != "":
		s.pending, s.done, s.Status, s.Problem = "", f.Conversation.Email, "", ""
		return true
	}
	return false
}

// SurgeOffer draws the busy offer under the queue line: the headline, the
// email input with "Answer me by email", "I'll wait", and a status line
// that is a live region.
type SurgeOffer struct {
	app.Compo

	// Lang is the visitor's language.
	Lang i18n.Lang

	View SurgeView
	// Message is the shop's own busy message (BusyMessage), shown under
	// the headline.
	Message string
	Email   string
	// Problem is what is wrong with the typed address.
	Problem string

	OnWait   func(ctx app.Context)
	OnInput  func(ctx app.Context, value string)
	OnSubmit func(ctx app.Context)
}

// Render implements app.Composer.
func (o *SurgeOffer) Render() app.UI {
	v, l := o.View, o.Lang
	onWait, onInput, onSubmit := o.OnWait, o.OnInput, o.OnSubmit
	// Both lines are live regions that are always there, so screen
	// readers announce the offer when it comes.
	class := "surge"
	if !v.Show {
		class += " surge-none"
	}
	text := app.P().Class("surge-text").Role("status").Aria("live", "polite").Text(v.Text)
	var message app.UI = app.Span().Class("surge-message-none")
	if o.Message != "" && v.Text != "" {
		message = app.P().Class("surge-message").Text(o.Message)
	}
	var form app.UI = app.Span().Class("surge-form-none")
	if v.Ask {
		var problem app.UI = app.Span().Class("prechat-error-none")
		field := "prechat-field"
		if o.Problem != "" {
			field += " prechat-field-invalid"
			problem = app.Div().ID(SurgeEmailID + "-error").Class("prechat-error").Text(l.T(o.Problem))
		}
		in := app.Input().ID(SurgeEmailID).Class("prechat-input").Type("email").Name("email").
			Attr("autocomplete", "email").Attr("inputmode", "email").MaxLength(parley.MaxEmail).
			Value(o.Email).Disabled(v.Busy).Aria("required", true).Aria("invalid", o.Problem != "")
		if o.Problem != "" {
			in = in.Aria("describedby", SurgeEmailID+"-error")
		}
		in = in.OnInput(func(ctx app.Context, e app.Event) {
			if onInput != nil {
				onInput(ctx, ctx.JSSrc().Get("value").String())
			}
		})
		form = app.Form().ID(SurgeFormID).Class("transcript-form surge-form").Aria("label", l.T("Answer me by email")).NoValidate(true).
			OnSubmit(func(ctx app.Context, e app.Event) {
				e.PreventDefault()
				if onSubmit != nil {
					onSubmit(ctx)
				}
			}).
			Body(
				app.Div().Class(field).Body(
					app.Label().For(SurgeEmailID).Class("prechat-label").Text(l.T("Your email")),
					in,
					problem,
				),
				app.Div().Class("transcript-actions").Body(
					app.Button().Class("prechat-send").Type("submit").Disabled(v.Busy).Text(l.T(SurgeEmailButton)),
					app.Button().ID(SurgeWaitID).Class("transcript-cancel").Type("button").Text(l.T(SurgeWaitButton)).
						OnClick(func(ctx app.Context, e app.Event) {
							if onWait != nil {
								onWait(ctx)
							}
						}),
				),
			)
	}
	return app.Div().ID(SurgeID).Class(class).Body(
		text,
		message,
		form,
		app.Div().ID(SurgeStatusID).Class("transcript-status").Role("status").Aria("live", "polite").Text(l.T(v.Status)),
	)
}
