package console

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// PushForm turns Web Push on and off for this browser ("Notify me when
// the console is closed") and says which news the agent wants pushed.
// On asks the notification permission, subscribes with the server's
// VAPID key through go-app's service worker, and hands the subscription
// to the server; off unsubscribes the browser and tells the server.
type PushForm struct {
	app.Compo

	API *API

	supported bool
	// on says this browser has a push subscription.
	on    bool
	prefs parley.PushPrefs
	busy  bool
	msg   string
	err   bool
}

// OnMount reads whether this browser is subscribed, and the preferences.
func (f *PushForm) OnMount(ctx app.Context) {
	f.prefs = parley.DefaultPushPrefs
	f.supported = pushSupported()
	if !f.supported || f.API == nil {
		return
	}
	browserPushEndpoint(func(endpoint string) {
		ctx.Dispatch(func(ctx app.Context) { f.on = endpoint != "" })
	})
	api := f.API
	ctx.Async(func() {
		st, err := api.PushStatus(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err == nil {
				f.prefs = st.Prefs
			}
		})
	})
}

// Render implements app.Composer.
func (f *PushForm) Render() app.UI {
	var result app.UI = app.Span().Class("save-none")
	if f.msg != "" {
		class, role := "save-ok", "status"
		if f.err {
			class, role = "save-error", "alert"
		}
		result = app.P().ID("push-status").Class(class).Role(role).Text(f.msg)
	}
	if !f.supported {
		return app.Section().ID("push-form").Class("card site-form push-form").Body(
			app.H3().Text("Notifications when the console is closed"),
			app.P().Class("hint").Text("This browser cannot receive push notifications. Install the console, or use a browser that supports Web Push."),
		)
	}
	pref := func(id, label string, checked bool, set func(p *parley.PushPrefs, v bool)) app.UI {
		return app.Label().Class("check").Body(
			app.Input().ID(id).Type("checkbox").Checked(checked).Disabled(f.busy).
				OnChange(func(ctx app.Context, e app.Event) {
					p := f.prefs
					set(&p, ctx.JSSrc().Get("checked").Truthy())
					f.savePrefs(ctx, p)
				}),
			app.Span().Text(label),
		)
	}
	return app.Section().ID("push-form").Class("card site-form push-form").Body(
		app.H3().Text("Notifications when the console is closed"),
		app.Label().Class("check").Body(
			app.Input().ID("push-toggle").Type("checkbox").Checked(f.on).Disabled(f.busy).
				OnChange(func(ctx app.Context, e app.Event) {
					if ctx.JSSrc().Get("checked").Truthy() {
						f.subscribe(ctx)
					} else {
						f.unsubscribe(ctx)
					}
				}),
			app.Span().Text("Notify me when the console is closed"),
		),
		app.P().Class("hint").Text("While the console is open it notifies you itself. Pushed:"),
		pref("push-new-chat", "a new chat in my teams", f.prefs.NewChat, func(p *parley.PushPrefs, v bool) { p.NewChat = v }),
		pref("push-assigned", "a chat assigned to me", f.prefs.Assigned, func(p *parley.PushPrefs, v bool) { p.Assigned = v }),
		pref("push-message", "a visitor's message in my chats", f.prefs.Message, func(p *parley.PushPrefs, v bool) { p.Message = v }),
		result,
	)
}

func (f *PushForm) done(ctx app.Context, msg string, err error) {
	ctx.Dispatch(func(ctx app.Context) {
		f.busy = false
		if err != nil {
			f.msg, f.err = parley.ErrorMessage(err), true
			return
		}
		f.msg, f.err = msg, false
	})
}

func (f *PushForm) subscribe(ctx app.Context) {
	if f.API == nil || f.busy {
		return
	}
	f.busy, f.msg = true, ""
	api := f.API
	ctx.Async(func() {
		if p := ctx.Notifications().RequestPermission(); p != app.NotificationGranted {
			ctx.Dispatch(func(ctx app.Context) { f.on = false })
			f.done(ctx, "", parley.Errorf(parley.EForbidden, "Notifications are blocked for this site: allow them in the browser's site settings, then try again."))
			return
		}
		key, err := api.PushKey(ctx)
		if err != nil {
			f.done(ctx, "", err)
			return
		}
		sub, err := ctx.Notifications().Subscribe(key)
		if err != nil {
			f.done(ctx, "", parley.Errorf(parley.EUnavailable, "This browser could not subscribe to push notifications."))
			return
		}
		in := parley.PushSubscription{Endpoint: sub.Endpoint, Keys: parley.PushKeys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}
		_, err = api.SubscribePush(ctx, in)
		if err == nil {
			ctx.Dispatch(func(ctx app.Context) { f.on = true })
		}
		f.done(ctx, "This browser will notify you while the console is closed.", err)
	})
}

func (f *PushForm) unsubscribe(ctx app.Context) {
	if f.API == nil || f.busy {
		return
	}
	f.busy, f.msg = true, ""
	api := f.API
	browserPushUnsubscribe(func(endpoint string) {
		ctx.Async(func() {
			var err error
			if endpoint != "" {
				if _, err = api.UnsubscribePush(ctx, endpoint); parley.ErrorCode(err) == parley.ENotFound {
					err = nil // the server had dropped it already
				}
			}
			if err == nil {
				ctx.Dispatch(func(ctx app.Context) { f.on = false })
			}
			f.done(ctx, "Push notifications are off in this browser.", err)
		})
	})
}

func (f *PushForm) savePrefs(ctx app.Context, p parley.PushPrefs) {
	if f.API == nil || f.busy {
		return
	}
	f.busy, f.msg, f.prefs = true, "", p
	api := f.API
	ctx.Async(func() {
		st, err := api.SetPushPrefs(ctx, p)
		if err == nil {
			ctx.Dispatch(func(ctx app.Context) { f.prefs = st.Prefs })
		}
		f.done(ctx, "Saved.", err)
	})
}

// unsubscribeThisBrowser ends this browser's push subscription, if it
// has one, and tells the server; it waits a few seconds at most.
func unsubscribeThisBrowser(ctx app.Context, api *API) {
	if !pushSupported() {
		return
	}
	got := make(chan string, 1)
	browserPushUnsubscribe(func(endpoint string) { got <- endpoint })
	select {
	case endpoint := <-got:
		if endpoint != "" {
			api.UnsubscribePush(ctx, endpoint)
		}
	case <-time.After(3 * time.Second):
	}
}

// pushSupported says whether this browser can get Web Push.
func pushSupported() bool {
	if !app.IsClient {
		return false
	}
	ok := false
	_ = jsSafe(func() {
		ok = app.Window().Get("PushManager").Truthy() && app.Window().Get("navigator").Get("serviceWorker").Truthy()
	})
	return ok
}

// browserPushEndpoint calls fn with the endpoint of this browser's push
// subscription, "" for none.
func browserPushEndpoint(fn func(endpoint string)) {
	withPushSubscription(func(sub app.Value) {
		if sub.Truthy() {
			fn(sub.Get("endpoint").String())
			return
		}
		fn("")
	})
}

// browserPushUnsubscribe ends this browser's push subscription and calls
// fn with the endpoint it had, "" for none.
func browserPushUnsubscribe(fn func(endpoint string)) {
	withPushSubscription(func(sub app.Value) {
		if !sub.Truthy() {
			fn("")
			return
		}
		endpoint := sub.Get("endpoint").String()
		sub.Call("unsubscribe").Then(func(app.Value) { fn(endpoint) })
	})
}

// withPushSubscription calls fn with the push subscription of the
// console's service worker registration (null when there is none). It
// asks for the registration by scope: /console itself is outside the
// worker's scope (/console/), where navigator.serviceWorker.ready would
// never resolve.
func withPushSubscription(fn func(sub app.Value)) {
	err := jsSafe(func() {
		app.Window().Get("navigator").Get("serviceWorker").Call("getRegistration", ui.Path("/console/")).Then(func(reg app.Value) {
			if !reg.Truthy() {
				fn(app.Null())
				return
			}
			reg.Get("pushManager").Call("getSubscription").Then(fn)
		})
	})
	if err != nil {
		fn(app.Null())
	}
}
