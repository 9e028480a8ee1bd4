package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// TestTags: an agent of the site tags a conversation (normalised, within
// bounds, with clear errors); the site's agents see the tags in a conv
// frame and can filter the inbox by one; the visitor never sees a tag,
// and neither a visitor nor another site's agent may tag.
func TestTags(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	bob, _ := env.newAgent(t, "bob", 1)
	cy, _ := env.newAgent(t, "cy", 2)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "My order never came").Conv
	other := func() uint64 {
		o, _ := env.newVisitor(t, "other visitor")
		return o.say(0, "o-1", "hello").Conv
	}()

	tagged := func(c *sockClient, want string) {
		t.Helper()
		f := c.until("tags "+want, func(f parley.Frame) bool {
			return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == conv && strings.Join(f.Conversation.Tags, ",") == want
		})
		if f.Conversation.LastText != "My order never came" {
			t.Errorf("conv frame %+v", f.Conversation)
		}
	}
	ann.sendFrame(parley.Frame{Type: parley.TypeTag, ID: "t1", Conv: conv, Add: []string{"VIP", "  Refund   request "}})
	tagged(ann, "refund request,vip")
	tagged(bob, "refund request,vip")
	ann.sendFrame(parley.Frame{Type: parley.TypeTag, ID: "t2", Conv: conv, Add: []string{"late"}, Remove: []string{"VIP"}})
	tagged(bob, "late,refund request")
	if c, _ := env.db.Conversation(conv); strings.Join(c.Tags, ",") != "late,refund request" {
		t.Errorf("stored tags %q", c.Tags)
	}

	// Refusals, each with the request's id, changing nothing.
	many := make([]string, parley.MaxTags-1)
	for i := range many {
		many[i] = fmt.Sprint("t", i)
	}
	for _, tt := range []struct {
		name string
		by   *sockClient
		f    parley.Frame
		code string
		msg  string
	}{
		{"a visitor", v, parley.Frame{Add: []string{"x"}}, parley.EForbidden, "Only agents"},
		{"another site's agent", cy, parley.Frame{Add: []string{"x"}}, parley.ENotFound, "No such conversation"},
		{"nothing", ann, parley.Frame{}, parley.EInvalid, "tags to add or to remove"},
		{"punctuation", ann, parley.Frame{Add: []string{"vip!"}}, parley.EInvalid, "only a-z, 0-9"},
		{"empty", ann, parley.Frame{Add: []string{"  "}}, parley.EInvalid, "at least one"},
		{"too long", ann, parley.Frame{Add: []string{strings.Repeat("a", parley.MaxTagRunes+1)}}, parley.ETooLarge, "the limit is 32"},
		{"too many", ann, parley.Frame{Add: many}, parley.ETooLarge, "At most 20"},
	} {
		f := tt.f
		f.Type, f.ID, f.Conv = parley.TypeTag, fmt.Sprint("bad-", len(tt.name)), conv
		tt.by.sendFrame(f)
		if e := tt.by.untilError(); e.Code != tt.code || e.ID != f.ID || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: got %s %q (id %q), want %s %q", tt.name, e.Code, e.Message, e.ID, tt.code, tt.msg)
		}
	}
	if c, _ := env.db.Conversation(conv); strings.Join(c.Tags, ",") != "late,refund request" {
		t.Errorf("after the refusals: tags %q", c.Tags)
	}
	// The bound itself fits: 18 more make 20.
	ann.sendFrame(parley.Frame{Type: parley.TypeTag, ID: "t3", Conv: conv, Add: many[:parley.MaxTags-2]})
	ann.until("20 tags", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && len(f.Conversation.Tags) == parley.MaxTags
	})
	ann.sendFrame(parley.Frame{Type: parley.TypeTag, ID: "t4", Conv: conv, Remove: many[:parley.MaxTags-2]})
	tagged(ann, "late,refund request")

	// The inbox filter, in the open views and among the resolved.
	annAPI := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	cyAPI := loginWithCSRF(t, env, env.agents[2].Email, sockPassword)
	list := func(l agentLogin, query string) string {
		t.Helper()
		var page parley.ConversationPage
		if status, _ := env.api(t, l, "GET", "/api/conversations?"+query, nil, &page); status != 200 {
			return fmt.Sprint("status ", status)
		}
		var ids []string
		for _, c := range page.Conversations {
			ids = append(ids, fmt.Sprint(c.ID))
		}
		return strings.Join(ids, ",")
	}
	want := fmt.Sprint(conv)
	if got := list(annAPI, ""); got != fmt.Sprintf("%d,%d", other, conv) && got != fmt.Sprintf("%d,%d", conv, other) {
		t.Errorf("unfiltered: %s", got)
	}
	for q, w := range map[string]string{
		"tag=" + url.QueryEscape("Refund Request"):         want,
		"tag=late&view=queue":                              want,
		"tag=vip":                                          "",
		"tag=late&site=" + env.other.ID:                    "",
		"tag=" + url.QueryEscape("vip!"):                   "status 400",
		"tag=" + strings.Repeat("a", parley.MaxTagRunes+1): "status 413",
		"tag=late&view=resolved":                           "",
	} {
		if got := list(annAPI, q); got != w {
			t.Errorf("?%s: %q, want %q", q, got, w)
		}
	}
	if got := list(cyAPI, "tag=late"); got != "" {
		t.Errorf("Cy, of another site, lists %q", got)
	}

	// Resolving sends the conversation to the visitor too: without tags,
	// as in a welcome after a reconnect.
	ann.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	v.until("the resolution", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.Status == parley.StatusResolved
	})
	if got := list(annAPI, "tag=late&view=resolved"); got != want {
		t.Errorf("resolved, tag late: %q, want %q", got, want)
	}
	v.ws.Close(websocket.StatusNormalClosure, "")
	back := env.dial(t, "visitor back", nil)
	wb := back.visitorHello(env.site.ID, w.Token)
	for _, c := range wb.Conversations {
		if len(c.Tags) != 0 {
			t.Errorf("the visitor's welcome carries tags: %+v", c)
		}
	}
	for _, f := range append(v.seen, back.seen...) {
		if f.Conversation != nil && len(f.Conversation.Tags) != 0 {
			t.Errorf("the visitor received tags: %+v", f.Conversation)
		}
	}
}
