package console

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// ConversationView shows one conversation: who and where the visitor is,
// the history, who types, the reply box and the Resolve button.
type ConversationView struct {
	app.Compo

	// Conv is the conversation as the inbox knows it; only ID may be set
	// when the inbox has not heard of it (a resolved one, opened by URL).
	Conv  parley.Conversation
	Items []ui.Item
	// Typing names who types, other than this agent.
	Typing []string
	// Loading: the history has not arrived yet.
	Loading  bool
	Me       uint64
	MaxRunes int
	Now      time.Time

	OnSend    func(ctx app.Context, text string)
	OnTyping  func(ctx app.Context)
	OnRetry   func(ctx app.Context, id string)
	OnResolve func(ctx app.Context)
}

// Render implements app.Composer.
func (v *ConversationView) Render() app.UI {
	c := v.Conv
	resolved := c.Status == parley.StatusResolved

	var page app.UI = app.Span().Class("conv-page-none")
	if c.Page.URL != "" {
		title := c.Page.Title
		if title == "" {
			title = c.Page.URL
		}
		var where app.UI = app.Span().Text(title)
		if href, ok := ui.SafeHref(c.Page.URL); ok {
			where = ui.LinkTo(href, title).Title(c.Page.URL)
		}
		page = app.Div().Class("conv-page").Body(app.Span().Class("conv-page-label").Text("On "), where)
	}
	var status app.UI = app.Span().Class("conv-status-none")
	if resolved {
		status = app.Span().Class("conv-status").Text("Resolved")
	}
	onResolve := v.OnResolve
	resolve := app.Button().ID("resolve").Class("button").Type("button").Disabled(resolved).
		Title("Mark this conversation as done").
		OnClick(func(ctx app.Context, e app.Event) {
			if onResolve != nil {
				onResolve(ctx)
			}
		}).
		Text("Resolve")

	var loading app.UI = app.Span().Class("conv-loading-none")
	if v.Loading {
		loading = app.Div().Class("conv-loading").Text("Loading history…")
	}
	var since app.UI = app.Span().Class("conv-since-none")
	if !c.Created.IsZero() {
		since = app.Div().Class("conv-since").Text("Started " + ui.FormatTime(c.Created.UnixMilli(), v.Now))
	}

	return app.Div().Class("conversation").DataSet("conv", c.ID).Body(
		app.Header().Class("conv-header").Body(
			app.A().Class("back").Href("/console").Aria("label", "Back to inbox").Text("←"),
			app.Div().Class("conv-who").Body(
				app.H2().Class("conv-name").Text(VisitorName(c)),
				page,
				since,
			),
			status,
			resolve,
		),
		app.Div().ID(ui.ScrollerID).Class("conv-body").Body(
			loading,
			&ui.MessageList{
				Items:   v.Items,
				Self:    parley.AuthorAgent,
				SelfID:  v.Me,
				Now:     v.Now,
				OnRetry: v.OnRetry,
			},
		),
		&ui.TypingIndicator{Names: v.Typing},
		&ui.Composer{
			Key:         strconv.FormatUint(c.ID, 10),
			Placeholder: "Reply to " + VisitorName(c) + "…",
			MaxRunes:    v.MaxRunes,
			OnSend:      v.OnSend,
			OnTyping:    v.OnTyping,
		},
	)
}
