package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// launcherFocusedJS is true while the launcher has the keyboard focus.
const launcherFocusedJS = `(() => {
	const h = document.querySelector('div[data-parley]');
	return document.activeElement === h && h.shadowRoot.activeElement === h.shadowRoot.querySelector('.l');
})()`

// The keyboard alone opens and closes the chat: Enter on the launcher
// opens it with the focus in the composer, Escape in the chat closes it
// and gives the focus back to the launcher.
func TestBrowserKeyboardOpensAndEscapeCloses(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	agentOnline(t, m)
	b := newBrowser(t, nil)
	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	v.launcher(t)
	step(t, v.ctx, 5*time.Second, "focusing the launcher", chromedp.Evaluate(
		`document.querySelector('div[data-parley]').shadowRoot.querySelector('.l').focus(); true`, nil))
	poll(t, v.ctx, 5*time.Second, "the launcher to have the focus", launcherFocusedJS, nil)
	step(t, v.ctx, 5*time.Second, "pressing Enter on the launcher", chromedp.KeyEvent(kb.Enter))
	chat, _ := v.chat(t)
	poll(t, v.ctx, 5*time.Second, "the chat panel to be open", panelOpenJS, nil)
	poll(t, chat, 10*time.Second, "the focus in the composer", `document.activeElement && document.activeElement.id === 'composer'`, nil)

	// The key goes to the focused frame, the chat's.
	step(t, v.ctx, 5*time.Second, "pressing Escape in the chat", chromedp.ActionFunc(func(ctx context.Context) error {
		for _, typ := range []input.KeyType{input.KeyDown, input.KeyUp} {
			if err := input.DispatchKeyEvent(typ).WithKey("Escape").WithCode("Escape").WithWindowsVirtualKeyCode(27).Do(ctx); err != nil {
				return err
			}
		}
		return nil
	}))
	poll(t, v.ctx, 5*time.Second, "the chat panel to close", `!`+panelOpenJS, nil)
	poll(t, v.ctx, 5*time.Second, "the focus back on the launcher", launcherFocusedJS, nil)
}
