package parley

import "strings"

// Search limits: a query is at most MaxSearchQuery characters, a page at
// most MaxSearchPage hits.
const (
	MaxSearchQuery = 200
	SearchPageSize = 20
	MaxSearchPage  = 50
)

// SearchHit is one entry that matched a search: GET /api/search.
type SearchHit struct {
	Conv     uint64 `json:"conv"`
	Site     string `json:"site"`
	Seq      uint64 `json:"seq"`
	Kind     string `json:"kind,omitempty"` // KindMessage, KindNote or SearchConversation
	Internal bool   `json:"internal,omitempty"`
	From     Author `json:"from"`
	At       int64  `json:"at"` // Unix ms
	// Snippet is the matching part of the text, HTML-escaped, with every
	// match inside <mark>…</mark>: the only markup it ever holds. Render it
	// with SplitMarks, never as HTML.
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
	// The conversation as it is now: its status, team and contact.
	Status      string `json:"status"`
	Team        string `json:"team,omitempty"`
	VisitorName string `json:"visitorName,omitempty"`
	Email       string `json:"email,omitempty"`
}

// SearchPage is a page of hits, best first; Next is the cursor of the next
// page, empty after the last.
type SearchPage struct {
	Hits  []SearchHit `json:"hits"`
	Next  string      `json:"next"`
	Total uint64      `json:"total"` // matches before the status and team filters
}

// Marked is a piece of a snippet: text, highlighted or not.
type Marked struct {
	Text string
	Mark bool
}

// SplitMarks cuts a snippet into plain and highlighted pieces and undoes
// its HTML escaping, so that a client renders each piece as a text node
// (inside a mark element when Mark) and never parses server data as HTML.
func SplitMarks(snippet string) []Marked {
	var out []Marked
	for snippet != "" {
		i := strings.Index(snippet, "<mark>")
		if i < 0 {
			out = append(out, Marked{Text: unescapeHTML(snippet)})
			break
		}
		if i > 0 {
			out = append(out, Marked{Text: unescapeHTML(snippet[:i])})
		}
		snippet = snippet[i+len("<mark>"):]
		j := strings.Index(snippet, "</mark>")
		if j < 0 {
			j = len(snippet)
		}
		out = append(out, Marked{Text: unescapeHTML(snippet[:j]), Mark: true})
		snippet = strings.TrimPrefix(snippet[j:], "</mark>")
	}
	return out
}

// unescapeHTML undoes html.EscapeString, the only escaping snippets get;
// html is not imported here to keep the wasm small.
var htmlUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&amp;", "&")

func unescapeHTML(s string) string { return htmlUnescaper.Replace(s) }

// SearchConversation is the Kind of a hit on a conversation's contact or
// tags rather than on one of its entries: its Seq is the conversation's
// newest entry and its Snippet the contact line.
const SearchConversation = "conversation"
