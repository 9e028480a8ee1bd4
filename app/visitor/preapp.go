package visitor

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// PreApp is what the widget page's own script (assets/js/preapp.js) hands
// the app: the page arrives drawn, its composer working before the wasm
// runs; messages sent there wait in the outbox in storage, which the app
// reads at mount and sends.
type PreApp struct {
	// Found: the page ran the script.
	Found bool
	// Ready: the script told the loader the chat is ready (its composer
	// takes input); the app must not say it again.
	Ready bool
	// Draft is what the visitor had typed and not sent.
	Draft string
}

// takePreApp ends the script's sending: from now on the app sends.
func takePreApp() (p PreApp) {
	if !app.IsClient {
		return p
	}
	guard(func() error {
		pre := app.Window().Get("ParleyPreApp")
		if !pre.Truthy() {
			return nil
		}
		v := pre.Call("take")
		p = PreApp{Found: true, Ready: v.Get("ready").Truthy(), Draft: v.Get("draft").String()}
		return nil
	})
	return p
}

// preAppMessages ends the script's listening and returns the loader's
// messages it kept, as the JSON of each, in order. The app's own listener
// must be in place first, with nothing between that could yield to
// JavaScript: a message is then kept by one of the two, never both.
func preAppMessages() (out [][]byte) {
	if !app.IsClient {
		return nil
	}
	guard(func() error {
		pre := app.Window().Get("ParleyPreApp")
		if !pre.Truthy() {
			return nil
		}
		list := pre.Call("messages")
		json := app.Window().Get("JSON")
		for i := 0; i < list.Length(); i++ {
			out = append(out, []byte(json.Call("stringify", list.Index(i)).String()))
		}
		return nil
	})
	return out
}

// putDraft puts what the visitor typed before the app in its composer,
// and tells the composer (its counter, its empty state).
func putDraft(draft string) {
	if draft == "" || !app.IsClient {
		return
	}
	guard(func() error {
		el := app.Window().GetElementByID("composer")
		if !el.Truthy() || el.Get("value").String() != "" {
			return nil
		}
		el.Set("value", draft)
		ev := app.Window().Get("Event").New("input", map[string]any{"bubbles": true})
		el.Call("dispatchEvent", ev)
		return nil
	})
}
