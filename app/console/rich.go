package console

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// The product card form under the composer: an agent sends a card (a
// picture, a title, a price, a link) with quick replies the visitor taps
// to answer. Closed, it is one button.

// RichForm is the card being written.
type RichForm struct {
	Open                           bool
	Text, Title, Price, URL, Image string
	Replies                        string // comma-separated
	Problem                        string
}

// Frame checks the form and returns the card and replies to send.
func (f RichForm) Frame() (*parley.Card, []string, error) {
	var card *parley.Card
	if strings.TrimSpace(f.Title) != "" || f.URL != "" || f.Image != "" || f.Price != "" {
		card = &parley.Card{Title: f.Title, Price: f.Price, URL: strings.TrimSpace(f.URL), Image: strings.TrimSpace(f.Image)}
	}
	var replies []string
	for _, r := range strings.Split(f.Replies, ",") {
		if r = strings.TrimSpace(r); r != "" {
			replies = append(replies, r)
		}
	}
	if card == nil && len(replies) == 0 {
		return nil, nil, parley.Errorf(parley.EInvalid, "Give the card a title, or add quick replies.")
	}
	if card == nil && strings.TrimSpace(f.Text) == "" {
		return nil, nil, parley.Errorf(parley.EInvalid, "Quick replies answer a message: write it.")
	}
	return parley.CheckRich(card, replies)
}

func (v *ConversationView) renderRich() app.UI {
	if v.OnRich == nil || v.noting() {
		return app.Span().Class("rich-none")
	}
	if !v.rich.Open {
		return app.Button().ID("rich-open").Type("button").Class("rich-open").Text("Product card / quick replies").
			OnClick(func(ctx app.Context, e app.Event) { v.rich.Open = true })
	}
	field := func(id, label, value string, set func(string)) app.UI {
		return app.Label().Class("rich-field").Body(
			app.Span().Text(label),
			app.Input().ID(id).Type("text").Value(value).OnInput(func(ctx app.Context, e app.Event) {
				set(ctx.JSSrc().Get("value").String())
				ctx.PreventUpdate()
			}),
		)
	}
	var problem app.UI = app.Span().Class("rich-problem-none")
	if v.rich.Problem != "" {
		problem = app.P().Class("rich-problem").Role("alert").Text(v.rich.Problem)
	}
	return app.Form().ID("rich-form").Class("rich-form").Aria("label", "Product card").
		OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			card, replies, err := v.rich.Frame()
			if err != nil {
				v.rich.Problem = parley.ErrorMessage(err)
				return
			}
			v.OnRich(ctx, strings.TrimSpace(v.rich.Text), card, replies)
			v.rich = RichForm{}
		}).Body(
		field("rich-text", "Message (optional with a card)", v.rich.Text, func(s string) { v.rich.Text = s }),
		field("rich-title", "Card title", v.rich.Title, func(s string) { v.rich.Title = s }),
		field("rich-price", "Price", v.rich.Price, func(s string) { v.rich.Price = s }),
		field("rich-url", "Link", v.rich.URL, func(s string) { v.rich.URL = s }),
		field("rich-image", "Picture URL", v.rich.Image, func(s string) { v.rich.Image = s }),
		field("rich-replies", "Quick replies (comma-separated)", v.rich.Replies, func(s string) { v.rich.Replies = s }),
		problem,
		app.Div().Class("rich-actions").Body(
			app.Button().ID("rich-send").Type("submit").Class("rich-send").Text("Send"),
			app.Button().Type("button").Class("rich-cancel").Text("Cancel").
				OnClick(func(ctx app.Context, e app.Event) { v.rich = RichForm{} }),
		),
	)
}
