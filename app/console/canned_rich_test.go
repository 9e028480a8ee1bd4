package console_test

import (
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

// TestCannedAttachment: /shortcut picks the reply the completion showed
// (one's own before the site's); a reply with a card or quick replies
// attaches them to the composer, one of text only nothing.
func TestCannedAttachment(t *testing.T) {
	card := &parley.Card{Title: "Mug", Price: "€9", URL: "https://shop.example/mug"}
	canned := []parley.CannedReply{
		{Shortcut: "mug", Text: "The site's mug", Card: card, Replies: []string{"Buy", "Later"}},
		{Shortcut: "mug", Text: "My mug", Agent: 1},
		{Shortcut: "mugs", Text: "All mugs", Card: card},
	}
	r, ok := console.CannedPick(canned, "mug")
	if !ok || r.Text != "My mug" {
		t.Errorf("CannedPick(mug) = %+v, %v; want the agent's own", r, ok)
	}
	if a := console.AttachmentOf(r, 7); a != nil {
		t.Errorf("a text-only reply attaches %+v", a)
	}
	r, _ = console.CannedPick(canned[:1], "mug")
	a := console.AttachmentOf(r, 7)
	if a == nil || a.Conv != 7 || a.Card != card || strings.Join(a.Replies, ",") != "Buy,Later" || a.Shortcut != "mug" {
		t.Errorf("AttachmentOf: %+v", a)
	}
	if _, ok := console.CannedPick(canned, "mu"); ok {
		t.Error("CannedPick(mu) found a reply: want the exact shortcut only")
	}
}

// TestNewCannedReply: the settings form's card and quick replies become
// the reply's, checked like a send's.
func TestNewCannedReply(t *testing.T) {
	r := console.NewCannedReply("mug", "Our mug", "team:sales", " Mug ", "€9", " https://shop.example/mug ", "", "Buy, , Tell me more ")
	if r.Team != "sales" || r.Card == nil || r.Card.URL != "https://shop.example/mug" || strings.Join(r.Replies, "|") != "Buy|Tell me more" {
		t.Errorf("got %+v", r)
	}
	if r := console.NewCannedReply("hi", "Hello", "", "", "", "", "", " "); r.Card != nil || r.Replies != nil {
		t.Errorf("a text-only reply: %+v", r)
	}
	bad := console.NewCannedReply("mug", "Our mug", "", "Mug", "", "javascript:alert(1)", "", "")
	if _, err := parley.CheckCannedReplies([]parley.CannedReply{bad}, nil, nil); parley.ErrorCode(err) != parley.EInvalid {
		t.Errorf("a card link javascript: %v, want invalid", err)
	}
}

// TestMyCannedSettings: "My replies" has its own element ids (an owner
// sees it beside the site's list) and no "for whom" choice; its replies
// show their card and quick replies.
func TestMyCannedSettings(t *testing.T) {
	c := &console.CannedSettings{Site: "shop", Mine: true}
	load(t, c)
	html := app.HTMLString(c)
	for _, want := range []string{`id="my-canned"`, "My replies", `id="my-canned-form"`, `id="my-canned-card-title"`, `id="my-canned-replies"`} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(html, `id="canned-scope"`) || strings.Contains(html, `id="canned-form"`) {
		t.Errorf("My replies has the site list's ids or a scope:\n%s", html)
	}
	site := &console.CannedSettings{Site: "shop"}
	load(t, site)
	if html := app.HTMLString(site); !strings.Contains(html, `id="canned-scope"`) || !strings.Contains(html, `id="canned-card-url"`) {
		t.Errorf("the site's list lacks its scope or card fields:\n%s", html)
	}
}
