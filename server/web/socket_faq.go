package web

import (
	"context"
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

// DefaultFAQBotDelay is how long the bot waits before it answers: a chat
// the router gives to an agent meanwhile gets no bot answer.
const DefaultFAQBotDelay = 2 * time.Second

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
	list, err := c.s.faqEntries(c.site)
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
	// Every visitor message comes here, on the hot path: what costs (the
	// bot's quick replies in seven languages, the visitor's language from
	// the store, a timer) waits until it can matter.
	pending := c.faq != nil && len(c.faq.pending) > 0
	answered := c.s.faqBot.answered(conv.ID)
	if pending || answered != "" {
		counter := store.FAQAsked
		if isBotReply(m.Text, botHelped) {
			counter = store.FAQHelpful
		}
		if pending {
			c.recordFAQ(counter, keys(c.faq.pending))
			clear(c.faq.pending)
		}
		if answered != "" {
			if err := c.s.store.RecordFAQ(conv.Site, time.Now(), counter, answered); err != nil {
				c.s.log.Warn("faq: recording", "site", conv.Site, "err", err)
			}
		}
	}
	if conv.Assignee != 0 {
		return
	}
	// A site without entries has nothing for the bot to say.
	if list, err := c.s.faqEntries(conv.Site); err != nil || len(list) == 0 {
		return
	}
	if isBotReply(m.Text, botHelped) || isBotReply(m.Text, botPerson) {
		return
	}
	lang := i18n.EN
	if c.faq != nil {
		lang = c.faq.lang
	} else if _, ctx, err := c.s.store.VisitorWithContext(c.visitor.ID); err == nil && ctx.Language != "" {
		lang = i18n.Match(ctx.Language)
	}
	c.s.faqBot.schedule(conv.ID, c.s.cfg.FAQBotDelay, func() { c.s.botAnswer(conv.ID, m.Text, lang) })
}

// botAnswer is the bot's answer to text in conversation id, if nobody has
// it yet — in a queue, or the site (or its team) closed — the bot has
// answered fewer than MaxBotAnswers times there, and an entry matches.
func (s *Server) botAnswer(id uint64, text string, lang i18n.Lang) {
	conv, err := s.store.Conversation(id)
	if err != nil || conv.Assignee != 0 || !conv.IsOpen() {
		return
	}
	closed := s.avail.stateOf(conv.Site).open.ForTeam(conv.Team)
	if conv.Status != parley.StatusQueued && (closed == nil || closed.Open) {
		return // not waiting in a queue, and someone answers now
	}
	list, err := s.faqEntries(conv.Site)
	if err != nil || len(list) == 0 {
		return
	}
	res := parley.MatchFAQ(parley.FAQFor(list, string(lang)), parley.Truncate(text, parley.MaxFAQQuery))
	if len(res) == 0 {
		return
	}
	site, err := s.store.Site(conv.Site)
	if err != nil {
		return
	}
	best := res[0]
	if !s.faqBot.take(id, best.Entry) {
		return
	}
	body := lang.T("While you wait for a person, this may help:") + "\n\n" + best.Question + "\n" + best.Answer
	a := store.Append{Site: conv.Site, Conv: conv.ID, Kind: parley.KindMessage,
		From:    parley.Author{Kind: parley.AuthorSite, Name: parley.Truncate(lang.T("%s bot", site.Name), 100)},
		Text:    parley.Truncate(body, s.cfg.Limits.MaxTextRunes),
		Replies: []string{lang.T(botHelped), lang.T(botPerson)}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.store.Append(ctx, a); err != nil {
		s.faqBot.giveBack(id)
		s.log.Warn("faq: the bot's answer", "conv", id, "err", err)
		return
	}
	if err := s.store.RecordFAQ(conv.Site, time.Now(), store.FAQShown, best.Entry); err != nil {
		s.log.Warn("faq: recording", "site", conv.Site, "err", err)
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// faqBots is the bot's memory, per conversation: how often it answered,
// and the entry of its last answer until the visitor's next message says
// what came of it. It is in memory: a restart forgets it, which at worst
// lets the bot answer MaxBotAnswers more times.
type faqBots struct {
	mu      sync.Mutex
	convs   map[uint64]*botConv
	timers  map[*time.Timer]struct{}
	stopped bool
}

type botConv struct {
	n       int
	pending string
}

// maxBotConvs bounds faqBots: past it, the memory starts over.
const maxBotConvs = 100_000

// schedule runs answer after delay (the router may give the chat to an
// agent meanwhile: then the bot keeps quiet), unless the server stops.
func (b *faqBots) schedule(conv uint64, delay time.Duration, answer func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	if b.timers == nil {
		b.timers = make(map[*time.Timer]struct{})
	}
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		b.mu.Lock()
		_, live := b.timers[t]
		delete(b.timers, t)
		b.mu.Unlock()
		if live {
			answer()
		}
	})
	b.timers[t] = struct{}{}
}

// stop cancels the answers not yet given.
func (b *faqBots) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	for t := range b.timers {
		t.Stop()
	}
	clear(b.timers)
}

// take counts an answer with entry, false when conv had its share.
func (b *faqBots) take(conv uint64, entry string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.convs == nil || len(b.convs) >= maxBotConvs {
		b.convs = make(map[uint64]*botConv)
	}
	bc := b.convs[conv]
	if bc == nil {
		bc = &botConv{}
		b.convs[conv] = bc
	}
	if bc.n >= MaxBotAnswers {
		return false
	}
	bc.n++
	bc.pending = entry
	return true
}

func (b *faqBots) giveBack(conv uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bc := b.convs[conv]; bc != nil && bc.n > 0 {
		bc.n--
		bc.pending = ""
	}
}

// answered returns the entry of the bot's last answer in conv that no
// message of the visitor followed yet, and forgets it.
func (b *faqBots) answered(conv uint64) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	bc := b.convs[conv]
	if bc == nil {
		return ""
	}
	e := bc.pending
	bc.pending = ""
	return e
}

// faqCache keeps the sites' FAQ entries read for visitors: a lookup per
// pause in typing would otherwise decode up to 200 answers from the store
// each time. PUT /api/sites/{id}/faq drops a site's copy.
type faqCache struct {
	mu    sync.Mutex
	gen   uint64
	sites map[string][]parley.FAQEntry
}

// faqEntries returns site's FAQ entries, from the cache when it has them.
func (s *Server) faqEntries(site string) ([]parley.FAQEntry, error) {
	c := &s.faqCache
	c.mu.Lock()
	list, ok := c.sites[site]
	gen := c.gen
	c.mu.Unlock()
	if ok {
		return list, nil
	}
	list, err := s.store.FAQ(site)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		if c.sites == nil || len(c.sites) >= maxFAQCacheSites {
			c.sites = make(map[string][]parley.FAQEntry)
		}
		c.sites[site] = list
	}
	return list, nil
}

// maxFAQCacheSites bounds faqCache: past it, the cache starts over.
const maxFAQCacheSites = 10_000

// faqChanged drops site's cached entries.
func (s *Server) faqChanged(site string) {
	c := &s.faqCache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.sites, site)
}
