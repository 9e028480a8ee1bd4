package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeViolation is one rule axe-core found broken on a page.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n\t\t%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

// axeSource is axe-core's script, fetched by make (PARLEY_AXE).
func axeSource(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("PARLEY_AXE")
	if path == "" {
		tb.Fatal("PARLEY_AXE is not set: run the browser tests with make test, which fetches axe-core (make axe)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading axe-core: %v (make axe fetches it)", err)
	}
	return string(b)
}

// checkAxe runs axe-core (WCAG 2.x A and AA rules, best practices) on the
// document of ctx and reports every violation as an error.
func checkAxe(tb testing.TB, ctx context.Context, src, page string) int {
	tb.Helper()
	var out []axeViolation
	step(tb, ctx, 10*time.Second, "loading axe-core into "+page, chromedp.Evaluate(src+";true", nil))
	step(tb, ctx, 30*time.Second, "running axe-core on "+page, awaitJS(
		`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`, &out))
	for _, v := range out {
		tb.Errorf("axe on %s: %s", page, v)
	}
	tb.Logf("axe on %s: %d violations", page, len(out))
	return len(out)
}

// Every page a visitor or an agent meets passes axe-core: the widget open
// with a thread (messages both ways), and each page of the console.
func TestBrowserAxe(t *testing.T) {
	src := axeSource(t)
	m, a, v := demoAgentAndVisitor(t)
	parleyURL := m.Server.URL()
	question := "Is the Ethiopian roast fruity? " + t.Name()

	// The console's login page, in a browser context of its own.
	login := a.b.newVisitor("login")
	step(t, login.ctx, 20*time.Second, "opening the console's login", chromedp.Navigate(parleyURL+"/console"),
		chromedp.WaitVisible("#email", chromedp.ByQuery))
	checkAxe(t, login.ctx, src, "the console's login")

	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	send(t, chat, "the visitor", question)
	openInboxItem(t, a, question)
	send(t, a.ctx, "the agent", "Yes: blueberry and jasmine.")
	waitMessage(t, chat, "the visitor", ".msg-agent", "blueberry")
	checkAxe(t, chat, src, "the widget with a thread")
	// The demo site follows the visitor's light or dark setting: dark too.
	emulateDark(t, chat)
	poll(t, chat, 5*time.Second, "the widget in its dark theme", `getComputedStyle(document.documentElement).colorScheme === 'dark'`, nil)
	checkAxe(t, chat, src, "the widget with a thread, dark")
	checkAxe(t, a.ctx, src, "the console's inbox with a conversation")

	for _, p := range []struct{ path, ready string }{
		{"/console/settings", "h1, h2"},
		{"/console/people", "h1, h2"},
	} {
		step(t, a.ctx, 20*time.Second, "opening "+p.path, chromedp.Navigate(parleyURL+p.path))
		poll(t, a.ctx, 15*time.Second, p.path+" rendered", `!!document.querySelector('#logout') && !!document.querySelector(`+jsString(p.ready)+`)`, nil)
		checkAxe(t, a.ctx, src, "the console's "+p.path)
	}
}
