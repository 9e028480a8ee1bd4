package console

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// copyText puts text on the clipboard and calls copied on the UI
// goroutine once it is there. Where the Clipboard API is missing (plain
// http on a LAN address) it selects the element with id fallbackID, which
// shows the same text, and copies the selection.
func copyText(ctx app.Context, text, fallbackID string, copied func()) {
	if !app.IsClient {
		return
	}
	clip := app.Window().Get("navigator").Get("clipboard")
	if clip.Truthy() {
		clip.Call("writeText", text).Then(func(app.Value) {
			ctx.Dispatch(func(ctx app.Context) { copied() })
		})
		return
	}
	if el := app.Window().GetElementByID(fallbackID); el.Truthy() {
		el.Call("select")
		app.Window().Get("document").Call("execCommand", "copy")
		copied()
	}
}
