package console

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// LoginForm asks for an email and a password.
type LoginForm struct {
	app.Compo

	// Error is the last refusal, shown under the fields.
	Error string
	Busy  bool
	// OnLogin receives the credentials.
	OnLogin func(ctx app.Context, email, password string)

	email    string
	password string
}

// Render implements app.Composer.
func (f *LoginForm) Render() app.UI {
	var errUI app.UI = app.Span().Class("login-error-none")
	if f.Error != "" {
		errUI = app.P().ID("login-error").Class("login-error").Role("alert").Text(f.Error)
	}
	label := "Log in"
	if f.Busy {
		label = "Logging in…"
	}
	return app.Main().Class("login-page").Body(
		app.Form().Class("login-card").OnSubmit(f.onSubmit).Body(
			app.H1().Class("login-brand").Text("Parley"),
			app.P().Class("login-lead").Text("Log in to answer your visitors."),
			app.Label().For("email").Text("Email"),
			app.Input().ID("email").Type("email").Name("email").Attr("autocomplete", "username").
				Required(true).AutoFocus(true).OnInput(f.onEmail),
			app.Label().For("password").Text("Password"),
			app.Input().ID("password").Type("password").Name("password").Attr("autocomplete", "current-password").
				Required(true).OnInput(f.onPassword),
			errUI,
			app.Button().ID("login").Class("button button-primary").Type("submit").Disabled(f.Busy).Text(label),
		),
	)
}

func (f *LoginForm) onEmail(ctx app.Context, e app.Event) {
	f.email = ctx.JSSrc().Get("value").String()
	ctx.PreventUpdate()
}

func (f *LoginForm) onPassword(ctx app.Context, e app.Event) {
	f.password = ctx.JSSrc().Get("value").String()
	ctx.PreventUpdate()
}

func (f *LoginForm) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if f.Busy {
		return
	}
	// Password managers fill fields without input events: read the DOM.
	if app.IsClient {
		f.email = app.Window().GetElementByID("email").Get("value").String()
		f.password = app.Window().GetElementByID("password").Get("value").String()
	}
	if f.OnLogin != nil {
		f.OnLogin(ctx, strings.TrimSpace(f.email), f.password)
	}
}
