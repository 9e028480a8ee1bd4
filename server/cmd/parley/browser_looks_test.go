package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestBrowserWidgetLooksOnPhone: on a phone (390×844 CSS px, touch) the
// chat fills the screen, its fields are 16 px (no iOS zoom), a day
// separator says "Today", the agent's reply is read out through the polite
// live region (and nothing is before it), and the emoji picker puts an
// emoji in the box; Escape closes the picker, not the chat.
func TestBrowserWidgetLooksOnPhone(t *testing.T) {
	requireBrowserTests(t)
	m, a, v := demoAgentAndVisitor(t)
	step(t, v.ctx, 10*time.Second, "emulating a phone",
		emulation.SetDeviceMetricsOverride(390, 844, 3, true),
		emulation.SetTouchEmulationEnabled(true).WithMaxTouchPoints(5),
	)
	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	poll(t, v.ctx, 10*time.Second, "the chat panel to be open", panelOpenJS, nil)

	// Full screen: the panel is the viewport.
	var box struct{ Left, Top, Width, Height, VW, VH, VVW, VVH, VVT, VVL, SW float64 }
	poll(t, v.ctx, 10*time.Second, "the panel's box", `(() => {
		const p = document.querySelector('div[data-parley]').shadowRoot.querySelector('.p.o');
		const r = p.getBoundingClientRect();
		const v = visualViewport;
		return {left: r.left, top: r.top, width: r.width, height: r.height, vw: innerWidth, vh: innerHeight, vvw: v.width, vvh: v.height, vvt: v.offsetTop, vvl: v.offsetLeft, sw: document.documentElement.scrollWidth};
	})()`, &box)
	// The visual viewport: the demo shop's page is wider than the phone
	// (so is many a shop's), and the chat must still fit the screen.
	if abs(box.Left-box.VVL) > 1 || abs(box.Top-box.VVT) > 1 || abs(box.Width-box.VVW) > 1 || abs(box.Height-box.VVH) > 1 {
		t.Errorf("the panel's box is %+v: it does not fill the visual viewport", box)
	}
	// The close button is on screen.
	poll(t, chat, 10*time.Second, "the close button within the screen", `(() => {
		const r = document.getElementById('close').getBoundingClientRect();
		return r.width > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0;
	})()`, nil)
	// And the widget fills its frame: the composer is on screen.
	poll(t, chat, 10*time.Second, "the composer at the bottom of the frame", `(() => {
		const r = document.getElementById('composer').getBoundingClientRect();
		return r.bottom <= innerHeight && r.bottom > innerHeight - 160;
	})()`, nil)

	var size float64
	poll(t, chat, 5*time.Second, "the composer's font size", `parseFloat(getComputedStyle(document.getElementById('composer')).fontSize)`, &size)
	if size < 16 {
		t.Errorf("the composer's font size is %vpx on a phone, want at least 16px (iOS zooms into smaller fields)", size)
	}

	// The live region is there from the start, silent.
	var live string
	poll(t, chat, 5*time.Second, "the live region", `(() => {
		const e = document.getElementById('announce');
		return e && e.getAttribute('aria-live') + '|' + e.textContent;
	})()`, &live)
	if live != "polite|" {
		t.Errorf("the live region before any reply: %q, want polite and empty", live)
	}

	question := "Do you ship to Lisbon? " + t.Name()
	send(t, chat, "the visitor", question)
	poll(t, chat, 10*time.Second, "the message to be acknowledged", messageJS(".msg-visitor:not(.msg-sending)", question), nil)
	var day string
	poll(t, chat, 5*time.Second, "the day separator", `(document.querySelector('#messages .msg-day') || {}).textContent`, &day)
	if day != "Today" {
		t.Errorf("the day separator reads %q, want Today", day)
	}

	openInboxItem(t, a, "Lisbon")
	reply := "Yes, we ship to Lisbon"
	send(t, a.ctx, "the agent", reply)
	waitMessage(t, chat, "the visitor", ".msg-agent", reply)
	poll(t, chat, 10*time.Second, "the reply read out", `(() => {
		const t = document.getElementById('announce').textContent;
		return t.endsWith(': '+`+jsString(reply)+`) && t.length > `+jsString(reply)+`.length + 2;
	})()`, nil)

	// The emoji picker: opened by its button, focus on the first emoji.
	step(t, chat, 10*time.Second, "opening the emoji picker",
		chromedp.Click("#emoji", chromedp.ByQuery),
		chromedp.WaitVisible("#emoji-picker", chromedp.ByQuery),
	)
	poll(t, chat, 5*time.Second, "the focus on the first emoji", `document.activeElement && document.activeElement.dataset.index === '0'`, nil)
	// Escape closes the picker, not the chat.
	step(t, v.ctx, 5*time.Second, "pressing Escape in the picker", chromedp.ActionFunc(func(ctx context.Context) error {
		for _, typ := range []input.KeyType{input.KeyDown, input.KeyUp} {
			if err := input.DispatchKeyEvent(typ).WithKey("Escape").WithCode("Escape").WithWindowsVirtualKeyCode(27).Do(ctx); err != nil {
				return err
			}
		}
		return nil
	}))
	var open bool
	var after string
	poll(t, chat, 5*time.Second, "the picker to close", `!document.getElementById('emoji-picker') && 'focus on ' + document.activeElement.id`, &after)
	step(t, v.ctx, 5*time.Second, "checking the panel", chromedp.Evaluate(panelOpenJS, &open))
	if !open {
		t.Fatal("Escape in the emoji picker closed the chat")
	}
	if after != "focus on emoji" {
		t.Errorf("after Escape in the picker: %s, want the focus on the emoji button", after)
	}

	// A pick goes in at the caret.
	step(t, chat, 10*time.Second, "typing and picking an emoji",
		chromedp.SendKeys("#composer", "Thanks", chromedp.ByQuery),
		chromedp.Click("#emoji", chromedp.ByQuery),
		chromedp.WaitVisible("#emoji-picker", chromedp.ByQuery),
	)
	// The phone's chat with the thread, the header and the picker open
	// passes axe-core.
	checkAxe(t, chat, axeSource(t), "the widget on a phone, the emoji picker open")
	step(t, chat, 10*time.Second, "picking an emoji",
		chromedp.Click(`#emoji-picker [data-index="18"]`, chromedp.ByQuery),
	)
	poll(t, chat, 5*time.Second, "the emoji in the box, the focus back in it",
		`document.getElementById('composer').value === 'Thanks👍' && document.activeElement.id === 'composer'`, nil)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
