package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// Search calls GET /api/search: the messages and notes of the agent's
// sites matching q, best first; cursor is a page's Next, "" for the first.
func (a *API) Search(ctx context.Context, q, cursor string) (parley.SearchPage, error) {
	v := url.Values{"q": {q}}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	var p parley.SearchPage
	if err := a.do(ctx, http.MethodGet, "/api/search?"+v.Encode(), nil, &p); err != nil {
		return parley.SearchPage{}, err
	}
	return p, nil
}

// SearchPanel is the search box above the inbox, and its results in place
// of the inbox while there are some. It holds its own state: the query, the
// hits and whether a search is on its way.
type SearchPanel struct {
	app.Compo

	// Search runs a search, off the UI goroutine.
	Search func(ctx context.Context, q string) (parley.SearchPage, error)
	Now    time.Time

	query   string
	asked   string // the query the hits are for
	hits    []parley.SearchHit
	total   uint64
	busy    bool
	errText string
}

// Render implements app.Composer.
func (p *SearchPanel) Render() app.UI {
	var results app.UI = app.Span().Class("search-none")
	switch {
	case p.errText != "":
		results = app.P().Class("search-error").Role("alert").Text(p.errText)
	case p.asked != "":
		results = &SearchHits{Query: p.asked, Hits: p.hits, Total: p.total, Now: p.Now}
	}
	label := "Search"
	if p.busy {
		label = "Searching…"
	}
	return app.Div().Class("search").Body(
		app.Form().ID("search-form").Class("search-form").Role("search").OnSubmit(p.onSubmit).Body(
			app.Input().ID("search-q").Class("search-q").Type("search").Placeholder("Search all conversations").
				Aria("label", "Search all conversations").MaxLength(parley.MaxSearchQuery).
				Value(p.query).OnInput(p.onInput),
			app.Button().Class("button button-quiet").Type("submit").Disabled(p.busy).Text(label),
		),
		results,
	)
}

func (p *SearchPanel) onInput(ctx app.Context, e app.Event) {
	p.query = ctx.JSSrc().Get("value").String()
	if strings.TrimSpace(p.query) == "" {
		// An emptied box brings the inbox back.
		p.asked, p.hits, p.errText = "", nil, ""
	}
}

func (p *SearchPanel) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	q := strings.TrimSpace(p.query)
	if q == "" || p.busy || p.Search == nil {
		return
	}
	if utf8.RuneCountInString(q) > parley.MaxSearchQuery {
		p.errText = "A search is at most 200 characters."
		return
	}
	p.busy, p.errText = true, ""
	search := p.Search
	ctx.Async(func() {
		page, err := search(ctx, q)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			if err != nil {
				p.errText = parley.ErrorMessage(err)
				return
			}
			p.asked, p.hits, p.total = q, page.Hits, page.Total
		})
	})
}

// SearchHits lists the hits of a search, each a link to its conversation
// with the matching words highlighted.
type SearchHits struct {
	app.Compo

	Query string
	Hits  []parley.SearchHit
	Total uint64
	Now   time.Time
}

// Render implements app.Composer.
func (s *SearchHits) Render() app.UI {
	if len(s.Hits) == 0 {
		return app.P().Class("search-empty").Text("Nothing found for “" + s.Query + "”.")
	}
	return app.Div().Class("search-results").Body(
		app.P().Class("search-count").Text(searchCount(len(s.Hits), s.Total)),
		app.Ul().Class("search-list").Body(
			app.Range(s.Hits).Slice(func(i int) app.UI {
				return app.Li().Body(s.renderHit(s.Hits[i]))
			}),
		),
	)
}

func searchCount(shown int, total uint64) string {
	if uint64(shown) >= total {
		if shown == 1 {
			return "1 match"
		}
		return strconv.Itoa(shown) + " matches"
	}
	return "Best " + strconv.Itoa(shown) + " of " + strconv.FormatUint(total, 10) + " matches"
}

func (s *SearchHits) renderHit(h parley.SearchHit) app.UI {
	who := h.From.Name
	switch {
	case h.From.Kind == parley.AuthorVisitor:
		who = VisitorName(parley.Conversation{Visitor: 1, VisitorName: h.VisitorName})
		if h.VisitorName == "" {
			who = "Visitor"
		}
	case who == "":
		who = "Agent"
	}
	switch h.Kind {
	case parley.KindNote:
		who += " (note)"
	case parley.SearchConversation:
		who += " (contact, tags)" // the snippet is the contact line
	}
	pieces := parley.SplitMarks(h.Snippet)
	return app.A().Class("search-hit").Href(ConversationPath(h.Conv)).DataSet("conv", h.Conv).Body(
		app.Div().Class("inbox-row").Body(
			app.Span().Class("inbox-name").Text(who),
			app.Span().Class("inbox-time").Text(ui.ShortTime(time.UnixMilli(h.At), s.Now)),
		),
		// The snippet is never parsed as HTML: its pieces become text
		// nodes, the matches inside mark elements.
		app.Div().Class("search-snippet").Body(
			app.Range(pieces).Slice(func(i int) app.UI {
				piece := pieces[i]
				if piece.Mark {
					return app.Mark().Text(piece.Text)
				}
				return app.Text(piece.Text)
			}),
		),
	)
}
