package visitor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// Storage keys, per site: a visitor of two shops is two visitors.
func tokenKey(site string) string  { return "parley.token." + site }
func outboxKey(site string) string { return "parley.outbox." + site }

// Widget is the root component of /chat/{site}?origin={shop origin}. It owns
// the websocket client, the storage and the bridge to the loader; Chat holds
// the state and Panel draws it.
type Widget struct {
	app.Compo

	// lang is the visitor's language (app/i18n): every text shown to the
	// visitor goes through lang.T or lang.N.
	lang i18n.Lang
	// browserLang is the browser's choice (navigator.languages); pageLang
	// the shop page's (data-lang, Parley('set', {lang})), which wins.
	browserLang, pageLang i18n.Lang
	// helloLang is the language every hello of the client says: after a
	// reconnect, a later one is said again (applyLang, onState).
	helloLang i18n.Lang

	// ctx is the root's own context, from OnMount: callbacks that outlive an
	// event dispatch through it, since go-app drops the dispatches of a
	// context whose element is gone.
	ctx app.Context

	site   string
	origin string // the shop's origin; "" when not embedded by a loader
	// settings are the site's title, colour and welcome, from the page.
	settings parley.WidgetSettings
	// closed is the offline mode while the site (or the chat's team) does
	// not answer, "" when it does; open is the state that applies.
	closed parley.OfflineMode
	open   *parley.OpenState
	// transcript is the request to email the conversation.
	transcript Transcript
	// surge is the busy offer: wait, or be answered by email.
	surge Surge
	// feedback is the rating asked after a resolved chat (rating.go).
	feedback Feedback

	cl   *client.Client
	stop context.CancelFunc
	// connect starts the client of a warm frame at the first "open".
	connect func()
	// release undoes the window listeners.
	release []func()

	// chats are the visitor's conversations and the home; chat is the
	// one shown (chats.Current).
	chats      *Chats
	chat       *Chat
	state      client.State
	everOnline bool
	ended      string
	// panelOpen: the loader shows the panel; visible: the tab is shown.
	panelOpen bool
	visible   bool
	typingOut ui.TypingNotifier
	// faq are the FAQ suggestions (faq.go); faqText is the composer's
	// text, faqLater set while a lookup waits for typing to pause.
	faq      FAQState
	faqText  string
	faqLater bool
	// draftAt is when the last typing preview went out; draftLater is set
	// while the next one waits.
	draftAt    time.Time
	draftLater bool
	// answers and formErrs are the pre-chat form as typed and as checked.
	answers  Answers
	formErrs FormErrors
	// typingRefresh is set while a re-render is scheduled to expire typing.
	typingRefresh bool
	now           time.Time

	// token is the visitor's: file requests carry it. fileKey reads the
	// files of conversation fileKeyConv; keyAsked is set while one is
	// asked for. uploads counts the files on their way; fileErr says why
	// the last one did not go.
	token       string
	fileKey     ui.FileKey
	fileKeyConv uint64
	keyAsked    bool
	uploads     int
	fileErr     string

	// What the loader was last told, to tell it only about changes.
	toldUnread int
	toldOpen   int // -1 unknown, 0 closed, 1 open
	// toldReferrer: the referrer of the page that loaded the widget is
	// sent once; the loader repeats it after a reload of the iframe.
	toldReferrer bool

	// pagePath is the shop page's path and query, from the loader, which
	// announcements match; dismissed are the announcements the visitor
	// closed (announcement.go).
	pagePath  string
	dismissed map[string]bool
	// announce is the newest incoming message as read out to screen
	// readers (Panel.Announce).
	announce string
}

// OnInit prepares what the first render draws, before OnMount: the panel
// with the site's title, welcome and composer, as the page drew it, so that
// go-app, which replaces the page's panel with its first render, shows no
// empty frame in between.
func (w *Widget) OnInit() {
	if !app.IsClient {
		return
	}
	w.settings = pageSettings()
	w.chats = NewChats(false)
	w.chat = w.chats.Current
	w.now = time.Now()
	w.closed, w.open = TeamClosedMode(w.settings, "", w.now)
	w.chat.Form = ClosedForm(w.settings.PreChat, w.closed)
	if u := app.Window().URL(); u != nil {
		if o, ok := ParseOrigin(u.Query().Get("origin")); ok && !app.Window().Get("parent").Equal(app.Window()) {
			w.origin = o
		}
	}
	// Before the client runs, the banner would say "Connecting…" over a
	// page that said nothing: it waits for the client's first state.
	w.state = client.Online
}

// OnMount reads the page URL and storage, starts the client and listens to
// the loader. It runs on the UI goroutine after the first render.
func (w *Widget) OnMount(ctx app.Context) {
	w.ctx = ctx
	// The page's own script stops sending: what it sent is in the
	// outbox, read below.
	pre := takePreApp()
	w.state = client.Connecting
	u := ctx.Page().URL()
	q := u.Query()
	w.site = SiteFromPath(u.Path)
	w.origin, _ = ParseOrigin(q.Get("origin"))
	w.settings = pageSettings()
	w.browserLang = ui.BrowserLang()
	w.pageLang, _ = i18n.Parse(q.Get("lang"))
	if q.Get("lang") == "" {
		w.pageLang = ""
	}
	w.applyLang()
	w.chats = NewChats(false)
	w.chat = w.chats.Current
	w.now = time.Now()
	w.applyHours(ctx)
	w.watchAnnouncements(ctx)
	w.toldUnread, w.toldOpen = -1, -1
	w.visible = ui.PageVisible()
	embedded := w.origin != "" && app.IsClient && !app.Window().Get("parent").Equal(app.Window())
	w.panelOpen = !embedded
	if !embedded {
		w.origin = ""
	}
	if w.site == "" {
		w.ended = w.lang.T("This chat is not set up correctly.")
		return
	}

	var token string
	var outbox []parley.Frame
	if err := guard(func() error { return ctx.LocalStorage().Get(tokenKey(w.site), &token) }); err != nil {
		app.Log("parley: reading the visitor token:", err)
	}
	if err := guard(func() error { return ctx.LocalStorage().Get(outboxKey(w.site), &outbox) }); err != nil {
		app.Log("parley: reading the outbox:", err)
		outbox = nil
	}
	w.chat.Returning = token != ""
	w.token = token

	// A resume link's token, from the fragment the loader (or the link
	// itself, on the hosted page) put there. It is taken out of the
	// address at once: a reload must not say it again.
	resume := ResumeLinkFromFragment(u.Fragment)
	if u.Fragment != "" {
		clean := *u
		clean.Fragment, clean.RawFragment = "", ""
		ctx.Page().ReplaceURL(&clean)
	}

	w.helloLang = w.lang
	w.cl = client.New(client.Options{
		URL:    ui.SocketURL(u),
		Hello:  parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: w.site, Token: token, ResumeLink: resume, Lang: string(w.lang)},
		Outbox: outbox,
		OnFrame: func(f parley.Frame) {
			ctx.Dispatch(func(ctx app.Context) { w.onFrame(ctx, f) })
		},
		OnState: func(s client.State) {
			ctx.Dispatch(func(ctx app.Context) { w.onState(ctx, s) })
		},
		OnOutbox: func(fs []parley.Frame) {
			ctx.Dispatch(func(ctx app.Context) { w.onOutbox(ctx, fs) })
		},
	})
	w.chats.SetOutbox(w.cl.Outbox())
	w.cl.Device(ui.LocalDevice())
	runCtx, stop := context.WithCancel(context.Background())
	w.stop = stop
	cl := w.cl
	run := func() {
		ctx.Async(func() {
			if err := cl.Run(runCtx); err != nil {
				ctx.Dispatch(func(ctx app.Context) {
					w.ended = w.lang.T("The chat was closed. Reload the page to start again.")
				})
			}
		})
	}
	// A warm frame (the loader's hover prefetch) is downloaded and drawn,
	// but connects only when the visitor opens it: before intent there is
	// no socket, no visitor record and no token stored.
	if embedded && q.Get("warm") == "1" {
		w.connect = run
	} else {
		run()
	}

	// On a phone the widget is the visual viewport: above the keyboard.
	w.release = append(w.release, ui.TrackViewport())
	w.release = append(w.release, ui.OnVisibilityChange(func(visible bool) {
		ctx.Dispatch(func(ctx app.Context) { w.onVisibility(ctx, visible) })
	}))
	if w.origin != "" {
		w.listenToLoader(ctx)
		// What the loader said to the page's script before the app ran
		// (open, page, identify, context), in order.
		for _, data := range preAppMessages() {
			if m, ok := DecodeParentMessage(data); ok {
				w.onLoaderMessage(ctx, m)
			}
		}
		// Escape closes the chat; the loader gives focus back to the
		// launcher.
		w.release = append(w.release, ui.OnEscape(func() {
			ctx.Dispatch(func(ctx app.Context) {
				if w.panelOpen {
					w.onClose(ctx)
				}
			})
		}))
	}
	// The app is up. Unless the page's script said so already, the loader
	// may show the panel now.
	ctx.Defer(func(ctx app.Context) {
		if !pre.Ready {
			w.post(ReadyMessage())
		}
		w.post(AppMessage())
		putDraft(pre.Draft)
	})
}

// OnDismount stops the client and the listeners.
func (w *Widget) OnDismount() {
	if w.stop != nil {
		w.stop()
	}
	for _, r := range w.release {
		r()
	}
	w.release = nil
}

// Render implements app.Composer.
func (w *Widget) Render() app.UI {
	if w.chat == nil {
		// Before OnMount: the page shell's loader is still showing.
		return app.Div().ID("parley").Class("widget widget-loading")
	}
	notice := w.chat.Notice
	if w.ended != "" {
		notice = w.ended
	}
	if w.chats.AtHome {
		return w.home(notice)
	}
	hidden := HidesChat(w.closed, w.chat)
	var transcript *TranscriptMenu
	if Offered(w.settings.Mail, w.chat.Conv) && !hidden {
		transcript = &TranscriptMenu{
			Lang:     w.lang,
			Request:  w.transcript,
			OnStart:  w.onTranscriptStart,
			OnInput:  w.onTranscriptInput,
			OnSubmit: w.onTranscriptSubmit,
			OnCancel: w.onTranscriptCancel,
		}
	}
	var surge *SurgeOffer
	if !hidden {
		surge = &SurgeOffer{
			Lang:     w.lang,
			View:     w.surge.View(w.chat.WaitLine() != "", w.chat.Queue, w.settings.BusyMinutes, w.chat.Email),
			Message:  BusyMessage(w.settings, w.lang),
			Email:    w.surge.Email,
			Problem:  w.surge.Problem,
			OnWait:   w.onSurgeWait,
			OnInput:  w.onSurgeInput,
			OnSubmit: w.onSurgeSubmit,
		}
	}
	// Files go to a conversation: the attach button comes with the
	// first message.
	var onFile func(app.Context, app.Value)
	if w.chat.Conv != 0 {
		onFile = w.onFile
	}
	var onBack func(app.Context)
	if w.chats.HasHome() {
		onBack = w.onBack
	}
	hours := HeaderIn(w.lang, w.closed, w.open, w.now)
	return &Panel{
		Lang:           w.lang,
		Title:          w.settings.Title,
		Color:          w.settings.Color,
		Intro:          w.settings.WelcomeByLang.In(string(w.lang), w.settings.Welcome),
		Items:          w.chat.ItemsIn(w.lang),
		Typing:         w.chat.Typing.Names(w.now),
		Banner:         BannerIn(w.lang, w.state, w.everOnline),
		Expect:         !w.chat.AgentReplied() && !w.chat.Routed() && w.closed == "",
		Wait:           w.chat.WaitLineIn(w.lang),
		Away:           AwayMessage(w.settings, w.lang, hours),
		Surge:          surge,
		Feedback:       w.feedbackPrompt(),
		Assignee:       w.chat.Assignee,
		Topic:          w.topicName(),
		Announce:       w.announce,
		Form:           w.form(),
		Notice:         notice,
		MaxRunes:       w.chat.Limits.MaxTextRunes,
		Now:            w.now,
		ShowClose:      w.origin != "",
		Hours:          hours,
		Closed:         hidden,
		Transcript:     transcript,
		OnSend:         w.onSend,
		OnTyping:       w.onTyping,
		OnInput:        w.onInput,
		FAQ:            w.faqView(),
		OnRetry:        w.onRetry,
		EditWindow:     time.Duration(w.settings.EditMinutes) * time.Minute,
		OnEdit:         w.onEdit,
		OnDelete:       w.onDelete,
		AgentRead:      w.chat.AgentRead,
		AgentDelivered: w.chat.AgentDelivered,
		Preview:        w.settings.TypingPreview,
		OnClose:        w.onClose,
		OnBack:         onBack,
		Files:          w.settings.Files,
		OnFile:         onFile,
		Uploading:      w.uploads > 0,
		FileError:      w.fileErr,
		FileKey:        w.fileKey,
		Announcement:   w.announcement(),
	}
}

// askFileKey asks for the conversation's file key when there is none for
// it, or it is about to end.
func (w *Widget) askFileKey(ctx app.Context) {
	conv := w.chat.Conv
	if conv == 0 || w.token == "" || w.keyAsked || w.fileKeyConv == conv && w.fileKey.Fresh(time.Now()) {
		return
	}
	w.keyAsked = true
	ui.FetchFileKey(conv, ui.VisitorAuth(w.token), func(k ui.FileKey, err error) {
		w.ctx.Dispatch(func(ctx app.Context) {
			w.keyAsked = false
			if err != nil {
				app.Log("parley: file key:", err)
				return
			}
			w.fileKey, w.fileKeyConv = k, conv
		})
	})
}

// onFile uploads a file the visitor chose, then sends it as a message.
func (w *Widget) onFile(ctx app.Context, file app.Value) {
	conv := w.chat.Conv
	if conv == 0 || w.cl == nil {
		w.fileErr = w.lang.T("Say hello first: files can be sent once the chat has started.")
		return
	}
	w.fileErr = ""
	w.uploads++
	ui.UploadFile(conv, file, ui.VisitorAuth(w.token), func(f parley.File, err error) {
		w.ctx.Dispatch(func(ctx app.Context) {
			w.uploads--
			if err != nil {
				w.fileErr = parley.ErrorMessage(err)
				return
			}
			w.send(parley.Frame{Conv: conv, Files: []parley.File{f}})
			ctx.Defer(func(ctx app.Context) { ui.ScrollToBottom(ui.ScrollerID) })
		})
	})
}

func (w *Widget) onFrame(ctx app.Context, f parley.Frame) {
	w.now = time.Now()
	if f.Type == parley.TypeIdentified && f.Token != "" {
		// This device is now the contact: keep their token, and show
		// their chat once the client has said hello as them.
		w.store(ctx, tokenKey(w.site), f.Token)
		w.token, w.fileKey, w.fileKeyConv = f.Token, ui.FileKey{}, 0
		limits := w.chat.Limits
		w.chats = NewChats(false)
		w.chats.limits = limits
		w.chat = w.chats.Current
		w.chat.Limits = limits
	}
	if f.Type == parley.TypeFAQ {
		w.faq.Apply(f)
		return
	}
	stick := ui.NearBottom(ui.ScrollerID)
	w.transcript.Apply(f)
	w.surge.Apply(f)
	w.feedback.Apply(f)
	team := w.team()
	ch, eff := w.chats.Apply(f, w.now)
	w.chat = w.chats.Current
	shown := ch == w.chat && !w.chats.AtHome
	w.surge.Observe(w.chat.Conv, w.chat.Queue, w.settings.BusyMinutes)
	if f.Type == parley.TypeWelcome || f.Type == parley.TypeSite {
		// The server's word on whether the site answers now, newer than
		// the page's: the last agent went offline, or the hours ended.
		w.settings.Open = f.Open
		w.applyHours(ctx)
	} else if w.team() != team {
		// The chat started, or moved to another team.
		w.applyHours(ctx)
	}
	if eff.Token != "" {
		w.store(ctx, tokenKey(w.site), eff.Token)
		w.token = eff.Token
	}
	if eff.Refill != nil && ch == w.chat {
		w.answers, w.formErrs = *eff.Refill, FormErrors{}
	}
	for _, m := range eff.Announce {
		w.post(AgentMessage(m))
		if shown {
			text := AnnounceText(w.lang, m)
			if text == w.announce {
				// The same words again ("ok"): a changed region is
				// read out, an unchanged one is not.
				text += "\u00a0"
			}
			w.announce = text
		}
	}
	if eff.NewMessages && stick && shown {
		ctx.Defer(func(ctx app.Context) { ui.ScrollToBottom(ui.ScrollerID) })
	}
	if f.Type == parley.TypeTyping {
		w.expireTypingLater(ctx)
	}
	w.settle(ctx)
}

func (w *Widget) onState(ctx app.Context, s client.State) {
	w.now = time.Now()
	w.state = s
	if s == client.Online {
		if w.lang != w.helloLang && w.cl != nil {
			// The hello said the language of the first connection.
			w.cl.Context(parley.Frame{Lang: string(w.lang)})
		}
		w.everOnline = true
	} else {
		w.surge.Lost()
	}
	w.settle(ctx)
}

func (w *Widget) onOutbox(ctx app.Context, fs []parley.Frame) {
	w.chats.SetOutbox(fs)
	w.store(ctx, outboxKey(w.site), fs)
}

func (w *Widget) onVisibility(ctx app.Context, visible bool) {
	w.visible = visible
	if visible && w.cl != nil {
		// Phones freeze background tabs: whatever was missed is replayed.
		w.cl.Resync()
	}
	w.settle(ctx)
}

func (w *Widget) onSend(ctx app.Context, text string) {
	if w.cl == nil {
		return
	}
	w.now = time.Now()
	w.typingOut.Stop()
	w.faq.Clear()
	w.send(parley.Frame{Conv: w.chat.Conv, Text: text, Greeted: w.chat.TakeGreeted()})
	ctx.Defer(func(ctx app.Context) { ui.ScrollToBottom(ui.ScrollerID) })
}

func (w *Widget) onRetry(ctx app.Context, id string) {
	if f, ok := w.chat.Retry(id); ok && w.cl != nil {
		if w.chat.Conv != 0 {
			f.Conv = w.chat.Conv
		}
		w.send(f)
	}
}

// onEdit and onDelete change a message of the visitor's; the change comes
// back as an entry of the conversation, like the agents' changes.
func (w *Widget) onEdit(ctx app.Context, seq uint64, text string) {
	if w.cl != nil && w.chat.Conv != 0 {
		w.cl.SendControl(parley.Frame{Type: parley.TypeEdit, Conv: w.chat.Conv, Ref: seq, Text: text})
	}
}

func (w *Widget) onDelete(ctx app.Context, seq uint64) {
	if w.cl != nil && w.chat.Conv != 0 {
		w.cl.SendControl(parley.Frame{Type: parley.TypeDelete, Conv: w.chat.Conv, Ref: seq})
	}
}

// form is the pre-chat form while the next message needs it, else nil.
func (w *Widget) form() *PreChatForm {
	if !w.chat.NeedsForm() || HidesChat(w.closed, w.chat) {
		return nil
	}
	return &PreChatForm{
		Lang:     w.lang,
		Form:     w.chat.Form,
		Submit:   SubmitTextIn(w.lang, w.closed),
		Answers:  w.answers,
		Errors:   w.formErrs,
		Notice:   w.chat.FormNotice,
		OnInput:  w.onFormInput,
		OnSubmit: w.onFormSubmit,
	}
}

func (w *Widget) onFormInput(ctx app.Context, field, value string) {
	w.answers.Set(field, value)
	if field == FieldTopic && !w.settings.Open.ForTeam(w.team()).Same(w.open) {
		// The chosen topic's team answers otherwise: the header and
		// what the form asks change.
		w.applyHours(ctx)
		return
	}
	// The input holds what was typed: nothing on screen changes.
	ctx.PreventUpdate()
}

// onFormSubmit checks the form as the server will, and sends the first
// message with the answers, or shows what is wrong next to each field,
// keeping everything typed.
func (w *Widget) onFormSubmit(ctx app.Context) {
	if w.cl == nil {
		return
	}
	a, errs := CheckFormIn(w.lang, w.chat.Form, w.answers, w.chat.Limits.MaxTextRunes)
	w.formErrs = errs
	if errs.Any() {
		first := FormTextID
		switch {
		case errs.Topic != "":
			first = FormTopicID
		case errs.Name != "":
			first = FormNameID
		case errs.Email != "":
			first = FormEmailID
		}
		ctx.Defer(func(ctx app.Context) { ui.Focus(first) })
		return
	}
	w.now = time.Now()
	f := a.Frame()
	w.send(f)
	w.answers = Answers{}
	ctx.Defer(func(ctx app.Context) {
		ui.ScrollToBottom(ui.ScrollerID)
		ui.Focus(ui.ComposerID)
	})
}

// topicName names the team the chat is with by its pre-chat topic, ""
// for the default team or a team no topic leads to.
func (w *Widget) topicName() string {
	team := w.team()
	if f := w.settings.PreChat; f != nil && team != "" {
		for _, t := range f.Topics {
			if t.Team == team && (w.answers.Topic == "" || t.ID == w.answers.Topic) {
				return t.Name
			}
		}
		for _, t := range f.Topics {
			if t.Team == team {
				return t.Name
			}
		}
	}
	return ""
}

// team is the team the visitor's chat is with, or would go to: the
// conversation's, else the chosen topic's, else the default team ("").
func (w *Widget) team() string {
	if w.chat.Conv != 0 {
		return w.chat.Team
	}
	if f := w.settings.PreChat; f != nil && w.answers.Topic != "" {
		for _, t := range f.Topics {
			if t.ID == w.answers.Topic {
				return t.Team
			}
		}
	}
	return ""
}

// applyHours follows the business hours the page carries: which offline
// mode applies now and what the form asks. When the site opens, it looks
// again.
func (w *Widget) applyHours(ctx app.Context) {
	w.closed, w.open = TeamClosedMode(w.settings, w.team(), w.now)
	w.chat.Form = ClosedForm(w.settings.PreChat, w.closed)
	if w.closed != "" && !w.open.Next.IsZero() {
		ctx.After(time.Until(w.open.Next)+time.Second, func(ctx app.Context) {
			w.now = time.Now()
			w.applyHours(ctx)
		})
	}
}

func (w *Widget) onTranscriptStart(ctx app.Context) {
	if to, ok := w.transcript.Start(w.chat.Email); ok {
		w.requestTranscript(to)
		return
	}
	ctx.Defer(func(ctx app.Context) { ui.Focus(TranscriptEmailID) })
}

func (w *Widget) onTranscriptInput(ctx app.Context, value string) {
	w.transcript.Email = value
	ctx.PreventUpdate()
}

func (w *Widget) onTranscriptSubmit(ctx app.Context) {
	if to, ok := w.transcript.Submit(); ok {
		w.requestTranscript(to)
		return
	}
	ctx.Defer(func(ctx app.Context) { ui.Focus(TranscriptEmailID) })
}

func (w *Widget) onTranscriptCancel(ctx app.Context) {
	w.transcript.Cancel()
	ctx.Defer(func(ctx app.Context) { ui.Focus(TranscriptButtonID) })
}

// requestTranscript asks the server to email the conversation to to. Only
// a refusal comes back: after TranscriptQuiet without one, it is sent.
func (w *Widget) requestTranscript(to string) {
	if w.cl == nil || w.chat.Conv == 0 {
		return
	}
	id, ok := w.cl.SendControl(parley.Frame{Type: parley.TypeTranscript, Conv: w.chat.Conv, Email: to})
	w.transcript.Sent(id, to, ok)
	if ok {
		w.ctx.After(TranscriptQuiet, func(ctx app.Context) { w.transcript.Quiet(id) })
	}
}

func (w *Widget) onSurgeWait(ctx app.Context) {
	w.surge.Wait()
	ctx.Defer(func(ctx app.Context) { ui.Focus(ui.ComposerID) })
}

func (w *Widget) onSurgeInput(ctx app.Context, value string) {
	w.surge.Email = value
	ctx.PreventUpdate()
}

// onSurgeSubmit sends the visitor's address for the conversation: the
// server answers with the conversation carrying it, or a refusal.
func (w *Widget) onSurgeSubmit(ctx app.Context) {
	to, ok := w.surge.Submit()
	if !ok {
		ctx.Defer(func(ctx app.Context) { ui.Focus(SurgeEmailID) })
		return
	}
	if w.cl == nil || w.chat.Conv == 0 {
		return
	}
	id, sent := w.cl.SendControl(w.surge.Frame(to))
	w.surge.Sent(id, to, sent)
}

func (w *Widget) send(f parley.Frame) {
	f.Type = parley.TypeSend
	answers := parley.PreChatAnswers{Topic: f.Topic, Name: f.Name, Email: f.Email}
	switch {
	case len(f.Files) > 0:
		f.ID = w.cl.SendFiles(f.Conv, f.Text, f.Files)
	case f.Conv == 0 && (f.New || w.chat.TakeNew()):
		// "New conversation": not the visitor's open one.
		f.New = true
		f.ID = w.cl.SendNew(f.Text, f.Greeted, answers)
	default:
		f.ID = w.cl.SendForm(f.Conv, f.Text, f.Greeted, answers)
	}
	w.chat.Sent(f)
	w.chats.SetOutbox(w.cl.Outbox())
}

func (w *Widget) onTyping(ctx app.Context) {
	conv := w.chat.Conv
	if conv == 0 || w.cl == nil {
		return
	}
	cl := w.cl
	if w.settings.TypingPreview {
		w.sendDraft(ctx)
		return
	}
	w.typingOut.Input(w.ctx, func(on bool) { cl.Typing(conv, on) })
}

// sendDraft sends what the composer holds as a typing preview, at most
// every PreviewEvery: an edit within that time is sent when it is over,
// so agents always end up with the latest draft.
func (w *Widget) sendDraft(ctx app.Context) {
	if wait := PreviewEvery - time.Since(w.draftAt); wait > 0 {
		if !w.draftLater {
			w.draftLater = true
			ctx.After(wait, func(ctx app.Context) {
				w.draftLater = false
				w.sendDraft(ctx)
				ctx.PreventUpdate()
			})
		}
		return
	}
	if w.cl == nil || w.chat.Conv == 0 {
		return
	}
	w.draftAt = time.Now()
	w.cl.Draft(w.chat.Conv, ui.ComposerValue())
}

func (w *Widget) onClose(ctx app.Context) {
	w.panelOpen = false
	w.post(CloseMessage())
}

// settle does what follows from any change: mark what the visitor sees as
// read, and tell the loader about unread messages and the conversation.
func (w *Widget) settle(ctx app.Context) {
	w.askFileKey(ctx)
	if w.panelOpen && w.visible && !w.chats.AtHome {
		if seq, ok := w.chat.MarkRead(); ok && w.cl != nil {
			w.cl.Read(w.chat.Conv, seq)
		}
	}
	if n := w.chats.Unread(); n != w.toldUnread {
		w.toldUnread = n
		w.post(UnreadMessage(n))
	}
	if open, known := w.chats.OpenConversation(); known {
		o := 0
		if open {
			o = 1
		}
		if o != w.toldOpen {
			w.toldOpen = o
			w.post(ConversationMessage(open))
		}
	}
}

// expireTypingLater re-renders when a typing state may have expired, since
// an agent's "off" may never come.
func (w *Widget) expireTypingLater(ctx app.Context) {
	if w.typingRefresh {
		return
	}
	w.typingRefresh = true
	ctx.After(ui.TypingExpiry+100*time.Millisecond, func(ctx app.Context) {
		w.typingRefresh = false
		w.now = time.Now()
		if len(w.chat.Typing.Names(w.now)) > 0 {
			w.expireTypingLater(ctx)
		}
	})
}

// listenToLoader accepts messages only from the shop page that embeds us:
// the origin named in the URL, and the parent window itself.
func (w *Widget) listenToLoader(ctx app.Context) {
	win := app.Window()
	parent := win.Get("parent")
	origin := w.origin
	fn := app.FuncOf(func(this app.Value, args []app.Value) any {
		if len(args) == 0 {
			return nil
		}
		ev := args[0]
		if ev.Get("origin").String() != origin || !ev.Get("source").Equal(parent) {
			return nil
		}
		var data string
		if err := guard(func() error {
			data = app.Window().Get("JSON").Call("stringify", ev.Get("data")).String()
			return nil
		}); err != nil {
			return nil
		}
		m, ok := DecodeParentMessage([]byte(data))
		if !ok {
			return nil
		}
		ctx.Dispatch(func(ctx app.Context) { w.onLoaderMessage(ctx, m) })
		return nil
	})
	win.Call("addEventListener", "message", fn)
	w.release = append(w.release, func() {
		win.Call("removeEventListener", "message", fn)
		fn.Release()
	})
}

func (w *Widget) onLoaderMessage(ctx app.Context, m ParentMessage) {
	w.now = time.Now()
	w.notePage(m.Page)
	switch m.Type {
	case MsgOpen:
		w.panelOpen = true
		if connect := w.connect; connect != nil {
			w.connect = nil
			connect()
		}
		if m.Page != nil && w.cl != nil {
			w.cl.Page(*m.Page)
		}
		if w.chats.AtHome && m.Greeting == "" {
			ctx.Defer(func(ctx app.Context) { ui.Focus(HomeNewID) })
			break
		}
		if w.chats.AtHome {
			// The shop's greeting opens a new conversation, the home a
			// click away.
			w.chats.StartNew()
			w.chat = w.chats.Current
			w.applyHours(ctx)
		}
		if w.answers.Empty() {
			// A greeting replaces the form: not under the visitor's hands.
			w.chat.Greet(w.settings.GreetingByLang.In(string(w.lang), m.Greeting), w.now)
		}
		ctx.Defer(func(ctx app.Context) {
			ui.ScrollToBottom(ui.ScrollerID)
			ui.Focus(ui.ComposerID)
		})
	case MsgClose:
		w.panelOpen = false
	case MsgPage:
		if w.cl != nil {
			w.cl.Page(*m.Page)
			if m.Referrer != "" && !w.toldReferrer {
				w.toldReferrer = true
				w.cl.Context(parley.Frame{Referrer: m.Referrer})
			}
		}
	case MsgContext:
		if f, ok := m.Context.Frame(); ok && w.cl != nil {
			w.cl.Context(f)
		}
	case MsgLang:
		w.pageLang = ""
		if l, ok := i18n.Parse(m.Lang); ok {
			w.pageLang = l
		}
		w.applyLang()
	case MsgIdentify:
		if w.cl != nil {
			who := m.Identify
			w.cl.Identify(parley.Identify{ExternalID: who.ID, Email: who.Email, Name: who.Name, Signature: who.Signature})
		}
	}
	w.settle(ctx)
}

// applyLang makes the page's language, else the browser's, the widget's:
// its texts, the document's lang attribute, and what the server is told
// (the visitor's language, for the emails).
func (w *Widget) applyLang() {
	l := w.pageLang
	if l == "" {
		l = w.browserLang
	}
	if l == "" {
		l = i18n.EN
	}
	changed := l != w.lang
	w.lang = l
	w.transcript.Lang, w.surge.Lang = l, l
	if app.IsClient {
		app.Window().Get("document").Get("documentElement").Set("lang", string(l))
	}
	if changed && w.cl != nil {
		w.cl.Context(parley.Frame{Lang: string(l)})
	}
	// The launcher speaks the chat's language too.
	w.post(WordsMessage(l))
}

// post sends a message to the loader, to the shop's origin only.
func (w *Widget) post(m map[string]any) {
	if w.origin == "" {
		return
	}
	origin := w.origin
	if err := guard(func() error {
		app.Window().Get("parent").Call("postMessage", m, origin)
		return nil
	}); err != nil {
		app.Log("parley: posting to the loader:", err)
	}
}

func (w *Widget) store(ctx app.Context, key string, v any) {
	if err := guard(func() error { return ctx.LocalStorage().Set(key, v) }); err != nil {
		// Storage may be full or blocked; the chat goes on without it.
		app.Log("parley: storing", key+":", err)
	}
}

// guard runs f, turning a JavaScript exception (a panic in Go) into an
// error: storage and cross-window calls may throw.
func guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("visitor: %v", r)
		}
	}()
	return f()
}

// pageSettings reads the site's title, colour and welcome from the meta tag
// the server puts in the widget page. Outside a browser, or without the tag,
// the widget keeps its defaults.
func pageSettings() parley.WidgetSettings {
	var s parley.WidgetSettings
	if !app.IsClient {
		return s
	}
	meta := app.Window().Get("document").Call("querySelector", `meta[name="`+parley.WidgetSettingsMeta+`"]`)
	if !meta.Truthy() {
		return s
	}
	if err := json.Unmarshal([]byte(meta.Call("getAttribute", "content").String()), &s); err != nil {
		app.Log("parley: reading the site settings:", err)
		return parley.WidgetSettings{}
	}
	return s
}
