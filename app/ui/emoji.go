package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Emoji picker element ids; browser tests use them.
const (
	EmojiButtonID = "emoji"
	EmojiPickerID = "emoji-picker"
)

// Emojis are the picker's: common faces, hands, hearts, and a shop's
// things, in rows of EmojiColumns.
var Emojis = []string{
	"😀", "😄", "😁", "😊", "🙂", "😉", "😍", "🥰",
	"😎", "🤔", "😅", "😂", "🤣", "😢", "😭", "😮",
	"😡", "🙏", "👍", "👎", "👌", "👋", "👏", "🙌",
	"💪", "🤝", "❤️", "💔", "🎉", "✨", "🔥", "⭐",
	"✅", "❌", "📦", "🚚", "💳", "🛒", "🎁", "☕",
}

// EmojiColumns is how many emoji a row of the picker holds: the arrow
// keys move by one, or by a row.
const EmojiColumns = 8

// EmojiMove is the index the focus goes to from i on key, among n emoji
// in rows of EmojiColumns, and whether key moves at all.
func EmojiMove(i, n int, key string) (int, bool) {
	switch key {
	case "ArrowRight":
		i++
	case "ArrowLeft":
		i--
	case "ArrowDown":
		i += EmojiColumns
	case "ArrowUp":
		i -= EmojiColumns
	case "Home":
		i = 0
	case "End":
		i = n - 1
	default:
		return i, false
	}
	return min(max(i, 0), n-1), true
}

// renderEmoji is the emoji button and, while open, its picker: a grid of
// buttons above the composer. A pick goes in at the caret; Escape closes
// the picker (and only the picker: the event's default is prevented, so
// the widget stays open) and gives the focus back to the button.
func (c *Composer) renderEmoji() app.UI {
	if !c.Emoji {
		return app.Span().Class("composer-emoji-none")
	}
	label := c.Lang.T("Emoji")
	button := app.Button().ID(EmojiButtonID).Type("button").Class("composer-emoji").
		Aria("label", label).Title(label).Aria("expanded", c.emojiOpen).Aria("controls", EmojiPickerID).
		OnClick(c.onEmojiToggle).Body(smileIcon())
	var picker app.UI = app.Span().Class("emoji-picker-none")
	if c.emojiOpen {
		picker = app.Div().ID(EmojiPickerID).Class("emoji-picker").Role("group").Aria("label", c.Lang.T("Insert emoji")).
			OnKeyDown(c.onEmojiKey).Body(
			app.Range(Emojis).Slice(func(i int) app.UI {
				e := Emojis[i]
				return app.Button().Type("button").Class("emoji-pick").DataSet("index", i).Text(e).
					OnClick(func(ctx app.Context, ev app.Event) { c.insertEmoji(ctx, e) })
			}),
		)
	}
	return app.Div().Class("composer-emoji-wrap").Body(button, picker)
}

func (c *Composer) onEmojiToggle(ctx app.Context, e app.Event) {
	c.emojiOpen = !c.emojiOpen
	if c.emojiOpen {
		ctx.Defer(func(app.Context) { focusEmoji(0) })
	}
}

// focusEmoji focuses the picker's emoji i.
func focusEmoji(i int) {
	if !app.IsClient {
		return
	}
	picker := app.Window().GetElementByID(EmojiPickerID)
	if !picker.Truthy() {
		return
	}
	if b := picker.Get("children").Index(i); b.Truthy() {
		b.Call("focus")
	}
}

func (c *Composer) onEmojiKey(ctx app.Context, e app.Event) {
	key := e.Get("key").String()
	if key == "Escape" {
		e.PreventDefault() // the widget closes on an Escape nobody took
		// The focus moves before the picker goes, or it falls to the page.
		Focus(EmojiButtonID)
		c.emojiOpen = false
		return
	}
	target := e.Get("target")
	idx := target.Get("dataset").Get("index")
	if !idx.Truthy() {
		ctx.PreventUpdate()
		return
	}
	i := 0
	for _, r := range idx.String() {
		i = i*10 + int(r-'0')
	}
	if j, ok := EmojiMove(i, len(Emojis), key); ok {
		e.PreventDefault()
		focusEmoji(j)
	}
	ctx.PreventUpdate()
}

// insertEmoji puts e in the box at the caret (in place of a selection),
// closes the picker and gives the box the focus back.
func (c *Composer) insertEmoji(ctx app.Context, e string) {
	c.emojiOpen = false
	if !app.IsClient {
		c.text += e
		return
	}
	el := app.Window().GetElementByID(ComposerID)
	if !el.Truthy() {
		return
	}
	el.Call("setRangeText", e, el.Get("selectionStart"), el.Get("selectionEnd"), "end")
	c.text = el.Get("value").String()
	el.Call("focus")
	if c.OnTyping != nil {
		c.OnTyping(ctx)
	}
}

func smileIcon() app.UI {
	return app.Raw(`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm-3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM12 17.5a5.5 5.5 0 0 0 5.1-3.5H6.9a5.5 5.5 0 0 0 5.1 3.5z"/></svg>`)
}
