package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
)

// emulateDark makes the document of ctx prefer a dark colour scheme, as a
// visitor's system setting would.
func emulateDark(tb testing.TB, ctx context.Context) {
	tb.Helper()
	step(tb, ctx, 5*time.Second, "emulating prefers-color-scheme: dark",
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}))
}

// A site themed left, with a label and dark: the launcher is a pill with
// the label in the page's bottom-left corner, the panel opens there, the
// widget is dark and still passes axe (contrast included).
func TestBrowserThemeLeftDark(t *testing.T) {
	requireBrowserTests(t)
	src := axeSource(t)
	m := startDemo(t, func(s *parley.Site) {
		s.Position, s.LauncherLabel, s.Theme = parley.PositionLeft, "Chat with us", parley.ThemeDark
	})
	agentOnline(t, m)
	b := newBrowser(t, nil)
	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at := v.launcher(t)

	var l struct {
		Left, Right, Width, View float64
		Text, Name               string
	}
	step(t, v.ctx, 5*time.Second, "reading the launcher", chromedp.Evaluate(`(() => {
		const b = document.querySelector('div[data-parley]').shadowRoot.querySelector('button.l');
		const r = b.getBoundingClientRect();
		return {left: r.left, right: r.right, width: r.width, view: innerWidth, text: b.textContent, name: b.getAttribute('aria-label')};
	})()`, &l))
	if l.Left > 40 || l.Right > l.View/2 {
		t.Errorf("launcher from x=%.0f to %.0f in a %.0f px wide page; want it in the bottom-left corner", l.Left, l.Right, l.View)
	}
	if strings.TrimSpace(l.Text) != "Chat with us" || l.Width <= 56 {
		t.Errorf("launcher text %q, %.0f px wide; want a pill with %q", l.Text, l.Width, "Chat with us")
	}
	if !strings.HasPrefix(l.Name, "Chat with us") {
		t.Errorf("launcher's accessible name %q; want it to start with its label", l.Name)
	}

	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	chat, _ := v.chat(t)
	var panelLeft, view float64
	poll(t, v.ctx, 10*time.Second, "the open panel", panelOpenJS, nil)
	step(t, v.ctx, 5*time.Second, "reading the panel", chromedp.Evaluate(
		`document.querySelector('div[data-parley]').shadowRoot.querySelector('.p').getBoundingClientRect().left`, &panelLeft),
		chromedp.Evaluate(`innerWidth`, &view))
	if panelLeft > 40 {
		t.Errorf("panel's left edge at x=%.0f in a %.0f px wide page; want it on the left", panelLeft, view)
	}

	send(t, chat, "the visitor", "Do you ship to Ljubljana? "+t.Name())
	waitMessage(t, chat, "the visitor", ".msg-visitor", "Ljubljana")
	var bg string
	step(t, chat, 5*time.Second, "reading the widget's background", chromedp.Evaluate(
		`getComputedStyle(document.querySelector('.widget-body') || document.body).backgroundColor`, &bg))
	if !darkRGB(bg) {
		t.Errorf("the widget's background is %q; want a dark colour", bg)
	}
	checkAxe(t, chat, src, "the dark widget")

	// The shop's own CSS reaches the launcher through the documented
	// custom properties on the host element.
	var moved struct{ Left, Bottom, Height, Z float64 }
	step(t, v.ctx, 5*time.Second, "setting the host's custom properties", chromedp.Evaluate(`(() => {
		const h = document.querySelector('div[data-parley]');
		const s = document.createElement('style');
		s.textContent = 'div[data-parley]{--parley-offset-x:60px;--parley-offset-y:70px;--parley-launcher-size:64px;--parley-z:1234}';
		document.head.appendChild(s);
		const r = h.shadowRoot.querySelector('button.l').getBoundingClientRect();
		return {left: r.left, bottom: innerHeight - r.bottom, height: r.height, z: +getComputedStyle(h).zIndex};
	})()`, &moved))
	if moved.Left != 60 || moved.Bottom != 70 || moved.Height != 64 || moved.Z != 1234 {
		t.Errorf("launcher at left %.0f, bottom %.0f, %.0f px high, z-index %.0f; want 60, 70, 64, 1234 from the host's custom properties",
			moved.Left, moved.Bottom, moved.Height, moved.Z)
	}
}

// darkRGB reports whether a computed "rgb(r, g, b)" colour is dark.
func darkRGB(c string) bool {
	var r, g, b int
	if n, _ := fmt.Sscanf(c, "rgb(%d, %d, %d)", &r, &g, &b); n != 3 {
		return false
	}
	return r+g+b < 3*80
}
