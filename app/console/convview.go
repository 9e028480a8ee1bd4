package console

import (
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// ConversationView shows one conversation: who and where the visitor is,
// where the conversation stands (site, topic, team, assignee, status, the
// wait), the history, who types, the reply box and the Claim, Transfer and
// Resolve buttons.
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

	// Meta names the site, topic and team; Routing is the site's, whose
	// teams a transfer offers; Colleagues are the agents with their
	// presence, the online ones offered for a transfer.
	Meta       ConvMeta
	Routing    parley.Routing
	Colleagues []parley.Agent
	// Request: a claim or transfer is on its way; RequestErr says why the
	// last one was refused.
	Request    bool
	RequestErr string

	// Canned are the canned replies this agent may use on the
	// conversation's site; Vars fill their variables.
	Canned []parley.CannedReply
	Vars   parley.CannedVars

	OnSend func(ctx app.Context, text string)
	// OnNote sends an internal note; without it there is no Note mode.
	OnNote    func(ctx app.Context, text string)
	OnTyping  func(ctx app.Context)
	OnRetry   func(ctx app.Context, id string)
	OnResolve func(ctx app.Context)
	OnClaim   func(ctx app.Context)
	// OnTags adds and removes tags; OnTagFilter shows the inbox of a tag.
	OnTags      func(ctx app.Context, add, remove []string)
	OnTagFilter func(ctx app.Context, tag string)
	OnTransfer  func(ctx app.Context, f parley.Frame)
	// EditWindow is how long an agent may edit or delete a message of
	// theirs (0: never); OnEdit and OnDelete do it.
	EditWindow time.Duration
	OnEdit     func(ctx app.Context, seq uint64, text string)
	OnDelete   func(ctx app.Context, seq uint64)
	// VisitorRead is the visitor's read mark: the receipts of the agent's
	// messages.
	VisitorRead uint64
	// VisitorDelivered is the visitor's delivered mark.
	VisitorDelivered uint64
	// Draft is what the visitor is typing (the site's typing preview).
	Draft string
	// OnRich sends a product card and quick replies (rich.go).
	OnRich func(ctx app.Context, text string, card *parley.Card, replies []string)

	// rich is the product card form.
	rich RichForm
	// Context is the panel about the visitor, beside the conversation.
	Context *ContextPanel
	// Files are the site's limits on attachments; OnFile uploads one.
	// Uploading and FileError say how it goes; FileKey reads the
	// conversation's files.
	Files     parley.FileSettings
	OnFile    func(ctx app.Context, file app.Value)
	Uploading bool
	FileError string
	FileKey   ui.FileKey

	// The transfer form, open for conversation transferConv.
	transferConv   uint64
	transferTeam   string
	transferAgent  string
	transferReason string
	transferErr    string
	// noteConv is the conversation whose composer writes notes.
	noteConv uint64
	// attached is what the last canned reply inserted put with the text.
	attached *CannedAttachment
	// tagInput is the tag being typed; tagErr says why it was not added.
	tagInput string
	tagErr   string
}

// Render implements app.Composer.
func (v *ConversationView) Render() app.UI {
	c := v.Conv
	resolved := c.Status == parley.StatusResolved

	var page app.UI = app.Span().Class("conv-page-none")
	if c.Page.URL != "" {
		// The link says where it goes (host and path); the title is the
		// page's own word, so it is shown beside it as text only.
		var title app.UI = app.Span().Class("conv-page-title-none")
		if c.Page.Title != "" {
			title = app.Span().Class("conv-page-title").Text(" · " + c.Page.Title)
		}
		page = app.Div().Class("conv-page").Body(app.Span().Class("conv-page-label").Text("On "), PageLink(c.Page.URL), title)
	}
	var status app.UI = app.Span().Class("conv-status-none")
	switch c.Status {
	case parley.StatusResolved:
		status = app.Span().Class("conv-status").Text("Resolved")
	case parley.StatusQueued, parley.StatusOpen:
		status = app.Span().Class("conv-status conv-status-" + c.Status).Text(StatusText(c, v.Now))
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

	var panel app.UI = app.Span().Class("context-none")
	class := "conversation"
	if v.Context != nil {
		// Its elements, not the component: a component made anew at each
		// render of the console, mounted under this one, left this
		// view's own buttons (Reply / Note) deaf to clicks.
		panel, class = v.Context.Render(), "conversation conv-context"
	}
	// The panel comes last, so the conversation's own parts keep their
	// places; the style puts it beside them (below the header when narrow).
	return app.Div().Class(class).DataSet("conv", c.ID).Body(
		app.Header().Class("conv-header").Body(
			app.A().Class("back").Href(ui.Path("/console")).Aria("label", "Back to inbox").Text("←"),
			app.Div().Class("conv-who").Body(
				app.H2().Class("conv-name").Text(VisitorName(c)),
				page,
				since,
				v.renderMeta(),
				renderIdentity(c),
				v.renderTags(),
				renderRating(c),
			),
			status,
			resolve,
			v.renderClaim(),
			v.renderTransferButton(),
			v.renderRequestErr(),
			v.renderTransferForm(),
		),
		app.Div().ID(ui.ScrollerID).Class("conv-body").Body(
			loading,
			&ui.MessageList{
				Live:    true,
				Items:   v.Items,
				Self:    parley.AuthorAgent,
				SelfID:  v.Me,
				Now:     v.Now,
				OnRetry: v.OnRetry,

				EditWindow:    v.EditWindow,
				OnEdit:        v.OnEdit,
				OnDelete:      v.OnDelete,
				History:       true,
				PeerRead:      v.VisitorRead,
				PeerDelivered: v.VisitorDelivered,
				FileKey:       v.FileKey,
			},
		),
		&ui.TypingIndicator{Names: v.Typing},
		renderDraft(v.Draft),
		v.renderMode(),
		v.renderComposer(),
		v.renderRich(),
		panel,
	)
}

// noting says whether the composer writes an internal note.
func (v *ConversationView) noting() bool {
	return v.OnNote != nil && v.noteConv == v.Conv.ID && v.Conv.ID != 0
}

// attachment is the card and quick replies the composer sends with its
// text, nil for none.
func (v *ConversationView) attachment() *CannedAttachment {
	if a := v.attached; a != nil && a.Conv == v.Conv.ID && !v.noting() && v.OnRich != nil {
		return a
	}
	return nil
}

// renderAttachment shows above the composer the card and quick replies a
// canned reply attached, with × to take them away.
func (v *ConversationView) renderAttachment() app.UI {
	a := v.attachment()
	if a == nil {
		return app.Span().Class("canned-attach-none")
	}
	var card app.UI = app.Span().Class("attach-card-none")
	if a.Card != nil {
		card = app.Span().Class("attach-card").Text("Card: " + strings.TrimSpace(a.Card.Title+" "+a.Card.Price))
	}
	var replies app.UI = app.Span().Class("attach-replies-none")
	if len(a.Replies) > 0 {
		replies = app.Span().Class("attach-replies").Text("Quick replies: " + strings.Join(a.Replies, " · "))
	}
	return app.Div().ID("canned-attach").Class("canned-attach").Body(
		app.Span().Class("attach-from").Text("/"+a.Shortcut+" "),
		card,
		replies,
		app.Button().ID("canned-attach-remove").Type("button").Class("attach-remove").
			Aria("label", "Send the text without the card and quick replies").Title("Remove").Text("×").
			OnClick(func(ctx app.Context, e app.Event) { v.attached = nil }),
	)
}

// renderMode is the Reply / Note switch above the composer.
func (v *ConversationView) renderMode() app.UI {
	if v.OnNote == nil {
		return app.Span().Class("compose-mode-none")
	}
	note := v.noting()
	tab := func(id, label string, on bool, to uint64) app.UI {
		class := "compose-mode-tab"
		if on {
			class += " active"
		}
		return app.Button().ID(id).Class(class).Type("button").Aria("pressed", on).
			OnClick(func(ctx app.Context, e app.Event) {
				v.noteConv = to
				ui.Focus(ui.ComposerID)
			}).Text(label)
	}
	var hint app.UI = app.Span().Class("compose-hint-none")
	if note {
		hint = app.Span().Class("compose-hint").Text("Only agents see this")
	}
	return app.Div().Class("compose-mode").Body(
		tab("mode-reply", "Reply", !note, 0),
		tab("mode-note", "Note", note, v.Conv.ID),
		hint,
		v.renderAttachment(),
	)
}

func (v *ConversationView) renderComposer() app.UI {
	c := v.Conv
	placeholder, send, typing := "Reply to "+VisitorName(c)+"…", v.OnSend, v.OnTyping
	if v.noting() {
		// Nobody may see "typing…" for a note: the visitor would.
		placeholder, send, typing = "Write a note for your colleagues…", v.OnNote, nil
	}
	var complete func(string) []ui.Completion
	if len(v.Canned) > 0 {
		canned, vars := v.Canned, v.Vars
		complete = func(q string) []ui.Completion { return CannedCompletions(canned, q, vars) }
	}
	onFile := v.OnFile
	var onComplete func(ctx app.Context, c ui.Completion)
	if v.noting() {
		onFile = nil // a file goes to the visitor: never from the note box
	} else if v.OnRich != nil {
		// A canned reply with a card or quick replies attaches them; one
		// of text only takes the last one's away with its text.
		canned, conv := v.Canned, c.ID
		onComplete = func(ctx app.Context, comp ui.Completion) {
			r, _ := CannedPick(canned, comp.Label)
			v.attached = AttachmentOf(r, conv)
		}
		if a := v.attachment(); a != nil {
			onRich := v.OnRich
			send = func(ctx app.Context, text string) {
				v.attached = nil
				onRich(ctx, text, a.Card, a.Replies)
			}
		}
	}
	return &ui.Composer{
		Key:         strconv.FormatUint(c.ID, 10),
		Placeholder: placeholder,
		MaxRunes:    v.MaxRunes,
		Note:        v.noting(),
		Complete:    complete,
		OnComplete:  onComplete,
		OnSend:      send,
		OnTyping:    typing,
		Files:       v.Files,
		OnFile:      onFile,
		Uploading:   v.Uploading,
		FileError:   v.FileError,
	}
}

// renderMeta is the line of where the conversation stands: site, topic,
// team and assignee.
func (v *ConversationView) renderMeta() app.UI {
	c, m := v.Conv, v.Meta
	item := func(class, label, value string) app.UI {
		if value == "" {
			return app.Span().Class(class + "-none")
		}
		return app.Span().Class("conv-meta-item "+class).Body(
			app.Span().Class("conv-meta-label").Text(label+" "),
			app.Span().Class("conv-meta-value").Text(value),
		)
	}
	var assignee app.UI = app.Span().Class("conv-assignee conv-unassigned").Text("Unassigned")
	switch {
	case c.Assignee != 0:
		name := c.AssigneeName
		if name == "" {
			name = "Agent " + strconv.FormatUint(c.Assignee, 10)
		}
		if c.Assignee == v.Me {
			name += " (you)"
		}
		assignee = app.Span().Class("conv-assignee").Body(Avatar(c.AssigneeName, "avatar-small"), app.Span().Text(name))
	case c.Status != parley.StatusQueued:
		assignee = app.Span().Class("conv-assignee-none")
	}
	return app.Div().Class("conv-meta").Body(
		item("conv-site", "Site", m.Site),
		item("conv-topic", "Topic", m.Topic),
		item("conv-team", "Team", m.Team),
		assignee,
	)
}

// renderClaim is the Claim button of a queued conversation.
func (v *ConversationView) renderClaim() app.UI {
	if v.Conv.Status != parley.StatusQueued || v.OnClaim == nil {
		return app.Span().Class("claim-none")
	}
	onClaim := v.OnClaim
	return app.Button().ID("claim").Class("button button-primary").Type("button").Disabled(v.Request).
		Title("Take this conversation: it leaves the queue and becomes yours").
		OnClick(func(ctx app.Context, e app.Event) { onClaim(ctx) }).
		Text("Claim")
}

// renderTransferButton opens and closes the transfer form.
func (v *ConversationView) renderTransferButton() app.UI {
	if !v.Conv.IsOpen() || v.OnTransfer == nil {
		return app.Span().Class("transfer-none")
	}
	open := v.transferConv == v.Conv.ID
	return app.Button().ID("transfer").Class("button").Type("button").Disabled(v.Request).
		Aria("expanded", open).Aria("controls", "transfer-form").
		OnClick(v.onToggleTransfer).
		Text("Transfer")
}

func (v *ConversationView) renderRequestErr() app.UI {
	if v.RequestErr == "" {
		return app.Span().Class("request-error-none")
	}
	return app.P().ID("request-error").Class("request-error").Role("alert").Text(v.RequestErr)
}

func (v *ConversationView) onToggleTransfer(ctx app.Context, e app.Event) {
	if v.transferConv == v.Conv.ID {
		v.transferConv = 0
		return
	}
	v.transferConv = v.Conv.ID
	v.transferTeam, v.transferAgent, v.transferReason, v.transferErr = "", "", "", ""
}

// renderTransferForm is the small form of a transfer: a team, a colleague
// online (of that team, when one is chosen), and the internal reason.
func (v *ConversationView) renderTransferForm() app.UI {
	if v.transferConv != v.Conv.ID || !v.Conv.IsOpen() || v.OnTransfer == nil {
		return app.Span().Class("transfer-form-none")
	}
	teams := v.Routing.Teams
	agents := TransferTargets(v.Colleagues, v.Routing, v.transferTeam, v.Me)
	var teamField app.UI = app.Span().Class("transfer-team-none")
	if len(teams) > 0 {
		teamField = field("transfer-team", "Team", app.Select().ID("transfer-team").
			OnChange(func(ctx app.Context, e app.Event) {
				v.transferTeam = ctx.JSSrc().Get("value").String()
				v.transferErr = ""
			}).Body(
			app.Option().Value("").Selected(v.transferTeam == "").Text("Same team"),
			app.Range(teams).Slice(func(i int) app.UI {
				t := teams[i]
				return app.Option().Value(t.ID).Selected(t.ID == v.transferTeam).Text(t.Name)
			}),
		))
	}
	agentHint := "Its queue"
	if len(teams) == 0 || v.transferTeam == "" {
		agentHint = "Nobody in particular"
	}
	var errLine app.UI = app.Span().Class("transfer-error-none")
	if v.transferErr != "" {
		errLine = app.P().Class("transfer-error").Role("alert").Text(v.transferErr)
	}
	return app.Form().ID("transfer-form").Class("transfer-form").OnSubmit(v.onSubmitTransfer).Body(
		teamField,
		field("transfer-agent", "Colleague (online)", app.Select().ID("transfer-agent").
			OnChange(func(ctx app.Context, e app.Event) {
				v.transferAgent = ctx.JSSrc().Get("value").String()
				v.transferErr = ""
			}).Body(
			app.Option().Value("").Selected(v.transferAgent == "").Text(agentHint),
			app.Range(agents).Slice(func(i int) app.UI {
				a := agents[i]
				id := strconv.FormatUint(a.ID, 10)
				return app.Option().Value(id).Selected(id == v.transferAgent).
					Text(a.Name + " · " + CapacityLabel(a.Capacity))
			}),
		)),
		field("transfer-reason", "Reason (only agents see it)", app.Textarea().ID("transfer-reason").Rows(2).
			MaxLength(parley.MaxTransferReason).Text(v.transferReason).
			OnInput(func(ctx app.Context, e app.Event) {
				v.transferReason = ctx.JSSrc().Get("value").String()
			})),
		errLine,
		app.Div().Class("transfer-actions").Body(
			app.Button().ID("transfer-send").Class("button button-primary").Type("submit").Disabled(v.Request).Text("Transfer"),
			app.Button().Class("button button-quiet").Type("button").OnClick(v.onToggleTransfer).Text("Cancel"),
		),
	)
}

func (v *ConversationView) onSubmitTransfer(ctx app.Context, e app.Event) {
	e.PreventDefault()
	agent, _ := strconv.ParseUint(v.transferAgent, 10, 64)
	f, err := TransferFrame(v.Conv.ID, v.transferTeam, agent, v.transferReason)
	if err != nil {
		v.transferErr = parley.ErrorMessage(err)
		return
	}
	v.transferConv = 0
	if v.OnTransfer != nil {
		v.OnTransfer(ctx, f)
	}
}

// identityBadge says whether the shop vouched for the visitor's name and
// email (a signed identify) or the page only said them.
func identityBadge(identity string) app.UI {
	switch identity {
	case parley.IdentityVerified:
		return app.Span().Class("identity-badge identity-verified").Title("The shop signed this customer's identity").Text("verified")
	case parley.IdentityUnverified:
		return app.Span().Class("identity-badge identity-unverified").Title("Given by the page without the shop's signature: it may not be true").Text("unverified")
	}
	return app.Span().Class("identity-badge-none")
}

// renderIdentity is the visitor's email and whether the shop vouched for
// it and the name.
func renderIdentity(c parley.Conversation) app.UI {
	if c.Email == "" && c.Identity == "" {
		return app.Span().Class("conv-identity-none")
	}
	return app.Div().Class("conv-identity").Body(
		app.Span().Class("conv-email").Text(c.Email),
		identityBadge(c.Identity),
	)
}

// renderDraft shows the visitor's draft, as text, while they type it.
func renderDraft(draft string) app.UI {
	if draft == "" {
		return app.Div().Class("draft-preview draft-none")
	}
	return app.Div().Class("draft-preview").Aria("live", "off").Body(
		app.Span().Class("draft-label").Text("Typing: "),
		app.Span().Class("draft-text").Text(draft),
	)
}

// renderTags is the conversation's tags as chips — a click shows the
// inbox of that tag, × removes it — and a field to add one.
func (v *ConversationView) renderTags() app.UI {
	if v.OnTags == nil {
		return app.Span().Class("conv-tags-none")
	}
	tags := v.Conv.Tags
	var errLine app.UI = app.Span().Class("tag-error-none")
	if v.tagErr != "" {
		errLine = app.Span().Class("tag-error").Role("alert").Text(v.tagErr)
	}
	return app.Div().ID("conv-tags").Class("conv-tags").Body(
		app.Range(tags).Slice(func(i int) app.UI {
			tag := tags[i]
			return app.Span().Class("tag-chip").DataSet("tag", tag).Body(
				app.Button().Class("tag-name").Type("button").Title("Show the conversations tagged "+tag).
					OnClick(func(ctx app.Context, e app.Event) {
						if v.OnTagFilter != nil {
							v.OnTagFilter(ctx, tag)
						}
					}).Text(tag),
				app.Button().Class("tag-remove").Type("button").Aria("label", "Remove tag "+tag).
					OnClick(func(ctx app.Context, e app.Event) { v.OnTags(ctx, nil, []string{tag}) }).Text("×"),
			)
		}),
		app.Form().Class("tag-add").OnSubmit(v.onAddTag).Body(
			app.Input().ID("tag-input").Class("tag-input").Type("text").Placeholder("Add a tag").
				MaxLength(parley.MaxTagRunes).Value(v.tagInput).Aria("label", "Add a tag").
				OnInput(func(ctx app.Context, e app.Event) {
					v.tagInput, v.tagErr = ctx.JSSrc().Get("value").String(), ""
					ctx.PreventUpdate()
				}),
		),
		errLine,
	)
}

func (v *ConversationView) onAddTag(ctx app.Context, e app.Event) {
	e.PreventDefault()
	tag, err := parley.NormalizeTag(v.tagInput)
	if err == nil {
		_, err = parley.ApplyTags(v.Conv.Tags, []string{tag}, nil)
	}
	if err != nil {
		v.tagErr = parley.ErrorMessage(err)
		return
	}
	v.tagInput, v.tagErr = "", ""
	if app.IsClient {
		app.Window().GetElementByID("tag-input").Set("value", "")
	}
	v.OnTags(ctx, []string{tag}, nil)
}
