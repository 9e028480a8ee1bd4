package main

// Verified identity in a real browser: two fresh profiles on the demo shop
// page call Parley('identify', …) with the same customer id, signed with
// the site's identity secret; what the first one writes is in the second
// one's chat. A third profile whose page signs badly sees none of it.
//
//	PARLEY_BROWSER_TESTS=1 go test -count=1 -run BrowserIdentify -v ./server/cmd/parley/

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

func TestBrowserIdentifyShowsOneHistory(t *testing.T) {
	requireBrowserTests(t)
	m := startDemo(t, nil)
	agentOnline(t, m)
	const secret = "browser test identity secret"
	if err := m.DB.SetIdentitySecret(web.DemoSiteID, secret); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, nil)
	question := "Did my order of two espresso bags ship? " + t.Name()
	identify := func(v *tab, signature string) {
		t.Helper()
		step(t, v.ctx, 20*time.Second, v.name+" opens the shop page", chromedp.Navigate(m.ShopURL+"/"))
		v.launcher(t)
		js := fmt.Sprintf(`Parley('identify', {id: 'cust-9', name: 'Ada', email: 'ada@example.com', signature: %s}); true`, jsString(signature))
		step(t, v.ctx, 5*time.Second, v.name+" identifies", chromedp.Evaluate(js, nil))
		// identify alone loads nothing: the chat comes with the visitor's intent.
		var frames int
		step(t, v.ctx, 5*time.Second, "counting iframes", chromedp.Evaluate(iframesJS, &frames))
		if frames != 0 {
			t.Errorf("%s: identify created %d iframes", v.name, frames)
		}
		step(t, v.ctx, 5*time.Second, v.name+" opens the chat", chromedp.Evaluate(`Parley('open'); true`, nil))
	}
	good := web.IdentitySignature(secret, "cust-9")

	laptop := b.newVisitor("laptop")
	identify(laptop, good)
	chat, _ := laptop.chat(t)
	send(t, chat, "the laptop", question)
	waitMessage(t, chat, "the laptop", ".msg-visitor", question)
	var contact parley.Visitor
	if !faultWaitFor(10*time.Second, func() bool {
		v, err := m.DB.ContactByExternalID(web.DemoSiteID, "cust-9")
		contact = v
		return err == nil
	}) {
		t.Fatal("the laptop's visitor never became the contact cust-9")
	}

	phone := b.newVisitor("phone")
	identify(phone, good)
	pchat, _ := phone.chat(t)
	waitMessage(t, pchat, "the phone", ".msg-visitor", question)
	var frames int
	step(t, phone.ctx, 5*time.Second, "counting iframes", chromedp.Evaluate(iframesJS, &frames))
	if frames != 1 {
		t.Errorf("the phone's page has %d chat iframes once open, want 1", frames)
	}

	// A page that signs badly: the name is shown as unverified, the
	// history never.
	stranger := b.newVisitor("stranger")
	identify(stranger, web.IdentitySignature("not the secret", "cust-9"))
	schat, _ := stranger.chat(t)
	time.Sleep(2 * time.Second) // time enough for a history that must not come
	var leaked bool
	step(t, schat, 5*time.Second, "reading the stranger's chat", chromedp.Evaluate(messageJS(".msg-visitor", question), &leaked))
	if leaked {
		t.Error("an unverified identify showed the contact's history")
	}
	convs, err := m.DB.VisitorConversations(contact.ID)
	if err != nil || len(convs) != 1 || convs[0].Identity != parley.IdentityVerified || convs[0].VisitorName != "Ada" {
		t.Errorf("the contact's conversations: %+v, %v; want one, verified, named Ada", convs, err)
	}
}

// iframesJS counts the chat iframes the loader made.
const iframesJS = `document.querySelector('div[data-parley]').shadowRoot.querySelectorAll('iframe').length`
