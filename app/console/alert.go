package console

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// alerter makes the console heard when a visitor writes: a short chime
// and, with permission, a system notification.
type alerter struct {
	// audio is the page's AudioContext, created on the first user gesture
	// because browsers keep audio muted until then.
	audio app.Value
}

// unlockOnGesture creates the AudioContext on the first pointer or key
// press anywhere in the page.
func (a *alerter) unlockOnGesture() (release func()) {
	if !app.IsClient {
		return func() {}
	}
	win := app.Window()
	fn := app.FuncOf(func(this app.Value, args []app.Value) any {
		a.unlock()
		return nil
	})
	win.Call("addEventListener", "pointerdown", fn)
	win.Call("addEventListener", "keydown", fn)
	return func() {
		win.Call("removeEventListener", "pointerdown", fn)
		win.Call("removeEventListener", "keydown", fn)
		fn.Release()
	}
}

func (a *alerter) unlock() {
	_ = jsSafe(func() {
		if a.audio != nil && a.audio.Truthy() {
			if a.audio.Get("state").String() == "suspended" {
				a.audio.Call("resume")
			}
			return
		}
		ctor := app.Window().Get("AudioContext")
		if !ctor.Truthy() {
			ctor = app.Window().Get("webkitAudioContext")
		}
		if ctor.Truthy() {
			a.audio = ctor.New()
		}
	})
}

// chime plays two short soft notes.
func (a *alerter) chime() {
	if !app.IsClient || a.audio == nil || !a.audio.Truthy() {
		return
	}
	_ = jsSafe(func() {
		ctx := a.audio
		now := ctx.Get("currentTime").Float()
		for i, freq := range []float64{880, 1320} {
			start := now + float64(i)*0.12
			osc := ctx.Call("createOscillator")
			gain := ctx.Call("createGain")
			osc.Set("type", "sine")
			osc.Get("frequency").Set("value", freq)
			g := gain.Get("gain")
			g.Call("setValueAtTime", 0.0001, start)
			g.Call("exponentialRampToValueAtTime", 0.15, start+0.02)
			g.Call("exponentialRampToValueAtTime", 0.0001, start+0.18)
			osc.Call("connect", gain)
			gain.Call("connect", ctx.Get("destination"))
			osc.Call("start", start)
			osc.Call("stop", start+0.2)
		}
	})
}

// notify shows a system notification that opens path when clicked. It
// goes through go-app's service worker when one controls the page (phones
// allow no other way), else through the Notification constructor.
func notify(title, body, path, tag string) {
	if !app.IsClient {
		return
	}
	_ = jsSafe(func() {
		if sw := app.Window().Get("navigator").Get("serviceWorker"); sw.Truthy() && sw.Get("controller").Truthy() {
			sw.Get("controller").Call("postMessage", map[string]any{
				"type": "goapp:notify",
				"options": map[string]any{
					"title": title,
					"body":  body,
					"path":  path,
					"tag":   tag,
				},
			})
			return
		}
		n := app.Window().Get("Notification").New(title, map[string]any{"body": body, "tag": tag})
		var onclick app.Func
		onclick = app.FuncOf(func(this app.Value, args []app.Value) any {
			app.Window().Call("focus")
			if nav := app.Window().Get("goappNav"); nav.Truthy() {
				nav.Invoke(path)
			}
			n.Call("close")
			onclick.Release()
			return nil
		})
		n.Set("onclick", onclick)
	})
}

// jsSafe runs f, turning a JavaScript exception into an error.
func jsSafe(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("console: %v", r)
		}
	}()
	f()
	return nil
}
