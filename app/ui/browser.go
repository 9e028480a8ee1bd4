package ui

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"

	"github.com/parley-chat/parley/app/parley"
)

// Browser helpers. Outside a browser (tests, native builds) go-app's window
// is inert, so these do nothing there.

// ScrollerID names the element that scrolls a conversation.
const ScrollerID = "scroller"

// NearBottom reports whether the scroller shows its last rows, so a new
// message may scroll it without yanking someone reading older ones.
func NearBottom(id string) bool {
	if !app.IsClient {
		return true
	}
	el := app.Window().GetElementByID(id)
	if !el.Truthy() {
		return true
	}
	gap := el.Get("scrollHeight").Float() - el.Get("scrollTop").Float() - el.Get("clientHeight").Float()
	return gap < 80
}

// ScrollToBottom scrolls the element to its end.
func ScrollToBottom(id string) {
	if !app.IsClient {
		return
	}
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Set("scrollTop", el.Get("scrollHeight"))
	}
}

// Focus moves the keyboard focus to the element.
func Focus(id string) {
	if !app.IsClient {
		return
	}
	if el := app.Window().GetElementByID(id); el.Truthy() {
		el.Call("focus")
	}
}

// PageVisible reports whether the document is visible.
func PageVisible() bool {
	if !app.IsClient {
		return true
	}
	return app.Window().Get("document").Get("visibilityState").String() == "visible"
}

// OnVisibilityChange calls f (on a JS event goroutine: dispatch to the UI
// goroutine from it) whenever the document is shown or hidden.
func OnVisibilityChange(f func(visible bool)) (release func()) {
	if !app.IsClient {
		return func() {}
	}
	doc := app.Window().Get("document")
	fn := app.FuncOf(func(this app.Value, args []app.Value) any {
		f(doc.Get("visibilityState").String() == "visible")
		return nil
	})
	doc.Call("addEventListener", "visibilitychange", fn)
	return func() {
		doc.Call("removeEventListener", "visibilitychange", fn)
		fn.Release()
	}
}

// SetDocumentTitle sets the tab title.
func SetDocumentTitle(title string) {
	if !app.IsClient {
		return
	}
	doc := app.Window().Get("document")
	if doc.Get("title").String() != title {
		doc.Set("title", title)
	}
}

// SocketURL is the websocket URL on the page's own origin, under BasePath.
func SocketURL(page *url.URL) string {
	scheme := "ws"
	if strings.EqualFold(page.Scheme, "https") {
		scheme = "wss"
	}
	return scheme + "://" + page.Host + Path("/ws")
}

// OnActivity calls f (on a JS event goroutine: dispatch to the UI
// goroutine from it) at each input of the person at the page: a key, a
// click or touch, a scroll, a mouse move. f must be cheap: mouse moves
// come often.
func OnActivity(f func()) (release func()) {
	if !app.IsClient {
		return func() {}
	}
	doc := app.Window().Get("document")
	fn := app.FuncOf(func(this app.Value, args []app.Value) any {
		f()
		return nil
	})
	events := []string{"keydown", "pointerdown", "pointermove", "wheel", "touchstart"}
	opts := map[string]any{"passive": true, "capture": true}
	for _, e := range events {
		doc.Call("addEventListener", e, fn, opts)
	}
	return func() {
		for _, e := range events {
			doc.Call("removeEventListener", e, fn, map[string]any{"capture": true})
		}
		fn.Release()
	}
}

// LocalDevice is the browser's time zone (an IANA name) and its offset
// from UTC now, in minutes east: agents show the visitor's local time.
// Outside a browser, and where Intl fails, the zone is "".
func LocalDevice() (d parley.Device) {
	if !app.IsClient {
		return d
	}
	defer func() {
		if recover() != nil {
			d = parley.Device{}
		}
	}()
	win := app.Window()
	d.UTCOffset = -win.Get("Date").New().Call("getTimezoneOffset").Int()
	if intl := win.Get("Intl"); intl.Truthy() {
		d.TimeZone = intl.Get("DateTimeFormat").New().Call("resolvedOptions").Get("timeZone").String()
	}
	if parley.CheckDevice(d) != nil {
		d.TimeZone = "" // an engine's odd answer: keep the offset
	}
	return d
}

// OnEscape calls f when Escape is pressed anywhere in the document and
// nothing before it used the key (a list the composer closes prevents its
// default).
func OnEscape(f func()) (release func()) {
	if !app.IsClient {
		return func() {}
	}
	doc := app.Window().Get("document")
	fn := app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		e := args[0]
		if e.Get("key").String() == "Escape" && !e.Get("defaultPrevented").Truthy() && !e.Get("isComposing").Truthy() {
			f()
		}
		return nil
	})
	doc.Call("addEventListener", "keydown", fn)
	return func() {
		doc.Call("removeEventListener", "keydown", fn)
		fn.Release()
	}
}

// TrackViewport keeps the CSS variable --vvh on the document's root at the
// visual viewport's height: on a phone, the part above the on-screen
// keyboard. The widget sizes itself with it, so its composer stays in
// sight while typing.
func TrackViewport() (release func()) {
	if !app.IsClient {
		return func() {}
	}
	vv := app.Window().Get("visualViewport")
	if !vv.Truthy() {
		return func() {}
	}
	style := app.Window().Get("document").Get("documentElement").Get("style")
	fit := app.FuncOf(func(this app.Value, args []app.Value) any {
		style.Call("setProperty", "--vvh", strconv.Itoa(int(vv.Get("height").Float()))+"px")
		return nil
	})
	fit.Invoke()
	vv.Call("addEventListener", "resize", fit)
	vv.Call("addEventListener", "scroll", fit)
	return func() {
		vv.Call("removeEventListener", "resize", fit)
		vv.Call("removeEventListener", "scroll", fit)
		fit.Release()
	}
}

// BrowserLang is the visitor's language among Parley's, from the browser's
// navigator.languages (navigator.language when there is no list); English
// when none is supported or outside a browser.
func BrowserLang() i18n.Lang {
	if !app.IsClient {
		return i18n.EN
	}
	nav := app.Window().Get("navigator")
	var tags []string
	if list := nav.Get("languages"); list.Truthy() {
		for i := range list.Length() {
			tags = append(tags, list.Index(i).String())
		}
	}
	if l := nav.Get("language"); l.Truthy() {
		tags = append(tags, l.String())
	}
	return i18n.Match(tags...)
}
