package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
)

// TypingID is the id of the typing indicator, present only while someone
// types.
const TypingID = "typing"

// TypingIndicator shows who is typing in a polite live region that is
// always there, so screen readers announce it and the layout stays put.
type TypingIndicator struct {
	app.Compo

	Names []string
	// Lang is the language of the text (zero: English).
	Lang i18n.Lang
}

// Render implements app.Composer.
func (c *TypingIndicator) Render() app.UI {
	var inner app.UI = app.Span().Class("typing-none")
	if len(c.Names) > 0 {
		inner = app.Div().ID(TypingID).Class("typing").Body(
			app.Span().Class("typing-dots").Aria("hidden", "true").Body(
				app.Span(), app.Span(), app.Span(),
			),
			app.Span().Class("typing-text").Text(TypingTextIn(c.Lang, c.Names)),
		)
	}
	return app.Div().Class("typing-slot").Aria("live", "polite").Body(inner)
}
