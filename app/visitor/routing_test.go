package visitor_test

import (
	"reflect"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

var (
	ola  = &parley.Author{Kind: parley.AuthorAgent, ID: 2, Name: "Ola Nowak"}
	site = &parley.Author{Kind: parley.AuthorSite}
	form = &parley.WidgetPreChat{Topic: parley.FieldRequired, Name: parley.FieldOptional, Email: parley.FieldRequired,
		Topics: []parley.Topic{{ID: "returns", Name: "Returns"}, {ID: "advice", Name: "Product advice"}}}
)

func event(conv, seq uint64, name string, to *parley.Author, text string) parley.Frame {
	f := msgFrame(conv, seq, "", site, text)
	f.Kind, f.Event, f.To = parley.KindEvent, name, to
	return f
}

func queueFrame(conv uint64, position, online int, estimate *int) parley.Frame {
	return parley.Frame{Type: parley.TypeQueue, Conv: conv,
		Queue: &parley.QueueStatus{Position: position, Estimate: estimate, Online: online}}
}

// TestChatQueueThenAssigned: the wait line follows the queue frames until
// someone joins; then the header names them, a late queue frame changes
// nothing, and back in the queue the line returns.
func TestChatQueueThenAssigned(t *testing.T) {
	c := visitor.NewChat()
	c.Apply(welcome(conv(7, 1, 1, parley.StatusQueued)), t0)
	c.Apply(msgFrame(7, 1, "a", me, "hi"), t0)
	if got := c.WaitLine(); got != visitor.WaitingText {
		t.Errorf("queued, no queue frame yet: WaitLine = %q, want %q", got, visitor.WaitingText)
	}
	c.Apply(queueFrame(7, 3, 2, secs(240)), t0)
	if got, want := c.WaitLine(), "You're 3rd in line — about 4 min"; got != want {
		t.Errorf("WaitLine = %q, want %q", got, want)
	}
	c.Apply(queueFrame(7, 2, 0, nil), t0)
	if got := c.WaitLine(); got != visitor.NobodyOnlineText {
		t.Errorf("nobody online: WaitLine = %q, want %q", got, visitor.NobodyOnlineText)
	}
	if open, known := c.OpenConversation(); !open || !known {
		t.Errorf("OpenConversation = %v, %v for a queued one; want true, true", open, known)
	}

	eff := c.Apply(event(7, 2, parley.EventAssigned, ola, "Ola Nowak joined"), t0)
	if c.Assignee != "Ola Nowak" || c.WaitLine() != "" {
		t.Errorf("after assigned: Assignee %q, WaitLine %q; want Ola Nowak and none", c.Assignee, c.WaitLine())
	}
	if len(eff.Announce) != 0 || c.Unread() != 0 || c.AgentReplied() {
		t.Errorf("an event counted as an agent message: announce %d, unread %d, replied %v", len(eff.Announce), c.Unread(), c.AgentReplied())
	}
	c.Apply(queueFrame(7, 1, 1, secs(30)), t0) // coalesced, late
	if c.WaitLine() != "" || c.Assignee != "Ola Nowak" {
		t.Errorf("a late queue frame brought back the wait line %q", c.WaitLine())
	}

	c.Apply(event(7, 3, parley.EventTransferred, nil, "Moved to Returns"), t0)
	if c.Assignee != "" || c.WaitLine() != visitor.WaitingText {
		t.Errorf("after a transfer to a team: Assignee %q, WaitLine %q; want none and %q", c.Assignee, c.WaitLine(), visitor.WaitingText)
	}
	c.Apply(queueFrame(7, 1, 1, secs(50)), t0)
	if got, want := c.WaitLine(), "You're next — less than a minute"; got != want {
		t.Errorf("WaitLine = %q, want %q", got, want)
	}
	c.Apply(event(7, 4, parley.EventAssigned, ann, "Ann joined"), t0)
	c.Apply(event(7, 5, parley.EventQueued, nil, "Back in the queue"), t0)
	if c.Assignee != "" || c.WaitLine() != visitor.WaitingText {
		t.Errorf("back in the queue: Assignee %q, WaitLine %q", c.Assignee, c.WaitLine())
	}

	var rows []string
	for _, it := range c.Items() {
		rows = append(rows, it.Event+":"+it.Text)
	}
	want := []string{":hi", "assigned:Ola Nowak joined", "transferred:Moved to Returns", "assigned:Ann joined", "queued:Back in the queue"}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %q, want %q", rows, want)
	}
}

// TestChatFollowsItsTeam: the chat knows its conversation's team, from
// the welcome and from a transfer: what the team's hours and presence
// apply to.
func TestChatFollowsItsTeam(t *testing.T) {
	c := visitor.NewChat()
	cv := conv(7, 1, 1, parley.StatusQueued)
	cv.Team = "orders"
	c.Apply(welcome(cv), t0)
	if c.Team != "orders" {
		t.Errorf("after the welcome: team %q, want orders", c.Team)
	}
	moved := event(7, 2, parley.EventTransferred, nil, "Moved to Returns")
	moved.Team = "returns"
	c.Apply(moved, t0)
	if c.Team != "returns" {
		t.Errorf("after a transfer: team %q, want returns", c.Team)
	}
	c.Apply(event(7, 3, parley.EventAssigned, ann, "Ann joined"), t0)
	if c.Team != "returns" {
		t.Errorf("an assignment changed the team to %q", c.Team)
	}
}

// TestChatAgentReadMark: the agents' read mark, from the welcome and from
// read frames, is what the visitor's receipts read; the visitor's own
// read frames (other devices) and other conversations' do not move it.
func TestChatAgentReadMark(t *testing.T) {
	c := visitor.NewChat()
	cv := conv(7, 3, 3, parley.StatusOpen)
	cv.AgentRead = 2
	c.Apply(welcome(cv), t0)
	if c.AgentRead != 2 {
		t.Errorf("from the welcome: %d, want 2", c.AgentRead)
	}
	c.Apply(parley.Frame{Type: parley.TypeRead, Conv: 7, Seq: 3, From: ann}, t0)
	c.Apply(parley.Frame{Type: parley.TypeRead, Conv: 7, Seq: 9, From: me}, t0)
	c.Apply(parley.Frame{Type: parley.TypeRead, Conv: 8, Seq: 9, From: ann}, t0)
	c.Apply(parley.Frame{Type: parley.TypeRead, Conv: 7, Seq: 1, From: ann}, t0)
	if c.AgentRead != 3 {
		t.Errorf("after the read frames: %d, want 3", c.AgentRead)
	}
}

// TestChatAssigneeFromConversation: a reload shows who answers from the
// welcome, without replaying anything.
func TestChatAssigneeFromConversation(t *testing.T) {
	c := visitor.NewChat()
	cv := conv(7, 4, 4, parley.StatusOpen)
	cv.AssigneeName = "Ola Nowak"
	c.Apply(welcome(cv), t0)
	if c.Assignee != "Ola Nowak" || c.WaitLine() != "" || !c.Routed() {
		t.Errorf("Assignee %q, WaitLine %q, Routed %v", c.Assignee, c.WaitLine(), c.Routed())
	}
	// A conversation of a server without routing promises nothing new.
	c = visitor.NewChat()
	c.Apply(welcome(conv(7, 1, 1, parley.StatusOpen)), t0)
	if c.Routed() || c.WaitLine() != "" {
		t.Errorf("unrouted conversation: Routed %v, WaitLine %q", c.Routed(), c.WaitLine())
	}
}

// TestChatFormRefusedComesBack: the form shows before the first message,
// not for a returning visitor before the welcome, and not to answer a
// greeting; a refusal brings it back filled in.
func TestChatFormRefusedComesBack(t *testing.T) {
	c := visitor.NewChat()
	c.Form, c.Returning = form, true
	if c.NeedsForm() {
		t.Error("a returning visitor got the form before the welcome")
	}
	c.Apply(welcome(), t0)
	if !c.NeedsForm() {
		t.Fatal("NeedsForm = false for a new conversation of a site with a form")
	}
	sent := visitor.Answers{Topic: "returns", Name: "Kim", Email: "kim@example.com", Text: "Where is my parcel?"}.Frame()
	sent.Type, sent.ID = parley.TypeSend, "m1"
	c.Sent(sent)
	c.Outbox = []parley.Frame{sent}
	if c.NeedsForm() {
		t.Error("the form stays while its message is on its way")
	}
	c.Outbox = nil
	eff := c.Apply(parley.Frame{Type: parley.TypeError, ID: "m1", Code: parley.EInvalid, Message: "Unknown topic \"returns\"."}, t0)
	if eff.Refill == nil || *eff.Refill != visitor.AnswersOf(sent) {
		t.Fatalf("Refill = %+v, want the answers sent", eff.Refill)
	}
	if c.FormNotice == "" || len(c.Failed) != 0 || !c.NeedsForm() {
		t.Errorf("FormNotice %q, failed %d, NeedsForm %v; want the notice, no failure, the form", c.FormNotice, len(c.Failed), c.NeedsForm())
	}

	g := visitor.NewChat()
	g.Form = form
	g.Greet("Need help with your order?", t0)
	if g.NeedsForm() {
		t.Error("the form shows while a greeting waits for an answer")
	}
}

func TestCheckForm(t *testing.T) {
	long := make([]byte, parley.MaxVisitorName+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, tt := range []struct {
		name string
		form *parley.WidgetPreChat
		in   visitor.Answers
		want visitor.FormErrors
		out  visitor.Answers
	}{
		{"all given", form, visitor.Answers{Topic: "returns", Name: " Kim ", Email: " kim@example.com", Text: " hi "},
			visitor.FormErrors{}, visitor.Answers{Topic: "returns", Name: "Kim", Email: "kim@example.com", Text: "hi"}},
		{"required missing", form, visitor.Answers{Text: "hi"},
			visitor.FormErrors{Topic: "Please choose a topic.", Email: "Please give your email address."}, visitor.Answers{Text: "hi"}},
		{"optional name may be empty, email shape", form, visitor.Answers{Topic: "advice", Email: "kim@", Text: "hi"},
			visitor.FormErrors{Email: "Please check your email address, like name@example.com."}, visitor.Answers{Topic: "advice", Email: "kim@", Text: "hi"}},
		{"unknown topic, no message", form, visitor.Answers{Topic: "x", Email: "a@b.co"},
			visitor.FormErrors{Topic: "Please choose one of the topics.", Text: "Please write your message."}, visitor.Answers{Topic: "x", Email: "a@b.co"}},
		{"long name", form, visitor.Answers{Topic: "advice", Name: string(long), Email: "a@b.co", Text: "hi"},
			visitor.FormErrors{Name: "Please shorten your name to 80 characters."}, visitor.Answers{Topic: "advice", Name: string(long), Email: "a@b.co", Text: "hi"}},
		{"fields off are dropped", &parley.WidgetPreChat{Name: parley.FieldOptional}, visitor.Answers{Topic: "returns", Name: "Kim", Email: "junk", Text: "hi"},
			visitor.FormErrors{}, visitor.Answers{Name: "Kim", Text: "hi"}},
	} {
		out, errs := visitor.CheckForm(tt.form, tt.in, 500)
		if errs != tt.want {
			t.Errorf("%s: errors %+v, want %+v", tt.name, errs, tt.want)
		}
		if out != tt.out {
			t.Errorf("%s: answers %+v, want %+v", tt.name, out, tt.out)
		}
	}
}

// TestCheckFormAgreesWithServer: what the widget lets through, the
// server's CheckAnswers accepts; what it refuses, the server refuses.
func TestCheckFormAgreesWithServer(t *testing.T) {
	r := parley.Routing{
		Teams:   []parley.Team{{ID: "support", Name: "Support"}},
		Topics:  []parley.Topic{{ID: "returns", Name: "Returns", Team: "support"}, {ID: "advice", Name: "Product advice", Team: "support"}},
		PreChat: parley.PreChat{Enabled: true, Topic: parley.FieldRequired, Name: parley.FieldOptional, Email: parley.FieldRequired},
	}
	wf := parley.Site{ID: "s", Name: "S", Routing: r}.WidgetSettings().PreChat
	for _, a := range []visitor.Answers{
		{Topic: "returns", Email: "kim@example.com", Text: "hi"},
		{Topic: "returns", Text: "hi"},
		{Email: "kim@example.com", Text: "hi"},
		{Topic: "advice", Name: "Kim", Email: "kim@example", Text: "hi"},
		{Topic: "advice", Name: "Kim", Email: "kim at example.com", Text: "hi"},
		{Topic: "nope", Email: "kim@example.com", Text: "hi"},
	} {
		out, errs := visitor.CheckForm(wf, a, 500)
		_, err := r.CheckAnswers(parley.PreChatAnswers{Topic: out.Topic, Name: out.Name, Email: out.Email})
		if errs.Any() == (err == nil) {
			t.Errorf("%+v: widget says %+v, server says %v", a, errs, err)
		}
	}
}

// Paths into a loaded PreChatForm: the component, the form, then its slots.
const (
	formNotice = iota
	formTopic
	formName
	formEmail
	formText
	formSubmit
)

func TestPreChatFormRender(t *testing.T) {
	f := &visitor.PreChatForm{
		Form:    form,
		Answers: visitor.Answers{Topic: "advice", Email: "kim@", Text: "my text"},
		Errors:  visitor.FormErrors{Email: "Please check your email address, like name@example.com."},
		Notice:  "Unknown topic.",
	}
	load(t, f)
	match(t, app.Form().ID(visitor.FormID).Class("prechat").Aria("label", "Start a chat").NoValidate(true).
		OnSubmit(func(app.Context, app.Event) {}), f, 0)
	match(t, app.Div().Class("prechat-notice").Role("alert"), f, 0, formNotice)

	// Labels point at their inputs; required fields are marked.
	match(t, app.Label().For(visitor.FormTopicID).Class("prechat-label"), f, 0, formTopic, 0)
	match(t, app.Span().Class("prechat-required").Aria("hidden", "true"), f, 0, formTopic, 0, 1)
	match(t, app.Option().Value("advice").Selected(true), f, 0, formTopic, 1, 2)
	match(t, app.Span().Class("prechat-optional"), f, 0, formName, 0, 1)

	// The wrong field says so, and its input points at the message.
	match(t, app.Div().Class("prechat-field prechat-field-invalid"), f, 0, formEmail)
	match(t, app.Input().ID(visitor.FormEmailID).Class("prechat-input").Type("email").Name(visitor.FieldEmail).
		Attr("autocomplete", "email").Attr("inputmode", "email").MaxLength(parley.MaxEmail).Value("kim@").
		Aria("required", true).Aria("invalid", true).Aria("describedby", visitor.FormEmailID+"-error").
		OnInput(func(app.Context, app.Event) {}), f, 0, formEmail, 1)
	match(t, app.Div().ID(visitor.FormEmailID+"-error").Class("prechat-error"), f, 0, formEmail, 2)

	// The typed message is kept.
	match(t, app.Textarea().ID(visitor.FormTextID).Class("prechat-input prechat-message").Name(visitor.FieldText).
		Rows(3).Placeholder("How can we help?").Aria("required", true).Aria("invalid", false).Aria("describedby", "").
		OnInput(func(app.Context, app.Event) {}).Text("my text"), f, 0, formText, 1)
	match(t, app.Button().ID(visitor.FormSubmitID).Class("prechat-send").Type("submit"), f, 0, formSubmit)
}

func TestPanelQueueAndAssignee(t *testing.T) {
	p := &visitor.Panel{Wait: "You're 3rd in line — about 4 min", Expect: true, Now: t0}
	load(t, p)
	match(t, app.Div().ID("wait").Class("wait").Role("status").Aria("live", "polite"), p, 0, slotBody, 2)
	match(t, app.Text("You're 3rd in line — about 4 min"), p, 0, slotBody, 2, 0)
	// Before anyone answers, the header shows the site and its state.
	match(t, app.Div().ID("who").Class("widget-agent widget-team"), p, 0, slotHeader, 2)
	match(t, app.Text("CW"), p, 0, slotHeader, 2, 0, 0)
	match(t, app.Text("Online"), p, 0, slotHeader, 2, 1, 0)
	match(t, app.Span().Class("presence presence-online").Aria("hidden", "true"), p, 0, slotHeader, 2, 2)

	p = &visitor.Panel{Assignee: "Ola Nowak", Now: t0, Form: &visitor.PreChatForm{Form: form}}
	load(t, p)
	match(t, app.Div().ID("agent").Class("widget-agent"), p, 0, slotHeader, 2)
	match(t, app.Span().Class("avatar").Aria("hidden", "true"), p, 0, slotHeader, 2, 0)
	match(t, app.Text("ON"), p, 0, slotHeader, 2, 0, 0)
	match(t, app.Text("Ola Nowak is answering"), p, 0, slotHeader, 2, 1, 0)
	match(t, app.Span().Class("presence presence-online").Role("img").Aria("label", "Online"), p, 0, slotHeader, 2, 2)
	match(t, app.Div().ID("wait").Class("wait wait-none").Role("status").Aria("live", "polite"), p, 0, slotBody, 2)
	// The form takes the composer's place, and the panel scrolls as one
	// page with it.
	match(t, app.Div().ID("parley").Class("widget widget-form").Attr("role", "main"), p, 0)
	match(t, app.Form().ID(visitor.FormID).Class("prechat").Aria("label", "Start a chat").NoValidate(true).
		OnSubmit(func(app.Context, app.Event) {}), p, 0, slotComposer, 0)

	// A closed site is away; a topic names the team.
	p = &visitor.Panel{Topic: "Returns", Hours: "We're closed — back Monday 9:00", Now: t0}
	load(t, p)
	match(t, app.Text("R"), p, 0, slotHeader, 2, 0, 0)
	match(t, app.Text("Away · Returns"), p, 0, slotHeader, 2, 1, 0)
	match(t, app.Span().Class("presence presence-away").Aria("hidden", "true"), p, 0, slotHeader, 2, 2)
}

// TestChatAgentDeliveredMark: the agents' delivered mark, from the
// welcome and from delivered frames, never moves back, and the visitor's
// own (other devices) and other conversations' do not move it.
func TestChatAgentDeliveredMark(t *testing.T) {
	c := visitor.NewChat()
	cv := conv(7, 3, 3, parley.StatusOpen)
	cv.AgentDelivered = 2
	c.Apply(welcome(cv), t0)
	if c.AgentDelivered != 2 {
		t.Errorf("from the welcome: %d, want 2", c.AgentDelivered)
	}
	c.Apply(parley.Frame{Type: parley.TypeDelivered, Conv: 7, Seq: 3, From: ann}, t0)
	c.Apply(parley.Frame{Type: parley.TypeDelivered, Conv: 7, Seq: 9, From: me}, t0)
	c.Apply(parley.Frame{Type: parley.TypeDelivered, Conv: 8, Seq: 9, From: ann}, t0)
	c.Apply(parley.Frame{Type: parley.TypeDelivered, Conv: 7, Seq: 1, From: ann}, t0)
	if c.AgentDelivered != 3 || c.AgentRead != 0 {
		t.Errorf("after the delivered frames: delivered %d, read %d; want 3 and 0", c.AgentDelivered, c.AgentRead)
	}
}

// TestEventTextInLanguages: the event lines the server writes in English
// are said again in the visitor's language from the event's fields; in
// English they are exactly the server's.
func TestEventTextInLanguages(t *testing.T) {
	ola := &parley.Author{Kind: parley.AuthorAgent, ID: 3, Name: "Ola"}
	ev := func(name string, to *parley.Author, teamName, text string) parley.Message {
		return parley.Message{Kind: parley.KindEvent, Event: name, To: to, TeamName: teamName, Text: text}
	}
	for _, c := range []struct {
		m      parley.Message
		pl     string
		server string
	}{
		{ev(parley.EventAssigned, ola, "", parley.JoinedText("Ola")), "Ola dołącza do rozmowy", parley.JoinedText("Ola")},
		{ev(parley.EventQueued, nil, "", parley.RequeuedText()), "Z powrotem w kolejce", parley.RequeuedText()},
		{ev(parley.EventTransferred, nil, "Zwroty", parley.MovedText("Zwroty")), "Przeniesiono do: Zwroty", parley.MovedText("Zwroty")},
		{ev(parley.EventTransferred, ola, "Zwroty", parley.MovedText("Zwroty")+" · "+parley.JoinedText("Ola")),
			"Przeniesiono do: Zwroty · Ola dołącza do rozmowy", parley.MovedText("Zwroty") + " · " + parley.JoinedText("Ola")},
		// Within the team: the server names only who joined.
		{ev(parley.EventTransferred, ola, "Zwroty", parley.JoinedText("Ola")), "Ola dołącza do rozmowy", parley.JoinedText("Ola")},
	} {
		if got := parley.EventTextIn(i18n.EN, c.m); got != c.server {
			t.Errorf("%s in English: %q, want the server's %q", c.m.Text, got, c.server)
		}
		if got := parley.EventTextIn(i18n.PL, c.m); got != c.pl {
			t.Errorf("%s in Polish: %q, want %q", c.m.Text, got, c.pl)
		}
	}
	// The chat's rows in Polish.
	c := visitor.NewChat()
	c.Apply(welcome(conv(7, 1, 1, parley.StatusQueued)), t0)
	c.Apply(msgFrame(7, 1, "v-1", &parley.Author{Kind: parley.AuthorVisitor}, "hej"), t0)
	c.Apply(event(7, 2, parley.EventAssigned, ola, parley.JoinedText("Ola")), t0)
	items := c.ItemsIn(i18n.PL)
	if len(items) != 2 || items[1].Text != "Ola dołącza do rozmowy" {
		t.Errorf("the rows in Polish: %+v", items)
	}
}
