package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The installed console starts at /console, so its service worker must
// control /console itself, not only what is under /console/: then the
// console reloads with the network gone.
func TestBrowserConsoleReloadsOffline(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	b := newBrowser(t, nil)
	a := b.agentTab()
	consoleLogin(t, a, m.Server.URL(), browserAgentEmail, browserAgentPass)
	var scope string
	poll(t, a.ctx, 20*time.Second, "the console's service worker to be active", `navigator.serviceWorker.ready.then(r => r.active && r.scope)`, &scope)
	if want := m.Server.URL() + "/console"; scope != want {
		t.Errorf("the console's service worker has scope %q, want %q (the manifest's start_url and scope)", scope, want)
	}
	poll(t, a.ctx, 20*time.Second, "the service worker to control /console", `!!navigator.serviceWorker.controller && location.pathname === '/console'`, nil)
	// Chromium offers to install it (beforeinstallprompt): the console
	// shows its own Install button.
	poll(t, a.ctx, 20*time.Second, "the console's Install button", `!!document.querySelector('#install')`, nil)

	step(t, a.ctx, 10*time.Second, "taking the network away", network.Enable(), chromedp.ActionFunc(func(ctx context.Context) error {
		return network.EmulateNetworkConditions(true, 0, -1, -1).Do(ctx)
	}))
	step(t, a.ctx, 20*time.Second, "reloading /console offline", chromedp.Reload())
	poll(t, a.ctx, 20*time.Second, "the console app offline", `location.href.startsWith(`+jsString(m.Server.URL()+"/console")+`) && !!document.querySelector('script[src*="console-app"]') && document.body.innerText.trim() !== ''`, nil)
	step(t, a.ctx, 10*time.Second, "giving the network back", chromedp.ActionFunc(func(ctx context.Context) error {
		return network.EmulateNetworkConditions(false, 0, -1, -1).Do(ctx)
	}))
}
