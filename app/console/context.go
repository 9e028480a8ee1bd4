package console

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// VisitorDetails is GET /api/visitors/{id}: the visitor, their context
// and their conversations, newest first.
type VisitorDetails struct {
	Visitor       parley.Visitor        `json:"visitor"`
	Context       parley.VisitorContext `json:"context"`
	Conversations []PastConversation    `json:"conversations"`
	// Notes are the agents' notes about the contact, newest first.
	Notes []parley.ContactNote `json:"notes"`
}

// PastConversation is one of a visitor's conversations.
type PastConversation struct {
	ID       uint64    `json:"id"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
	LastText string    `json:"lastText,omitempty"`
}

// Visitor reads a visitor's details.
func (a *API) Visitor(ctx context.Context, id uint64) (VisitorDetails, error) {
	var v VisitorDetails
	err := a.do(ctx, http.MethodGet, "/api/visitors/"+strconv.FormatUint(id, 10), nil, &v)
	return v, err
}

// VisitorState is what the desk holds of a visitor whose conversation was
// opened: asked once per visitor, then kept live by context frames.
type VisitorState struct {
	Details VisitorDetails
	Loaded  bool
	Err     string

	// The notes form: the note being written; the note being edited
	// (EditID, 0 for none) and its new text; a request on its way
	// (NoteBusy); why the last one was refused.
	NoteDraft string
	EditID    uint64
	EditDraft string
	NoteBusy  bool
	NoteErr   string
}

// ApplyNote folds a note as the server answered or announced it: a new
// one goes in its place (newest first), a changed one replaces its old
// self, a deleted one goes. Applying the same twice changes nothing: the
// author's console gets both the answer and the frame.
func (st *VisitorState) ApplyNote(n parley.ContactNote) {
	notes := st.Details.Notes[:0:0]
	for _, old := range st.Details.Notes {
		if old.ID != n.ID {
			notes = append(notes, old)
		}
	}
	if n.Deleted {
		if st.EditID == n.ID {
			st.EditID, st.EditDraft = 0, ""
		}
	} else {
		i := sort.Search(len(notes), func(i int) bool { return notes[i].ID < n.ID })
		notes = append(notes[:i], append([]parley.ContactNote{n}, notes[i:]...)...)
	}
	st.Details.Notes = notes
}

// VisitorOf is the visitor of conversation id, 0 when unknown: from the
// inbox, or from the past conversations of a visitor already read (a
// resolved conversation opened from the panel is in no inbox view).
func (d *Desk) VisitorOf(id uint64) uint64 {
	if c, ok := d.Inbox.Get(id); ok && c.Visitor != 0 {
		return c.Visitor
	}
	return d.convVisitor[id]
}

// learnVisitor records the visitor of conversation conv, told by one of
// their messages: a resolved conversation opened by its URL is in no
// inbox, and its panel needs its visitor.
func (d *Desk) learnVisitor(conv, visitor uint64) {
	if visitor == 0 || d.VisitorOf(conv) != 0 {
		return
	}
	if d.convVisitor == nil {
		d.convVisitor = make(map[uint64]uint64)
	}
	d.convVisitor[conv] = visitor
}

// VisitorState returns the state of visitor id, nil when never asked.
func (d *Desk) VisitorState(id uint64) *VisitorState { return d.visitors[id] }

// WantVisitor marks visitor id as asked for and reports whether it was
// not yet.
func (d *Desk) WantVisitor(id uint64) bool {
	if id == 0 || d.visitors[id] != nil {
		return false
	}
	if d.visitors == nil {
		d.visitors = make(map[uint64]*VisitorState)
	}
	d.visitors[id] = &VisitorState{}
	return true
}

// SetVisitor stores what GET /api/visitors/{id} answered.
func (d *Desk) SetVisitor(id uint64, v VisitorDetails, err error) {
	st := d.visitors[id]
	if st == nil {
		return
	}
	if err != nil {
		st.Err = parley.ErrorMessage(err)
		return
	}
	if st.Loaded {
		// A context frame came first: it is newer than this answer.
		v.Context = st.Details.Context
	}
	st.Details, st.Loaded, st.Err = v, true, ""
	if d.convVisitor == nil {
		d.convVisitor = make(map[uint64]uint64)
	}
	for _, c := range v.Conversations {
		d.convVisitor[c.ID] = id
	}
}

// applyContext takes a context frame: only for visitors the agent looks at.
func (d *Desk) applyContext(f parley.Frame) {
	if f.Visitor == nil || f.Context == nil {
		return
	}
	if st := d.visitors[f.Visitor.ID]; st != nil {
		st.Details.Visitor, st.Details.Context, st.Loaded = *f.Visitor, *f.Context, true
	}
}

// managesVisitorSite says whether the agent is an owner or admin of the
// site of visitor id (known once the visitor is read).
func (d *Desk) managesVisitorSite(id uint64) bool {
	st := d.visitors[id]
	if st == nil || !st.Loaded {
		return false
	}
	s, ok := d.Site(st.Details.Visitor.Site)
	return ok && s.CanManage()
}

// applyNote takes a contact_note frame: only for visitors the agent
// looks at (the others read their notes when they are opened).
func (d *Desk) applyNote(f parley.Frame) {
	if n := f.ContactNote; n != nil {
		if st := d.visitors[n.Visitor]; st != nil && st.Loaded {
			st.ApplyNote(*n)
		}
	}
}

// loadVisitor reads the details of the visitor of the conversation on
// screen, once per visitor.
func (c *Console) loadVisitor() {
	d := c.desk
	if d == nil || c.route.View != ViewConversation {
		return
	}
	id := d.VisitorOf(c.route.Conv)
	if !d.WantVisitor(id) {
		return
	}
	ctx, api := c.ctx, c.api
	ctx.Async(func() {
		v, err := api.Visitor(ctx, id)
		ctx.Dispatch(func(ctx app.Context) {
			if c.desk == d {
				d.SetVisitor(id, v, err)
			}
		})
	})
}

// ContextPanel shows beside a conversation who the visitor is and what
// they did. Everything in it but the visitor's id came from their
// browser or the shop's page: it is rendered as text, and a link shows
// the host it goes to, never a title the page chose.
type ContextPanel struct {
	app.Compo

	State *VisitorState
	Conv  parley.Conversation
	Now   time.Time
	// OnCard sends a cart line as a product card (nil: no button).
	OnCard func(ctx app.Context, card *parley.Card)

	// Me is the agent; Manage says it is an owner or admin of the site,
	// who may delete anyone's note. OnAddNote, OnEditNote and
	// OnDeleteNote change the contact's notes (nil: the notes are shown
	// read-only).
	Me           uint64
	Manage       bool
	OnAddNote    func(ctx app.Context, visitor uint64, text string)
	OnEditNote   func(ctx app.Context, visitor, note uint64, text string)
	OnDeleteNote func(ctx app.Context, visitor, note uint64)
}

// CardOf is the product card of a cart line: its name, its price in the
// cart's currency, its page.
func CardOf(it parley.CartItem, currency string) *parley.Card {
	card := &parley.Card{Title: it.Name, Price: money(string(it.Price), currency)}
	if _, ok := ui.SafeHref(it.URL); ok {
		card.URL = it.URL
	}
	return card
}

// Render implements app.Composer.
func (p *ContextPanel) Render() app.UI {
	st := p.State
	if st == nil {
		return app.Aside().Class("context-panel context-empty")
	}
	if !st.Loaded {
		text := "Loading the visitor…"
		if st.Err != "" {
			text = "Could not load the visitor: " + st.Err
		}
		return app.Aside().Class("context-panel").Body(app.P().Class("context-loading").Text(text))
	}
	v, cx := st.Details.Visitor, st.Details.Context
	var rows []app.UI
	row := func(class, label string, value app.UI) {
		rows = append(rows, app.Div().Class("context-row "+class).Body(
			app.Span().Class("context-label").Text(label), value))
	}
	text := func(s string) app.UI { return app.Span().Class("context-value").Text(s) }

	contact := v.Name
	if v.Email != "" {
		contact += " <" + v.Email + ">"
	}
	verified := "not verified"
	if v.Identity == parley.IdentityVerified {
		verified = "verified"
	}
	row("context-contact", "Contact", app.Span().Class("context-value").Body(
		app.Span().Text(contact), app.Span().Class("context-verified").Text(" ("+verified+")")))
	if n := len(cx.Pages); n > 0 {
		row("context-current", "Now on", PageLink(cx.Pages[n-1].URL))
	}
	if cx.Referrer != "" {
		row("context-referrer", "Came from", text(HostOf(cx.Referrer)))
	}
	if device := strings.TrimSpace(strings.Join(nonEmpty(cx.Browser, cx.OS), " on ")); device != "" {
		row("context-device", "Device", text(device))
	}
	if cx.Language != "" {
		row("context-language", "Language", text(cx.Language))
	}
	if cx.TimeZone != "" || cx.UTCOffset != 0 {
		row("context-time", "Local time", text(LocalTime(p.Now, cx.UTCOffset, cx.TimeZone)))
	}

	sections := []app.UI{app.H3().Class("context-title").Text("Visitor"), app.Div().Class("context-rows").Body(rows...)}
	if len(cx.Attributes) > 0 {
		keys := make([]string, 0, len(cx.Attributes))
		for k := range cx.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		items := make([]app.UI, 0, len(keys))
		for _, k := range keys {
			items = append(items, app.Dt().Text(k), app.Dd().Text(cx.Attributes[k]))
		}
		sections = append(sections, app.H4().Text("Attributes"), app.Dl().Class("context-attributes").Body(items...))
	}
	if cart := cx.Cart; cart != nil {
		lines := make([]app.UI, 0, len(cart.Items)+1)
		for _, it := range cart.Items {
			var name app.UI = app.Span().Class("cart-name").Text(it.Name)
			if href, ok := ui.SafeHref(it.URL); ok {
				name = ui.LinkTo(href, it.Name).Class("cart-name").Title(HostOf(it.URL))
			}
			var send app.UI = app.Span().Class("cart-send-none")
			if onCard := p.OnCard; onCard != nil {
				card := CardOf(it, cart.Currency)
				send = app.Button().Type("button").Class("cart-send").Title("Send it to the visitor as a product card").Text("Send").
					OnClick(func(ctx app.Context, e app.Event) { onCard(ctx, card) })
			}
			lines = append(lines, app.Li().Class("cart-item").Body(
				name,
				app.Span().Class("cart-qty").Text(" × "+strconv.Itoa(it.Qty)),
				app.Span().Class("cart-price").Text(" "+money(string(it.Price), cart.Currency)),
				send,
			))
		}
		sections = append(sections, app.H4().Text("Cart"), app.Ul().Class("context-cart").Body(lines...))
		if cart.Total != "" {
			sections = append(sections, app.P().Class("cart-total").Text("Total "+money(string(cart.Total), cart.Currency)))
		}
	}
	if len(cx.Pages) > 0 {
		items := make([]app.UI, 0, len(cx.Pages))
		for i := len(cx.Pages) - 1; i >= 0; i-- {
			pg := cx.Pages[i]
			items = append(items, app.Li().Body(
				app.Span().Class("context-at").Text(ui.FormatTime(pg.At.UnixMilli(), p.Now)+" "),
				PageLink(pg.URL)))
		}
		sections = append(sections, app.H4().Text("Pages"), app.Ol().Class("context-pages").Body(items...))
	}
	if len(cx.Events) > 0 {
		items := []app.UI{}
		for i := len(cx.Events) - 1; i >= 0 && len(items) < 10; i-- {
			e := cx.Events[i]
			items = append(items, app.Li().Body(
				app.Span().Class("context-at").Text(ui.FormatTime(e.At.UnixMilli(), p.Now)+" "),
				app.Span().Class("event-name").Text(e.Name),
				app.Span().Class("event-props").Text(props(e.Props))))
		}
		sections = append(sections, app.H4().Text("Events"), app.Ol().Class("context-events").Body(items...))
	}
	var past []app.UI
	for _, c := range st.Details.Conversations {
		if c.ID == p.Conv.ID {
			continue
		}
		label := ui.FormatTime(c.Created.UnixMilli(), p.Now) + " · " + c.Status
		if c.LastText != "" {
			label += " · " + c.LastText
		}
		past = append(past, app.Li().Body(app.A().Href(ConversationPath(c.ID)).Text(label)))
	}
	if len(past) > 0 {
		sections = append(sections, app.H4().Text("Past conversations"), app.Ul().Class("context-past").Body(past...))
	}
	sections = append(sections, p.renderNotes()...)
	return app.Aside().ID("context").Class("context-panel").Aria("label", "About the visitor").Body(sections...)
}

// NoteTextID and NoteEditID are the ids of the notes' text boxes.
const (
	NoteTextID = "note-text"
	NoteEditID = "note-edit"
)

// renderNotes is the contact's notes, newest first, and the form to add
// one. Only agents see them: they are the agents' words about the
// contact, rendered as text.
func (p *ContextPanel) renderNotes() []app.UI {
	st := p.State
	visitor := st.Details.Visitor.ID
	items := make([]app.UI, 0, len(st.Details.Notes))
	for _, n := range st.Details.Notes {
		when := ui.FormatTime(n.Created.UnixMilli(), p.Now)
		if n.Edited != nil {
			when += " · edited"
		}
		author := n.AuthorName
		if author == "" {
			author = "Agent " + strconv.FormatUint(n.Author, 10)
		}
		if n.Author == p.Me {
			author += " (you)"
		}
		var body app.UI = app.P().Class("note-text").Text(n.Text)
		var actions []app.UI
		mine := n.Author == p.Me
		if st.EditID == n.ID && p.OnEditNote != nil {
			id, onEdit := n.ID, p.OnEditNote
			body = app.Textarea().ID(NoteEditID).Class("note-edit").Rows(3).MaxLength(parley.MaxNoteRunes).
				Aria("label", "Edit the note").Text(st.EditDraft).
				OnInput(func(ctx app.Context, e app.Event) {
					st.EditDraft = ctx.JSSrc().Get("value").String()
					ctx.PreventUpdate()
				})
			actions = append(actions,
				app.Button().Type("button").Class("note-save").Disabled(st.NoteBusy).Text("Save").
					OnClick(func(ctx app.Context, e app.Event) { onEdit(ctx, visitor, id, st.EditDraft) }),
				app.Button().Type("button").Class("note-cancel").Text("Cancel").
					OnClick(func(ctx app.Context, e app.Event) { st.EditID, st.EditDraft, st.NoteErr = 0, "", "" }))
		} else {
			if mine && p.OnEditNote != nil {
				id, text := n.ID, n.Text
				actions = append(actions, app.Button().Type("button").Class("note-edit-open").Text("Edit").
					OnClick(func(ctx app.Context, e app.Event) { st.EditID, st.EditDraft, st.NoteErr = id, text, "" }))
			}
			if (mine || p.Manage) && p.OnDeleteNote != nil {
				id, onDelete := n.ID, p.OnDeleteNote
				actions = append(actions, app.Button().Type("button").Class("note-delete").Disabled(st.NoteBusy).
					Aria("label", "Delete the note").Text("Delete").
					OnClick(func(ctx app.Context, e app.Event) { onDelete(ctx, visitor, id) }))
			}
		}
		items = append(items, app.Li().Class("note").DataSet("note", n.ID).Body(
			app.Div().Class("note-meta").Body(
				app.Span().Class("note-author").Text(author),
				app.Span().Class("note-at").Text(" · "+when)),
			body,
			app.Div().Class("note-actions").Body(actions...),
		))
	}
	var list app.UI = app.P().Class("hint notes-empty").Text("No notes about this contact yet.")
	if len(items) > 0 {
		list = app.Ul().ID("notes").Class("context-notes").Body(items...)
	}
	var problem app.UI = app.Span().Class("note-error-none")
	if st.NoteErr != "" {
		problem = app.P().ID("note-error").Class("note-error").Role("alert").Text(st.NoteErr)
	}
	var form app.UI = app.Span().Class("note-form-none")
	if onAdd := p.OnAddNote; onAdd != nil {
		form = app.Form().ID("note-form").Class("note-form").
			OnSubmit(func(ctx app.Context, e app.Event) {
				e.PreventDefault()
				onAdd(ctx, visitor, st.NoteDraft)
			}).Body(
			app.Textarea().ID(NoteTextID).Class("note-input").Rows(2).MaxLength(parley.MaxNoteRunes).
				Placeholder("A note about this contact: VIP, prefers email…").Aria("label", "New note").
				OnInput(func(ctx app.Context, e app.Event) {
					st.NoteDraft = ctx.JSSrc().Get("value").String()
					ctx.PreventUpdate()
				}),
			app.Button().ID("note-add").Type("submit").Class("button note-add").Disabled(st.NoteBusy).Text("Add note"),
		)
	}
	return []app.UI{
		app.H4().Text("Notes"),
		app.P().Class("hint notes-hint").Text("About the contact, in every conversation of theirs. Only agents see them."),
		form,
		problem,
		list,
	}
}

// PageLink is a link to a page the visitor was on. Its text is the
// page's real host and path: a title comes from the page, which may say
// anything.
func PageLink(raw string) app.UI {
	label := HostPath(raw)
	if href, ok := ui.SafeHref(raw); ok {
		return ui.LinkTo(href, label).Class("context-page").Title(raw)
	}
	return app.Span().Class("context-page").Text(label)
}

// HostPath is "host/path" of a URL, or the URL itself when it does not parse.
func HostPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host + u.EscapedPath()
}

// HostOf is the host of a URL, or the URL itself when it has none.
func HostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host
}

// LocalTime is the visitor's clock: now at their UTC offset, with the
// zone's name.
func LocalTime(now time.Time, offsetMinutes int, zone string) string {
	s := now.UTC().Add(time.Duration(offsetMinutes) * time.Minute).Format("15:04")
	sign, m := "+", offsetMinutes
	if m < 0 {
		sign, m = "-", -m
	}
	utc := "UTC" + sign + strconv.Itoa(m/60)
	if m%60 != 0 {
		utc += ":" + twoDigits(m%60)
	}
	if zone != "" {
		return s + " (" + zone + ", " + utc + ")"
	}
	return s + " (" + utc + ")"
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func money(amount, currency string) string {
	if amount == "" {
		return ""
	}
	return strings.TrimSpace(amount + " " + currency)
}

func props(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return " " + strings.Join(parts, ", ")
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// notePath is the path of visitor's notes, or of one of them.
func notePath(visitor uint64, note ...uint64) string {
	p := "/api/visitors/" + strconv.FormatUint(visitor, 10) + "/notes"
	for _, n := range note {
		p += "/" + strconv.FormatUint(n, 10)
	}
	return p
}

// AddNote writes a note about visitor; the answer is the note as stored.
func (a *API) AddNote(ctx context.Context, visitor uint64, text string) (parley.ContactNote, error) {
	var n parley.ContactNote
	err := a.do(ctx, http.MethodPost, notePath(visitor), map[string]string{"text": text}, &n)
	return n, err
}

// EditNote changes the text of a note of this agent's.
func (a *API) EditNote(ctx context.Context, visitor, note uint64, text string) (parley.ContactNote, error) {
	var n parley.ContactNote
	err := a.do(ctx, http.MethodPatch, notePath(visitor, note), map[string]string{"text": text}, &n)
	return n, err
}

// DeleteNote deletes a note.
func (a *API) DeleteNote(ctx context.Context, visitor, note uint64) error {
	return a.do(ctx, http.MethodDelete, notePath(visitor, note), nil, nil)
}

// noteCall runs a notes request for visitor and folds its answer into
// the visitor's state on the UI goroutine.
func (c *Console) noteCall(visitor uint64, call func(ctx context.Context) (parley.ContactNote, error), done func(st *VisitorState)) {
	d := c.desk
	st := d.VisitorState(visitor)
	if st == nil || st.NoteBusy {
		return
	}
	st.NoteBusy, st.NoteErr = true, ""
	ctx := c.ctx
	ctx.Async(func() {
		n, err := call(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			st.NoteBusy = false
			if err != nil {
				st.NoteErr = parley.ErrorMessage(err)
				return
			}
			st.ApplyNote(n)
			done(st)
		})
	})
}

func (c *Console) onAddNote(_ app.Context, visitor uint64, text string) {
	// Checked here for a quick answer; the server checks again.
	text, err := parley.CheckNoteText(text)
	if st := c.desk.VisitorState(visitor); err != nil && st != nil {
		st.NoteErr = parley.ErrorMessage(err)
		return
	}
	api := c.api
	c.noteCall(visitor, func(ctx context.Context) (parley.ContactNote, error) { return api.AddNote(ctx, visitor, text) },
		func(st *VisitorState) {
			st.NoteDraft = ""
			if app.IsClient {
				app.Window().GetElementByID(NoteTextID).Set("value", "")
			}
		})
}

func (c *Console) onEditNote(_ app.Context, visitor, note uint64, text string) {
	api := c.api
	c.noteCall(visitor, func(ctx context.Context) (parley.ContactNote, error) { return api.EditNote(ctx, visitor, note, text) },
		func(st *VisitorState) { st.EditID, st.EditDraft = 0, "" })
}

func (c *Console) onDeleteNote(_ app.Context, visitor, note uint64) {
	api := c.api
	c.noteCall(visitor, func(ctx context.Context) (parley.ContactNote, error) {
		err := api.DeleteNote(ctx, visitor, note)
		return parley.ContactNote{ID: note, Visitor: visitor, Deleted: true}, err
	}, func(*VisitorState) {})
}
