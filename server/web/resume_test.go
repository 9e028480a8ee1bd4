package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// chatOn connects a new visitor of site on page (none when ""), who starts
// a conversation, and returns it, its welcome and the conversation.
func chatOn(t *testing.T, env *sockEnv, name, site, page string) (*sockClient, parley.Frame, parley.Conversation) {
	t.Helper()
	c := env.dial(t, name, nil)
	hello := parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: site}
	if page != "" {
		hello.Page = &parley.Page{URL: page, Title: "A page"}
	}
	c.sendFrame(hello)
	w := c.next()
	if w.Type != parley.TypeWelcome || w.Visitor == nil || w.Token == "" {
		t.Fatalf("%s: got %+v, want a new visitor's welcome", name, w)
	}
	c.author = &parley.Author{Kind: parley.AuthorVisitor, ID: w.Visitor.ID, Name: w.Visitor.Name}
	id := c.say(0, name+"-1", "Hello from "+name).Conv
	conv, err := env.db.Conversation(id)
	if err != nil {
		t.Fatal(err)
	}
	return c, w, conv
}

// resumeToken signs a link to conv for its visitor, good for d.
func resumeToken(env *sockEnv, conv parley.Conversation, d time.Duration) string {
	return web.ResumeToken(env.srv, conv.ID, conv.Visitor, time.Now().Add(d))
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// fetch does method on url (a form post when form is not nil) without
// following redirects, and returns the response and its body.
func fetch(t *testing.T, method, url string, form url.Values) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// adopt says hello as a visitor of site with a resume link and the
// device's own token, and returns the welcome and the error that follows
// it, if any (read until the connection is quiet for a moment).
func adopt(t *testing.T, env *sockEnv, name, site, token, link string) (*sockClient, parley.Frame, *parley.Frame) {
	t.Helper()
	c := env.dial(t, name, nil)
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: site, Token: token, ResumeLink: link})
	w := c.next()
	if w.Type != parley.TypeWelcome || w.Visitor == nil {
		t.Fatalf("%s: got %+v, want a visitor welcome", name, w)
	}
	c.author = &parley.Author{Kind: parley.AuthorVisitor, ID: w.Visitor.ID, Name: w.Visitor.Name}
	// An error about the link comes right after the welcome; a ping
	// after it shows when there is none.
	c.sendFrame(parley.Frame{Type: parley.TypeRead, Conv: 987654, Seq: 1})
	var e *parley.Frame
	for {
		f := c.next()
		if f.Type != parley.TypeError {
			continue
		}
		if f.Message == "No such conversation." {
			return c, w, e
		}
		e = &f
	}
}

// TestResumeLinkOpensTheChat: a valid link sends the browser to the
// shop page of its conversation with the token in the fragment, only
// when the site allows that page's origin, else to the hosted chat page;
// it changes nothing, so it can be opened (or fetched by a mail scanner)
// again; forged and expired links say so.
func TestResumeLinkOpensTheChat(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	_, _, conv := chatOn(t, env, "kim", env.site.ID, "https://shop.example/products/espresso?size=250#reviews")
	token := resumeToken(env, conv, time.Hour)

	for range 2 {
		resp, body := fetch(t, "GET", env.url+"/r/"+token, nil)
		want := "https://shop.example/products/espresso?size=250#parley-resume=" + token
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Fatalf("GET /r/: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
		}
		h := resp.Header
		if h.Get("Referrer-Policy") != "same-origin" || h.Get("Cache-Control") != "no-store" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET /r/ headers: %v", h)
		}
		if !strings.Contains(body, `href="https://shop.example/products/espresso?size=250#parley-resume=`+token+`"`) {
			t.Errorf("the page has no link onwards:\n%s", body)
		}
	}

	// A page on an origin the site does not allow (a visitor may report
	// any page): the hosted chat page, never there.
	_, _, elsewhere := chatOn(t, env, "lee", env.site.ID, "https://evil.example/phish")
	tok := resumeToken(env, elsewhere, time.Hour)
	resp, _ := fetch(t, "GET", env.url+"/r/"+tok, nil)
	if want := env.url + "/chat/shop#parley-resume=" + tok; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("a page on a foreign origin: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	// No page known: the hosted chat page too.
	_, _, nowhere := chatOn(t, env, "max", env.site.ID, "")
	tok = resumeToken(env, nowhere, time.Hour)
	if resp, _ := fetch(t, "GET", env.url+"/r/"+tok, nil); resp.Header.Get("Location") != env.url+"/chat/shop#parley-resume="+tok {
		t.Errorf("no page: %d to %q, want the hosted chat page", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The hosted page is the widget, framed by nobody.
	for _, path := range []string{"/chat/shop", "/chat/shop?origin=https%3A%2F%2Fevil.example", "/chat/nosuchsite"} {
		resp, _ := fetch(t, "GET", env.url+path, nil)
		// This server has no built widget: 503 stands for the page.
		if path == "/chat/shop" {
			if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound {
				t.Errorf("GET %s: %d, want the hosted chat page", path, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want refused", path, resp.StatusCode)
		}
	}

	for name, bad := range map[string]string{
		"changed":         token[:len(token)-2] + "xx",
		"cut":             token[:20],
		"not base64":      "!!!!",
		"too long":        strings.Repeat("A", 2000),
		"another visitor": web.ResumeToken(env.srv, conv.ID, conv.Visitor+1, time.Now().Add(time.Hour)),
		"no conversation": web.ResumeToken(env.srv, 987654, conv.Visitor, time.Now().Add(time.Hour)),
	} {
		resp, body := fetch(t, "GET", env.url+"/r/"+bad, nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "not valid") || resp.Header.Get("Location") != "" {
			t.Errorf("%s link: %d %q, want 404 saying it is not valid", name, resp.StatusCode, body)
		}
	}

	// Expired: 410, and no offer of a new link without an address or mail.
	old := resumeToken(env, conv, -time.Minute)
	resp, body := fetch(t, "GET", env.url+"/r/"+old, nil)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This link has expired") || strings.Contains(body, "<form") {
		t.Errorf("an expired link: %d\n%s\nwant 410 saying so, no form (mail is off)", resp.StatusCode, body)
	}

	// After all those GETs the link still works, once.
	_, w, e := adopt(t, env, "kim's phone", env.site.ID, "", token)
	if e != nil || w.Visitor.ID != conv.Visitor {
		t.Fatalf("adopting after GETs: visitor %d, error %+v; want visitor %d", w.Visitor.ID, e, conv.Visitor)
	}
	resp, body = fetch(t, "GET", env.url+"/r/"+token, nil)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This link was already used") || resp.Header.Get("Location") != "" {
		t.Errorf("a used link: %d\n%s\nwant 410 saying so", resp.StatusCode, body)
	}
}

// TestResumeAdoptAtHello: a hello with a resume link makes the device the
// conversation's visitor, with the history and a new token of its own
// that stands for it later; a link works once, at its own site only, and
// a bad link never costs the device its chat.
func TestResumeAdoptAtHello(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	bob, _ := env.newAgent(t, "bob", 1)
	kim, kimHello, conv := chatOn(t, env, "kim", env.site.ID, "https://shop.example/")
	bob.say(conv.ID, "b1", "We ship on Mondays.") // after "Bob joined"
	kim.msgs(conv.ID, 3)
	token := resumeToken(env, conv, time.Hour)

	phone, w, e := adopt(t, env, "kim's phone", env.site.ID, "", token)
	if e != nil {
		t.Fatalf("adopting: %+v", e)
	}
	if w.Visitor.ID != conv.Visitor || len(w.Conversations) != 1 || w.Conversations[0].ID != conv.ID ||
		w.Token == "" || w.Token == kimHello.Token {
		t.Fatalf("the phone's welcome: visitor %+v, conversations %+v, token %q; want visitor %d, conversation %d, a new token",
			w.Visitor, w.Conversations, w.Token, conv.Visitor, conv.ID)
	}
	phone.sendFrame(parley.Frame{Type: parley.TypeResume, Conv: conv.ID})
	history := phone.msgs(conv.ID, 3)
	if history[0].Text != "Hello from kim" || history[2].Text != "We ship on Mondays." {
		t.Errorf("the phone's history: %q, %q", history[0].Text, history[2].Text)
	}
	// The phone writes in the same conversation, as Kim: Kim's first
	// device and the agent get it.
	if ack := phone.say(0, "p1", "Then Monday it is."); ack.Conv != conv.ID {
		t.Errorf("the phone's message went to conversation %d, want %d", ack.Conv, conv.ID)
	}
	if got := kim.msgs(conv.ID, 1)[0]; got.Text != "Then Monday it is." || got.From.ID != conv.Visitor {
		t.Errorf("Kim's first device got %+v", got)
	}
	bob.until("the phone's message", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.Text == "Then Monday it is." })

	// The phone's token, later: the same visitor, no new token.
	again := env.dial(t, "kim's phone later", nil)
	if w2 := again.visitorHello(env.site.ID, w.Token); w2.Visitor.ID != conv.Visitor || w2.Token != "" {
		t.Errorf("the phone's token later: visitor %d, token %q; want visitor %d, none", w2.Visitor.ID, w2.Token, conv.Visitor)
	}
	// The first device stays Kim too.
	if w3 := env.dial(t, "kim again", nil).visitorHello(env.site.ID, kimHello.Token); w3.Visitor.ID != conv.Visitor {
		t.Errorf("Kim's first token: visitor %d, want %d", w3.Visitor.ID, conv.Visitor)
	}

	// The same link again: not adopted, said clearly, the hello goes on.
	_, w, e = adopt(t, env, "a stranger", env.site.ID, "", token)
	if w.Visitor.ID == conv.Visitor || len(w.Conversations) != 0 || w.Token == "" {
		t.Errorf("a used link adopted: %+v", w)
	}
	if e == nil || e.Code != parley.EConflict || !strings.Contains(e.Message, "already used") {
		t.Errorf("a used link: error %+v, want conflict saying it was used", e)
	}
	// A device with its own chat stays itself.
	lee, leeHello, leeConv := chatOn(t, env, "lee", env.site.ID, "")
	lee.ws.CloseNow()
	_, w, e = adopt(t, env, "lee again", env.site.ID, leeHello.Token, token)
	if w.Visitor.ID != leeHello.Visitor.ID || len(w.Conversations) != 1 || w.Conversations[0].ID != leeConv.ID || e == nil {
		t.Errorf("a used link at a device with its own chat: welcome %+v, error %+v; want Lee's chat and an error", w, e)
	}

	// Another site's link at this site: refused, and not used up.
	_, _, otherConv := chatOn(t, env, "max", env.other.ID, "https://other.example/")
	otherToken := resumeToken(env, otherConv, time.Hour)
	_, w, e = adopt(t, env, "max at the shop", env.site.ID, "", otherToken)
	if w.Visitor.ID == otherConv.Visitor || e == nil || e.Code != parley.EInvalid || !strings.Contains(e.Message, "another shop") {
		t.Errorf("another site's link: visitor %d, error %+v; want a new visitor and an error", w.Visitor.ID, e)
	}
	if _, w, e = adopt(t, env, "max's phone", env.other.ID, "", otherToken); e != nil || w.Visitor.ID != otherConv.Visitor {
		t.Errorf("the link at its own site afterwards: visitor %d, error %+v; want visitor %d", w.Visitor.ID, e, otherConv.Visitor)
	}

	// Expired, forged, malformed, oversized: a clear error each; the
	// server keeps going.
	for name, tt := range map[string]struct {
		link, code, says string
	}{
		"expired":   {resumeToken(env, conv, -time.Second), parley.EForbidden, "expired"},
		"forged":    {token[:len(token)-3] + "abc", parley.EInvalid, "not valid"},
		"malformed": {"<script>", parley.EInvalid, "not valid"},
		"oversized": {strings.Repeat("A", 20000), parley.EInvalid, "not valid"},
	} {
		c, w, e := adopt(t, env, name, env.site.ID, "", tt.link)
		if w.Visitor.ID == conv.Visitor || e == nil || e.Code != tt.code || !strings.Contains(e.Message, tt.says) {
			t.Errorf("%s link: visitor %d, error %+v; want a new visitor and %s saying %q", name, w.Visitor.ID, e, tt.code, tt.says)
		}
		c.say(0, name+"-1", "still here")
	}
}

// TestResumeRenew: a used or expired link asks for a new one, mailed once
// per old link to the conversation's address on record, with a link that
// works; a forged one is not found; without an address it says so.
func TestResumeRenew(t *testing.T) {
	env, box, _ := newMailEnv(t)
	_, _, conv := chatOn(t, env, "kim", env.site.ID, "https://shop.example/cart")
	if _, err := env.db.SetEmail(context.Background(), conv.ID, "kim@example.com"); err != nil {
		t.Fatal(err)
	}
	token := resumeToken(env, conv, time.Hour)

	// A link still good needs no new one.
	resp, _ := fetch(t, "POST", env.url+"/r/"+token+"/renew", url.Values{})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/r/"+token {
		t.Errorf("renewing a good link: %d to %q, want 303 to the link", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, _, e := adopt(t, env, "kim's phone", env.site.ID, "", token); e != nil {
		t.Fatal(e)
	}
	_, page := fetch(t, "GET", env.url+"/r/"+token, nil)
	if !strings.Contains(page, `<form method="post" action="/r/`+token+`/renew">`) || !strings.Contains(page, "Email me a new link") {
		t.Fatalf("the used link's page offers no new link:\n%s", page)
	}
	for range 3 {
		resp, body := fetch(t, "POST", env.url+"/r/"+token+"/renew", url.Values{})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "We&#39;ve sent a new link to k***@example.com") || strings.Contains(body, "kim@") {
			t.Fatalf("renewing a used link: %d\n%s", resp.StatusCode, body)
		}
	}
	// (The shop's notice of the chat, started with nobody online, goes
	// to its agents: not counted here.)
	waitMailsTo(t, box, "kim@example.com", 1)
	time.Sleep(200 * time.Millisecond)
	mails := mailsTo(box, "kim@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d mails for three clicks on one link, want 1", len(mails))
	}
	m := mails[0]
	if len(m.To) != 1 || m.To[0].Address != "kim@example.com" || !strings.Contains(m.Subject, "new link") || m.ReplyTo == nil {
		t.Errorf("the new link's mail: to %v, %q", m.To, m.Subject)
	}
	i := strings.Index(m.Text, env.url+"/r/")
	if i < 0 {
		t.Fatalf("no link in the mail:\n%s", m.Text)
	}
	fresh := strings.TrimPrefix(strings.Fields(m.Text[i:])[0], env.url+"/r/")
	if fresh == token {
		t.Fatal("the new link is the old one")
	}
	resp, _ = fetch(t, "GET", env.url+"/r/"+fresh, nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "#parley-resume="+fresh) {
		t.Errorf("the new link: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, w, e := adopt(t, env, "kim's laptop", env.site.ID, "", fresh); e != nil || w.Visitor.ID != conv.Visitor {
		t.Errorf("adopting with the new link: visitor %d, %+v", w.Visitor.ID, e)
	}

	// An expired link: a mail of its own.
	old := resumeToken(env, conv, -time.Hour)
	if resp, body := fetch(t, "POST", env.url+"/r/"+old+"/renew", url.Values{}); resp.StatusCode != http.StatusOK {
		t.Errorf("renewing an expired link: %d\n%s", resp.StatusCode, body)
	}
	waitMailsTo(t, box, "kim@example.com", 2)

	// Forged: not found, no mail.
	if resp, _ := fetch(t, "POST", env.url+"/r/"+old[:len(old)-2]+"xx/renew", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("renewing a forged link: %d, want 404", resp.StatusCode)
	}
	// From another site's page: refused.
	req, _ := http.NewRequest("POST", env.url+"/r/"+old+"/renew", nil)
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := noFollow.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site renew: %v %v, want 403", resp.StatusCode, err)
	}

	// No address on record: said plainly, no mail.
	_, _, mute := chatOn(t, env, "lee", env.site.ID, "")
	expired := resumeToken(env, mute, -time.Hour)
	_, page = fetch(t, "GET", env.url+"/r/"+expired, nil)
	if strings.Contains(page, "<form") {
		t.Errorf("a link without an address offers a new one:\n%s", page)
	}
	resp, body := fetch(t, "POST", env.url+"/r/"+expired+"/renew", url.Values{})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "no email address for this chat") {
		t.Errorf("renewing without an address: %d\n%s", resp.StatusCode, body)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(mailsTo(box, "kim@example.com")); n != 2 {
		t.Errorf("%d mails to kim, want 2", n)
	}
	for _, m := range box.Mails() {
		if strings.Contains(m.Subject, "new link") && m.To[0].Address != "kim@example.com" {
			t.Errorf("a new link mailed to %v", m.To)
		}
	}
}

// TestResumeLinkOfBlockedVisitor: a blocked visitor's link is refused like
// the visitor, on any device, and stays unused.
func TestResumeLinkOfBlockedVisitor(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	_, _, conv := chatOn(t, env, "kim", env.site.ID, "https://shop.example/")
	token := resumeToken(env, conv, time.Hour)
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	if status, _ := env.api(t, ann, "POST", "/api/conversations/"+strconv.FormatUint(conv.ID, 10)+"/block", blockBody{Visitor: true, Hours: 1}, nil); status != http.StatusOK {
		t.Fatalf("block: %d", status)
	}
	phone := env.dial(t, "kim's phone", nil)
	phone.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID, ResumeLink: token})
	if f := phone.next(); f.Type != parley.TypeError || f.Code != parley.EForbidden {
		t.Errorf("a blocked visitor's link: %+v, want a forbidden hello", f)
	}
	if code := phone.closeStatus(); code != 4003 {
		t.Errorf("closed with %d, want 4003", code)
	}
	if resp, _ := fetch(t, "GET", env.url+"/r/"+token, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the link after the refusal: %d, want still unused (303)", resp.StatusCode)
	}
}
