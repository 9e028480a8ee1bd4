package visitor

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// Element ids of the questions after a resolved chat; browser tests use
// them. A score's button is FeedbackScoreID(kind, n).
const (
	FeedbackID         = "feedback"
	FeedbackQuestionID = "feedback-question"
	FeedbackCommentID  = "feedback-comment"
	FeedbackSendID     = "feedback-send"
	FeedbackThanksID   = "feedback-thanks"
)

// Texts of the feedback's problems, translated when shown.
const (
	FeedbackOffline = "You're offline. Try again once the chat reconnects."
	FeedbackFailed  = "Your answer could not be sent."
)

// FeedbackScoreID is the id of the button that answers kind with n.
func FeedbackScoreID(kind string, n int) string {
	return "feedback-" + kind + "-" + strconv.Itoa(n)
}

// FeedbackStep is what the widget asks under a conversation.
type FeedbackStep int

const (
	FeedbackNone   FeedbackStep = iota
	FeedbackCSAT                // the satisfaction rating
	FeedbackNPS                 // the Net Promoter question, asked by the server
	FeedbackThanks              // answered
)

// Feedback is the widget's side of the questions after a resolved chat:
// the score chosen while a comment is being written, the answer in
// flight and the server's refusal of it. What was answered comes with
// the conversation (its rating and nps); the server decides whether NPS
// is asked (askNps). It does no IO.
type Feedback struct {
	// Conv is the conversation the choice is about; Kind and Score are
	// the answer chosen (Chosen) while the comment is written.
	Conv    uint64
	Kind    string
	Score   int
	Chosen  bool
	Comment string
	// Problem is the server's refusal of the last answer.
	Problem string

	pending     string
	pendingKind string
	// sent are the kinds answered on Conv, thanked for before the
	// conversation comes back with them.
	sent map[string]bool
}

// Step says what to ask under conversation c (the visitor's copy) on a
// site with settings s.
func (f *Feedback) Step(s *parley.WidgetRatings, c parley.Conversation) FeedbackStep {
	if s == nil || c.ID == 0 || c.Status != parley.StatusResolved {
		return FeedbackNone
	}
	sent := func(kind string) bool { return f.Conv == c.ID && f.sent[kind] }
	switch {
	case s.CSAT && c.Rating == nil && !sent(parley.RatingCSAT):
		return FeedbackCSAT
	case c.AskNPS && c.NPS == nil && !sent(parley.RatingNPS):
		return FeedbackNPS
	case c.Rating != nil || c.NPS != nil || sent(parley.RatingCSAT) || sent(parley.RatingNPS):
		return FeedbackThanks
	}
	return FeedbackNone
}

// Choose is a tap on a score of kind in conversation conv. With a comment
// to offer the choice waits for it; otherwise it goes at once (send).
func (f *Feedback) Choose(conv uint64, kind string, score int, comment bool) (send bool) {
	if f.Conv != conv {
		*f = Feedback{Conv: conv}
	}
	f.Kind, f.Score, f.Chosen, f.Problem = kind, score, true, ""
	return !comment
}

// Frame is the rate frame of the chosen answer.
func (f *Feedback) Frame() parley.Frame {
	score := f.Score
	return parley.Frame{Type: parley.TypeRate, Conv: f.Conv, Kind: f.Kind, Score: &score, Text: f.Comment}
}

// Sent records the answer the client took (id), or that it could not
// (offline, ok false).
func (f *Feedback) Sent(id string, ok bool) {
	if !ok {
		f.Problem = FeedbackOffline
		return
	}
	if f.sent == nil {
		f.sent = make(map[string]bool)
	}
	f.sent[f.Kind] = true
	f.pending, f.pendingKind = id, f.Kind
	f.Chosen, f.Comment, f.Problem = false, "", ""
}

// Apply takes the server's refusal of the answer in flight: the question
// comes back with why. It reports whether fr was that.
func (f *Feedback) Apply(fr parley.Frame) bool {
	if fr.Type != parley.TypeError || fr.ID == "" || fr.ID != f.pending {
		return false
	}
	delete(f.sent, f.pendingKind)
	f.pending, f.Problem = "", fr.Message
	if f.Problem == "" {
		f.Problem = FeedbackFailed
	}
	return true
}

// FeedbackPrompt draws the question under the conversation: the stars or
// thumbs, the Net Promoter scale, the optional comment, or the thanks.
type FeedbackPrompt struct {
	app.Compo

	Lang     i18n.Lang
	Step     FeedbackStep
	Settings parley.WidgetRatings
	// Assignee is the agent who answered, named in the question.
	Assignee string
	State    Feedback

	OnChoose  func(ctx app.Context, kind string, score int)
	OnComment func(ctx app.Context, text string)
	OnSubmit  func(ctx app.Context)
}

// Render implements app.Composer.
func (p *FeedbackPrompt) Render() app.UI {
	l := p.Lang
	root := app.Section().ID(FeedbackID).Class("feedback")
	if p.Step == FeedbackThanks {
		return root.Body(app.P().ID(FeedbackThanksID).Class("feedback-thanks").Role("status").
			Text(l.T("Thanks for your feedback!")))
	}
	kind, question := parley.RatingCSAT, l.T("How was your chat?")
	if p.Assignee != "" {
		question = l.T("How was your chat with %s?", p.Assignee)
	}
	if p.Step == FeedbackNPS {
		kind = parley.RatingNPS
		question = p.Settings.Question
		if question == "" {
			question = l.T("How likely are you to recommend %s to a friend?", p.Settings.SiteName)
		}
	}
	st := p.State
	chosen := func(n int) bool { return st.Chosen && st.Kind == kind && st.Score == n }
	onChoose := p.OnChoose
	button := func(n int, class, label, text string) app.UI {
		if chosen(n) {
			class += " feedback-chosen"
		}
		return app.Button().ID(FeedbackScoreID(kind, n)).Class(class).Type("button").
			Aria("label", label).Aria("pressed", chosen(n)).Title(label).
			OnClick(func(ctx app.Context, e app.Event) {
				if onChoose != nil {
					onChoose(ctx, kind, n)
				}
			}).
			Text(text)
	}
	var buttons []app.UI
	var scale app.UI
	switch {
	case kind == parley.RatingNPS:
		for n := 0; n <= 10; n++ {
			buttons = append(buttons, button(n, "feedback-nps", l.T("%d out of 10", n), strconv.Itoa(n)))
		}
		scale = app.Div().Class("feedback-scale feedback-scale-nps").Body(
			app.Div().Class("feedback-row").Role("group").Aria("labelledby", FeedbackQuestionID).Body(buttons...),
			app.Div().Class("feedback-ends").Body(
				app.Span().Text(l.T("Not likely")),
				app.Span().Text(l.T("Very likely")),
			),
		)
	case p.Settings.Scale == parley.ScaleThumbs:
		scale = app.Div().Class("feedback-scale feedback-row").Role("group").Aria("labelledby", FeedbackQuestionID).Body(
			button(1, "feedback-thumb", l.T("Thumbs up"), "👍"),
			button(0, "feedback-thumb", l.T("Thumbs down"), "👎"),
		)
	default:
		for n := 1; n <= 5; n++ {
			class := "feedback-star"
			if st.Chosen && st.Kind == kind && n <= st.Score {
				class += " feedback-star-on"
			}
			buttons = append(buttons, button(n, class, l.N(n, "%d star", "%d stars", n), "★"))
		}
		scale = app.Div().Class("feedback-scale feedback-row").Role("group").Aria("labelledby", FeedbackQuestionID).Body(buttons...)
	}
	var comment app.UI = app.Span().Class("feedback-comment-none")
	if st.Chosen && st.Kind == kind {
		onComment, onSubmit := p.OnComment, p.OnSubmit
		comment = app.Form().Class("feedback-form").NoValidate(true).
			OnSubmit(func(ctx app.Context, e app.Event) {
				e.PreventDefault()
				if onSubmit != nil {
					onSubmit(ctx)
				}
			}).
			Body(
				app.Label().For(FeedbackCommentID).Class("prechat-label").Text(l.T("Anything to add? (optional)")),
				app.Textarea().ID(FeedbackCommentID).Class("prechat-input feedback-comment").
					MaxLength(parley.MaxRatingComment).Rows(2).Text(st.Comment).
					OnInput(func(ctx app.Context, e app.Event) {
						if onComment != nil {
							onComment(ctx, ctx.JSSrc().Get("value").String())
						}
					}),
				app.Button().ID(FeedbackSendID).Class("prechat-send").Type("submit").Text(l.T("Send feedback")),
			)
	}
	var problem app.UI = app.Span().Class("feedback-problem-none")
	if st.Problem != "" {
		problem = app.P().Class("feedback-problem").Role("alert").Text(l.T(st.Problem))
	}
	return root.Aria("labelledby", FeedbackQuestionID).Body(
		app.P().ID(FeedbackQuestionID).Class("feedback-question").Text(question),
		scale,
		comment,
		problem,
	)
}

// feedbackPrompt is the question under the shown conversation, nil when
// there is none to ask or thank for.
func (w *Widget) feedbackPrompt() *FeedbackPrompt {
	s := w.settings.Ratings
	if s == nil || w.chat.Conv == 0 {
		return nil
	}
	conv, _ := w.chats.Home.Conversation(w.chat.Conv)
	step := w.feedback.Step(s, conv)
	if step == FeedbackNone {
		return nil
	}
	st := w.feedback
	if st.Conv != conv.ID {
		st = Feedback{}
	}
	return &FeedbackPrompt{
		Lang:      w.lang,
		Step:      step,
		Settings:  *s,
		Assignee:  conv.AssigneeName,
		State:     st,
		OnChoose:  w.onFeedbackChoose,
		OnComment: w.onFeedbackComment,
		OnSubmit:  w.onFeedbackSubmit,
	}
}

func (w *Widget) onFeedbackChoose(ctx app.Context, kind string, score int) {
	s := w.settings.Ratings
	if s == nil || w.chat.Conv == 0 {
		return
	}
	if w.feedback.Choose(w.chat.Conv, kind, score, s.Comment) {
		w.sendFeedback()
		return
	}
	ctx.Defer(func(ctx app.Context) {
		ui.Focus(FeedbackCommentID)
		ui.ScrollToBottom(ui.ScrollerID)
	})
}

func (w *Widget) onFeedbackComment(ctx app.Context, text string) {
	w.feedback.Comment = text
	ctx.PreventUpdate()
}

func (w *Widget) onFeedbackSubmit(ctx app.Context) {
	if w.feedback.Chosen {
		w.sendFeedback()
	}
}

// sendFeedback sends the chosen answer; the thanks show at once, the
// question again if the server refuses it.
func (w *Widget) sendFeedback() {
	if w.cl == nil {
		w.feedback.Sent("", false)
		return
	}
	id, ok := w.cl.SendControl(w.feedback.Frame())
	w.feedback.Sent(id, ok)
}
