package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/server/internal/chromium"
)

// appUpJS is true once the widget's app has drawn the chat: the page's
// prerendered panel (.widget-prerendered) is gone and the app's composer
// is there.
const appUpJS = `!!document.querySelector('#parley:not(.widget-prerendered) #composer')`

// frameLoadJS is where the chat iframe's time went, in ms after its
// navigation started: its HTML in, and its wasm in (and its bytes).
const frameLoadJS = `(() => {
	const n = performance.getEntriesByType('navigation')[0];
	const w = performance.getEntriesByType('resource').find(e => e.name.includes('.wasm'));
	const p = window.ParleyPreApp;
	return {doc: n ? n.responseEnd : 0, wasmEnd: w ? w.responseEnd : 0, wasmSize: w ? w.transferSize : 0,
		parsed: n ? n.domInteractive : 0, ready: p && p.readyAt || 0};
})()`

type frameLoad struct {
	Doc      float64 `json:"doc"`
	WasmEnd  float64 `json:"wasmEnd"`
	WasmSize float64 `json:"wasmSize"`
	Parsed   float64 `json:"parsed"` // the page parsed
	Ready    float64 `json:"ready"`  // its composer working (0: the app was first)
}

// TestBrowserInstantOpen measures the open time of the chat (issue 9):
// from the click on the launcher to a composer that takes input
// (Parley.timing.ms), and to the widget's app running (timing.app), on a
// desktop (cold, no throttling, site isolation on) and on Slow 4G with the
// CPU four times slower. Throttling applies per target, and an
// out-of-process iframe escapes its tab's; the throttled run uses a
// browser whose iframes share their page's renderer (as on Android's
// Chrome for most sites), so the tab's throttling covers the chat whole.
// The figures are reported; what is asserted is that the prerendered
// composer takes a message before the wasm has started, shows it on its
// way, and that the app delivers it exactly once.
func TestBrowserInstantOpen(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	agentOnline(t, m)

	// A desktop, cold: a fresh browser context, no throttling.
	b := newBrowser(t, nil)
	d := b.newVisitor("desktop")
	openShopChat(t, m, d)
	var desk chromium.Timing
	poll(t, d.ctx, 30*time.Second, "the desktop chat's app to run", `window.Parley.timing && window.Parley.timing.app !== undefined && window.Parley.timing`, &desk)
	t.Logf("desktop, cold: click → composer usable %.0f ms, click → app running %.0f ms", desk.Ms, desk.App)

	// Slow 4G and a 4× slower CPU.
	sb := newBrowserWith(t, chromium.Options{Budget: 4 * time.Minute, SharedIframes: true})
	v := sb.newVisitor("visitor")
	chat := watchChatContext(v.ctx, m.Server.URL())
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at := v.launcher(t)
	slow := chromium.Slow4G
	step(t, v.ctx, 5*time.Second, "throttling the shop's tab", slow.Apply())
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	var tm chromium.Timing
	poll(t, v.ctx, 60*time.Second, "window.Parley.timing (the composer usable after the click)", chromium.TimingJS, &tm)
	t.Logf("%s: click → composer usable %.0f ms", slow.Name, tm.Ms)

	// The composer takes a message now, before the wasm has started.
	question := "Is the espresso blend in stock? " + t.Name()
	var appUp bool
	chat.eval(t, appUpJS, &appUp)
	if appUp {
		t.Fatalf("the app was already running when the composer became usable: nothing measures the prerendered page")
	}
	chat.eval(t, `document.querySelector('#composer').focus(), true`, nil)
	step(t, v.ctx, 20*time.Second, "typing before the app runs", input.InsertText(question))
	var typed string
	chat.eval(t, `document.querySelector('#composer').value`, &typed)
	if typed != question {
		t.Fatalf("the prerendered composer holds %q after typing, want %q", typed, question)
	}
	step(t, v.ctx, 10*time.Second, "pressing Enter",
		input.DispatchKeyEvent(input.KeyDown).WithKey("Enter").WithCode("Enter").WithWindowsVirtualKeyCode(13).WithText("\r"),
		input.DispatchKeyEvent(input.KeyUp).WithKey("Enter").WithCode("Enter").WithWindowsVirtualKeyCode(13),
	)
	var early struct {
		App     bool   `json:"app"`
		Box     string `json:"box"`
		Outbox  string `json:"outbox"`
		Sending bool   `json:"sending"`
	}
	chat.eval(t, `({app: `+appUpJS+`, box: document.querySelector('#composer').value,
		outbox: localStorage.getItem('parley.outbox.demo') || '', sending: `+messageJS(".msg-visitor.msg-sending", question)+`})`, &early)
	if early.App {
		t.Fatalf("the app started while the message was typed: the test proves nothing on this machine (click → composer %.0f ms)", tm.Ms)
	}
	if early.Box != "" || !strings.Contains(early.Outbox, question) || !early.Sending {
		t.Fatalf("after Enter, before the app: composer holds %q (want it empty), the outbox %q (want the message), shown on its way: %v", early.Box, early.Outbox, early.Sending)
	}

	// The app comes up, takes the message over and sends it, once.
	poll(t, v.ctx, 120*time.Second, "the app to run (timing.app)", `window.Parley.timing && window.Parley.timing.app !== undefined && window.Parley.timing`, &tm)
	var load frameLoad
	chat.eval(t, frameLoadJS, &load)
	t.Logf("%s: click → composer usable %.0f ms, click → app running %.0f ms (chat iframe, from its navigation: HTML in at %.0f ms, composer working at %.0f ms, page parsed at %.0f ms, wasm %.0f KB in at %.0f ms)",
		slow.Name, tm.Ms, tm.App, load.Doc, load.Ready, load.Parsed, load.WasmSize/1024, load.WasmEnd)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var done bool
		chat.eval(t, messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", question), &done)
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app did not show the message typed before it ran as delivered within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, msgs := transcript(t, m, 1)
	n := 0
	for _, msg := range msgs {
		if msg.Text == question {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the conversation holds %d copies of the message typed before the app ran, want 1: %+v", n, msgs)
	}
	var rows int
	chat.eval(t, `[...document.querySelectorAll('#messages .msg-visitor .msg-text')].filter(e => e.textContent.includes(`+jsString(question)+`)).length`, &rows)
	if rows != 1 {
		t.Fatalf("the chat shows the message %d times, want once", rows)
	}
}

// chatContext evaluates in the chat's iframe when it shares its page's
// renderer (no target of its own): in the iframe's main JavaScript world.
type chatContext struct {
	tab    context.Context
	origin string
	mu     sync.Mutex
	id     runtime.ExecutionContextID
}

// watchChatContext follows the execution contexts of the tab of ctx and
// keeps the latest main one of origin (Parley's).
func watchChatContext(ctx context.Context, origin string) *chatContext {
	c := &chatContext{tab: ctx, origin: strings.TrimSuffix(origin, "/")}
	chromedp.ListenTarget(ctx, func(ev any) {
		e, ok := ev.(*runtime.EventExecutionContextCreated)
		if !ok || e.Context == nil || e.Context.Origin != c.origin {
			return
		}
		var aux struct {
			IsDefault bool `json:"isDefault"`
		}
		json.Unmarshal(e.Context.AuxData, &aux)
		if aux.IsDefault {
			c.mu.Lock()
			c.id = e.Context.ID
			c.mu.Unlock()
		}
	})
	return c
}

// eval evaluates js in the chat's iframe and stores its value in res.
func (c *chatContext) eval(tb testing.TB, js string, res any) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.mu.Lock()
		id := c.id
		c.mu.Unlock()
		if id != 0 {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no JavaScript context of %s in the tab after 20 s", c.origin)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.mu.Lock()
	id := c.id
	c.mu.Unlock()
	step(tb, c.tab, 20*time.Second, "evaluating in the chat's iframe", chromedp.ActionFunc(func(ctx context.Context) error {
		v, exc, err := runtime.Evaluate(js).WithContextID(id).WithReturnByValue(true).Do(ctx)
		if err != nil {
			return err
		}
		if exc != nil {
			return fmt.Errorf("%s: %s", js, exc.Text)
		}
		if res == nil {
			return nil
		}
		return json.Unmarshal(v.Value, res)
	}))
}
