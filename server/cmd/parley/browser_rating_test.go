package main

// The rating after a resolved chat in a real browser:
//
//	PARLEY_BROWSER_TESTS=1 PARLEY_AXE=$PWD/.cache/axe-core-4.11.0/axe.min.js \
//	  go test -count=1 -run TestBrowserRatingAfterResolve -v ./server/cmd/parley/

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
	"github.com/parley-chat/parley/server/web"
)

// TestBrowserRatingAfterResolve: a visitor chats, the agent resolves; the
// widget asks "How was your chat with …?", the visitor gives 4 stars and a
// comment, then answers the NPS question the server asked (9); the agent's
// console shows both in the conversation. Both pages pass axe-core with
// the questions on screen.
func TestBrowserRatingAfterResolve(t *testing.T) {
	src := axeSource(t)
	m, a, v := demoAgentAndVisitor(t)
	site, err := m.DB.Site(web.DemoSiteID)
	if err != nil {
		t.Fatal(err)
	}
	// NPS after every resolved chat: this first one is asked.
	site.Ratings = parley.RatingSettings{Enabled: true, Comment: true, NPS: true, NPSEvery: 1}
	if err := m.DB.PutSite(site); err != nil {
		t.Fatal(err)
	}
	question := "Do you sell decaf beans? " + t.Name()
	reply := "We do: the Colombian decaf."
	comment := "Quick and helpful"

	openShopChat(t, m, v)
	chat, _ := v.chat(t)
	send(t, chat, "the visitor", question)
	poll(t, chat, 15*time.Second, "the visitor's message to be acknowledged",
		messageJS(".msg-visitor:not(.msg-sending):not(.msg-failed)", question), nil)
	openInboxItem(t, a, question)
	waitMessage(t, a.ctx, "the agent", ".msg-visitor", question)
	send(t, a.ctx, "the agent", reply)
	waitMessage(t, chat, "the visitor", ".msg-agent", reply)
	conv, _ := transcript(t, m, 2)
	c, err := m.DB.Conversation(conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.AssigneeName == "" {
		t.Fatalf("the conversation has no assignee after the agent's reply: %+v", c)
	}

	step(t, a.ctx, 10*time.Second, "resolving the conversation", chromedp.Click("#resolve", chromedp.ByQuery))
	star4 := "#" + visitor.FeedbackScoreID(parley.RatingCSAT, 4)
	poll(t, chat, 20*time.Second, "the rating request in the widget",
		fmt.Sprintf(`(() => { const q = document.querySelector('#%s'); return !!q && q.textContent === %s && !!document.querySelector(%s) })()`,
			visitor.FeedbackQuestionID, jsString("How was your chat with "+c.AssigneeName+"?"), jsString(star4)), nil)
	var label string
	step(t, chat, 5*time.Second, "reading the star's label",
		chromedp.AttributeValue(star4, "aria-label", &label, nil, chromedp.ByQuery))
	if label != "4 stars" {
		t.Errorf("the 4th star's label = %q, want \"4 stars\"", label)
	}
	checkAxe(t, chat, src, "the widget asking for a rating")

	step(t, chat, 10*time.Second, "choosing 4 stars", chromedp.Click(star4, chromedp.ByQuery))
	poll(t, chat, 10*time.Second, "the comment box", "!!document.querySelector('#"+visitor.FeedbackCommentID+"')", nil)
	step(t, chat, 10*time.Second, "writing a comment and sending",
		chromedp.SendKeys("#"+visitor.FeedbackCommentID, comment, chromedp.ByQuery),
		chromedp.Click("#"+visitor.FeedbackSendID, chromedp.ByQuery))

	// Then the Net Promoter question, which the server asked at the
	// resolve: 9, no comment.
	nps9 := "#" + visitor.FeedbackScoreID(parley.RatingNPS, 9)
	poll(t, chat, 15*time.Second, "the NPS question",
		fmt.Sprintf(`(() => { const q = document.querySelector('#%s'); return !!q && q.textContent === %s && !!document.querySelector(%s) })()`,
			visitor.FeedbackQuestionID, jsString("How likely are you to recommend "+site.Name+" to a friend?"), jsString(nps9)), nil)
	checkAxe(t, chat, src, "the widget asking the NPS question")
	step(t, chat, 10*time.Second, "choosing 9", chromedp.Click(nps9, chromedp.ByQuery))
	poll(t, chat, 10*time.Second, "the comment box", "!!document.querySelector('#"+visitor.FeedbackCommentID+"')", nil)
	step(t, chat, 10*time.Second, "sending without a comment", chromedp.Click("#"+visitor.FeedbackSendID, chromedp.ByQuery))
	poll(t, chat, 15*time.Second, "the thanks", "!!document.querySelector('#"+visitor.FeedbackThanksID+"')", nil)

	// The agent's console shows it in the conversation's header.
	want := "★★★★☆ 4/5 “" + comment + "”"
	poll(t, a.ctx, 20*time.Second, "the rating in the console",
		fmt.Sprintf(`(() => { const r = document.querySelector('#conv-rating'); return !!r && r.textContent === %s })()`, jsString(want)), nil)
	poll(t, a.ctx, 20*time.Second, "the NPS answer in the console",
		`(() => { const r = document.querySelector('#conv-nps'); return !!r && r.textContent === 'NPS 9' })()`, nil)
	checkAxe(t, a.ctx, src, "the console's conversation with a rating")

	stored, err := m.DB.Conversation(conv)
	if err != nil {
		t.Fatal(err)
	}
	if r := stored.Rating; r == nil || r.Score != 4 || r.Comment != comment || r.Agent != c.Assignee {
		t.Errorf("stored rating = %+v, want 4 stars with the comment, for agent %d", stored.Rating, c.Assignee)
	}
	if r := stored.NPS; !stored.AskNPS || r == nil || r.Score != 9 {
		t.Errorf("stored NPS = %+v (asked %v), want 9", stored.NPS, stored.AskNPS)
	}
	rs, err := m.DB.Ratings(web.DemoSiteID, time.Now().Add(-time.Hour), time.Now().Add(time.Minute))
	if err != nil || len(rs) != 2 || rs[0].Conv != conv || rs[0].Kind != parley.RatingCSAT || rs[1].Kind != parley.RatingNPS {
		t.Errorf("the site's ratings = %+v, %v; want this chat's rating and NPS", rs, err)
	}
}
