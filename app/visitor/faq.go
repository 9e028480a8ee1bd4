package visitor

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// FAQ suggestions: as the visitor types, the site's ready answers that
// match (the server matches: a faq frame) show above the composer; one
// opens in place, and "That helped" tells the shop.

// FAQMinRunes is how much the visitor types before suggestions are looked
// up.
const FAQMinRunes = 3

// FAQState is what the widget knows of the suggestions.
type FAQState struct {
	// Asked is the id of the faq frame awaiting its answer, and Q its text.
	Asked, Q string
	Results  []parley.FAQResult
	// Open is the entry whose answer shows; Helped those marked helpful;
	// Hidden is the text whose suggestions the visitor dismissed.
	Open   string
	Helped map[string]bool
	Hidden bool
}

// Want says which text to look up for what the composer holds, and
// whether to look up anything: nothing under FAQMinRunes or above
// MaxFAQQuery, nor the text already asked about.
func (s *FAQState) Want(text string) (string, bool) {
	q := strings.TrimSpace(text)
	n := utf8.RuneCountInString(q)
	if n < FAQMinRunes || n > parley.MaxFAQQuery {
		s.Results, s.Open, s.Q, s.Asked = nil, "", "", ""
		return "", false
	}
	if q == s.Q {
		return "", false
	}
	return q, true
}

// Apply takes the answer to the faq frame asked last; others are stale.
func (s *FAQState) Apply(f parley.Frame) bool {
	if f.ID == "" || f.ID != s.Asked {
		return false
	}
	s.Asked, s.Results, s.Hidden = "", f.Results, false
	if !s.has(s.Open) {
		s.Open = ""
	}
	return true
}

func (s *FAQState) has(entry string) bool {
	for _, r := range s.Results {
		if r.Entry == entry {
			return true
		}
	}
	return false
}

// Clear drops the suggestions: the message went.
func (s *FAQState) Clear() {
	s.Results, s.Open, s.Q, s.Asked, s.Hidden = nil, "", "", "", false
}

// FAQSuggestions renders the suggestions: a list of buttons, each opening
// its answer below it.
type FAQSuggestions struct {
	app.Compo

	Lang    i18n.Lang
	Results []parley.FAQResult
	Open    string
	Helped  map[string]bool

	OnToggle  func(ctx app.Context, entry string)
	OnHelpful func(ctx app.Context, entry string)
	OnDismiss func(ctx app.Context)
}

// FAQID is the suggestions' element id.
const FAQID = "faq"

// Render implements app.Composer.
func (s *FAQSuggestions) Render() app.UI {
	l := s.Lang
	if len(s.Results) == 0 {
		return app.Div().ID(FAQID).Class("faq faq-none")
	}
	return app.Section().ID(FAQID).Class("faq").Aria("labelledby", "faq-title").Body(
		app.Div().Class("faq-head").Body(
			app.H2().ID("faq-title").Class("faq-title").Text(l.T("Suggested answers")),
			app.Button().Type("button").Class("faq-dismiss").Aria("label", l.T("Hide suggestions")).Title(l.T("Hide suggestions")).
				Text("×").OnClick(func(ctx app.Context, e app.Event) {
				if s.OnDismiss != nil {
					s.OnDismiss(ctx)
				}
			}),
		),
		app.Ul().Class("faq-list").Body(
			app.Range(s.Results).Slice(func(i int) app.UI {
				r := s.Results[i]
				open := r.Entry == s.Open
				panelID := "faq-answer-" + r.Entry
				var answer app.UI = app.Span().Class("faq-answer-none")
				if open {
					var helped app.UI
					if s.Helped[r.Entry] {
						helped = app.P().Class("faq-thanks").Role("status").Text(l.T("Thanks! Glad it helped."))
					} else {
						helped = app.Button().Type("button").Class("faq-helped").Text(l.T("That helped")).
							OnClick(func(ctx app.Context, e app.Event) {
								if s.OnHelpful != nil {
									s.OnHelpful(ctx, r.Entry)
								}
							})
					}
					answer = app.Div().ID(panelID).Class("faq-answer").Body(
						app.P().Class("faq-answer-text").Body(ui.RichText(r.Answer)...),
						helped,
					)
				}
				q := app.Button().Type("button").Class("faq-question").Aria("expanded", "false")
				if open {
					q = q.Aria("expanded", "true").Aria("controls", panelID)
				}
				return app.Li().Class("faq-item").DataSet("entry", r.Entry).Body(
					q.Text(r.Question).
						OnClick(func(ctx app.Context, e app.Event) {
							if s.OnToggle != nil {
								s.OnToggle(ctx, r.Entry)
							}
						}),
					answer,
				)
			}),
		),
	)
}

// faqDelay is how long typing pauses before the suggestions are looked up.
const faqDelay = 300 * time.Millisecond

// onInput looks up suggestions for what the visitor types, once typing
// pauses for faqDelay.
func (w *Widget) onInput(ctx app.Context, text string) {
	w.faqText = text
	if _, ok := w.faq.Want(text); !ok {
		return
	}
	if w.faqLater {
		return
	}
	w.faqLater = true
	ctx.After(faqDelay, func(ctx app.Context) {
		w.faqLater = false
		q, ok := w.faq.Want(w.faqText)
		if !ok || w.cl == nil {
			return
		}
		if id, sent := w.cl.SendControl(parley.Frame{Type: parley.TypeFAQ, Q: q, Lang: string(w.lang)}); sent {
			w.faq.Asked, w.faq.Q = id, q
		}
		ctx.PreventUpdate()
	})
}

// faqView is the suggestions to show, nil for none.
func (w *Widget) faqView() *FAQSuggestions {
	if len(w.faq.Results) == 0 || w.faq.Hidden {
		return nil
	}
	return &FAQSuggestions{
		Lang: w.lang, Results: w.faq.Results, Open: w.faq.Open, Helped: w.faq.Helped,
		OnToggle: func(ctx app.Context, entry string) {
			if w.faq.Open == entry {
				w.faq.Open = ""
			} else {
				w.faq.Open = entry
			}
		},
		OnHelpful: func(ctx app.Context, entry string) {
			if w.faq.Helped == nil {
				w.faq.Helped = map[string]bool{}
			}
			w.faq.Helped[entry] = true
			if w.cl != nil {
				w.cl.SendControl(parley.Frame{Type: parley.TypeFAQEvent, Event: parley.FAQHelpful, Entry: entry})
			}
		},
		OnDismiss: func(ctx app.Context) {
			w.faq.Hidden = true
			ui.Focus(ui.ComposerID)
		},
	}
}
