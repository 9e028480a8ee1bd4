package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

var webFAQ = []parley.FAQEntry{
	{ID: "shipping", Question: "How long does shipping take?", Answer: "Orders ship within 2 days: https://shop.example/shipping", Keywords: []string{"shipping", "delivery"}, Lang: "en"},
	{ID: "returns", Question: "How do I return an item?", Answer: "30 days to return anything.", Keywords: []string{"return", "refund"}, Lang: "en"},
	{ID: "wysylka", Question: "Ile trwa wysyłka?", Answer: "2 dni robocze.", Keywords: []string{"wysyłka", "dostawa"}, Lang: "pl"},
}

type faqAPIBody struct {
	FAQ   []parley.FAQEntry `json:"faq"`
	Stats []parley.FAQStat  `json:"stats"`
}

// TestFAQAPI: owners and admins keep a site's FAQ, checked; a plain agent
// may not (403), another site's agent sees no site (404); bad input is
// refused with what is wrong.
func TestFAQAPI(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	bob := loginWithCSRF(t, env, env.agents[1].Email, sockPassword)
	cy := loginWithCSRF(t, env, env.agents[2].Email, sockPassword)
	path := "/api/sites/" + env.site.ID + "/faq"
	var got faqAPIBody
	var e parley.Frame
	entries := append([]parley.FAQEntry{{Question: " New? ", Answer: "Yes.", Keywords: []string{"new"}}}, webFAQ...)
	if status, _ := env.api(t, ann, "PUT", path, faqAPIBody{FAQ: entries}, &got); status != 200 || len(got.FAQ) != 4 || got.FAQ[0].ID == "" || got.FAQ[0].Question != "New?" {
		t.Fatalf("PUT: %d %+v", status, got)
	}
	if status, _ := env.api(t, ann, "GET", path, nil, &got); status != 200 || len(got.FAQ) != 4 {
		t.Errorf("GET: %d %+v", status, got)
	}
	for _, m := range []string{"GET", "PUT"} {
		if status, _ := env.api(t, bob, m, path, faqAPIBody{FAQ: webFAQ}, &e); status != 403 {
			t.Errorf("a plain agent's %s: %d %+v, want 403", m, status, e)
		}
		e = parley.Frame{}
		if status, _ := env.api(t, cy, m, path, faqAPIBody{FAQ: webFAQ}, &e); status != 404 || e.Code != parley.ENotFound {
			t.Errorf("another site's agent's %s: %d %+v, want 404", m, status, e)
		}
	}
	many := make([]parley.FAQEntry, parley.MaxFAQEntries+1)
	for i := range many {
		many[i] = parley.FAQEntry{Question: fmt.Sprint("q", i), Answer: "a"}
	}
	for _, tt := range []struct {
		name   string
		list   []parley.FAQEntry
		status int
		msg    string
	}{
		{"too many", many, 413, "At most 200 FAQ entries"},
		{"invalid lang", []parley.FAQEntry{{Question: "q", Answer: "a", Lang: "klingon"}}, 400, "use one of en, pl"},
		{"no answer", []parley.FAQEntry{{Question: "q"}}, 400, "needs an answer"},
		{"long answer", []parley.FAQEntry{{Question: "q", Answer: strings.Repeat("a", 2001)}}, 413, "the limit is 2000"},
	} {
		e = parley.Frame{}
		if status, _ := env.api(t, ann, "PUT", path, faqAPIBody{FAQ: tt.list}, &e); status != tt.status || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: %d %q, want %d and %q", tt.name, status, e.Message, tt.status, tt.msg)
		}
	}
	if stored, _ := env.db.FAQ(env.site.ID); len(stored) != 4 {
		t.Errorf("a refused PUT changed the FAQ: %d entries", len(stored))
	}
}

func faqAsk(c *sockClient, id, q, lang string) parley.Frame {
	c.tb.Helper()
	c.sendFrame(parley.Frame{Type: parley.TypeFAQ, ID: id, Q: q, Lang: lang})
	return c.until("faq "+id, func(f parley.Frame) bool {
		return (f.Type == parley.TypeFAQ || f.Type == parley.TypeError) && f.ID == id
	})
}

// TestFAQSuggestions: a visitor's faq frame gets its site's entries in
// its language, never another site's; bad frames are refused; what was
// shown and found helpful is counted.
func TestFAQSuggestions(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	if err := env.db.PutFAQ(env.site.ID, webFAQ); err != nil {
		t.Fatal(err)
	}
	v, _ := env.newVisitor(t, "v")
	f := faqAsk(v, "q1", "how long does shipp", "en-GB")
	if f.Type != parley.TypeFAQ || len(f.Results) == 0 || f.Results[0].Entry != "shipping" || !strings.Contains(f.Results[0].Answer, "2 days") {
		t.Fatalf("faq: %+v", f)
	}
	if f := faqAsk(v, "q2", "ile trwa wysylka", "pl"); len(f.Results) != 1 || f.Results[0].Entry != "wysylka" {
		t.Errorf("Polish: %+v", f)
	}
	if f := faqAsk(v, "q3", "how long does shipping take", "pl"); len(f.Results) != 0 {
		t.Errorf("an English entry for a Polish visitor: %+v", f)
	}
	if f := faqAsk(v, "q4", "blue socks size 44", "en"); f.Type != parley.TypeFAQ || len(f.Results) != 0 {
		t.Errorf("unrelated: %+v", f)
	}
	// Another site's visitor never gets this site's entries.
	o, _ := env.newVisitorOf(t, "o", env.other.ID)
	if f := faqAsk(o, "o1", "how long does shipping take", "en"); f.Type != parley.TypeFAQ || len(f.Results) != 0 {
		t.Errorf("another site's visitor got %+v", f)
	}
	for _, tt := range []struct {
		name  string
		frame parley.Frame
		code  string
	}{
		{"q too long", parley.Frame{Type: parley.TypeFAQ, ID: "b1", Q: strings.Repeat("x", parley.MaxFAQQuery+1)}, parley.ETooLarge},
		{"unknown lang", parley.Frame{Type: parley.TypeFAQ, ID: "b2", Q: "shipping", Lang: "tlh"}, parley.EInvalid},
		{"helpful, never shown", parley.Frame{Type: parley.TypeFAQEvent, ID: "b3", Event: parley.FAQHelpful, Entry: "returns"}, parley.ENotFound},
		{"another site's entry", parley.Frame{Type: parley.TypeFAQEvent, ID: "b4", Event: parley.FAQHelpful, Entry: "shipping"}, parley.ENotFound},
		{"unknown event", parley.Frame{Type: parley.TypeFAQEvent, ID: "b5", Event: "loved", Entry: "shipping"}, parley.EInvalid},
	} {
		c := v
		if tt.name == "another site's entry" {
			c = o
		}
		c.sendFrame(tt.frame)
		if e := c.until(tt.name, func(f parley.Frame) bool { return f.Type == parley.TypeError && f.ID == tt.frame.ID }); e.Code != tt.code {
			t.Errorf("%s: %+v, want %s", tt.name, e, tt.code)
		}
	}
	agent, _ := env.newAgent(t, "ann", 0)
	if f := faqAsk(agent, "a1", "shipping", ""); f.Type != parley.TypeError || f.Code != parley.EForbidden {
		t.Errorf("an agent's faq: %+v", f)
	}
	// Helpful, then counted; shown once per entry per connection.
	v.sendFrame(parley.Frame{Type: parley.TypeFAQEvent, ID: "h1", Event: parley.FAQHelpful, Entry: "shipping"})
	faqAsk(v, "q5", "shipping", "en") // a round trip: the event is handled
	stats, _ := env.db.FAQStats(env.site.ID)
	by := map[string]parley.FAQStat{}
	for _, s := range stats {
		by[s.Entry] = s
	}
	if s := by["shipping"]; s.Shown != 1 || s.Helpful != 1 || s.Asked != 0 || by["wysylka"].Shown != 1 {
		t.Errorf("stats %+v", stats)
	}
	if others, _ := env.db.FAQStats(env.other.ID); len(others) != 0 {
		t.Errorf("another site's stats: %+v", others)
	}
	// An owner's change reaches the next lookup.
	owner := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	changed := append([]parley.FAQEntry{{ID: "gift", Question: "Do you wrap gifts?", Answer: "Yes, for free.", Keywords: []string{"gift"}}}, webFAQ...)
	if status, _ := env.api(t, owner, "PUT", "/api/sites/"+env.site.ID+"/faq", faqAPIBody{FAQ: changed}, nil); status != 200 {
		t.Fatalf("PUT: %d", status)
	}
	if f := faqAsk(v, "q7", "gift wrapping", "en"); len(f.Results) != 1 || f.Results[0].Entry != "gift" {
		t.Errorf("after the owner's change: %+v", f)
	}
	// The visitor writes to a person anyway: the entries still pending count as asked.
	v.say(0, "m1", "hello there")
	faqAsk(v, "q6", "zzz", "en")
	stats, _ = env.db.FAQStats(env.site.ID)
	for _, s := range stats {
		if s.Entry == "shipping" && s.Asked != 1 {
			t.Errorf("after a message: %+v", s)
		}
	}
}

// TestFAQBot: while nobody has a visitor's conversation, the site's bot
// answers a message that matches an entry, once per message, with "That
// answers it" and "Talk to a person", and the conversation stays queued;
// no match, no answer; at most MaxBotAnswers; once an agent has the chat,
// the bot is silent.
func TestFAQBot(t *testing.T) {
	const delay = 20 * time.Millisecond
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, FAQBotDelay: delay})
	if err := env.db.PutFAQ(env.site.ID, webFAQ); err != nil {
		t.Fatal(err)
	}
	v, _ := env.newVisitor(t, "v")
	ack := v.say(0, "m1", "How long does shipping take to Berlin?")
	conv := ack.Conv
	bot := v.until("the bot's answer", func(f parley.Frame) bool {
		return f.Type == parley.TypeMsg && f.From != nil && f.From.Kind == parley.AuthorSite
	})
	if !strings.Contains(bot.Text, "While you wait for a person") || !strings.Contains(bot.Text, "Orders ship within 2 days") ||
		strings.Join(bot.Replies, "|") != "That answers it|Talk to a person" || bot.From.Name != env.site.Name+" bot" || bot.Conv != conv {
		t.Errorf("bot: %+v", bot)
	}
	bots := func(conv uint64) []parley.Message {
		var out []parley.Message
		for _, m := range env.stored(t, conv) {
			if m.From.Kind == parley.AuthorSite && m.Kind == parley.KindMessage {
				out = append(out, m)
			}
		}
		return out
	}
	// settled waits out the bot's delay, and returns its answers in conv.
	settled := func(conv uint64) []parley.Message {
		time.Sleep(10*delay + 100*time.Millisecond)
		return bots(conv)
	}
	c, err := env.db.Conversation(conv)
	if err != nil || c.Status != parley.StatusQueued || c.Assignee != 0 {
		t.Errorf("after the bot: %+v %v, want still queued", c, err)
	}
	// Talk to a person: an ordinary message, no bot answer, still queued;
	// no match, no answer.
	v.say(conv, "m2", "Talk to a person")
	v.say(conv, "m3", "do you sell blue socks")
	if n := len(settled(conv)); n != 1 {
		t.Errorf("%d bot answers, want 1", n)
	}
	stats, _ := env.db.FAQStats(env.site.ID)
	if len(stats) != 1 || stats[0].Entry != "shipping" || stats[0].Shown != 1 || stats[0].Asked != 1 {
		t.Errorf("stats %+v", stats)
	}
	// A Polish visitor: the bot speaks Polish.
	faqAsk(v, "l", "xyz", "pl")
	v.say(conv, "m4", "ile trwa wysyłka?")
	got := settled(conv)
	if len(got) != 2 {
		t.Fatalf("%d bot answers, want 2", len(got))
	}
	if m := got[1]; !strings.Contains(m.Text, "2 dni robocze") || len(m.Replies) != 2 || m.Replies[1] != "Porozmawiaj z człowiekiem" || m.From.Name != "Bot "+env.site.Name {
		t.Errorf("the Polish answer: %+v", m)
	}
	// "That answers it", in Polish: helpful, and no answer to it.
	v.say(conv, "m5", "To odpowiada na moje pytanie")
	// At most MaxBotAnswers per conversation.
	faqAsk(v, "en", "xyz", "en")
	for i := 0; i < 4; i++ {
		v.say(conv, fmt.Sprint("r", i), "refund please")
	}
	if n := len(settled(conv)); n != web.MaxBotAnswers {
		t.Errorf("%d bot answers, want %d", n, web.MaxBotAnswers)
	}
	stats, _ = env.db.FAQStats(env.site.ID)
	for _, s := range stats {
		if s.Entry == "wysylka" && (s.Shown != 1 || s.Helpful != 1 || s.Asked != 0) {
			t.Errorf("wysylka: %+v", s)
		}
	}
	c, _ = env.db.Conversation(conv)
	if c.Status != parley.StatusQueued {
		t.Errorf("the bot changed the routing: %+v", c)
	}

	// An agent has the chat: no bot.
	w, _ := env.newVisitor(t, "w")
	ann, _ := env.newAgent(t, "ann", 0)
	wconv := w.say(0, "w1", "hello").Conv
	ann.sendFrame(parley.Frame{Type: parley.TypeClaim, ID: "c1", Conv: wconv})
	ann.until("claimed", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == wconv && f.Conversation.Assignee != 0
	})
	w.say(wconv, "w2", "how long does shipping take")
	if got := settled(wconv); len(got) != 0 {
		t.Errorf("the bot answered an assigned chat: %+v", got)
	}
}

// TestFAQBotWaitsForTheRouter: a chat an agent takes while the bot waits
// gets no bot answer.
func TestFAQBotWaitsForTheRouter(t *testing.T) {
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, FAQBotDelay: 500 * time.Millisecond})
	if err := env.db.PutFAQ(env.site.ID, webFAQ); err != nil {
		t.Fatal(err)
	}
	ann, _ := env.newAgent(t, "ann", 0)
	v, _ := env.newVisitor(t, "v")
	conv := v.say(0, "m1", "how long does shipping take").Conv
	ann.sendFrame(parley.Frame{Type: parley.TypeClaim, ID: "c1", Conv: conv})
	ann.until("claimed", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == conv && f.Conversation.Assignee != 0
	})
	time.Sleep(time.Second)
	for _, m := range env.stored(t, conv) {
		if m.From.Kind == parley.AuthorSite && m.Kind == parley.KindMessage {
			t.Errorf("the bot answered a chat an agent took: %+v", m)
		}
	}
}
