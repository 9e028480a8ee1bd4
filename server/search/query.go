package search

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/parley-chat/parley/app/parley"
)

// Query is one search. The caller checks who asks: Sites are the sites the
// agent is a member of (or the one of them they chose), and nothing outside
// them is ever returned.
type Query struct {
	Text  string
	Sites []string
	// Team and Status filter on the conversation as it is now, not as it
	// was when the entry was written.
	Team, Status string
	// From and To bound the entry's time; zero means unbounded. To is
	// exclusive.
	From, To time.Time
	Limit    int
	// Cursor is a page's Next, "" for the first page.
	Cursor string
	// Tag keeps the conversations carrying it; so does tag:name in Text.
	Tag string
}

const (
	// window is how many hits one index query takes while the status and
	// team filters drop some; maxScan bounds how many one page looks at.
	window  = 100
	maxScan = 2000
	// snippetBytes is about how much text a snippet shows.
	snippetBytes = 180
)

// Search returns a page of the entries and conversations matching q, best
// first. Each word of q.Text may match a message's or a note's text, or a
// conversation's visitor name, email or tags (a conversation hit); a hit
// matching more words ranks higher. A word tag:name keeps the
// conversations tagged name; alone, it finds them.
func (ix *Index) Search(ctx context.Context, q Query) (parley.SearchPage, error) {
	page := parley.SearchPage{Hits: []parley.SearchHit{}}
	text := strings.TrimSpace(q.Text)
	if text == "" || len(q.Sites) == 0 {
		return page, nil
	}
	if utf8.RuneCountInString(text) > parley.MaxSearchQuery {
		return page, parley.Errorf(parley.EInvalid, "The search is longer than %d characters.", parley.MaxSearchQuery)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = parley.SearchPageSize
	}
	limit = min(limit, parley.MaxSearchPage)
	offset := 0
	if q.Cursor != "" {
		n, err := strconv.Atoi(q.Cursor)
		if err != nil || n < 0 {
			return page, parley.Errorf(parley.EInvalid, "The cursor is not one this server gave.")
		}
		offset = n
	}

	words, tags, err := parseText(text)
	if err != nil {
		return page, err
	}
	if q.Tag != "" {
		t, err := parley.NormalizeTag(q.Tag)
		if err != nil {
			return page, parley.Errorf(parley.EInvalid, "tag: %s", parley.ErrorMessage(err))
		}
		tags = append(tags, t)
	}
	var content query.Query
	if words != "" {
		// A message's words, or its conversation's contact and tags.
		msg := query.NewMatchQuery(words)
		msg.SetField("text")
		var inMsg query.Query = msg
		if days := dayRange(q.From, q.To); days != nil {
			inMsg = query.NewConjunctionQuery([]query.Query{msg, days})
		}
		contact := query.NewDisjunctionQuery(nil)
		for _, field := range []string{"name", "email", "tags"} {
			m := query.NewMatchQuery(words)
			m.SetField(field)
			contact.AddQuery(m)
		}
		contact.SetBoost(0.5) // a contact match counts, a message's own words more
		content = query.NewDisjunctionQuery([]query.Query{inMsg, contact})
	} else {
		// Only tags: their conversations.
		var all []query.Query
		for _, t := range tags {
			tq := query.NewTermQuery(t)
			tq.SetField("tag")
			all = append(all, tq)
		}
		content = query.NewConjunctionQuery(all)
	}
	sites := query.NewDisjunctionQuery(nil)
	for _, s := range q.Sites {
		t := query.NewTermQuery(s)
		t.SetField("site")
		sites.AddQuery(t)
	}
	all := query.NewConjunctionQuery([]query.Query{content, sites})

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return page, errors.New("search: closed")
	}
	hl := highlighter{an: ix.idx.Mapping().AnalyzerNamed("parley"), terms: make(map[string]bool)}
	for _, t := range hl.an.Analyze([]byte(words)) {
		hl.terms[string(t.Term)] = true
	}
	for _, t := range tags {
		for _, w := range hl.an.Analyze([]byte(t)) {
			hl.terms[string(w.Term)] = true
		}
	}
	f := filter{Query: q, tags: tags, convs: make(map[uint64]*parley.Conversation)}
	scanned := 0
	for scanned < maxScan {
		req := bleve.NewSearchRequestOptions(all, window, offset, false)
		req.Fields = []string{"edited"} // an edited message's text
		res, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return page, fmt.Errorf("search: %w", err)
		}
		page.Total = res.Total
		for i, h := range res.Hits {
			hit, ok := ix.hit(h, &f, &hl)
			if !ok {
				continue
			}
			page.Hits = append(page.Hits, hit)
			if len(page.Hits) == limit {
				if uint64(offset+i+1) < res.Total {
					page.Next = strconv.Itoa(offset + i + 1)
				}
				return page, nil
			}
		}
		offset += len(res.Hits)
		scanned += len(res.Hits)
		if len(res.Hits) < window || uint64(offset) >= res.Total {
			return page, nil
		}
	}
	// The filters dropped most of what was scanned: the client may go on.
	page.Next = strconv.Itoa(offset)
	return page, nil
}

// parseText splits a search into its words and its tag:name filters.
func parseText(text string) (words string, tags []string, err error) {
	var rest []string
	for _, w := range strings.Fields(text) {
		name, ok := strings.CutPrefix(strings.ToLower(w), "tag:")
		if !ok || name == "" {
			rest = append(rest, w)
			continue
		}
		t, err := parley.NormalizeTag(name)
		if err != nil {
			return "", nil, parley.Errorf(parley.EInvalid, "tag: %s", parley.ErrorMessage(err))
		}
		tags = append(tags, t)
	}
	return strings.Join(rest, " "), tags, nil
}

// dayRange is the days from and to span, as a term range over the
// documents' day; nil without bounds. The entry's exact time is checked
// afterwards.
func dayRange(from, to time.Time) query.Query {
	if from.IsZero() && to.IsZero() {
		return nil
	}
	lo, hi := "", ""
	if !from.IsZero() {
		lo = dayOf(from.UnixMilli())
	}
	if !to.IsZero() {
		hi = dayOf(to.UnixMilli() - 1) // to is exclusive
	}
	incl := true
	r := query.NewTermRangeInclusiveQuery(lo, hi, &incl, &incl)
	r.SetField("day")
	return r
}

// filter is a query's filters, with the conversations read so far.
type filter struct {
	Query
	tags  []string
	convs map[uint64]*parley.Conversation
}

// conv returns conversation id as it is now, if it passes the filters.
func (ix *Index) conv(id uint64, f *filter) (*parley.Conversation, bool) {
	c, ok := f.convs[id]
	if !ok {
		if cv, err := ix.db.Conversation(id); err == nil {
			c = &cv
		}
		f.convs[id] = c
	}
	if c == nil || !slices.Contains(f.Sites, c.Site) {
		return nil, false // never out of scope, whatever the query
	}
	if (f.Status != "" && c.Status != f.Status) || (f.Team != "" && c.Team != f.Team) {
		return nil, false
	}
	for _, t := range f.tags {
		if !c.HasTag(t) {
			return nil, false
		}
	}
	return c, true
}

func (f *filter) inTime(ms int64) bool {
	return (f.From.IsZero() || ms >= f.From.UnixMilli()) && (f.To.IsZero() || ms < f.To.UnixMilli())
}

// hit turns a bleve hit into a SearchHit, with its conversation as it is
// now and, for a message, the message as the store has it, or says it
// does not pass the filters.
func (ix *Index) hit(h *search.DocumentMatch, f *filter, hl *highlighter) (parley.SearchHit, bool) {
	convID, seq, ok := parseDocID(h.ID)
	if !ok {
		return parley.SearchHit{}, false
	}
	c, ok := ix.conv(convID, f)
	if !ok {
		return parley.SearchHit{}, false
	}
	out := parley.SearchHit{
		Conv:        convID,
		Site:        c.Site,
		Score:       h.Score,
		Status:      c.Status,
		Team:        c.Team,
		VisitorName: c.VisitorName,
		Email:       c.Email,
	}
	if seq == 0 {
		// The conversation: its contact and tags, and its newest entry.
		at := c.Updated.UnixMilli()
		if !f.inTime(at) {
			return parley.SearchHit{}, false
		}
		line := contactLine(c)
		out.Seq, out.Kind, out.At = c.LastSeq, parley.SearchConversation, at
		out.From = parley.Author{Kind: parley.AuthorVisitor, ID: c.Visitor, Name: c.VisitorName}
		out.Snippet = snippet(line, hl.spans(line))
		return out, true
	}
	var m parley.Message
	found := false
	err := ix.db.Messages(convID, seq-1, 1, func(frame []byte) error {
		fr, err := parley.DecodeFrame(frame)
		if err == nil && fr.Seq == seq {
			m, found = fr.ToMessage(), true
		}
		return err
	})
	if err != nil || !found || m.Deleted || !f.inTime(m.At) {
		return parley.SearchHit{}, false // the index lags the store
	}
	text := m.Text
	if s, ok := h.Fields["edited"].(string); ok {
		text = s // edited
	}
	out.Seq, out.Kind, out.Internal = seq, m.Kind, m.Kind == parley.KindNote
	out.From, out.At = m.From, m.At
	out.Snippet = snippet(text, hl.spans(text))
	return out, true
}

// contactLine is what a conversation's hit shows: the visitor's name and
// email, and the tags.
func contactLine(c *parley.Conversation) string {
	var parts []string
	for _, p := range []string{c.VisitorName, c.Email} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(c.Tags) > 0 {
		parts = append(parts, "tags: "+strings.Join(c.Tags, ", "))
	}
	return strings.Join(parts, " · ")
}

// span is a match: byte offsets into the text.
type span struct{ start, end int }

// highlighter finds the query's words in a text by analyzing it as the
// index did: the same words match, whatever their case.
type highlighter struct {
	an    analysis.Analyzer
	terms map[string]bool
}

func (hl *highlighter) spans(text string) []span {
	if hl.an == nil {
		return nil
	}
	var out []span
	for _, t := range hl.an.Analyze([]byte(text)) {
		if hl.terms[string(t.Term)] {
			out = append(out, span{t.Start, t.End})
		}
	}
	return out
}

// snippet is the part of text around its first match, HTML-escaped, with
// each match in <mark>…</mark>: the only markup it holds, so that visitor
// text stays text. Without a match (a hit on the name or the email) it is
// the start of the text.
func snippet(text string, matches []span) string {
	slices.SortFunc(matches, func(a, b span) int { return a.start - b.start })
	// Drop what does not fit the text and what overlaps the previous.
	kept := matches[:0]
	for _, m := range matches {
		if m.start < 0 || m.end > len(text) || m.start >= m.end {
			continue
		}
		if len(kept) > 0 && m.start < kept[len(kept)-1].end {
			continue
		}
		kept = append(kept, m)
	}
	from := 0
	if len(kept) > 0 && kept[0].start > snippetBytes/3 {
		from = kept[0].start - snippetBytes/3
		// Start at a word when one is near, and never inside a rune.
		if i := strings.IndexByte(text[from:kept[0].start], ' '); i >= 0 {
			from += i + 1
		}
		for from < len(text) && !utf8.RuneStart(text[from]) {
			from++
		}
	}
	to := min(len(text), from+snippetBytes)
	if len(kept) > 0 && kept[0].end > to {
		to = kept[0].end
	}
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to++
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, m := range kept {
		if m.start < from {
			continue
		}
		if m.end > to {
			break
		}
		b.WriteString(html.EscapeString(text[at:m.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[m.start:m.end]))
		b.WriteString("</mark>")
		at = m.end
	}
	b.WriteString(html.EscapeString(text[at:to]))
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String()
}
