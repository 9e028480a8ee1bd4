package visitor

import (
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// Element ids of the transcript request; browser tests use them.
const (
	TranscriptButtonID = "transcript"
	TranscriptFormID   = "transcript-form"
	TranscriptEmailID  = "transcript-email"
	TranscriptStatusID = "transcript-status"
)

// Texts of the transcript request.
const (
	TranscriptButtonText = "Email me the transcript"
	TranscriptOffline    = "You're offline: try again once the chat reconnects."
	TranscriptSending    = "Sending…"
	TranscriptShortly    = "We'll email it to you shortly."
	badEmailText         = "Please check your email address, like name@example.com."
)

// TranscriptQuiet is how long a transcript request goes without an error
// before it counts as sent: the server answers only refusals.
const TranscriptQuiet = 2 * time.Second

// Transcript is the "email me the transcript" request: whether the address
// is being asked for, what was typed, and how the last request went. It
// does no IO; the widget sends what it says to send.
type Transcript struct {
	// Lang is the visitor's language, for the texts the request says.
	Lang i18n.Lang
	// Asking shows the address input.
	Asking bool
	// Email is the address as typed; Problem what is wrong with it.
	Email, Problem string
	// Status is the live line: sending, sent, or the server's refusal.
	Status string

	pending string // the id of the request in flight
	to      string // where it goes, "" when the server knows
}

// Offered says whether the widget offers the transcript: the site can
// mail and there is a conversation to send.
func Offered(mail bool, conv uint64) bool { return mail && conv != 0 }

// Start is the button: with an address known (the conversation's) the
// request goes at once, to is that address; otherwise the input opens.
func (t *Transcript) Start(known string) (to string, send bool) {
	t.Status, t.Problem = "", ""
	if known = strings.TrimSpace(known); known != "" {
		return known, true
	}
	t.Asking = true
	return "", false
}

// Submit checks the typed address: send it, or say what is wrong.
func (t *Transcript) Submit() (to string, send bool) {
	email := strings.TrimSpace(t.Email)
	if len(email) > parley.MaxEmail || !parley.LooksLikeEmail(email) {
		t.Problem = t.Lang.T(badEmailText)
		return "", false
	}
	t.Problem = ""
	return email, true
}

// Cancel closes the input, keeping what was typed.
func (t *Transcript) Cancel() { t.Asking, t.Problem = false, "" }

// Sent records the request the client took (id), or that it could not
// (offline, ok false).
func (t *Transcript) Sent(id, to string, ok bool) {
	if !ok {
		t.Status = t.Lang.T(TranscriptOffline)
		return
	}
	t.Asking, t.pending, t.to, t.Status = false, id, to, t.Lang.T(TranscriptSending)
}

// Apply takes the server's refusal of the request in flight; it reports
// whether f was that.
func (t *Transcript) Apply(f parley.Frame) bool {
	if f.Type != parley.TypeError || f.ID == "" || f.ID != t.pending {
		return false
	}
	t.pending, t.Status = "", f.Message
	if t.Status == "" {
		t.Status = t.Lang.T("The transcript could not be sent.")
	}
	if f.Code == parley.EInvalid {
		// The address, most likely (or none was known): ask for it.
		t.Asking = true
		if t.to != "" {
			t.Email = t.to
		}
	}
	return true
}

// Quiet is TranscriptQuiet after request id: no refusal came, so it is
// on its way.
func (t *Transcript) Quiet(id string) {
	if id == "" || id != t.pending {
		return
	}
	t.pending = ""
	if t.to != "" {
		t.Status = t.Lang.T("Sent to %s.", t.to)
	} else {
		t.Status = t.Lang.T(TranscriptShortly)
	}
}

// TranscriptMenu draws the transcript request: the button, or the address
// input, and the status line, a live region that is always there.
type TranscriptMenu struct {
	app.Compo

	// Lang is the visitor's language.
	Lang i18n.Lang

	Request Transcript

	OnStart  func(ctx app.Context)
	OnInput  func(ctx app.Context, value string)
	OnSubmit func(ctx app.Context)
	OnCancel func(ctx app.Context)
}

// Render implements app.Composer.
func (m *TranscriptMenu) Render() app.UI {
	r, l := m.Request, m.Lang
	onStart, onInput, onSubmit, onCancel := m.OnStart, m.OnInput, m.OnSubmit, m.OnCancel
	var body app.UI
	if r.Asking {
		var problem app.UI = app.Span().Class("prechat-error-none")
		class := "prechat-field"
		if r.Problem != "" {
			class += " prechat-field-invalid"
			problem = app.Div().ID(TranscriptEmailID + "-error").Class("prechat-error").Text(l.T(r.Problem))
		}
		in := app.Input().ID(TranscriptEmailID).Class("prechat-input").Type("email").Name("email").
			Attr("autocomplete", "email").Attr("inputmode", "email").MaxLength(parley.MaxEmail).
			Value(r.Email).Aria("required", true).Aria("invalid", r.Problem != "")
		if r.Problem != "" {
			in = in.Aria("describedby", TranscriptEmailID+"-error")
		}
		in = in.OnInput(func(ctx app.Context, e app.Event) {
			if onInput != nil {
				onInput(ctx, ctx.JSSrc().Get("value").String())
			}
		})
		body = app.Form().ID(TranscriptFormID).Class("transcript-form").Aria("label", l.T("Email the transcript")).NoValidate(true).
			OnSubmit(func(ctx app.Context, e app.Event) {
				e.PreventDefault()
				if onSubmit != nil {
					onSubmit(ctx)
				}
			}).
			Body(
				app.Div().Class(class).Body(
					app.Label().For(TranscriptEmailID).Class("prechat-label").Text(l.T("Your email")),
					in,
					problem,
				),
				app.Div().Class("transcript-actions").Body(
					app.Button().Class("prechat-send").Type("submit").Text(l.T("Send")),
					app.Button().Class("transcript-cancel").Type("button").Text(l.T("Cancel")).
						OnClick(func(ctx app.Context, e app.Event) {
							if onCancel != nil {
								onCancel(ctx)
							}
						}),
				),
			)
	} else {
		body = app.Button().ID(TranscriptButtonID).Class("transcript-button").Type("button").
			Disabled(r.pending != "").
			OnClick(func(ctx app.Context, e app.Event) {
				if onStart != nil {
					onStart(ctx)
				}
			}).
			Text(l.T(TranscriptButtonText))
	}
	return app.Div().Class("transcript").Body(
		body,
		app.Div().ID(TranscriptStatusID).Class("transcript-status").Role("status").Aria("live", "polite").Text(l.T(r.Status)),
	)
}
