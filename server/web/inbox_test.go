package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// worstListedConversation is the biggest a conversation in a list can be
// on the wire: every bounded text at its bound, made of characters that
// encoding/json writes as six bytes, and every number at its widest.
func worstListedConversation() parley.Conversation {
	max := ^uint64(0)
	at := time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)
	worst := strings.Repeat("<", parley.PreviewRunes)
	return parley.Conversation{
		ID: max, Site: "shop", Visitor: max, VisitorName: fmt.Sprintf("Visitor %d", max), Status: parley.StatusResolved,
		LastSeq: max, LastText: worst, PublicSeq: max, PublicText: worst, Unread: int(^uint(0) >> 1),
		AgentRead: max, VisitorRead: max,
		Page:    parley.Page{URL: "https://" + strings.Repeat("&", 2048-len("https://")), Title: strings.Repeat("<", 200)},
		Created: at, Updated: at,
	}
}

// maxWelcomeBytes is the bound on an inbox welcome: a page of the worst
// conversations, plus the agent, the limits and the counts (1 KiB for
// those of two sites).
func maxWelcomeBytes(tb testing.TB) int {
	b, err := json.Marshal(worstListedConversation())
	if err != nil {
		tb.Fatal(err)
	}
	return parley.InboxPageSize*(len(b)+1) + 1<<10
}

// lockoutPage is a page that made the old welcome huge: a 200-character
// title and a 2,048-byte URL, both of characters JSON writes as six bytes.
func lockoutPage(i int) parley.Page {
	u := fmt.Sprintf("https://shop.example/p/%d?", i)
	return parley.Page{URL: u + strings.Repeat("&", 2048-len(u)), Title: strings.Repeat("<", 200)}
}

// inboxGet calls GET /api/conversations with query q as the agent whose
// session cookie hdr carries; out or e is filled from the answer.
func inboxGet(tb testing.TB, env *sockEnv, hdr http.Header, q string, out *parley.ConversationPage, e *apiErr) int {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", env.url+"/api/conversations?"+q, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header = hdr.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("GET /api/conversations?%s: %v", q, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var into any = out
	if resp.StatusCode != http.StatusOK {
		into = e
	}
	if into != nil {
		if err := json.Unmarshal(body, into); err != nil {
			tb.Fatalf("GET /api/conversations?%s: %d %q: %v", q, resp.StatusCode, body, err)
		}
	}
	return resp.StatusCode
}

// allPages pages through the inbox with query q and returns every
// conversation listed, in order. between runs after each page.
func allPages(tb testing.TB, env *sockEnv, hdr http.Header, q string, between func(page int)) []parley.Conversation {
	tb.Helper()
	var all []parley.Conversation
	before := ""
	for page := 0; ; page++ {
		if page > 100 {
			tb.Fatal("paging does not end")
		}
		var p parley.ConversationPage
		var e apiErr
		if st := inboxGet(tb, env, hdr, q+"&before="+url.QueryEscape(before), &p, &e); st != http.StatusOK {
			tb.Fatalf("page %d: %d %+v", page, st, e)
		}
		all = append(all, p.Conversations...)
		if between != nil {
			between(page)
		}
		if p.Next == "" {
			return all
		}
		before = p.Next
	}
}

// agentWelcomeRaw connects agent i with the console's read limit and
// returns its welcome's bytes.
func agentWelcomeRaw(tb testing.TB, env *sockEnv, i int) (*sockClient, []byte, parley.Frame, http.Header) {
	tb.Helper()
	hdr := loginAgent(tb, env, env.agents[i].Email)
	c := env.dial(tb, env.agents[i].Name, hdr)
	c.ws.SetReadLimit(client.DefaultReadLimit)
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	typ, raw, err := c.ws.Read(ctx)
	if err != nil || typ != websocket.MessageText {
		tb.Fatalf("%s: reading the welcome with a %d-byte limit: %v", c.name, client.DefaultReadLimit, err)
	}
	w, err := parley.DecodeFrame(raw)
	if err != nil || w.Type != parley.TypeWelcome || w.Agent == nil {
		tb.Fatalf("%s: got %.200s, %v; want a welcome", c.name, raw, err)
	}
	c.seen = append(c.seen, w)
	return c, raw, w, hdr
}

// TestInboxWelcomeBounded is the lockout: 350 anonymous visitors on pages
// with long titles and URLs used to make every agent's welcome bigger than
// the console reads. Now the welcome carries the first page and the
// counts; the API pages through the rest, each conversation once, newest
// first, scoped by membership.
func TestInboxWelcomeBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("350 visitors")
	}
	env := newSockEnv(t, parley.Limits{})
	web.LiftAbuseLimits(env.srv) // every visitor comes from 127.0.0.1
	const n = 350
	visitors := make([]*sockClient, n)
	convOf := make([]uint64, n)
	for i := range n {
		v := env.dial(t, fmt.Sprint("visitor ", i), nil)
		page := lockoutPage(i)
		v.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: env.site.ID, Page: &page})
		if w := v.next(); w.Type != parley.TypeWelcome {
			t.Fatalf("visitor %d: got %+v, want a welcome", i, w)
		}
		convOf[i] = v.say(0, fmt.Sprint("m", i), "Is this in stock?").Conv
		visitors[i] = v
	}
	for i := range 3 {
		v, _ := env.newVisitorOf(t, fmt.Sprint("other ", i), env.other.ID)
		v.say(0, fmt.Sprint("o", i), "hello from the other shop")
	}
	if c, err := env.db.Conversation(convOf[0]); err != nil || c.Page != lockoutPage(0) {
		t.Fatalf("stored page: %+v, %v; want the visitor's", c.Page, err)
	}

	// Ann is a member of both sites.
	ann, raw, w, annHdr := agentWelcomeRaw(t, env, 0)
	bound := maxWelcomeBytes(t)
	t.Logf("welcome with %d open conversations: %d bytes (bound %d, the console reads %d)", n+3, len(raw), bound, client.DefaultReadLimit)
	if len(raw) > bound || bound > client.DefaultReadLimit/4 {
		t.Errorf("welcome of %d bytes, bound %d: want both far below the console's %d", len(raw), bound, client.DefaultReadLimit)
	}
	if len(w.Conversations) != parley.InboxPageSize || w.PageSize != parley.InboxPageSize || w.Next == "" {
		t.Errorf("welcome: %d conversations, pageSize %d, next %q; want a page of %d and a next cursor", len(w.Conversations), w.PageSize, w.Next, parley.InboxPageSize)
	}
	// Everything waits in the queue of the sites' implicit teams, which
	// Ann, a member (and owner), sees whole.
	want := parley.Counts{Open: n + 3, Queue: n + 3, Team: n + 3, BySite: map[string]parley.Counts{
		"shop": {Open: n, Queue: n, Team: n}, "other": {Open: 3, Queue: 3, Team: 3}}}
	if w.Counts == nil || fmt.Sprint(*w.Counts) != fmt.Sprint(want) {
		t.Errorf("welcome counts: got %+v, want %+v", w.Counts, want)
	}

	// Everything in one frame, as the welcome used to be, is past what the
	// console reads: the scenario is the lockout.
	all := allPages(t, env, annHdr, "status=open", nil)
	old := parley.Frame{Type: parley.TypeWelcome, Agent: w.Agent, Conversations: all, Limits: w.Limits}.Encode()
	t.Logf("the same inbox in one welcome, as before: %d bytes", len(old))
	if len(old) <= client.DefaultReadLimit {
		t.Errorf("the old welcome would be %d bytes: the test no longer reproduces the lockout", len(old))
	}
	if len(all) != n+3 {
		t.Errorf("paged %d conversations, want %d", len(all), n+3)
	}
	checkInboxOrder(t, all)
	for i := range w.Conversations {
		if w.Conversations[i].ID != all[i].ID {
			t.Fatalf("welcome conversation %d is %d, the API's first page has %d", i, w.Conversations[i].ID, all[i].ID)
		}
	}

	// One site's pages: each of the 350 exactly once, newest first. Between
	// pages, a visitor already listed and one not listed yet write again:
	// both move above the cursor and are not listed (again); each reaches
	// the agent live instead. Every other conversation is listed once.
	shop := map[uint64]int{}
	for _, id := range convOf {
		shop[id] = 0
	}
	var moved []uint64
	pages := allPages(t, env, annHdr, "status=open&site=shop&limit=60", func(page int) {
		if page != 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)    // past the newest update's millisecond
		for _, i := range []int{n - 3, 5} { // listed on page 0; not yet listed
			visitors[i].say(convOf[i], fmt.Sprint("again", i), "hello?")
			moved = append(moved, convOf[i])
			time.Sleep(2 * time.Millisecond)
		}
	})
	checkInboxOrder(t, pages)
	for _, c := range pages {
		if _, ok := shop[c.ID]; !ok {
			t.Errorf("conversation %d of site %q listed for site shop", c.ID, c.Site)
		}
		shop[c.ID]++
	}
	for i, id := range convOf {
		want := 1
		if id == moved[1] {
			want = 0
		}
		if shop[id] != want {
			t.Errorf("visitor %d's conversation %d listed %d times, want %d", i, id, shop[id], want)
		}
	}
	for _, id := range moved {
		ann.until(fmt.Sprintf("the live msg of conversation %d", id), func(f parley.Frame) bool {
			return f.Type == parley.TypeMsg && f.Conv == id
		})
	}
	// From the top again, the moved ones lead.
	var top parley.ConversationPage
	inboxGet(t, env, annHdr, "limit=2", &top, nil)
	if len(top.Conversations) != 2 || top.Conversations[0].ID != moved[1] || top.Conversations[1].ID != moved[0] {
		t.Errorf("top after the updates: %v, want %v", convIDs(top.Conversations), []uint64{moved[1], moved[0]})
	}

	// Cy is a member of the other site only: nothing of the shop in her
	// welcome, counts or pages; the shop is answered like a missing site.
	_, _, cw, cyHdr := agentWelcomeRaw(t, env, 2)
	if len(cw.Conversations) != 3 || cw.Next != "" || cw.Counts == nil ||
		fmt.Sprint(*cw.Counts) != fmt.Sprint(parley.Counts{Open: 3, Queue: 3, Team: 3, BySite: map[string]parley.Counts{"other": {Open: 3, Queue: 3, Team: 3}}}) {
		t.Errorf("Cy's welcome: %d conversations, next %q, counts %+v; want the other site's 3", len(cw.Conversations), cw.Next, cw.Counts)
	}
	for _, c := range append(cw.Conversations, allPages(t, env, cyHdr, "status=open", nil)...) {
		if c.Site != env.other.ID {
			t.Errorf("Cy got conversation %d of site %q", c.ID, c.Site)
		}
	}
	var theirs, missing apiErr
	st1 := inboxGet(t, env, cyHdr, "site=shop", nil, &theirs)
	st2 := inboxGet(t, env, cyHdr, "site=nowhere", nil, &missing)
	if st1 != http.StatusNotFound || st2 != http.StatusNotFound || theirs != missing {
		t.Errorf("another tenant's site: %d %+v; a missing one: %d %+v; want the same 404", st1, theirs, st2, missing)
	}
}

func checkInboxOrder(tb testing.TB, cs []parley.Conversation) {
	tb.Helper()
	seen := map[uint64]bool{}
	for i, c := range cs {
		if seen[c.ID] {
			tb.Errorf("conversation %d listed twice", c.ID)
		}
		seen[c.ID] = true
		if !c.IsOpen() {
			tb.Errorf("conversation %d is %s", c.ID, c.Status)
		}
		if i > 0 && !parley.InboxBefore(cs[i-1], c) {
			tb.Errorf("conversation %d (%v) listed after %d (%v): want newest first", c.ID, c.Updated, cs[i-1].ID, cs[i-1].Updated)
		}
	}
}

// TestInboxAPIRefusesBadInput: each bad parameter gets a 400 that says
// which; the API needs a session.
func TestInboxAPIRefusesBadInput(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	hdr := loginAgent(t, env, env.agents[0].Email)
	for _, tt := range []struct {
		q, mention string
	}{
		{"limit=0", "limit"},
		{"limit=10000", "limit"},
		{"limit=ten", "limit"},
		{"before=garbage", "cursor"},
		{"before=12_0", "cursor"},
		{"status=foo", "status"},
		{"status=resolved", "status"},
	} {
		var e apiErr
		if st := inboxGet(t, env, hdr, tt.q, nil, &e); st != http.StatusBadRequest || e.Code != parley.EInvalid || !strings.Contains(e.Message, tt.mention) {
			t.Errorf("%s: %d %+v, want 400 invalid naming the %s", tt.q, st, e, tt.mention)
		}
	}
	var p parley.ConversationPage
	if st := inboxGet(t, env, hdr, "status=open&limit=200", &p, nil); st != http.StatusOK || p.Conversations == nil || p.Next != "" {
		t.Errorf("an empty inbox: %d %+v, want 200 with an empty list", st, p)
	}
	var e apiErr
	if st := inboxGet(t, env, http.Header{}, "", nil, &e); st != http.StatusUnauthorized {
		t.Errorf("without a session: %d %+v, want 401", st, e)
	}
}
