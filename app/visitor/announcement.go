package visitor

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// AnnouncementID is the id of the announcement banner at the top of the
// open widget.
const AnnouncementID = "announcement"

// AnnouncementBanner is the site's announcement at the top of the open
// widget: its text, an optional link opening in a new tab, and a × that
// hides it until the widget reloads. The text and link are the shop's:
// shown as text, the link only when it is http(s).
type AnnouncementBanner struct {
	app.Compo

	Lang      i18n.Lang
	Text      string
	Link      string
	OnDismiss func(ctx app.Context)
}

// Render implements app.Composer.
func (b *AnnouncementBanner) Render() app.UI {
	var link app.UI = app.Span().Class("announcement-link-none")
	if b.Link != "" && parley.WebLink(b.Link) {
		link = app.A().Class("announcement-link").Href(b.Link).Target("_blank").Rel("noopener noreferrer").
			Text(b.Lang.T("Learn more"))
	}
	onDismiss := b.OnDismiss
	label := b.Lang.T("Dismiss announcement")
	return app.Section().ID(AnnouncementID).Class("announcement").Aria("label", b.Lang.T("Announcement")).Body(
		app.P().Class("announcement-text").Body(app.Span().Text(b.Text), link),
		app.Button().Class("announcement-close").Type("button").Aria("label", label).Title(label).
			OnClick(func(ctx app.Context, e app.Event) {
				if onDismiss != nil {
					onDismiss(ctx)
				}
			}).
			Text("×"),
	)
}

// CurrentAnnouncement is the announcement to show at now on the shop page
// with path ("" when unknown), skipping those the visitor dismissed; ok is
// false when none shows.
func CurrentAnnouncement(list []parley.AnnouncementView, now time.Time, path string, dismissed map[string]bool) (parley.AnnouncementView, bool) {
	for _, v := range list {
		if !dismissed[v.ID] && v.Shows(now, path) {
			return v, true
		}
	}
	return parley.AnnouncementView{}, false
}

// announcement is the banner for the widget's state, nil when none shows.
func (w *Widget) announcement() *AnnouncementBanner {
	v, ok := CurrentAnnouncement(w.settings.Announcements, w.now, w.pagePath, w.dismissed)
	if !ok {
		return nil
	}
	id := v.ID
	return &AnnouncementBanner{
		Lang: w.lang,
		Text: v.TextIn(string(w.lang)),
		Link: v.Link,
		OnDismiss: func(ctx app.Context) {
			if w.dismissed == nil {
				w.dismissed = map[string]bool{}
			}
			w.dismissed[id] = true
			// Focus must not fall to the page's body.
			target := ui.ComposerID
			if w.chats != nil && w.chats.AtHome {
				target = HomeNewID
			}
			ctx.Defer(func(ctx app.Context) { ui.Focus(target) })
		},
	}
}

// watchAnnouncements re-renders when an announcement's window starts or
// ends while the widget is open.
func (w *Widget) watchAnnouncements(ctx app.Context) {
	next := parley.NextAnnouncementChange(w.settings.Announcements, time.Now())
	if next.IsZero() {
		return
	}
	// Timers of days drift with sleep: look again at least daily.
	ctx.After(min(time.Until(next)+100*time.Millisecond, 24*time.Hour), func(ctx app.Context) {
		w.now = time.Now()
		w.watchAnnouncements(ctx)
	})
}

// notePage keeps the shop page's path, which announcements match.
func (w *Widget) notePage(p *parley.Page) {
	if p != nil {
		w.pagePath = parley.PagePath(p.URL)
	}
}

// announcementSlot is the banner, or a placeholder that keeps the
// children's positions when there is none.
func announcementSlot(b *AnnouncementBanner) app.UI {
	if b == nil {
		return app.Span().Class("announcement-none")
	}
	return b
}
