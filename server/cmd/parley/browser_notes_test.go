package main

// Notes and canned replies in a real browser: the agent writes an internal
// note, which the widget never shows, then types /tha, picks /thanks with
// Enter and sends it with Enter: the visitor reads it with their name.
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run Notes -v ./server/cmd/parley/

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

func TestBrowserNotesAndCannedReplies(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, func(s *parley.Site) {
		s.Routing.PreChat = parley.PreChat{Enabled: true, Name: parley.FieldOptional}
	})
	b := newBrowser(t, nil)
	parleyURL := m.Server.URL()
	site, err := m.DB.Site(web.DemoSiteID)
	if err != nil {
		t.Fatal(err)
	}
	me, err := m.DB.Agent(mustAgentID(t, m, browserAgentEmail))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DB.PutCannedReplies(web.DemoSiteID, []parley.CannedReply{
		{Shortcut: "return-policy", Text: "Returns are free within 30 days."},
		{Shortcut: "thanks", Text: "Thanks {{contact.name}}! {{agent.name}} of {{site.name}} is on it."},
	}); err != nil {
		t.Fatal(err)
	}
	canned := fmt.Sprintf("Thanks Kim! %s of %s is on it.", me.Name, site.Name)

	agent := b.agentTab()
	consoleLogin(t, agent, parleyURL, browserAgentEmail, browserAgentPass)

	v := b.newVisitor("visitor")
	step(t, v.ctx, 20*time.Second, "opening the shop page", chromedp.Navigate(m.ShopURL+"/"))
	at := v.launcher(t)
	step(t, v.ctx, 5*time.Second, "clicking the launcher", chromedp.MouseClickXY(at.X, at.Y))
	v.waitTiming(t)
	chat, _ := v.chatShowing(t, "#prechat-name")
	question := "Do you ship to Norway? " + t.Name()
	step(t, chat, 10*time.Second, "typing a name", chromedp.SendKeys("#prechat-name", "Kim", chromedp.ByQuery))
	step(t, chat, 10*time.Second, "typing the question", chromedp.SendKeys("#prechat-text", question, chromedp.ByQuery))
	step(t, chat, 10*time.Second, "sending the form", chromedp.Click("#prechat-send", chromedp.ByQuery))
	conv, _ := transcript(t, m, 1)

	step(t, agent.ctx, 15*time.Second, "opening the conversation",
		chromedp.Navigate(parleyURL+fmt.Sprintf("/console/c/%d", conv)))
	poll(t, agent.ctx, 15*time.Second, "the visitor's question", messageJS(".msg-visitor", question), nil)

	// A note: switched to Note, sent, shown as one to the agent.
	note := "VIP customer, ships free " + t.Name()
	step(t, agent.ctx, 10*time.Second, "switching to Note", chromedp.Click("#mode-note", chromedp.ByQuery))
	poll(t, agent.ctx, 5*time.Second, "the note composer", `!!document.querySelector('.composer.composer-note')`, nil)
	send(t, agent.ctx, "the agent", note)
	poll(t, agent.ctx, 15*time.Second, "the note, marked as one",
		fmt.Sprintf(`[...document.querySelectorAll('#messages .msg-note')].some(e => e.textContent.includes(%s) && e.textContent.includes('only agents see this'))`, jsString(note)), nil)

	// A canned reply: /tha offers /thanks only; Enter inserts it, filled,
	// and Enter again sends it.
	step(t, agent.ctx, 10*time.Second, "switching to Reply", chromedp.Click("#mode-reply", chromedp.ByQuery))
	step(t, agent.ctx, 10*time.Second, "typing /re", chromedp.SendKeys("#composer", "/re", chromedp.ByQuery))
	var labels string
	poll(t, agent.ctx, 10*time.Second, "the completions of /re",
		`(() => { const l = [...document.querySelectorAll('#completions .completion')].map(e => e.dataset.label).join(','); return l === 'return-policy' ? l : '' })()`, &labels)
	step(t, agent.ctx, 10*time.Second, "typing on: /re → /", chromedp.SendKeys("#composer", "\b\b", chromedp.ByQuery))
	poll(t, agent.ctx, 10*time.Second, "every completion for a bare slash",
		`[...document.querySelectorAll('#completions .completion')].length === 2`, nil)
	step(t, agent.ctx, 10*time.Second, "typing tha", chromedp.SendKeys("#composer", "tha", chromedp.ByQuery))
	poll(t, agent.ctx, 10*time.Second, "/thanks alone",
		`(() => { const l = [...document.querySelectorAll('#completions .completion')]; return l.length === 1 && l[0].dataset.label === 'thanks' })()`, nil)
	step(t, agent.ctx, 10*time.Second, "Enter picks /thanks", chromedp.KeyEvent("\r"))
	var value string
	poll(t, agent.ctx, 10*time.Second, "the list to close",
		`(() => { const c = document.querySelector('#composer'); return !document.querySelector('#completions') && !c.value.startsWith('/') ? c.value : '' })()`, &value)
	if value != canned {
		t.Fatalf("the composer holds %q, want %q", value, canned)
	}
	step(t, agent.ctx, 10*time.Second, "Enter sends it", chromedp.KeyEvent("\r"))
	waitMessage(t, agent.ctx, "the agent", ".msg-agent", canned)
	waitMessage(t, chat, "the visitor", ".msg-agent", canned)

	// A tag: added in the header, shown in the inbox row; a click on it
	// filters the inbox; the widget shows nothing of it.
	step(t, agent.ctx, 10*time.Second, "tagging the conversation VIP",
		chromedp.SendKeys("#tag-input", "VIP\r", chromedp.ByQuery))
	poll(t, agent.ctx, 10*time.Second, "the tag in the header and the inbox row",
		fmt.Sprintf(`!!document.querySelector('#conv-tags .tag-chip[data-tag="vip"]') && !!document.querySelector('.inbox-item[data-conv="%d"] .tag-chip[data-tag="vip"]')`, conv), nil)
	step(t, agent.ctx, 10*time.Second, "clicking the tag in the inbox",
		chromedp.Click(`.inbox-item .tag-chip[data-tag="vip"]`, chromedp.ByQuery))
	poll(t, agent.ctx, 10*time.Second, "the inbox filtered by vip",
		fmt.Sprintf(`!!document.querySelector('#tag-filter') && document.querySelector('#tag-filter').textContent.includes('vip') && location.pathname === '/console/c/%d'`, conv), nil)
	if c, err := m.DB.Conversation(conv); err != nil || strings.Join(c.Tags, ",") != "vip" {
		t.Errorf("stored tags: %+v, %v", c.Tags, err)
	}

	// Settings: an owner adds a canned reply; back in the conversation,
	// without a reload, the composer offers it.
	step(t, agent.ctx, 10*time.Second, "opening Settings",
		chromedp.Click(`a.nav-link[href="/console/settings"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#canned-form", chromedp.ByQuery))
	poll(t, agent.ctx, 10*time.Second, "the site's canned replies listed",
		`!!document.querySelector('#canned-list [data-shortcut="thanks"]')`, nil)
	step(t, agent.ctx, 10*time.Second, "adding /bye",
		chromedp.SendKeys("#canned-shortcut", "bye", chromedp.ByQuery),
		chromedp.SendKeys("#canned-text", "Bye {{contact.name}}!", chromedp.ByQuery),
		chromedp.Click("#canned-add", chromedp.ByQuery))
	poll(t, agent.ctx, 10*time.Second, "/bye listed",
		`!!document.querySelector('#canned-list [data-shortcut="bye"]')`, nil)
	if list, err := m.DB.CannedReplies(web.DemoSiteID); err != nil || len(list) != 3 {
		t.Errorf("stored canned replies: %+v, %v", list, err)
	}
	step(t, agent.ctx, 10*time.Second, "back to the conversation",
		chromedp.Click(fmt.Sprintf(`.inbox-item[data-conv="%d"]`, conv), chromedp.ByQuery),
		chromedp.WaitVisible("#composer", chromedp.ByQuery),
		chromedp.SendKeys("#composer", "/by", chromedp.ByQuery))
	poll(t, agent.ctx, 10*time.Second, "/bye offered",
		`(() => { const l = [...document.querySelectorAll('#completions .completion')]; return l.length === 1 && l[0].dataset.label === 'bye' })()`, nil)

	// The widget never showed the note; the store has it, agents-only.
	var shown bool
	step(t, chat, 5*time.Second, "reading the widget's page",
		chromedp.Evaluate(fmt.Sprintf(`document.body.textContent.includes(%s)`, jsString(note)), &shown))
	if shown {
		t.Errorf("the widget shows the note")
	}
	step(t, chat, 5*time.Second, "reading the widget's page again",
		chromedp.Evaluate(`document.body.textContent.includes('vip')`, &shown))
	if shown {
		t.Errorf("the widget shows the tag")
	}
	_, msgs := transcript(t, m, 3)
	var texts []string
	for _, s := range msgs {
		texts = append(texts, s.Text)
	}
	if got := strings.Join(texts, " | "); !strings.Contains(got, note) || !strings.Contains(got, canned) {
		t.Errorf("stored: %s", got)
	}
}
