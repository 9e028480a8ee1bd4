package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// MessageList renders a conversation's rows as #messages, one .msg each,
// classed by author kind (.msg-visitor, .msg-agent, .msg-site), by whether
// the viewer wrote it (.msg-mine) and by delivery (.msg-sending, .msg-failed).
// An internal note is a .msg-note labelled as such; an event is a centred
// .msg-event line, not a bubble.
//
// Rows are grouped (Group): a .msg-day separator opens each day, and within
// a group (.msg-cont after its first row, .msg-more before its last) the
// author is named once and the time shows once, under the last. The list
// is a live region only when Live says so (the console, as before): it
// reads out every change, so the widget announces new incoming messages
// through a region of its own instead.
type MessageList struct {
	app.Compo

	// Live makes the list a polite live region.
	Live bool

	// Lang is the viewer's language: day separators go through it.
	Lang i18n.Lang

	Items []Item
	// Self is the author kind whose messages are the viewer's own; with
	// SelfID set, only that author's (another agent's replies are not).
	Self   string
	SelfID uint64
	// Now places message times relative to today.
	Now time.Time
	// OnRetry is called with the client id of a failed message to resend.
	OnRetry func(ctx app.Context, id string)
	// EditWindow is how long after sending the viewer may edit or delete
	// their own messages (0: never); OnEdit and OnDelete do it.
	EditWindow time.Duration
	OnEdit     func(ctx app.Context, seq uint64, text string)
	OnDelete   func(ctx app.Context, seq uint64)
	// History shows an edited message's earlier texts (agents: the audit).
	History bool
	// OnQuickReply answers the newest message's quick reply with its
	// text; without it quick replies show as text only.
	OnQuickReply func(ctx app.Context, text string)
	// FileKey reads the conversation's files: images show as previews,
	// other files as links. Without it, files show by name only.
	FileKey FileKey
	// PeerRead is the other side's read mark: the viewer's own messages
	// up to it show "Seen"; up to PeerDelivered, the other side's
	// delivered mark, "Delivered" (it reached one of their devices); the
	// later ones "Sent" (stored).
	PeerRead      uint64
	PeerDelivered uint64

	// editing is the seq of the message being edited, with its draft;
	// deleting the one whose deletion awaits a yes.
	editing  uint64
	draft    string
	deleting uint64
}

// Editable says whether the viewer may still edit or delete it at now.
func (c *MessageList) Editable(it Item, mine bool) bool {
	return mine && it.Seq != 0 && !it.Deleted && it.Status == Delivered && it.Kind != parley.KindEvent &&
		c.EditWindow > 0 && c.OnEdit != nil && c.Now.Sub(time.UnixMilli(it.At)) < c.EditWindow
}

// Render implements app.Composer.
func (c *MessageList) Render() app.UI {
	rows := Group(c.Items, c.Now, c.Lang)
	children := make([]app.UI, 0, len(rows)+2)
	for i, r := range rows {
		if r.Day != "" {
			children = append(children, app.Div().Class("msg-day").Body(app.Span().Class("msg-day-label").Text(r.Day)))
		}
		children = append(children, c.renderItem(r, i == len(rows)-1))
	}
	list := app.Div().ID("messages").Class("messages")
	if c.Live {
		list = list.Aria("live", "polite")
	}
	return list.Body(children...)
}

// renderCard is a product card: its picture, its title as a link to the
// product, its price; every part of it text, the link opening apart.
func renderCard(card *parley.Card) app.UI {
	if card == nil {
		return app.Span().Class("msg-card-none")
	}
	var img app.UI = app.Span().Class("msg-card-img-none")
	if card.Image != "" {
		img = app.Img().Class("msg-card-img").Src(card.Image).Alt(card.Title).Attr("loading", "lazy").Attr("referrerpolicy", "no-referrer")
	}
	var title app.UI = app.Span().Class("msg-card-title").Text(card.Title)
	if card.URL != "" {
		title = app.A().Class("msg-card-title").Href(card.URL).Target("_blank").Rel("noopener noreferrer nofollow").Text(card.Title)
	}
	var price app.UI = app.Span().Class("msg-card-price-none")
	if card.Price != "" {
		price = app.Span().Class("msg-card-price").Text(card.Price)
	}
	return app.Div().Class("msg-card").Body(img, app.Div().Class("msg-card-body").Body(title, price))
}

// renderReplies is a message's quick replies: buttons while it is the
// newest row and someone answers them, else nothing.
func (c *MessageList) renderReplies(it Item, mine, newest bool) app.UI {
	if len(it.Replies) == 0 || mine || !newest || c.OnQuickReply == nil {
		return app.Span().Class("msg-replies-none")
	}
	onReply := c.OnQuickReply
	return app.Div().Class("msg-replies").Role("group").Aria("label", c.Lang.T("Quick replies")).Body(
		app.Range(it.Replies).Slice(func(i int) app.UI {
			text := it.Replies[i]
			return app.Button().Type("button").Class("msg-reply").Text(text).
				OnClick(func(ctx app.Context, e app.Event) { onReply(ctx, text) })
		}),
	)
}

func (c *MessageList) renderItem(r Row, newest bool) app.UI {
	it := r.Item
	if it.Kind == parley.KindEvent {
		div := app.Div().Class("msg-event").Role("note").DataSet("key", it.Key)
		if it.Seq != 0 {
			div = div.DataSet("seq", strconv.FormatUint(it.Seq, 10))
		}
		var at app.UI = app.Span().Class("msg-time-none")
		if it.At != 0 {
			at = app.Time().Class("msg-time").
				DateTime(time.UnixMilli(it.At).UTC().Format(time.RFC3339)).
				Text(FormatTimeIn(c.Lang, it.At, c.Now))
		}
		return div.Body(app.Span().Class("msg-event-text").Text(it.Text), at)
	}
	mine := it.From.Kind == c.Self && (c.SelfID == 0 || it.From.ID == c.SelfID)
	class := "msg msg-" + it.From.Kind
	if mine {
		class += " msg-mine"
	}
	switch it.Status {
	case Sending:
		class += " msg-sending"
	case Failed:
		class += " msg-failed"
	}
	if it.Local {
		class += " msg-local"
	}
	if !r.First {
		class += " msg-cont"
	}
	if !r.Last {
		class += " msg-more"
	}
	note := it.Kind == parley.KindNote
	if note {
		class += " msg-note"
	}

	div := app.Div().Class(class).DataSet("key", it.Key)
	if it.Seq != 0 {
		div = div.DataSet("seq", strconv.FormatUint(it.Seq, 10))
	}
	if !r.Last && it.At != 0 {
		// The group shows one time, under its last row; each row
		// tells its own on hover.
		div = div.Title(ClockTime(it.At, c.Now))
	}

	var author app.UI = app.Span().Class("msg-author-none")
	switch name := AuthorName(it.From); {
	case note && mine:
		author = app.Div().Class("msg-author").Text("Note · only agents see this")
	case note:
		author = app.Div().Class("msg-author").Text(name + " · Note · only agents see this")
	case !mine && name != "" && r.First:
		if it.From.Name == "" {
			name = c.Lang.T(name) // "Agent", "Visitor"
		}
		author = app.Div().Class("msg-author").Text(name)
	}
	text := app.Div().Class("msg-text").Body(RichText(it.Text)...)
	switch {
	case it.Deleted:
		text = app.Div().Class("msg-text msg-deleted").Text(c.Lang.T("Message deleted"))
	case c.editing == it.Seq && c.Editable(it, mine):
		return div.Body(author, c.renderEditor(it))
	}
	if it.Deleted {
		return div.Body(author, text, c.renderMeta(it, mine, r.Last))
	}
	if it.Text == "" && len(it.Files) > 0 {
		text = app.Div().Class("msg-text-none")
	}
	// Files come last, so the other slots keep their places; CSS shows
	// them above the meta line.
	return div.Body(author, text, renderCard(it.Card), c.renderReplies(it, mine, newest), c.renderMeta(it, mine, r.Last), c.renderFiles(it.Files))
}

// renderFiles shows a message's attachments under its text: images as
// previews that open in full in a new tab, other files as links with
// their size. Names are text, never markup.
func (c *MessageList) renderFiles(files []parley.File) app.UI {
	if len(files) == 0 {
		return app.Span().Class("msg-files-none")
	}
	return app.Div().Class("msg-files").Body(
		app.Range(files).Slice(func(i int) app.UI {
			f := files[i]
			href := FileURL(f, c.FileKey)
			label := f.Name + " · " + parley.FormatBytes(f.Size)
			switch {
			case href == "":
				return app.Span().Class("msg-file msg-file-pending").Text(label)
			case f.IsImage():
				img := app.Img().Class("msg-file-preview").Src(href).Alt(f.Name).Loading("lazy")
				if f.Width > 0 && f.Height > 0 {
					// The box is kept before the image loads: no jump.
					img = img.Width(f.Width).Height(f.Height)
				}
				return app.A().Class("msg-file msg-file-image").Href(href).Target("_blank").Rel("noopener noreferrer").
					Title(label).Body(img)
			}
			return app.A().Class("msg-file msg-file-doc").Href(href).Target("_blank").Rel("noopener noreferrer").
				Download(f.Name).Text(label)
		}),
	)
}

// renderEditor is the inline form that edits message it.
func (c *MessageList) renderEditor(it Item) app.UI {
	seq := it.Seq
	return app.Form().Class("msg-edit").Aria("label", c.Lang.T("Edit message")).
		OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			if text := strings.TrimSpace(c.draft); text != "" && text != it.Text && c.OnEdit != nil {
				c.OnEdit(ctx, seq, text)
			}
			c.editing, c.draft = 0, ""
		}).Body(
		app.Textarea().Class("msg-edit-input").Aria("label", c.Lang.T("Message")).Text(c.draft).
			OnInput(func(ctx app.Context, e app.Event) {
				c.draft = ctx.JSSrc().Get("value").String()
				ctx.PreventUpdate()
			}),
		app.Div().Class("msg-edit-actions").Body(
			app.Button().Type("submit").Class("msg-edit-save").Text(c.Lang.T("Save")),
			app.Button().Type("button").Class("msg-edit-cancel").Text(c.Lang.T("Cancel")).
				OnClick(func(ctx app.Context, e app.Event) { c.editing, c.draft = 0, "" }),
		),
	)
}

// renderMeta is the line under a message: its time (when it ends its
// group), edited, its receipt, and the edit actions.
func (c *MessageList) renderMeta(it Item, mine, last bool) app.UI {
	switch it.Status {
	case Sending:
		return app.Div().Class("msg-meta").Body(
			app.Span().Class("msg-status").Text(c.Lang.T("Sending…")),
		)
	case Failed:
		id, onRetry := it.ID, c.OnRetry
		retry := app.Button().Type("button").Class("msg-retry").Text(c.Lang.T("Not sent — retry"))
		if it.Reason != "" {
			retry = retry.Title(it.Reason)
		}
		if onRetry != nil {
			retry = retry.OnClick(func(ctx app.Context, e app.Event) { onRetry(ctx, id) })
		}
		return app.Div().Class("msg-meta").Body(retry)
	default:
		if it.At == 0 {
			return app.Div().Class("msg-meta")
		}
		var edited, actions app.UI = app.Span().Class("msg-edited-none"), app.Span().Class("msg-actions-none")
		if it.Edited {
			e := app.Span().Class("msg-edited").Text(c.Lang.T("edited"))
			if c.History && len(it.Before) > 0 {
				e = e.Title("Before: " + strings.Join(it.Before, " → "))
			}
			edited = e
		}
		if c.Editable(it, mine) {
			seq, text, onDelete := it.Seq, it.Text, c.OnDelete
			if c.deleting == seq {
				actions = app.Span().Class("msg-actions").Role("group").Aria("label", c.Lang.T("Delete this message?")).Body(
					app.Span().Class("msg-action-ask").Text(c.Lang.T("Delete?")),
					app.Button().Type("button").Class("msg-action msg-delete-yes").Text(c.Lang.T("Yes")).
						OnClick(func(ctx app.Context, e app.Event) {
							c.deleting = 0
							if onDelete != nil {
								onDelete(ctx, seq)
							}
						}),
					app.Button().Type("button").Class("msg-action msg-delete-no").Text(c.Lang.T("No")).
						OnClick(func(ctx app.Context, e app.Event) { c.deleting = 0 }),
				)
			} else {
				actions = app.Span().Class("msg-actions").Body(
					app.Button().Type("button").Class("msg-action msg-edit-button").Text(c.Lang.T("Edit")).
						OnClick(func(ctx app.Context, e app.Event) { c.editing, c.draft, c.deleting = seq, text, 0 }),
					app.Button().Type("button").Class("msg-action msg-delete-button").Text(c.Lang.T("Delete")).
						OnClick(func(ctx app.Context, e app.Event) { c.deleting, c.editing = seq, 0 }),
				)
			}
		}
		var receipt app.UI = app.Span().Class("msg-receipt-none")
		if mine && it.Seq != 0 && !it.Deleted && it.Kind != parley.KindNote {
			if it.Seq <= c.PeerRead {
				receipt = app.Span().Class("msg-receipt msg-seen").Text(c.Lang.T("Seen"))
			} else if it.Seq <= c.PeerDelivered {
				receipt = app.Span().Class("msg-receipt msg-delivered").Text(c.Lang.T("Delivered"))
			} else {
				receipt = app.Span().Class("msg-receipt msg-sent").Text(c.Lang.T("Sent"))
			}
		}
		var at app.UI = app.Span().Class("msg-time-none")
		if last {
			at = app.Time().Class("msg-time").
				DateTime(time.UnixMilli(it.At).UTC().Format(time.RFC3339)).
				Text(ClockTime(it.At, c.Now))
		}
		return app.Div().Class("msg-meta").Body(
			at,
			edited,
			receipt,
			actions,
		)
	}
}

// AuthorName is how an author is named above their messages: agents and
// visitors by name (visitors without one as "Visitor"); the site's greeting
// carries no name.
func AuthorName(a parley.Author) string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Kind == parley.AuthorVisitor:
		return "Visitor"
	case a.Kind == parley.AuthorAgent:
		return "Agent"
	default:
		return ""
	}
}
