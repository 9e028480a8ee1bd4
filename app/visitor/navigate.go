package visitor

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// home is the widget's home view; notice is why the chat ended, if it did.
func (w *Widget) home(notice string) app.UI {
	banner := BannerIn(w.lang, w.state, w.everOnline)
	if notice != "" {
		banner = w.lang.T(notice)
	}
	var topics []parley.Topic
	if f := w.settings.PreChat; f != nil {
		topics = f.Topics
	}
	hours := HeaderIn(w.lang, w.closed, w.open, w.now)
	return &HomeView{
		Lang:      w.lang,
		Title:     w.settings.Title,
		Color:     w.settings.Color,
		Intro:     w.settings.WelcomeByLang.In(string(w.lang), w.settings.Welcome),
		Rows:      w.chats.Rows(w.settings.Title, topics),
		Now:       w.now,
		Banner:    banner,
		Hours:     hours,
		Away:      AwayMessage(w.settings, w.lang, hours),
		ShowClose: w.origin != "",
		// A site that hides its chat while closed takes no new one.
		NoNew:   w.closed == parley.OfflineHide,
		OnNew:   w.onNew,
		OnOpen:  w.onOpen,
		OnClose: w.onClose,

		Announcement: w.announcement(),
	}
}

// onOpen shows one of the visitor's conversations, its history replayed
// by the client, and marks it read.
func (w *Widget) onOpen(ctx app.Context, conv uint64) {
	if !w.chats.Open(conv) {
		return
	}
	if w.cl != nil {
		// A past conversation's history is replayed now (the client
		// follows the open ones from the welcome on); following one
		// already followed changes nothing.
		w.cl.Follow(conv, 0)
	}
	w.show(ctx)
}

// onNew shows the composer (or the pre-chat form) of a new conversation.
func (w *Widget) onNew(ctx app.Context) {
	w.chats.StartNew()
	w.show(ctx)
}

// onBack goes back to the home, focusing the conversation left.
func (w *Widget) onBack(ctx app.Context) {
	left := w.chat.Conv
	w.chats.Back()
	w.typingOut.Stop()
	ctx.Defer(func(ctx app.Context) {
		if left != 0 {
			ui.Focus(HomeRowID(left))
			return
		}
		ui.Focus(HomeNewID)
	})
	w.settle(ctx)
}

// show follows a change of the chat on screen.
func (w *Widget) show(ctx app.Context) {
	w.chat = w.chats.Current
	w.typingOut.Stop()
	w.fileErr = ""
	w.applyHours(ctx)
	ctx.Defer(func(ctx app.Context) {
		ui.ScrollToBottom(ui.ScrollerID)
		if !w.chat.NeedsForm() || !app.IsClient {
			ui.Focus(ui.ComposerID)
			return
		}
		// The form's first field.
		for _, id := range []string{FormTopicID, FormNameID, FormEmailID, FormTextID} {
			if app.Window().GetElementByID(id).Truthy() {
				ui.Focus(id)
				return
			}
		}
	})
	w.settle(ctx)
}
