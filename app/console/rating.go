package console

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// renderRating is what the visitor answered after the chat — "★★★★☆ 4/5
// “Quick and helpful”", "NPS 9" — or, while they have not, that the NPS
// question was asked. The comment is the visitor's text: rendered as text.
func renderRating(c parley.Conversation) app.UI {
	if c.Rating == nil && c.NPS == nil && !c.AskNPS {
		return app.Span().Class("conv-rating-none")
	}
	var parts []app.UI
	if r := c.Rating; r != nil {
		parts = append(parts, app.Span().ID("conv-rating").Class("conv-rating-csat").
			Title("The visitor's rating of this chat").Text(parley.RatingText(*r)))
	}
	switch {
	case c.NPS != nil:
		parts = append(parts, app.Span().ID("conv-nps").Class("conv-rating-nps").
			Title("The visitor's answer to the Net Promoter question").Text(parley.RatingText(*c.NPS)))
	case c.AskNPS:
		parts = append(parts, app.Span().ID("conv-nps").Class("conv-rating-nps conv-rating-asked").Text("NPS asked"))
	}
	return app.Div().Class("conv-rating").Body(parts...)
}

// renderInboxRating marks an inbox row with the visitor's rating: "★ 4",
// "👍", "NPS 9", the whole answer in its title.
func renderInboxRating(c parley.Conversation) app.UI {
	r := c.Rating
	if r == nil {
		r = c.NPS
	}
	if r == nil {
		return app.Span().Class("inbox-rating-none")
	}
	mark := "★ " + strconv.Itoa(r.Score)
	switch r.Scale {
	case parley.ScaleThumbs:
		mark = "👎"
		if r.Score == 1 {
			mark = "👍"
		}
	case parley.ScaleNPS:
		mark = "NPS " + strconv.Itoa(r.Score)
	}
	title := parley.RatingText(*r)
	if c.Rating != nil && c.NPS != nil {
		title += " · " + parley.RatingText(*c.NPS)
	}
	return app.Div().Class("inbox-row inbox-rating").Title(title).Aria("label", "Rated "+title).Text(mark)
}
