package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// noContext fails if c has read a context frame so far.
func noContext(tb testing.TB, c *sockClient) {
	tb.Helper()
	for _, f := range c.seen {
		if f.Type == parley.TypeContext {
			tb.Errorf("%s got a context frame: %+v", c.name, f)
		}
	}
}

// TestSocketContext: a visitor's context frame is stored and goes, whole,
// to the agents of the visitor's site only: not to the visitor (either
// tab), not to an agent of another site. The upgrade's User-Agent and
// Accept-Language are filled in at hello.
func TestSocketContext(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	ann, _ := env.newAgent(t, "ann", 0)
	cy, _ := env.newAgent(t, "cy", 2)

	hdr := http.Header{}
	hdr.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	hdr.Set("Accept-Language", "fr-CH,fr;q=0.9")
	v := env.dial(t, "visitor", hdr)
	w := v.visitorHello(env.site.ID, "")
	vid := w.Visitor.ID
	// The hello fills in the browser and language; a visitor without a
	// conversation is in no agent's view, so no frame yet.
	if _, hello, err := env.db.VisitorWithContext(vid); err != nil || hello.Browser != "Chrome 131" || hello.OS != "Windows" || hello.Language != "fr-CH" {
		t.Errorf("hello context %+v, %v", hello, err)
	}
	conv := v.say(0, "m-1", "hello").Conv
	ann.untilType(parley.TypeMsg)
	// A connection that follows the conversation only reads the context
	// over HTTP: it gets no context frames.
	scoped, _ := env.newScopedAgent(t, "scoped", 1, parley.ResumeFrom{Conv: conv})
	scoped.untilType(parley.TypeSynced)
	tab2 := env.dial(t, "second tab", hdr)
	tab2.visitorHello(env.site.ID, w.Token)

	v.sendFrame(map[string]any{"type": "context",
		"attributes": map[string]any{"plan": "gold"},
		"cart":       map[string]any{"items": []any{map[string]any{"name": "Mug", "qty": 2, "price": 9.5}}, "total": "19.00", "currency": "EUR"},
		"track":      []any{map[string]any{"name": "Viewed mug", "props": map[string]string{"sku": "M-1"}}},
		"device":     map[string]any{"timeZone": "Europe/Zurich", "utcOffset": 60},
		"referrer":   "https://www.google.com/search?q=mugs",
	})
	got := ann.until("the context", func(f parley.Frame) bool {
		return f.Type == parley.TypeContext && f.Context.Attributes["plan"] == "gold"
	})
	ctx := got.Context
	if got.Visitor.ID != vid || ctx.Cart == nil || ctx.Cart.Items[0].Price != "9.5" || ctx.Cart.Currency != "EUR" ||
		len(ctx.Events) != 1 || ctx.TimeZone != "Europe/Zurich" || ctx.UTCOffset != 60 || ctx.Referrer != "https://www.google.com/search?q=mugs" || ctx.Browser != "Chrome 131" {
		t.Errorf("agent's context %+v", ctx)
	}

	// A deletion merges; the agents get the whole context again.
	v.sendFrame(map[string]any{"type": "context", "attributes": map[string]any{"plan": nil, "tier": "2"}})
	got = ann.until("the merged context", func(f parley.Frame) bool {
		return f.Type == parley.TypeContext && f.Context.Attributes["tier"] == "2"
	})
	if _, ok := got.Context.Attributes["plan"]; ok || got.Context.Cart == nil {
		t.Errorf("after a deletion: %+v", got.Context)
	}

	// Barriers: an error to the visitor's tabs, and another site's
	// visitor whose context Cy does get. Nothing of the shop's before.
	v.sendFrame(parley.Frame{Type: parley.TypeContext})
	v.untilError()
	tab2.sendFrame(parley.Frame{Type: parley.TypeContext})
	tab2.untilError()
	o, _ := env.newVisitorOf(t, "other visitor", env.other.ID)
	o.say(0, "o-1", "hi")
	o.sendFrame(map[string]any{"type": "context", "attributes": map[string]any{"other": "1"}})
	cy.until("the other site's context", func(f parley.Frame) bool {
		return f.Type == parley.TypeContext && f.Context.Attributes["other"] == "1"
	})
	for _, f := range cy.seen {
		if f.Type == parley.TypeContext && f.Visitor.Site != env.other.ID {
			t.Errorf("cy got the context of a visitor of %s", f.Visitor.Site)
		}
	}
	// Barrier for the scoped agent: a message of the conversation it follows.
	v.say(conv, "m-2", "still there?")
	scoped.until("the barrier message", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.Text == "still there?" })
	noContext(t, scoped)
	noContext(t, v)
	noContext(t, tab2)
	noContext(t, o)

	_, stored, err := env.db.VisitorWithContext(vid)
	if err != nil || stored.Attributes["tier"] != "2" || stored.Cart == nil {
		t.Errorf("stored %+v, %v", stored, err)
	}
}

// TestSocketContextRefusals: each bad part is refused with a clear error
// and nothing of the frame is stored; agents may not send it.
func TestSocketContextRefusals(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, w := env.newVisitor(t, "visitor")
	many := map[string]string{}
	for i := range parley.MaxAttributes + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	cart := func(item map[string]any, currency string) map[string]any {
		return map[string]any{"items": []any{item}, "currency": currency}
	}
	for _, tc := range []struct {
		name  string
		frame map[string]any
		code  string
	}{
		{"nothing", map[string]any{}, parley.EInvalid},
		{"too many attributes", map[string]any{"attributes": many}, parley.ETooLarge},
		{"long key", map[string]any{"attributes": map[string]string{strings.Repeat("k", 41): "v"}}, parley.ETooLarge},
		{"control char", map[string]any{"attributes": map[string]string{"k": "a\u0007"}}, parley.EInvalid},
		{"bad currency", map[string]any{"cart": cart(map[string]any{"name": "x", "qty": 1}, "euro")}, parley.EInvalid},
		{"negative qty", map[string]any{"cart": cart(map[string]any{"name": "x", "qty": -2}, "EUR")}, parley.EInvalid},
		{"bad url", map[string]any{"cart": cart(map[string]any{"name": "x", "qty": 1, "url": "javascript:alert(1)"}, "EUR")}, parley.EInvalid},
		{"bad zone", map[string]any{"device": map[string]any{"timeZone": "<b>", "utcOffset": 0}}, parley.EInvalid},
		{"bad referrer", map[string]any{"referrer": "file:///etc/passwd"}, parley.EInvalid},
	} {
		tc.frame["type"] = "context"
		// A valid attribute beside the bad part must not be stored either.
		if tc.name != "nothing" && tc.frame["attributes"] == nil {
			tc.frame["attributes"] = map[string]string{"leak": "1"}
		}
		v.sendFrame(tc.frame)
		e := v.untilError()
		if e.Code != tc.code || e.Message == "" || e.Message == "Internal error." {
			t.Errorf("%s: got %q %q, want code %q with a clear message", tc.name, e.Code, e.Message, tc.code)
		}
	}
	_, stored, err := env.db.VisitorWithContext(w.Visitor.ID)
	if err != nil || len(stored.Attributes) != 0 || stored.Cart != nil || stored.TimeZone != "" || stored.Referrer != "" {
		t.Errorf("refused frames stored %+v, %v", stored, err)
	}

	ann, _ := env.newAgent(t, "ann", 0)
	ann.sendFrame(map[string]any{"type": "context", "attributes": map[string]string{"a": "b"}})
	if e := ann.untilError(); e.Code != parley.EForbidden {
		t.Errorf("an agent's context: %+v, want forbidden", e)
	}
}

// TestVisitorAPI: GET /api/visitors/{id} answers members of the visitor's
// site; another site's agent gets the 404 of a missing visitor, and no
// session a 401.
func TestVisitorAPI(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, w := env.newVisitor(t, "visitor")
	first := v.say(0, "m-1", "where is my order?")
	v.sendFrame(map[string]any{"type": "context", "attributes": map[string]string{"plan": "gold"}})
	get := func(hdr http.Header, path string) (int, map[string]json.RawMessage) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", env.url+path, nil)
		for k, vs := range hdr {
			req.Header[k] = vs
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]json.RawMessage
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	path := fmt.Sprint("/api/visitors/", w.Visitor.ID)
	ann := loginAgent(t, env, env.agents[0].Email)
	var view struct {
		Visitor       parley.Visitor
		Context       parley.VisitorContext
		Conversations []struct {
			ID       uint64
			Status   string
			LastText string
		}
	}
	// The context frame may still be on its way: ask until it is there.
	for range 50 {
		status, body := get(ann, path)
		if status != 200 {
			t.Fatalf("ann: status %d %s", status, body["message"])
		}
		b, _ := json.Marshal(body)
		json.Unmarshal(b, &view)
		if view.Context.Attributes["plan"] == "gold" {
			break
		}
	}
	if view.Visitor.ID != w.Visitor.ID || view.Context.Attributes["plan"] != "gold" || len(view.Conversations) != 1 ||
		view.Conversations[0].ID != first.Conv || view.Conversations[0].LastText != "where is my order?" {
		t.Errorf("ann's view %+v", view)
	}

	cy := loginAgent(t, env, env.agents[2].Email)
	s1, theirs := get(cy, path)
	s2, missing := get(cy, "/api/visitors/99999")
	if s1 != 404 || s2 != 404 || string(theirs["message"]) != string(missing["message"]) {
		t.Errorf("cy: %d %s, missing %d %s; want the same 404", s1, theirs["message"], s2, missing["message"])
	}
	if s, _ := get(ann, "/api/visitors/nope"); s != 404 {
		t.Errorf("a bad id: %d, want 404", s)
	}
	if s, _ := get(nil, path); s != 401 {
		t.Errorf("no session: %d, want 401", s)
	}
}
