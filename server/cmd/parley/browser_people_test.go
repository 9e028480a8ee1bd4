package main

// The People page in a real browser: an owner adds an agent while the
// server runs, the agent logs in with the one-time password the page
// showed, and deactivating the agent closes its open console at once.
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run People -v ./server/cmd/parley/

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/server/web"
)

// consoleLogin logs in on the console of tab t.
func consoleLogin(tb testing.TB, t *tab, parleyURL, email, password string) {
	tb.Helper()
	step(tb, t.ctx, 30*time.Second, t.name+" logs in to the console",
		chromedp.Navigate(parleyURL+"/console"),
		chromedp.WaitVisible("#email", chromedp.ByQuery),
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", password, chromedp.ByQuery),
		chromedp.Click("#login", chromedp.ByQuery),
	)
	poll(tb, t.ctx, 15*time.Second, t.name+"'s console (#logout) and its socket online",
		`!!document.querySelector('#logout') && document.querySelector('#connection').textContent === 'Online'`, nil)
}

func TestBrowserPeopleAddAndDeactivate(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	b := newBrowser(t, nil)
	parleyURL := m.Server.URL()
	const email, name = "eve@northwind.example", "Eve Example"

	// The owner opens People from the console's navigation.
	owner := b.agentTab()
	consoleLogin(t, owner, parleyURL, browserAgentEmail, browserAgentPass)
	poll(t, owner.ctx, 10*time.Second, "the People link", `!!document.querySelector('#nav-people')`, nil)
	step(t, owner.ctx, 10*time.Second, "opening People", chromedp.Click("#nav-people", chromedp.ByQuery))
	memberJS := func(email string) string {
		return fmt.Sprintf(`document.querySelector('#members li[data-email=%s]')`, jsString(email))
	}
	poll(t, owner.ctx, 10*time.Second, "the owner in the members list", "!!"+memberJS(browserAgentEmail), nil)

	// The owner adds Eve; the page shows her one-time password once.
	step(t, owner.ctx, 10*time.Second, "adding an agent",
		chromedp.SendKeys("#agent-email", email, chromedp.ByQuery),
		chromedp.SendKeys("#agent-name", name, chromedp.ByQuery),
		chromedp.Click("#add-agent-submit", chromedp.ByQuery),
	)
	var pw string
	poll(t, owner.ctx, 10*time.Second, "the one-time password",
		`(() => { const e = document.querySelector('#one-time-password'); return e && e.value })()`, &pw)
	if len(pw) < 16 {
		t.Fatalf("one-time password %q: want at least 16 characters", pw)
	}
	poll(t, owner.ctx, 10*time.Second, "Eve in the members list", "!!"+memberJS(email), nil)
	if a, _, err := m.DB.AgentByEmail(email); err != nil || a.Name != name {
		t.Fatalf("Eve in the store: %+v, %v", a, err)
	}
	if role, err := m.DB.Role(web.DemoSiteID, mustAgentID(t, m, email)); err != nil || role != "agent" {
		t.Fatalf("Eve's role on the demo site: %q, %v", role, err)
	}

	// Eve, in a browser of her own, logs in with it and sees the console.
	eve := b.newVisitor("eve")
	consoleLogin(t, eve, parleyURL, email, pw)
	var shown string
	step(t, eve.ctx, 5*time.Second, "reading Eve's name in the top bar",
		chromedp.Text(".topbar .me", &shown, chromedp.ByQuery))
	if shown != name {
		t.Errorf("Eve's console shows %q as its agent, want %q", shown, name)
	}

	// The owner deactivates Eve: her console closes at once and shows
	// the login page with why.
	start := time.Now()
	step(t, owner.ctx, 10*time.Second, "deactivating Eve",
		chromedp.Click(memberJS(email)+`.querySelector('.member-toggle')`, chromedp.ByJSPath))
	var why string
	poll(t, eve.ctx, 5*time.Second, "Eve's console to end her session",
		`(() => { const e = document.querySelector('#login-error'); return !!document.querySelector('#email') && e && e.textContent })()`, &why)
	t.Logf("Eve's console closed %v after the click: %q", time.Since(start).Round(time.Millisecond), why)
	if !strings.Contains(why, "session has ended") {
		t.Errorf("Eve's login page says %q, want that her session has ended", why)
	}
	poll(t, owner.ctx, 10*time.Second, "Eve shown as deactivated",
		memberJS(email)+`.querySelector('.member-status').textContent === 'Deactivated'`, nil)
	if disabled, err := m.DB.AgentDisabled(mustAgentID(t, m, email)); err != nil || !disabled {
		t.Errorf("Eve disabled in the store: %v, %v", disabled, err)
	}

	// She cannot log back in.
	step(t, eve.ctx, 10*time.Second, "Eve tries to log in again",
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", pw, chromedp.ByQuery),
		chromedp.Click("#login", chromedp.ByQuery),
	)
	poll(t, eve.ctx, 10*time.Second, "the refusal",
		`(() => { const e = document.querySelector('#login-error'); return e && e.textContent === 'Wrong email or password.' })()`, nil)
}

func mustAgentID(tb testing.TB, m *Main, email string) uint64 {
	tb.Helper()
	a, _, err := m.DB.AgentByEmail(email)
	if err != nil {
		tb.Fatalf("agent %s: %v", email, err)
	}
	return a.ID
}
