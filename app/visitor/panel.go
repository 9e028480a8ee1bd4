package visitor

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// Texts shown by the widget.
const (
	DefaultTitle = "Chat with us"
	ExpectText   = "We usually reply in a few minutes"
	IntroText    = "Hi! Ask us anything — we're here to help."
)

// Banner says what the connection means for the visitor, or nothing when
// online. Before the first connection there is nothing to reassure about.
func Banner(s client.State, everOnline bool) string { return BannerIn(i18n.EN, s, everOnline) }

// BannerIn is Banner in language l.
func BannerIn(l i18n.Lang, s client.State, everOnline bool) string {
	switch {
	case s == client.Online:
		return ""
	case everOnline:
		return l.T("Reconnecting… your messages will be sent")
	default:
		return l.T("Connecting…")
	}
}

// Panel is the widget's whole surface: header, conversation, composer. It
// only renders its props; Widget owns the state and the IO.
type Panel struct {
	app.Compo

	// Lang is the visitor's language: every text the panel shows goes
	// through Lang.T or Lang.N (app/i18n).
	Lang i18n.Lang

	Title string
	// Intro greets the visitor above an empty conversation: the site's
	// welcome text, or IntroText.
	Intro string
	// Color is the site colour, "#rrggbb"; empty keeps the stylesheet's.
	Color string
	Items []ui.Item
	// Typing names the agents typing.
	Typing []string
	// Banner is the connection notice; empty when online.
	Banner string
	// Expect shows when to expect an answer: no agent replied yet and no
	// queue says more.
	Expect bool
	// Wait is the queue line (position and estimate, or that nobody is
	// online); empty once someone answers.
	Wait string
	// Away is the shop's own away message (AwayMessage), under the wait
	// line while the site is closed or away.
	Away string
	// Surge, when set, is the busy offer under the wait line.
	Surge *SurgeOffer
	// Feedback, when set, asks for a rating under a resolved chat
	// (rating.go).
	Feedback *FeedbackPrompt
	// Assignee is the name of the agent answering, shown in the header.
	Assignee string
	// Topic names the team the conversation is with (its pre-chat
	// topic): the header shows it while nobody answers yet.
	Topic string
	// Announce is read out to screen readers (a polite live region): the
	// newest incoming message, "Ola: Yes, we ship to Lisbon".
	Announce string
	// Form, when set, takes the composer's place: the pre-chat form.
	Form *PreChatForm
	// Notice is an error about no message in particular.
	Notice   string
	MaxRunes int
	Now      time.Time
	// ShowClose shows the × that asks the loader to close the panel.
	ShowClose bool
	// Hours says, under the title, that the site is closed and what
	// happens to a message; empty while open.
	Hours string
	// Closed takes the composer away: the site is closed and hides its
	// chat (Hours says so), and there is no conversation to go on with.
	Closed bool
	// Transcript, when set, offers the transcript by email.
	Transcript *TranscriptMenu

	OnSend   func(ctx app.Context, text string)
	OnTyping func(ctx app.Context)
	OnRetry  func(ctx app.Context, id string)
	// EditWindow is how long the visitor may edit or delete a message of
	// theirs (0: never); OnEdit and OnDelete do it.
	EditWindow time.Duration
	OnEdit     func(ctx app.Context, seq uint64, text string)
	OnDelete   func(ctx app.Context, seq uint64)
	// AgentRead is the agents' read mark: the receipts of the visitor's
	// messages.
	AgentRead uint64
	// AgentDelivered is the agents' delivered mark.
	AgentDelivered uint64
	// Preview says the shop sees what the visitor types before it is sent
	// (the site's typing preview): the composer says so.
	Preview bool
	OnClose func(ctx app.Context)
	// OnBack, when set, shows the arrow back to the home.
	OnBack func(ctx app.Context)
	// Files are the site's limits on attachments; OnFile uploads one
	// (nil: no attaching). Uploading and FileError say how it goes;
	// FileKey reads the conversation's files.
	Files     parley.FileSettings
	OnFile    func(ctx app.Context, file app.Value)
	Uploading bool
	FileError string
	FileKey   ui.FileKey

	// OnInput is told the composer's text on every edit (FAQ
	// suggestions); FAQ, when set, shows them above the composer.
	OnInput func(ctx app.Context, text string)
	FAQ     *FAQSuggestions
	// Announcement, when set, is the site's banner under the header.
	Announcement *AnnouncementBanner
}

// widgetRoot is the root of each of the widget's views (the chat, the
// home), the page's main landmark, in the site's colour with text on it
// that keeps a 4.5:1 contrast: dark text on a light colour, a colour
// darkened when neither text passes.
func widgetRoot(class, color string) app.HTMLDiv {
	root := app.Div().ID("parley").Class(class)
	if ValidColor(color) {
		bg, fg := parley.Readable(color)
		root = root.Style("--parley-color", bg).Style("--parley-on-color", fg)
	}
	return root.Attr("role", "main")
}

// Render implements app.Composer. Every slot is always present so that
// go-app, which diffs children by position, never remounts the composer.
func (p *Panel) Render() app.UI {
	class := "widget"
	if p.Form != nil {
		// The form and what is above it scroll as one page.
		class += " widget-form"
	}
	root := widgetRoot(class, p.Color)
	title := p.Title
	if title == "" {
		title = p.Lang.T(DefaultTitle)
	}

	closeBtn := closeButton(p.Lang, p.ShowClose, p.OnClose)

	var back app.UI = app.Span().Class("widget-back-none")
	if p.OnBack != nil {
		onBack := p.OnBack
		back = app.Button().ID("back").Class("widget-back").Type("button").
			Aria("label", p.Lang.T(BackLabel)).Title(p.Lang.T(BackLabel)).
			OnClick(func(ctx app.Context, e app.Event) { onBack(ctx) }).
			Text("←")
	}

	var banner app.UI = app.Span().Class("banner-none")
	if p.Banner != "" {
		banner = app.Div().ID("offline").Class("banner banner-offline").Role("status").Text(p.Banner)
	}

	var intro app.UI = app.Span().Class("intro-none")
	if len(p.Items) == 0 {
		text := p.Intro
		if text == "" {
			text = p.Lang.T(IntroText)
		}
		// The empty state: the welcome, then the wait line (below) with
		// the honest time to expect an answer.
		intro = app.Div().Class("intro intro-empty").Text(text)
	}
	// The wait line is a live region that is always there, so screen
	// readers announce each new position.
	class, text := "wait wait-none", ""
	switch {
	case p.Wait != "":
		class, text = "wait", p.Wait
	case p.Expect:
		class, text = "wait expect", p.Lang.T(ExpectText)
	}
	wait := app.Div().ID("wait").Class(class).Role("status").Aria("live", "polite").Text(text)
	var away app.UI = app.Span().Class("away-message-none")
	if p.Away != "" {
		away = app.P().ID(AwayMessageID).Class("away-message").Text(p.Away)
	}
	var surge app.UI = app.Span().Class("surge-none")
	if p.Surge != nil {
		surge = p.Surge
	}

	var feedback app.UI = app.Span().Class("feedback-none")
	if p.Feedback != nil {
		feedback = p.Feedback
	}

	agent := p.renderWho(title)
	var composer app.UI = &ui.Composer{
		Lang:     p.Lang,
		Emoji:    true,
		Key:      "visitor",
		MaxRunes: p.MaxRunes,
		OnSend:   p.OnSend,
		OnTyping: p.OnTyping,
		OnInput:  p.OnInput,

		Files:     p.Files,
		OnFile:    p.OnFile,
		Uploading: p.Uploading,
		FileError: p.FileError,
	}
	switch {
	case p.Form != nil:
		composer = p.Form
	case p.Closed:
		composer = app.Div().ID("closed").Class("closed-notice").Text(p.Hours)
	}
	var hours app.UI = app.Span().Class("widget-hours-none")
	if p.Hours != "" {
		hours = app.P().ID("hours").Class("widget-hours").Role("status").Text(p.Hours)
	}
	var preview app.UI = app.Span().Class("preview-none")
	if p.Preview && p.Form == nil && !p.Closed {
		preview = app.P().ID("preview-notice").Class("preview-notice").Text(p.Lang.T(PreviewText))
	}
	var transcript app.UI = app.Span().Class("transcript-none")
	if p.Transcript != nil {
		transcript = p.Transcript
	}
	var faq app.UI = app.Span().Class("faq-none")
	if p.FAQ != nil && p.Form == nil && !p.Closed {
		faq = p.FAQ
	}
	var notice app.UI = app.Span().Class("notice-none")
	if p.Notice != "" {
		notice = app.Div().Class("notice").Role("alert").Text(p.Lang.T(p.Notice))
	}

	return root.Body(
		app.Div().Class("widget-header").Body(
			app.H1().Class("widget-title").Text(title),
			closeBtn,
			agent,
			hours,
			back,
		),
		banner,
		announcementSlot(p.Announcement),
		app.Div().ID(ui.ScrollerID).Class("widget-body").Body(
			intro,
			&ui.MessageList{
				Lang:    p.Lang,
				Items:   p.Items,
				Self:    parley.AuthorVisitor,
				Now:     p.Now,
				OnRetry: p.OnRetry,

				EditWindow:    p.EditWindow,
				OnEdit:        p.OnEdit,
				OnDelete:      p.OnDelete,
				PeerRead:      p.AgentRead,
				PeerDelivered: p.AgentDelivered,
				// A quick reply is the visitor's answer, sent as typed.
				OnQuickReply: p.OnSend,
				FileKey:      p.FileKey,
			},
			wait,
			away,
			surge,
			feedback,
		),
		&ui.TypingIndicator{Names: p.Typing, Lang: p.Lang},
		notice,
		faq,
		composer,
		preview,
		transcript,
		app.Div().Class("widget-footer").Text(p.Lang.T("Powered by Parley")),
		// New incoming messages, read out: the list itself is no live
		// region (it would read every change).
		app.Div().ID(AnnounceID).Class("sr-only").Aria("live", "polite").Aria("atomic", "true").Text(p.Announce),
	)
}

// AnnounceID is the widget's live region for incoming messages;
// AwayMessageID the shop's away message (the server's page draws it too).
const (
	AnnounceID    = "announce"
	AwayMessageID = "away-message"
)

// Online says whether the header shows the site as answering now: open,
// and connected.
func (p *Panel) Online() bool { return p.Hours == "" && !p.Closed && p.Banner == "" }

// renderWho is the header's second line: who answers — the agent's
// initials, name and presence — or, before anyone does, the site (or the
// team) with its open or away state. The dot is the site's state: the
// widget knows whether the site answers, not each agent's presence.
func (p *Panel) renderWho(title string) app.UI {
	state, class := p.Lang.T("Away"), "presence presence-away"
	if p.Online() {
		state, class = p.Lang.T("Online"), "presence presence-online"
	}
	if p.Assignee != "" {
		dot := app.Span().Class(class).Role("img").Aria("label", state)
		return app.Div().ID("agent").Class("widget-agent").Body(
			app.Span().Class("avatar").Aria("hidden", "true").Text(parley.Initials(p.Assignee)),
			app.Span().Class("widget-agent-name").Text(p.Lang.T("%s is answering", p.Assignee)),
			dot,
		)
	}
	name, line := p.Topic, state
	if name == "" {
		name = title
	} else {
		line += " · " + p.Topic
	}
	return app.Div().ID("who").Class("widget-agent widget-team").Body(
		app.Span().Class("avatar").Aria("hidden", "true").Text(parley.Initials(name)),
		app.Span().Class("widget-agent-name").Text(line),
		app.Span().Class(class).Aria("hidden", "true"),
	)
}

// AnnounceText is how an incoming message is read out: "Ola: Yes, we ship
// to Lisbon"; a message of files only by their names.
func AnnounceText(lang i18n.Lang, m parley.Message) string {
	text := m.Text
	if text == "" {
		for i, f := range m.Files {
			if i > 0 {
				text += ", "
			}
			text += f.Name
		}
	}
	return lang.T("%[1]s: %[2]s", ui.AuthorName(m.From), text)
}

// closeButton is the header's × that closes the chat (the loader's panel),
// or its empty slot when the page is not in the loader's iframe: the
// chat's and the home's.
func closeButton(lang i18n.Lang, show bool, onClose func(app.Context)) app.UI {
	if !show {
		return app.Span().Class("widget-close-none")
	}
	return app.Button().ID("close").Class("widget-close").Type("button").
		Aria("label", lang.T("Close chat")).Title(lang.T("Close")).
		OnClick(func(ctx app.Context, e app.Event) {
			if onClose != nil {
				onClose(ctx)
			}
		}).
		Text("×")
}
