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
}

const (
	// window is how many hits one index query takes while the status and
	// team filters drop some; maxScan bounds how many one page looks at.
	window  = 100
	maxScan = 2000
	// snippetBytes is about how much text a snippet shows.
	snippetBytes = 180
)

// Search returns a page of the entries matching q, best first. Each word of
// q.Text may match the text, the visitor's name or the email; an entry
// matching more words ranks higher.
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

	words := query.NewDisjunctionQuery(nil)
	for _, field := range []string{"text", "name", "email"} {
		m := query.NewMatchQuery(text)
		m.SetField(field)
		if field != "text" {
			m.SetBoost(0.5) // a contact match counts, a message's own words more
		}
		words.AddQuery(m)
	}
	sites := query.NewDisjunctionQuery(nil)
	for _, s := range q.Sites {
		t := query.NewTermQuery(s)
		t.SetField("site")
		sites.AddQuery(t)
	}
	filters := []query.Query{words, sites}
	if !q.From.IsZero() || !q.To.IsZero() {
		var lo, hi *float64
		if !q.From.IsZero() {
			v := float64(q.From.UnixMilli())
			lo = &v
		}
		if !q.To.IsZero() {
			v := float64(q.To.UnixMilli())
			hi = &v
		}
		incl, excl := true, false
		r := query.NewNumericRangeInclusiveQuery(lo, hi, &incl, &excl)
		r.SetField("at")
		filters = append(filters, r)
	}
	all := query.NewConjunctionQuery(filters)

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return page, errors.New("search: closed")
	}
	hl := highlighter{an: ix.idx.Mapping().AnalyzerNamed("parley"), terms: make(map[string]bool)}
	for _, t := range hl.an.Analyze([]byte(text)) {
		hl.terms[string(t.Term)] = true
	}
	convs := make(map[uint64]*parley.Conversation)
	scanned := 0
	for scanned < maxScan {
		req := bleve.NewSearchRequestOptions(all, window, offset, false)
		req.Fields = []string{"text", "author", "authorKind", "kind", "site", "at"}
		res, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return page, fmt.Errorf("search: %w", err)
		}
		page.Total = res.Total
		for i, h := range res.Hits {
			hit, ok := ix.hit(h, q, convs, &hl)
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

// hit turns a bleve hit into a SearchHit, with its conversation as it is
// now, or says it does not pass the filters.
func (ix *Index) hit(h *search.DocumentMatch, q Query, convs map[uint64]*parley.Conversation, hl *highlighter) (parley.SearchHit, bool) {
	conv, seq, ok := parseDocID(h.ID)
	if !ok {
		return parley.SearchHit{}, false
	}
	str := func(k string) string { s, _ := h.Fields[k].(string); return s }
	site := str("site")
	if !slices.Contains(q.Sites, site) {
		return parley.SearchHit{}, false // never out of scope, whatever the query
	}
	c, ok := convs[conv]
	if !ok {
		cv, err := ix.db.Conversation(conv)
		if err == nil && cv.Site == site {
			c = &cv
		}
		convs[conv] = c
	}
	if c == nil || (q.Status != "" && c.Status != q.Status) || (q.Team != "" && c.Team != q.Team) {
		return parley.SearchHit{}, false
	}
	kind := str("kind")
	if kind == "message" {
		kind = parley.KindMessage
	}
	at, _ := h.Fields["at"].(float64)
	text := str("text")
	return parley.SearchHit{
		Conv:        conv,
		Site:        site,
		Seq:         seq,
		Kind:        kind,
		Internal:    kind == parley.KindNote,
		From:        parley.Author{Kind: str("authorKind"), Name: str("author")},
		At:          int64(at),
		Snippet:     snippet(text, hl.spans(text)),
		Score:       h.Score,
		Status:      c.Status,
		Team:        c.Team,
		VisitorName: c.VisitorName,
		Email:       c.Email,
	}, true
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
