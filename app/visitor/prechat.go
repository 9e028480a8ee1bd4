package visitor

import (
	"strings"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
)

// Element ids of the pre-chat form; browser tests use them.
const (
	FormID       = "prechat"
	FormTopicID  = "prechat-topic"
	FormNameID   = "prechat-name"
	FormEmailID  = "prechat-email"
	FormTextID   = "prechat-text"
	FormSubmitID = "prechat-send"
)

// Form fields, as OnInput names them.
const (
	FieldTopic = "topic"
	FieldName  = "name"
	FieldEmail = "email"
	FieldText  = "text"
)

// Answers are what the visitor typed into the pre-chat form, the first
// message included.
type Answers struct {
	Topic, Name, Email, Text string
}

// Set changes one field.
func (a *Answers) Set(field, value string) {
	switch field {
	case FieldTopic:
		a.Topic = value
	case FieldName:
		a.Name = value
	case FieldEmail:
		a.Email = value
	case FieldText:
		a.Text = value
	}
}

// Empty says whether nothing was typed.
func (a Answers) Empty() bool { return a == Answers{} }

// Frame is the send frame of the answers (type, id and conv left to the
// caller).
func (a Answers) Frame() parley.Frame {
	return parley.Frame{Text: a.Text, Topic: a.Topic, Name: a.Name, Email: a.Email}
}

// AnswersOf are the answers a send frame carries: the form is filled in
// again with them when the server refuses it.
func AnswersOf(f parley.Frame) Answers {
	return Answers{Topic: f.Topic, Name: f.Name, Email: f.Email, Text: f.Text}
}

// FormErrors say what is wrong with each field; "" is fine.
type FormErrors struct {
	Topic, Name, Email, Text string
}

// Any says whether some field is wrong.
func (e FormErrors) Any() bool { return e != FormErrors{} }

// CheckForm checks the answers the way the server does (parley.Routing's
// CheckAnswers): required fields given, an email that looks like one,
// lengths within bounds, and a message. It returns the answers trimmed, with
// fields that are off emptied.
func CheckForm(form *parley.WidgetPreChat, a Answers, maxRunes int) (Answers, FormErrors) {
	return CheckFormIn(i18n.EN, form, a, maxRunes)
}

// CheckFormIn is CheckForm with its errors in language l.
func CheckFormIn(l i18n.Lang, form *parley.WidgetPreChat, a Answers, maxRunes int) (Answers, FormErrors) {
	var errs FormErrors
	if form == nil {
		form = &parley.WidgetPreChat{}
	}
	a.Topic, a.Name, a.Email, a.Text = strings.TrimSpace(a.Topic), strings.TrimSpace(a.Name), strings.TrimSpace(a.Email), strings.TrimSpace(a.Text)
	if form.Topic == parley.FieldOff {
		a.Topic = ""
	}
	if form.Name == parley.FieldOff {
		a.Name = ""
	}
	if form.Email == parley.FieldOff {
		a.Email = ""
	}

	switch {
	case form.Topic == parley.FieldRequired && a.Topic == "":
		errs.Topic = l.T("Please choose a topic.")
	case a.Topic != "" && !hasTopic(form.Topics, a.Topic):
		errs.Topic = l.T("Please choose one of the topics.")
	}
	switch {
	case form.Name == parley.FieldRequired && a.Name == "":
		errs.Name = l.T("Please give your name.")
	case utf8.RuneCountInString(a.Name) > parley.MaxVisitorName:
		errs.Name = l.N(parley.MaxVisitorName, "Please shorten your name to %d character.", "Please shorten your name to %d characters.", parley.MaxVisitorName)
	}
	switch {
	case form.Email == parley.FieldRequired && a.Email == "":
		errs.Email = l.T("Please give your email address.")
	case len(a.Email) > parley.MaxEmail:
		errs.Email = l.T("This email address is too long.")
	case a.Email != "" && !parley.LooksLikeEmail(a.Email):
		errs.Email = l.T(badEmailText)
	}
	if maxRunes <= 0 {
		maxRunes = parley.DefaultLimits.MaxTextRunes
	}
	switch n := utf8.RuneCountInString(a.Text); {
	case n == 0:
		errs.Text = l.T("Please write your message.")
	case n > maxRunes:
		errs.Text = l.N(maxRunes, "Please shorten your message to %d character.", "Please shorten your message to %d characters.", maxRunes)
	}
	return a, errs
}

func hasTopic(topics []parley.Topic, id string) bool {
	for _, t := range topics {
		if t.ID == id {
			return true
		}
	}
	return false
}

// PreChatForm asks for the topic, name and email the site wants, and the
// first message, in one step. Its inputs are uncontrolled except at mount
// (a refused form comes back filled in), so typing never moves the caret;
// the widget mirrors every edit through OnInput, so nothing typed is lost
// when a check fails.
type PreChatForm struct {
	app.Compo

	// Lang is the visitor's language.
	Lang i18n.Lang

	Form    *parley.WidgetPreChat
	Answers Answers
	Errors  FormErrors
	// Notice is the server's word on a refused form.
	Notice string
	// Submit is the button's text; empty is "Start chat".
	Submit string

	OnInput  func(ctx app.Context, field, value string)
	OnSubmit func(ctx app.Context)
}

// Render implements app.Composer.
func (p *PreChatForm) Render() app.UI {
	form, l := p.Form, p.Lang
	if form == nil {
		form = &parley.WidgetPreChat{}
	}
	var notice app.UI = app.Span().Class("prechat-notice-none")
	if p.Notice != "" {
		notice = app.Div().Class("prechat-notice").Role("alert").Text(l.T(p.Notice))
	}

	var topic app.UI = app.Span().Class("prechat-field-none")
	if form.Topic != parley.FieldOff && len(form.Topics) > 0 {
		options := []app.UI{app.Option().Value("").Text(l.T("Choose a topic…")).Selected(p.Answers.Topic == "")}
		for _, t := range form.Topics {
			options = append(options, app.Option().Value(t.ID).Text(t.NameByLang.In(string(l), t.Name)).Selected(p.Answers.Topic == t.ID))
		}
		a := fieldAria(FormTopicID, form.Topic, p.Errors.Topic)
		sel := app.Select().ID(FormTopicID).Class("prechat-input").Name(FieldTopic).
			Aria("required", a.required).Aria("invalid", a.invalid).Aria("describedby", a.describedBy).
			OnChange(p.input(FieldTopic)).Body(options...)
		topic = field(l, FormTopicID, l.T("Topic"), form.Topic, p.Errors.Topic, sel)
	}

	var name app.UI = app.Span().Class("prechat-field-none")
	if form.Name != parley.FieldOff {
		a := fieldAria(FormNameID, form.Name, p.Errors.Name)
		in := app.Input().ID(FormNameID).Class("prechat-input").Type("text").Name(FieldName).
			Attr("autocomplete", "name").MaxLength(parley.MaxVisitorName).Value(p.Answers.Name).
			Aria("required", a.required).Aria("invalid", a.invalid).Aria("describedby", a.describedBy).
			OnInput(p.input(FieldName))
		name = field(l, FormNameID, l.T("Name"), form.Name, p.Errors.Name, in)
	}

	var email app.UI = app.Span().Class("prechat-field-none")
	if form.Email != parley.FieldOff {
		a := fieldAria(FormEmailID, form.Email, p.Errors.Email)
		in := app.Input().ID(FormEmailID).Class("prechat-input").Type("email").Name(FieldEmail).
			Attr("autocomplete", "email").Attr("inputmode", "email").MaxLength(parley.MaxEmail).Value(p.Answers.Email).
			Aria("required", a.required).Aria("invalid", a.invalid).Aria("describedby", a.describedBy).
			OnInput(p.input(FieldEmail))
		email = field(l, FormEmailID, l.T("Email"), form.Email, p.Errors.Email, in)
	}

	a := fieldAria(FormTextID, parley.FieldRequired, p.Errors.Text)
	text := app.Textarea().ID(FormTextID).Class("prechat-input prechat-message").Name(FieldText).
		Rows(3).Placeholder(l.T("How can we help?")).
		Aria("required", a.required).Aria("invalid", a.invalid).Aria("describedby", a.describedBy).
		OnInput(p.input(FieldText)).Text(p.Answers.Text)
	message := field(l, FormTextID, l.T("Message"), parley.FieldRequired, p.Errors.Text, text)

	onSubmit := p.OnSubmit
	submit := p.Submit
	if submit == "" {
		submit = l.T("Start chat")
	}
	return app.Form().ID(FormID).Class("prechat").Aria("label", l.T("Start a chat")).NoValidate(true).
		OnSubmit(func(ctx app.Context, e app.Event) {
			e.PreventDefault()
			if onSubmit != nil {
				onSubmit(ctx)
			}
		}).
		Body(
			notice,
			topic,
			name,
			email,
			message,
			app.Button().ID(FormSubmitID).Class("prechat-send").Type("submit").Text(submit),
		)
}

type aria struct {
	required, invalid bool
	describedBy       string
}

// fieldAria are the accessibility attributes of an input: whether it is
// required, and whether (and where) an error describes it.
func fieldAria(id, mode, problem string) aria {
	a := aria{required: mode == parley.FieldRequired}
	if problem != "" {
		a.invalid, a.describedBy = true, id+"-error"
	}
	return a
}

// field is a labelled input with its required marker and its error.
func field(l i18n.Lang, id, label, mode, problem string, input app.UI) app.UI {
	var marker app.UI = app.Span().Class("prechat-optional").Text(l.T(" (optional)"))
	if mode == parley.FieldRequired {
		marker = app.Span().Class("prechat-required").Aria("hidden", "true").Text(" *")
	}
	class := "prechat-field"
	var errUI app.UI = app.Span().Class("prechat-error-none")
	if problem != "" {
		class += " prechat-field-invalid"
		errUI = app.Div().ID(id + "-error").Class("prechat-error").Text(problem)
	}
	return app.Div().Class(class).Body(
		app.Label().For(id).Class("prechat-label").Body(app.Text(label), marker),
		input,
		errUI,
	)
}

func (p *PreChatForm) input(field string) app.EventHandler {
	onInput := p.OnInput
	return func(ctx app.Context, e app.Event) {
		v := ctx.JSSrc().Get("value").String()
		if onInput != nil {
			onInput(ctx, field, v)
		}
	}
}
