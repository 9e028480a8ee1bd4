package ui

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// Composer element ids; browser tests use them.
const (
	ComposerID    = "composer"
	SendID        = "send"
	CompletionsID = "completions"
)

// Completion is a text the composer offers for a "/word" typed at its
// start: Label is shown (the shortcut), Text replaces the box's content.
type Completion struct {
	Label string
	Text  string
}

// completionQuery is what follows the slash of a box that holds only
// "/word", and whether it does.
func completionQuery(text string) (string, bool) {
	if !strings.HasPrefix(text, "/") || strings.ContainsAny(text, " \t\r\n") {
		return "", false
	}
	return text[1:], true
}

// counterMargin is how close to the limit a message gets before the
// composer shows how many characters are left.
const counterMargin = 200

// Composer is the message box: Enter sends, Shift+Enter starts a new line,
// and a counter appears near the length limit. The textarea is left
// uncontrolled (go-app would move the caret on every value update); the
// component mirrors its text for the counter and clears it after sending.
type Composer struct {
	app.Compo

	// Lang is the language of the composer's own texts (zero: English).
	Lang i18n.Lang

	// Key names the draft: a composer with another key starts empty, so a
	// reply never follows the agent into another conversation.
	Key         string
	Placeholder string
	// MaxRunes is the message length limit; 0 means parley.DefaultLimits.
	MaxRunes int
	// OnSend receives the trimmed text; the composer is cleared.
	OnSend func(ctx app.Context, text string)
	// OnTyping is called on every edit.
	OnTyping func(ctx app.Context)
	// OnInput, when set, is called on every edit with the box's text.
	OnInput func(ctx app.Context, text string)
	// Files are the site's limits on attachments; with OnFile set, the
	// composer takes files from its attach button (which offers the
	// phone's camera too), a drop, or a paste, checks them against Files
	// before anything is sent, and hands each good one to OnFile.
	Files  parley.FileSettings
	OnFile func(ctx app.Context, file app.Value)
	// Uploading shows that files are on their way; FileError why one was
	// refused (by the server; the composer's own refusals it shows itself).
	Uploading bool
	FileError string

	fileErr string
	// Emoji shows the emoji button: a picker whose emoji go in at the
	// caret (emoji.go).
	Emoji     bool
	emojiOpen bool
	// Note marks the box as writing an internal note (.composer-note).
	Note bool
	// Complete, when set, offers completions for a box that holds only
	// "/word" (word without the slash): a list above the box, filtered as
	// the agent types; arrows move, Enter, Tab or a click puts the chosen
	// text in the box, Escape closes the list.
	Complete func(query string) []Completion
	// OnComplete, when set, is told which completion was put in the box.
	OnComplete func(ctx app.Context, c Completion)

	text    string
	matches []Completion
	sel     int
	// closedFor is the text whose list Escape closed; inserted is the
	// completion just put in the box.
	closedFor string
	inserted  string
}

// AttachID is the file input's id; browser tests set files on it.
const AttachID = "attach"

// CompoID implements app.DismountEnforcer.
func (c *Composer) CompoID() string { return "composer-" + c.Key }

func (c *Composer) max() int {
	if c.MaxRunes > 0 {
		return c.MaxRunes
	}
	return 4000
}

// look returns what the rendering depends on besides the props.
func (c *Composer) look() (class, counter string) {
	n := utf8.RuneCountInString(strings.TrimSpace(c.text))
	max := c.max()
	class = "composer"
	if n == 0 {
		class += " composer-empty"
	}
	if n > max {
		class += " composer-over"
	}
	if n >= max-counterMargin {
		counter = strconv.Itoa(n) + " / " + strconv.Itoa(max)
	}
	if c.Note {
		class += " composer-note"
	}
	return class, counter
}

// complete recomputes the completions for the box's text.
func (c *Composer) complete() {
	c.matches, c.sel = nil, 0
	q, ok := completionQuery(c.text)
	if !ok || c.Complete == nil || c.text == c.closedFor {
		return
	}
	c.matches = c.Complete(q)
}

func (c *Composer) renderCompletions() app.UI {
	if len(c.matches) == 0 {
		return app.Span().Class("completions-none")
	}
	return app.Ul().ID(CompletionsID).Class("completions").Role("listbox").Aria("label", "Canned replies").Body(
		app.Range(c.matches).Slice(func(i int) app.UI {
			m := c.matches[i]
			class := "completion"
			if i == c.sel {
				class += " completion-selected"
			}
			return app.Li().Class(class).Role("option").Aria("selected", i == c.sel).DataSet("label", m.Label).
				OnMouseDown(func(ctx app.Context, e app.Event) {
					e.PreventDefault() // keep the focus in the box
					c.insert(ctx, i)
				}).
				Body(
					app.Span().Class("completion-label").Text("/"+m.Label),
					app.Span().Class("completion-text").Text(parley.Truncate(m.Text, 80)),
				)
		}),
	)
}

// insert puts completion i in the box, in place of "/word".
func (c *Composer) insert(ctx app.Context, i int) {
	if i < 0 || i >= len(c.matches) {
		return
	}
	picked := c.matches[i]
	c.text = picked.Text
	c.matches, c.sel, c.inserted = nil, 0, c.text
	if app.IsClient {
		el := app.Window().GetElementByID(ComposerID)
		el.Set("value", c.text)
		el.Call("focus")
	}
	if c.OnComplete != nil {
		c.OnComplete(ctx, picked)
	}
	if c.OnTyping != nil {
		c.OnTyping(ctx)
	}
}

// Render implements app.Composer.
func (c *Composer) Render() app.UI {
	class, counter := c.look()
	placeholder := c.Placeholder
	if placeholder == "" {
		placeholder = c.Lang.T("Write a message…")
	}
	root := app.Div().Class(class)
	input := app.Textarea().
		ID(ComposerID).
		Class("composer-input").
		Rows(1).
		Placeholder(placeholder).
		Aria("label", c.Lang.T("Message")).
		OnInput(c.onInput).
		OnKeyDown(c.onKeyDown)
	if c.attaching() {
		root = root.On("dragover", c.onDragOver).On("drop", c.onDrop)
		input = input.On("paste", c.onPaste)
	}
	// The attach button and the upload status come last, so that the
	// textarea keeps its place (go-app diffs children by position); CSS
	// puts the button first.
	return root.Body(
		input,
		app.Span().Class("composer-count").Aria("live", "polite").Text(counter),
		app.Button().
			ID(SendID).
			Class("composer-send").
			Type("button").
			Aria("label", c.Lang.T("Send")).
			Title(c.Lang.T("Send (Enter)")).
			OnClick(c.onSendClick).
			Body(sendIcon()),
		c.renderCompletions(),
		c.renderAttach(),
		c.renderFileStatus(),
		c.renderEmoji(),
	)
}

// attaching says whether the composer takes files.
func (c *Composer) attaching() bool { return c.OnFile != nil && !c.Files.Off }

func (c *Composer) renderAttach() app.UI {
	if !c.attaching() {
		return app.Span().Class("composer-attach-none")
	}
	// A label around a hidden input: the button is the browser's own
	// file picker, which offers the camera on phones for image types.
	return app.Label().Class("composer-attach").Title(c.Lang.T("Attach a file")).Body(
		app.Input().ID(AttachID).Type("file").Class("composer-file").Multiple(true).
			Accept(AcceptTypes(c.Files)).Aria("label", c.Lang.T("Attach a file")).
			OnChange(c.onPick),
		attachIcon(),
	)
}

func (c *Composer) renderFileStatus() app.UI {
	msg, class := c.fileErr, "composer-file-status composer-file-error"
	if msg == "" {
		msg = c.FileError
	}
	if msg == "" && c.Uploading {
		msg, class = c.Lang.T("Uploading…"), "composer-file-status composer-uploading"
	}
	if msg == "" {
		class = "composer-file-status composer-file-status-none"
	}
	return app.Div().Class(class).Role("status").Aria("live", "polite").Text(msg)
}

func (c *Composer) onPick(ctx app.Context, e app.Event) {
	c.takeFiles(ctx, ctx.JSSrc().Get("files"))
	// The same file may be picked again after an error.
	ctx.JSSrc().Set("value", "")
}

func (c *Composer) onDragOver(ctx app.Context, e app.Event) {
	ctx.PreventUpdate()
	e.PreventDefault() // or the browser opens the file instead
}

func (c *Composer) onDrop(ctx app.Context, e app.Event) {
	if !c.attaching() {
		return
	}
	e.PreventDefault()
	c.takeFiles(ctx, e.Get("dataTransfer").Get("files"))
}

func (c *Composer) onPaste(ctx app.Context, e app.Event) {
	files := e.Get("clipboardData").Get("files")
	if !files.Truthy() || files.Length() == 0 {
		ctx.PreventUpdate() // a text paste: the input event follows
		return
	}
	e.PreventDefault()
	c.takeFiles(ctx, files)
}

// takeFiles checks each file of a JS FileList and hands on the good ones.
func (c *Composer) takeFiles(ctx app.Context, list app.Value) {
	c.fileErr = ""
	if !list.Truthy() {
		return
	}
	n := list.Length()
	if n > parley.MaxFilesPerMessage {
		c.fileErr = c.Lang.N(parley.MaxFilesPerMessage, "At most %d file at once.", "At most %d files at once.", parley.MaxFilesPerMessage)
		return
	}
	for i := range n {
		f := list.Index(i)
		if err := CheckBrowserFile(c.Files, f); err != nil {
			c.fileErr = f.Get("name").String() + ": " + parley.ErrorMessage(err)
			continue
		}
		c.OnFile(ctx, f)
	}
}

func attachIcon() app.UI {
	return app.Raw(`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"/></svg>`)
}

func (c *Composer) onInput(ctx app.Context, e app.Event) {
	class, counter := c.look()
	v := ctx.JSSrc().Get("value").String()
	if c.text == "" && v != "" && strings.Trim(v, "\r\n") == "" {
		// A bare line break in an empty box is the Enter that just sent a
		// message, delivered apart from its keydown by tools that replay
		// keys as separate events (DevTools protocol): drop it.
		ctx.JSSrc().Set("value", "")
		v = ""
	}
	if c.inserted != "" && v != c.inserted && strings.TrimRight(v, "\r\n") == c.inserted {
		// The same for the Enter that picked a completion.
		ctx.JSSrc().Set("value", c.inserted)
		v = c.inserted
	}
	c.inserted = ""
	c.text = v
	had := len(c.matches)
	c.complete()
	if c.OnTyping != nil {
		c.OnTyping(ctx)
	}
	if c.OnInput != nil {
		c.OnInput(ctx, v)
	}
	// Most keys change nothing on screen: skip re-rendering the whole app.
	if newClass, newCounter := c.look(); newClass == class && newCounter == counter && had == 0 && len(c.matches) == 0 {
		ctx.PreventUpdate()
	}
}

func (c *Composer) onKeyDown(ctx app.Context, e app.Event) {
	key := e.Get("key").String()
	if len(c.matches) > 0 && !e.Get("isComposing").Truthy() {
		switch key {
		case "ArrowDown", "ArrowUp":
			e.PreventDefault()
			n := len(c.matches)
			if key == "ArrowDown" {
				c.sel = (c.sel + 1) % n
			} else {
				c.sel = (c.sel + n - 1) % n
			}
			return
		case "Enter", "Tab":
			e.PreventDefault()
			c.insert(ctx, c.sel)
			return
		case "Escape":
			e.PreventDefault()
			c.closedFor, c.matches = c.text, nil
			return
		}
	}
	if key != "Enter" || e.Get("shiftKey").Truthy() || e.Get("isComposing").Truthy() {
		ctx.PreventUpdate()
		return
	}
	e.PreventDefault()
	c.text = ctx.JSSrc().Get("value").String()
	c.send(ctx)
}

func (c *Composer) onSendClick(ctx app.Context, e app.Event) {
	// The DOM is the source of truth: text can arrive without an input
	// event (autofill, tests setting the value).
	if v := app.Window().GetElementByID(ComposerID).Get("value"); app.IsClient && v.Truthy() {
		c.text = v.String()
	}
	c.send(ctx)
	Focus(ComposerID)
}

func (c *Composer) send(ctx app.Context) {
	text := strings.TrimSpace(c.text)
	if text == "" || utf8.RuneCountInString(text) > c.max() {
		return
	}
	c.text, c.matches = "", nil
	if app.IsClient {
		app.Window().GetElementByID(ComposerID).Set("value", "")
	}
	if c.OnSend != nil {
		c.OnSend(ctx, text)
	}
}

func sendIcon() app.UI {
	return app.Raw(`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6 3.4 10.1 15 12 3.4 13.9z"/></svg>`)
}

// ComposerValue is what the composer holds now ("" outside a browser).
func ComposerValue() string {
	if !app.IsClient {
		return ""
	}
	if v := app.Window().GetElementByID(ComposerID).Get("value"); v.Truthy() {
		return v.String()
	}
	return ""
}
