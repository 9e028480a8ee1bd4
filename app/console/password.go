package console

import (
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// minPasswordChars is the server's minimum for a new password, checked
// here too so that the agent learns it before a round trip.
const minPasswordChars = 10

// PasswordForm changes the agent's own password. The server then ends the
// agent's other sessions (other browsers, other devices); this one stays.
type PasswordForm struct {
	app.Compo

	API *API

	current, next, again string
	save                 status
	msg                  string
}

// Render implements app.Composer.
func (f *PasswordForm) Render() app.UI {
	var result app.UI = app.Span().Class("save-none")
	switch f.save {
	case done:
		result = app.P().ID("password-ok").Class("save-ok").Role("status").Text(f.msg)
	case failed:
		result = app.P().ID("password-error").Class("save-error").Role("alert").Text(f.msg)
	}
	label := "Change password"
	if f.save == loading {
		label = "Changing…"
	}
	return app.Form().ID("password-form").Class("card site-form password-form").OnSubmit(f.onSubmit).Body(
		app.H3().Text("Your password"),
		app.P().Class("hint").Text("Changing it logs you out everywhere else."),
		field("password-current", "Current password", app.Input().ID("password-current").Type("password").
			Attr("autocomplete", "current-password").Required(true).Value(f.current).
			OnInput(f.set(func(v string) { f.current = v }))),
		field("password-new", "New password (at least 10 characters)", app.Input().ID("password-new").Type("password").
			Attr("autocomplete", "new-password").Required(true).Value(f.next).
			OnInput(f.set(func(v string) { f.next = v }))),
		field("password-again", "New password again", app.Input().ID("password-again").Type("password").
			Attr("autocomplete", "new-password").Required(true).Value(f.again).
			OnInput(f.set(func(v string) { f.again = v }))),
		result,
		app.Button().ID("change-password").Class("button button-primary").Type("submit").
			Disabled(f.save == loading).Text(label),
	)
}

func (f *PasswordForm) set(store func(string)) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		store(ctx.JSSrc().Get("value").String())
		if f.save != loading {
			f.save, f.msg = idle, ""
		}
	}
}

// check says what is wrong with the form before it is sent, or "".
func (f *PasswordForm) check() string {
	switch {
	case f.current == "":
		return "Enter your current password."
	case utf8.RuneCountInString(f.next) < minPasswordChars:
		return "The new password must be at least 10 characters long."
	case f.next != f.again:
		return "The two new passwords differ."
	}
	return ""
}

func (f *PasswordForm) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.API == nil || f.save == loading {
		return
	}
	if msg := f.check(); msg != "" {
		f.save, f.msg = failed, msg
		return
	}
	f.save, f.msg = loading, ""
	api, current, next := f.API, f.current, f.next
	ctx.Async(func() {
		err := api.ChangePassword(ctx, current, next)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				f.save, f.msg = failed, parley.ErrorMessage(err)
				return
			}
			f.current, f.next, f.again = "", "", ""
			f.save, f.msg = done, "Password changed. Your other sessions have been logged out."
		})
	})
}
