package web

import (
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// FAQ over the visitor's socket: suggestions as the visitor types (faq
// frames), and the site's bot, which answers a visitor's message with the
// best entry while nobody has the conversation. The bot never routes: the
// conversation stays in its queue, and its quick reply "Talk to a person"
// is an ordinary message to the agents.
//
// What visitors do with the answers is counted per entry and day
// (store.RecordFAQ): shown (once per entry per connection), helpful, and
// asked: the visitor wrote to a person after having been shown it.

// MaxBotAnswers bounds the bot's answers in one conversation.
const MaxBotAnswers = 3

// faqConn is a visitor connection's FAQ state, reader-owned.
type faqConn struct {
	lang i18n.Lang
	// shown are the entries shown on this connection (counted once);
	// pending those shown and not yet marked helpful nor followed by a
	// message to a person.
	shown, pending map[string]bool
}

func (c *conn) faqState() *faqConn {
	if c.faq == nil {
		c.faq = &faqConn{lang: i18n.EN, shown: map[string]bool{}, pending: map[string]bool{}}
		if _, ctx, err := c.s.store.VisitorWithContext(c.visitor.ID); err == nil && ctx.Language != "" {
			c.faq.lang = i18n.Match(ctx.Language)
		}
	}
	return c.faq
}

// faqQuery answers {"type":"faq","id","q","lang"} with the site's entries
// that match q, in the visitor's language or for all languages.
func (c *conn) faqQuery(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "FAQ suggestions are for visitors."), id)
		return
	}
	if n := utf8.RuneCountInString(f.Q); n > parley.MaxFAQQuery {
		c.refuse(parley.Errorf(parley.ETooLarge, "The text to look up is %d characters long; the limit is %d.", n, parley.MaxFAQQuery), id)
		return
	}
	if f.Lang != "" {
		l, ok := i18n.Parse(f.Lang)
		if !ok || len(f.Lang) > parley.MaxLanguage {
			c.refuse(parley.Errorf(parley.EInvalid, "Unknown language %q.", parley.Truncate(f.Lang, 10)), id)
			return
		}
		c.faqState().lang = l
	}
	st := c.faqState()
	list, err := c.s.store.FAQ(c.site)
	if err != nil {
		c.refuse(err, id)
		return
	}
	res := parley.MatchFAQ(parley.FAQFor(list, string(st.lang)), f.Q)
	c.faqShown(res)
	c.enqueue(outItem{frame: parley.Frame{Type: parley.TypeFAQ, ID: id, Results: res}.Encode()})
}

// faqShown counts results as shown, once per entry per connection, and
// keeps them pending.
func (c *conn) faqShown(res []parley.FAQResult) {
	st := c.faqState()
	var fresh []string
	for _, r := range res {
		if !st.shown[r.Entry] {
			st.shown[r.Entry] = true
			fresh = append(fresh, r.Entry)
		}
		st.pending[r.Entry] = true
	}
	c.recordFAQ(store.FAQShown, fresh)
}

func (c *conn) recordFAQ(counter int, entries []string) {
	if len(entries) == 0 {
		return
	}
	if err := c.s.store.RecordFAQ(c.site, time.Now(), counter, entries...); err != nil {
		c.s.log.Warn("faq: recording", "site", c.site, "err", err)
	}
}

// faqEvent is {"type":"faq_event","event":"helpful","entry"}: the visitor
// found an entry this connection was shown helpful.
func (c *conn) faqEvent(f parley.Frame) {
	id := requestID(f.ID)
	if c.role != parley.RoleVisitor {
		c.refuse(parley.Errorf(parley.EForbidden, "FAQ events are for visitors."), id)
		return
	}
	if f.Event != parley.FAQHelpful {
		c.refuse(parley.Errorf(parley.EInvalid, "faq_event takes the event %q.", parley.FAQHelpful), id)
		return
	}
	st := c.faqState()
	if !st.shown[f.Entry] {
		c.refuse(parley.Errorf(parley.ENotFound, "No FAQ entry %q was shown here.", parley.Truncate(f.Entry, 24)), id)
		return
	}
	if st.pending[f.Entry] {
		delete(st.pending, f.Entry)
		c.recordFAQ(store.FAQHelpful, []string{f.Entry})
	}
}

// The bot's quick replies, in English; the visitor's language is stored.
const (
	botHelped = "That answers it"
	botPerson = "Talk to a person"
)

// isBotReply says whether text is the bot's quick reply en in any
// language.
func isBotReply(text, en string) bool {
	text = strings.TrimSpace(text)
	for _, l := range i18n.Supported {
		if text == l.T(en) {
			return true
		}
	}
	return false
}

// afterVisitorSend runs after a visitor's message m to conv is durable:
// it counts what the FAQ answers shown before it came to, and lets the
// bot answer when nobody has the conversation.
func (c *conn) afterVisitorSend(m parley.Message, conv parley.Conversation) {
	if c.faq == nil && conv.Assignee != 0 {
		return // no FAQ here, and a person has the chat
	}
	st := c.faqState()
	if isBotReply(m.Text, botHelped) {
		c.recordFAQ(store.FAQHelpful, keys(st.pending))
		clear(st.pending)
		return
	}
	c.recordFAQ(store.FAQAsked, keys(st.pending))
	clear(st.pending)
	if isBotReply(m.Text, botPerson) || conv.Assignee != 0 {
		return
	}
	closed := c.s.avail.stateOf(conv.Site).open.ForTeam(conv.Team)
	if conv.Status != parley.StatusQueued && (closed == nil || closed.Open) {
		return // not waiting in a queue, and someone answers now
	}
	if !c.s.faqBot.take(conv.ID) {
		return
	}
	list, err := c.s.store.FAQ(conv.Site)
	if err != nil || len(list) == 0 {
		c.s.faqBot.giveBack(conv.ID)
		return
	}
	res := parley.MatchFAQ(parley.FAQFor(list, string(st.lang)), parley.Truncate(m.Text, parley.MaxFAQQuery))
	if len(res) == 0 {
		c.s.faqBot.giveBack(conv.ID)
		return
	}
	site, err := c.s.store.Site(conv.Site)
	if err != nil {
		c.s.faqBot.giveBack(conv.ID)
		return
	}
	best, l := res[0], st.lang
	text := l.T("While you wait for a person, this may help:") + "\n\n" + best.Question + "\n" + best.Answer
	a := store.Append{Site: conv.Site, Conv: conv.ID, Kind: parley.KindMessage,
		From:    parley.Author{Kind: parley.AuthorSite, Name: parley.Truncate(l.T("%s bot", site.Name), 100)},
		Text:    parley.Truncate(text, c.s.cfg.Limits.MaxTextRunes),
		Replies: []string{l.T(botHelped), l.T(botPerson)}}
	if _, err := c.s.store.Append(c.ctx, a); err != nil {
		c.s.faqBot.giveBack(conv.ID)
		if c.ctx.Err() == nil {
			c.s.log.Warn("faq: the bot's answer", "conv", conv.ID, "err", err)
		}
		return
	}
	c.faqShown(res[:1])
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// faqBots counts the bot's answers per conversation, in memory: a restart
// forgets them, which at worst lets the bot answer MaxBotAnswers more
// times.
type faqBots struct {
	mu sync.Mutex
	n  map[uint64]int
}

// maxBotConvs bounds faqBots: past it, the counts start over.
const maxBotConvs = 100_000

func (b *faqBots) take(conv uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n == nil || len(b.n) >= maxBotConvs {
		b.n = make(map[uint64]int)
	}
	if b.n[conv] >= MaxBotAnswers {
		return false
	}
	b.n[conv]++
	return true
}

func (b *faqBots) giveBack(conv uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n[conv] > 0 {
		b.n[conv]--
	}
}
