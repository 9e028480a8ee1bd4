package console

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// auth is where the agent's session stands.
type auth int

const (
	authChecking auth = iota
	authLoggedOut
	authLoggedIn
)

// DocumentTitle is the tab title: the unread count first, so it shows in a
// narrow tab and in the taskbar.
func DocumentTitle(unread int) string {
	if unread > 0 {
		return "(" + strconv.Itoa(unread) + ") Parley"
	}
	return "Parley"
}

// Console is the root component of /console and everything under it. It
// owns the session, the websocket client and the browser hooks; Desk holds
// what the socket said, and the view components draw it.
type Console struct {
	app.Compo

	// installable: the browser offers to install the console now (it is
	// not installed, and it may be): the top bar shows Install.
	installable bool

	// ctx is the root's own context, from OnMount. Callbacks that outlive
	// an event (the client's, timers, requests) dispatch through it: a
	// child's context is dead once the child unmounts (the login form after
	// a login), and go-app then drops its dispatches silently.
	ctx app.Context

	api  *API
	auth auth
	// fileKeys read each conversation's files; keyAsked marks those
	// asked for. uploads counts files on their way; fileErr says why the
	// last one did not go.
	fileKeys  map[uint64]ui.FileKey
	keyAsked  map[uint64]bool
	uploads   int
	fileErr   string
	session   Session
	loginErr  string
	loginBusy bool
	route     Route

	cl         *client.Client
	stop       context.CancelFunc
	state      client.State
	everOnline bool
	desk       *Desk
	// loadingMore: a page of the inbox is on its way; refreshing: the top
	// of the inbox is read again, and refreshAgain asks for another read
	// once it is in. switching is the view (and switchingTag its tag filter)
	// whose first page is on its way.
	loadingMore, refreshing, refreshAgain bool
	switching                             string
	switchingTag                          string

	updateAvailable bool
	permission      app.NotificationPermission
	visible         bool
	alerts          alerter
	typingOut       ui.TypingNotifier
	typingRefresh   bool
	now             time.Time
	release         []func()

	// presence is the agent's own status as this console asks for it.
	// lastInput (Unix nanoseconds) and idle are shared with the input
	// listener, which runs outside the UI goroutine and only dispatches
	// when the agent comes back from idle.
	presence  Presence
	lastInput atomic.Int64
	idle      atomic.Bool

	// manages: the agent owns or administers a site, so People is shown.
	manages bool
}

// presenceTick is how often the console checks for idleness.
const presenceTick = 15 * time.Second

// OnMount checks for a session and installs the browser hooks.
func (c *Console) OnMount(ctx app.Context) {
	c.ctx = ctx
	c.installable = ctx.IsAppInstallable()
	u := ctx.Page().URL()
	c.api = NewAPI(u.Scheme+"://"+u.Host+ui.BasePath(), nil)
	c.route = ParseRoute(u.Path)
	c.now = time.Now()
	c.visible = ui.PageVisible()
	c.permission = ctx.Notifications().Permission()
	c.updateAvailable = ctx.AppUpdateAvailable()
	c.release = append(c.release,
		ui.OnVisibilityChange(func(visible bool) {
			ctx.Dispatch(func(ctx app.Context) { c.onVisibility(ctx, visible) })
		}),
		c.alerts.unlockOnGesture(),
		ui.OnActivity(func() {
			c.lastInput.Store(time.Now().UnixNano())
			if c.idle.CompareAndSwap(true, false) {
				ctx.Dispatch(func(ctx app.Context) { c.onActive() })
			}
		}),
	)
	ctx.After(presenceTick, c.checkIdle)

	api := c.api
	ctx.Async(func() {
		s, err := api.Session(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case err == nil:
				c.startSession(s)
			case parley.ErrorCode(err) == parley.EUnauthorized:
				c.auth = authLoggedOut
			default:
				c.auth, c.loginErr = authLoggedOut, parley.ErrorMessage(err)
			}
		})
	})
}

// OnDismount stops the client and the browser hooks.
func (c *Console) OnDismount() {
	c.stopClient()
	for _, r := range c.release {
		r()
	}
	c.release = nil
}

// OnNav follows the URL: /console, /console/c/{id}, /console/settings.
func (c *Console) OnNav(ctx app.Context) {
	from := c.route
	c.route = ParseRoute(ctx.Page().URL().Path)
	if from.View == ViewSettings && c.route.View != ViewSettings && c.auth == authLoggedIn {
		// The teams may have changed there.
		c.loadSites()
	}
	c.now = time.Now()
	if c.auth == authLoggedIn && c.route.View == ViewConversation {
		c.openConversation(c.route.Conv)
	}
	c.settle()
}

// OnAppUpdate shows the banner offering the new version.
func (c *Console) OnAppUpdate(ctx app.Context) {
	c.updateAvailable = ctx.AppUpdateAvailable()
}

func (c *Console) startSession(s Session) {
	ctx := c.ctx
	c.stopClient()
	c.session = s
	c.auth, c.loginErr, c.loginBusy = authLoggedIn, "", false
	c.desk = NewDesk()
	c.desk.Agent = s.Agent
	c.everOnline = false
	c.presence = Presence{}
	c.idle.Store(false)

	// The callbacks check they belong to the current client: a logout and a
	// new login must not mix two sessions' frames.
	var cl *client.Client
	cl = client.New(client.Options{
		URL:   ui.SocketURL(ctx.Page().URL()),
		Hello: parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent},
		OnFrame: func(f parley.Frame) {
			ctx.Dispatch(func(ctx app.Context) {
				if c.cl == cl {
					c.onFrame(ctx, f)
				}
			})
		},
		OnState: func(st client.State) {
			ctx.Dispatch(func(ctx app.Context) {
				if c.cl == cl {
					c.onState(ctx, st)
				}
			})
		},
		OnOutbox: func(fs []parley.Frame) {
			ctx.Dispatch(func(ctx app.Context) {
				if c.cl == cl && c.desk != nil {
					c.desk.Outbox = fs
				}
			})
		},
	})
	runCtx, stop := context.WithCancel(context.Background())
	c.cl, c.stop = cl, stop
	ctx.Async(func() {
		err := cl.Run(runCtx)
		ctx.Dispatch(func(ctx app.Context) {
			if c.cl != cl {
				return
			}
			switch {
			case errors.Is(err, client.ErrUnauthorized):
				c.endSession(parley.ErrorMessage(err))
			case err != nil:
				c.desk.Notice = "The server closed the connection. Reload the page to reconnect."
			}
		})
	})
	c.switching = ""
	c.loadSites()
	if c.route.View == ViewConversation {
		c.openConversation(c.route.Conv)
	}
	c.settle()
}

// loadSites reads the agent's sites: the names of sites, teams and topics
// in the headers, which teams are the agent's for the views, and whether
// it manages any site, for the People link (the server checks every
// request anyway: this only hides a page that would refuse everything).
func (c *Console) loadSites() {
	ctx, api, d, sess := c.ctx, c.api, c.desk, c.session
	c.manages = false
	if d == nil {
		return
	}
	ctx.Async(func() {
		sites, err := api.Sites(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if c.desk != d || c.session != sess || err != nil {
				// Without them the headers show ids and the views trust
				// the server's pages: nothing to warn about.
				return
			}
			c.manages = len(ManagedSites(sites)) > 0
			d.SetSites(sites)
			c.loadCanned(sites)
		})
	})
}

// loadCanned loads the canned replies of each site, those this agent may
// use, for the composer's /shortcut.
func (c *Console) loadCanned(sites []SiteInfo) {
	ctx, api, d := c.ctx, c.api, c.desk
	for _, s := range sites {
		id := s.ID
		ctx.Async(func() {
			list, err := api.Canned(ctx, id)
			if err != nil {
				return // no completions: the composer works without them
			}
			ctx.Dispatch(func(ctx app.Context) {
				if c.desk == d {
					d.SetCanned(id, parley.CannedFor(list, d.Agent.ID, siteTeams(d, id)))
				}
			})
		})
	}
}

// onCannedSaved loads the canned replies of a site again once Settings
// changed them, so the composer offers them at once.
func (c *Console) onCannedSaved(_ app.Context, site string) {
	if c.desk == nil {
		return
	}
	if s, ok := c.desk.Site(site); ok {
		c.loadCanned([]SiteInfo{s})
	}
}

func siteTeams(d *Desk, site string) []parley.Team {
	s, _ := d.Site(site)
	return s.Routing.Teams
}

func (c *Console) stopClient() {
	if c.stop != nil {
		c.stop()
	}
	c.cl, c.stop = nil, nil
}

func (c *Console) endSession(why string) {
	c.stopClient()
	c.desk = nil
	c.session = Session{}
	c.auth, c.loginErr, c.loginBusy = authLoggedOut, why, false
	ui.SetDocumentTitle(DocumentTitle(0))
}

func (c *Console) openConversation(id uint64) {
	if c.desk == nil || c.cl == nil {
		return
	}
	t := c.desk.Thread(id)
	if !t.Followed {
		t.Followed = true
		c.cl.Follow(id, t.Messages.Contiguous())
	}
	c.loadVisitor()
	c.fileErr = "" // about another conversation's file
	c.askFileKey()
	c.ctx.Defer(func(ctx app.Context) {
		ui.ScrollToBottom(ui.ScrollerID)
		ui.Focus(ui.ComposerID)
	})
}

func (c *Console) onFrame(ctx app.Context, f parley.Frame) {
	c.now = time.Now()
	stick := ui.NearBottom(ui.ScrollerID)
	eff := c.desk.Apply(f, c.now)
	for _, a := range eff.Alerts {
		c.alert(a)
	}
	if stick && c.route.View == ViewConversation {
		for _, id := range eff.Grew {
			if id == c.route.Conv {
				ctx.Defer(func(ctx app.Context) { ui.ScrollToBottom(ui.ScrollerID) })
				break
			}
		}
	}
	if f.Type == parley.TypeTyping {
		c.expireTypingLater()
	}
	if f.Type == parley.TypeMsg && c.route.View == ViewConversation && f.Conv == c.route.Conv {
		c.loadVisitor() // its visitor may be known only now
	}
	if eff.ReloadView {
		c.loadView(c.desk.Inbox.View(), c.desk.Inbox.Tag())
	} else if eff.Refresh {
		c.refreshInbox()
	}
	c.settle()
}

// onView is the switcher: show view, from its first page, keeping the tag
// filter.
func (c *Console) onView(_ app.Context, view string) {
	tag := ""
	if c.desk != nil {
		tag = c.desk.Inbox.Tag()
	}
	c.loadView(view, tag)
}

// onTagFilter filters the inbox by tag ("": no filter), in the view on
// screen.
func (c *Console) onTagFilter(_ app.Context, tag string) {
	if c.desk != nil {
		c.loadView(c.desk.Inbox.View(), tag)
	}
}

// loadView reads the first page of view, filtered by tag, and shows it.
// The latest view asked for wins; the list stays as it is meanwhile.
func (c *Console) loadView(view, tag string) {
	d := c.desk
	if d == nil {
		return
	}
	ctx, api := c.ctx, c.api
	c.switching, c.switchingTag = view, tag
	ctx.Async(func() {
		p, err := api.Conversations(ctx, view, tag, "", parley.InboxPageSize)
		ctx.Dispatch(func(ctx app.Context) {
			if c.desk != d || c.switching != view || c.switchingTag != tag {
				return
			}
			c.switching = ""
			if err != nil {
				d.Notice = "Could not load the " + ViewLabel(view) + " view: " + parley.ErrorMessage(err)
				return
			}
			d.Inbox.SetTagView(view, tag, p)
			c.settle()
		})
	})
}

// onLoadMore reads the next page of the inbox.
func (c *Console) onLoadMore(app.Context) {
	d := c.desk
	if d == nil || c.loadingMore || d.Inbox.Next() == "" {
		return
	}
	ctx, api, before, view, tag := c.ctx, c.api, d.Inbox.Next(), d.Inbox.View(), d.Inbox.Tag()
	c.loadingMore = true
	ctx.Async(func() {
		p, err := api.Conversations(ctx, view, tag, before, parley.InboxPageSize)
		ctx.Dispatch(func(ctx app.Context) {
			c.loadingMore = false
			if c.desk != d || d.Inbox.View() != view || d.Inbox.Tag() != tag {
				return
			}
			if err != nil {
				d.Notice = "Could not load more conversations: " + parley.ErrorMessage(err)
				return
			}
			d.Inbox.AddPage(before, p)
			c.settle()
		})
	})
}

// refreshInbox reads the top of the inbox again: a conversation not loaded
// got a message and moved there. One read at a time; messages meanwhile
// ask for one more.
func (c *Console) refreshInbox() {
	if c.refreshing {
		c.refreshAgain = true
		return
	}
	ctx, api, d := c.ctx, c.api, c.desk
	view, tag := d.Inbox.View(), d.Inbox.Tag()
	c.refreshing = true
	ctx.Async(func() {
		p, err := api.Conversations(ctx, view, tag, "", parley.InboxPageSize)
		ctx.Dispatch(func(ctx app.Context) {
			c.refreshing = false
			if c.desk != d {
				c.refreshAgain = false
				return
			}
			if err == nil {
				d.Inbox.Merge(p.Conversations)
			}
			if c.refreshAgain {
				c.refreshAgain = false
				c.refreshInbox()
			}
			c.settle()
		})
	})
}

func (c *Console) onState(ctx app.Context, s client.State) {
	c.state = s
	if s == client.Online {
		c.everOnline = true
	}
}

func (c *Console) onVisibility(ctx app.Context, visible bool) {
	c.visible = visible
	if visible && c.cl != nil {
		c.cl.Resync()
	}
	c.settle()
}

// alert makes a visitor's message heard: a chime unless the agent is
// looking at that very conversation, and a notification when the console
// is hidden.
func (c *Console) alert(a Alert) {
	watching := c.visible && c.route.View == ViewConversation && c.route.Conv == a.Conv
	if watching {
		return
	}
	c.alerts.chime()
	if !c.visible && c.permission == app.NotificationGranted {
		notify("New message from "+a.Name, a.Text, ConversationPath(a.Conv), "parley-conv-"+strconv.FormatUint(a.Conv, 10))
	}
}

// settle does what follows from any change: mark the conversation on
// screen as read, and put the unread count in the tab title.
func (c *Console) settle() {
	if c.desk == nil {
		return
	}
	// The inbox may learn the conversation's visitor after it opened.
	c.loadVisitor()
	c.askFileKey()
	if c.visible && c.route.View == ViewConversation && c.cl != nil {
		if seq, ok := c.desk.MarkRead(c.route.Conv); ok {
			c.cl.Read(c.route.Conv, seq)
		}
	}
	ui.SetDocumentTitle(DocumentTitle(c.desk.Inbox.UnreadTotal()))
}

func (c *Console) expireTypingLater() {
	if c.typingRefresh {
		return
	}
	c.typingRefresh = true
	c.ctx.After(ui.TypingExpiry+100*time.Millisecond, func(ctx app.Context) {
		c.typingRefresh = false
		c.now = time.Now()
		if c.desk != nil && c.route.View == ViewConversation && len(c.desk.TypingNames(c.route.Conv, c.now)) > 0 {
			c.expireTypingLater()
		}
	})
}

// checkIdle sets the agent away after parley.IdleAway without input,
// and keeps checking.
func (c *Console) checkIdle(ctx app.Context) {
	// The same tick keeps the waiting times of queued chats moving.
	c.now = time.Now()
	if t := c.lastInput.Load(); t != 0 {
		c.presence.Input(time.Unix(0, t))
	}
	if c.desk != nil {
		c.presence.After = time.Duration(c.desk.Limits.IdleAwaySeconds) * time.Second
	}
	if status, changed := c.presence.Tick(time.Now()); changed && c.cl != nil {
		c.cl.Presence(status)
	}
	c.idle.Store(c.presence.Idle())
	ctx.After(presenceTick, c.checkIdle)
}

// onActive is the first input after idleness: online again, unless the
// agent set itself away by hand.
func (c *Console) onActive() {
	if status, changed := c.presence.Input(time.Now()); changed && c.cl != nil {
		c.cl.Presence(status)
	}
}

// onTogglePresence is the header's online/away switch.
func (c *Console) onTogglePresence(ctx app.Context, e app.Event) {
	status := c.presence.Toggle(time.Now())
	c.idle.Store(false)
	if c.cl != nil {
		c.cl.Presence(status)
	}
}

func (c *Console) onLogin(_ app.Context, email, password string) {
	ctx := c.ctx
	if c.loginBusy {
		return
	}
	c.alerts.unlock()
	if email == "" || password == "" {
		c.loginErr = "Enter your email and password."
		return
	}
	c.loginBusy, c.loginErr = true, ""
	api := c.api
	ctx.Async(func() {
		s, err := api.Login(ctx, email, password)
		ctx.Dispatch(func(ctx app.Context) {
			c.loginBusy = false
			if err != nil {
				c.loginErr = parley.ErrorMessage(err)
				return
			}
			c.startSession(s)
		})
	})
}

func (c *Console) onLogout(_ app.Context, e app.Event) {
	ctx, api := c.ctx, c.api
	c.stopClient()
	ctx.Async(func() {
		// A browser logged out gets no more pushes: it may be shared.
		unsubscribeThisBrowser(ctx, api)
		err := api.Logout(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			msg := ""
			if err != nil && parley.ErrorCode(err) != parley.EUnauthorized {
				msg = "You were logged out here, but the server did not confirm: " + parley.ErrorMessage(err)
			}
			c.endSession(msg)
		})
	})
}

func (c *Console) onEnableNotifications(_ app.Context, e app.Event) {
	ctx := c.ctx
	c.alerts.unlock()
	ctx.Async(func() {
		p := ctx.Notifications().RequestPermission()
		ctx.Dispatch(func(ctx app.Context) { c.permission = p })
	})
}

func (c *Console) onSend(ctx app.Context, text string) {
	conv := c.route.Conv
	if c.cl == nil || conv == 0 {
		return
	}
	c.typingOut.Stop()
	c.send(parley.Frame{Conv: conv, Text: text})
	c.ctx.Defer(func(ctx app.Context) { ui.ScrollToBottom(ui.ScrollerID) })
}

// onNote sends an internal note to the conversation on screen.
func (c *Console) onNote(ctx app.Context, text string) {
	conv := c.route.Conv
	if c.cl == nil || conv == 0 {
		return
	}
	c.typingOut.Stop()
	c.send(parley.Frame{Conv: conv, Text: text, Kind: parley.KindNote})
	c.ctx.Defer(func(ctx app.Context) { ui.ScrollToBottom(ui.ScrollerID) })
}

func (c *Console) onRetry(ctx app.Context, id string) {
	if f, ok := c.desk.Retry(c.route.Conv, id); ok && c.cl != nil {
		c.send(f)
	}
}

// onEdit and onDelete change a message of the agent's; the change comes
// back as an entry of the conversation.
func (c *Console) onEdit(ctx app.Context, seq uint64, text string) {
	if c.cl != nil {
		c.cl.SendControl(parley.Frame{Type: parley.TypeEdit, Conv: c.route.Conv, Ref: seq, Text: text})
	}
}

func (c *Console) onDelete(ctx app.Context, seq uint64) {
	if c.cl != nil {
		c.cl.SendControl(parley.Frame{Type: parley.TypeDelete, Conv: c.route.Conv, Ref: seq})
	}
}

// onRich sends a product card and quick replies to the open conversation.
func (c *Console) onRich(ctx app.Context, text string, card *parley.Card, replies []string) {
	if c.cl == nil {
		return
	}
	f := parley.Frame{Type: parley.TypeSend, Conv: c.route.Conv, Text: text, Card: card, Replies: replies}
	if card != nil && text == "" {
		f.Text = card.Title
	}
	if f.ID = c.cl.SendRich(f.Conv, f.Text, card, replies); f.ID == "" {
		return
	}
	c.desk.Sent(f)
	c.desk.Outbox = c.cl.Outbox()
}

// askFileKey asks for the open conversation's file key when there is
// none, or it is about to end.
func (c *Console) askFileKey() {
	conv := c.route.Conv
	if c.route.View != ViewConversation || conv == 0 || c.keyAsked[conv] || c.fileKeys[conv].Fresh(time.Now()) {
		return
	}
	if c.keyAsked == nil {
		c.keyAsked, c.fileKeys = map[uint64]bool{}, map[uint64]ui.FileKey{}
	}
	c.keyAsked[conv] = true
	ui.FetchFileKey(conv, nil, func(k ui.FileKey, err error) {
		c.ctx.Dispatch(func(ctx app.Context) {
			delete(c.keyAsked, conv)
			if err != nil {
				app.Log("parley: file key:", err)
				return
			}
			c.fileKeys[conv] = k
		})
	})
}

// onFile uploads a file the agent chose, then sends it as a message.
func (c *Console) onFile(ctx app.Context, file app.Value) {
	conv := c.route.Conv
	if conv == 0 || c.cl == nil {
		return
	}
	c.fileErr = ""
	c.uploads++
	ui.UploadFile(conv, file, c.api.FileHeader(), func(f parley.File, err error) {
		c.ctx.Dispatch(func(ctx app.Context) {
			c.uploads--
			if err != nil {
				c.fileErr = parley.ErrorMessage(err)
				return
			}
			id := c.cl.SendFiles(conv, "", []parley.File{f})
			c.desk.Sent(parley.Frame{Type: parley.TypeSend, ID: id, Conv: conv, Files: []parley.File{f}})
			c.desk.Outbox = c.cl.Outbox()
			ctx.Defer(func(ctx app.Context) { ui.ScrollToBottom(ui.ScrollerID) })
		})
	})
}

func (c *Console) send(f parley.Frame) {
	f.Type = parley.TypeSend
	switch {
	case len(f.Files) > 0:
		f.ID = c.cl.SendFiles(f.Conv, f.Text, f.Files)
	case f.Kind == parley.KindNote:
		f.ID = c.cl.SendNote(f.Conv, f.Text)
	default:
		f.ID = c.cl.Send(f.Conv, f.Text, false)
	}
	c.desk.Sent(f)
	c.desk.Outbox = c.cl.Outbox()
}

func (c *Console) onTyping(app.Context) {
	conv, cl := c.route.Conv, c.cl
	if cl == nil || conv == 0 {
		return
	}
	c.typingOut.Input(c.ctx, func(on bool) { cl.Typing(conv, on) })
}

func (c *Console) onResolve(ctx app.Context) {
	if c.cl != nil && c.route.Conv != 0 {
		c.cl.Resolve(c.route.Conv)
	}
}

// onClaim takes the queued conversation on screen.
func (c *Console) onClaim(ctx app.Context) {
	c.request(parley.Frame{Type: parley.TypeClaim, Conv: c.route.Conv})
}

// onTags adds and removes tags of the conversation on screen; the answer
// is a conv frame, or an error shown in its header.
func (c *Console) onTags(ctx app.Context, add, remove []string) {
	conv := c.route.Conv
	if c.desk == nil || conv == 0 {
		return
	}
	f := parley.Frame{Type: parley.TypeTag, Conv: conv, Add: add, Remove: remove}
	if c.cl == nil {
		c.desk.RequestFailed(conv, "You are offline. Try again once the console is connected.")
		return
	}
	id, ok := c.cl.SendControl(f)
	if !ok {
		c.desk.RequestFailed(conv, "You are offline. Try again once the console is connected.")
		return
	}
	c.desk.TagRequested(id, f)
}

// onTransfer hands the conversation on screen to a team or a colleague.
func (c *Console) onTransfer(ctx app.Context, f parley.Frame) {
	f.Conv = c.route.Conv
	c.request(f)
}

// request sends a claim or a transfer; the answer is the conversation's
// change, or an error frame with the request's id shown in its header.
func (c *Console) request(f parley.Frame) {
	if c.desk == nil || f.Conv == 0 {
		return
	}
	if c.cl == nil {
		c.desk.RequestFailed(f.Conv, "You are offline. Try again once the console is connected.")
		return
	}
	id, ok := c.cl.SendControl(f)
	if !ok {
		c.desk.RequestFailed(f.Conv, "You are offline. Try again once the console is connected.")
		return
	}
	c.desk.Requested(id, f)
}

// Render implements app.Composer.
func (c *Console) Render() app.UI {
	view := "inbox"
	switch c.route.View {
	case ViewConversation:
		view = "conversation"
	case ViewSettings:
		view = "settings"
	case ViewPeople:
		view = "people"
	}

	var update app.UI = app.Span().Class("update-none")
	if c.updateAvailable {
		update = app.Div().ID("update").Class("update-banner").Role("status").Body(
			app.Span().Text("A new version of Parley is available — "),
			app.Button().ID("reload").Class("button button-small").Type("button").
				OnClick(func(ctx app.Context, e app.Event) { ctx.Reload() }).Text("Reload"),
		)
	}

	var main app.UI
	switch c.auth {
	case authChecking:
		main = app.Div().Class("console-loading").Text("Loading…")
	case authLoggedOut:
		main = &LoginForm{Error: c.loginErr, Busy: c.loginBusy, OnLogin: c.onLogin}
	default:
		main = c.renderDesk(view)
	}
	return app.Div().ID("console").Class("console view-"+view).Body(update, main)
}

func (c *Console) renderDesk(view string) app.UI {
	d := c.desk
	unread := d.Inbox.UnreadTotal()

	var badge app.UI = app.Span().Class("nav-badge-none")
	if unread > 0 {
		badge = app.Span().Class("nav-badge").Text(unread)
	}
	var notifyBtn app.UI = app.Span().Class("notify-none")
	if c.permission == app.NotificationDefault {
		notifyBtn = app.Button().ID("notify").Class("button button-quiet").Type("button").
			OnClick(c.onEnableNotifications).Text("Enable notifications")
	}
	var notice app.UI = app.Span().Class("notice-none")
	if d.Notice != "" {
		notice = app.Div().Class("notice").Role("alert").Text(d.Notice)
	}
	navClass := func(v View) string {
		if c.route.View == v || (v == ViewInbox && c.route.View == ViewConversation) {
			return "nav-link active"
		}
		return "nav-link"
	}

	var pane app.UI
	switch c.route.View {
	case ViewSettings:
		pane = &Settings{API: c.api, Colleagues: d.Colleagues(), CanCreateSites: c.session.Agent.Role == parley.AgentRoleAdmin,
			OnCannedSaved: c.onCannedSaved}
	case ViewPeople:
		pane = &People{API: c.api, Me: c.session.Agent.ID}
	case ViewConversation:
		id := c.route.Conv
		conv, ok := d.Inbox.Get(id)
		if !ok {
			conv = parley.Conversation{ID: id}
		}
		site, known := d.Site(conv.Site)
		t := d.Thread(id)
		pane = &ConversationView{
			Conv:        conv,
			Items:       d.Items(id),
			Typing:      d.TypingNames(id, c.now),
			Loading:     !d.Synced(id),
			Me:          d.Agent.ID,
			MaxRunes:    d.Limits.MaxTextRunes,
			Now:         c.now,
			Meta:        MetaOf(conv, site, known),
			Routing:     site.Routing,
			Colleagues:  d.Colleagues(),
			Request:     t.Request != "",
			RequestErr:  t.RequestErr,
			Canned:      d.Canned(conv.Site),
			Vars:        CannedVarsOf(conv, d.Agent.Name, site.Name),
			OnSend:      c.onSend,
			OnNote:      c.onNote,
			OnTyping:    c.onTyping,
			OnRetry:     c.onRetry,
			OnResolve:   c.onResolve,
			OnClaim:     c.onClaim,
			OnTags:      c.onTags,
			OnTagFilter: c.onTagFilter,
			OnTransfer:  c.onTransfer,
			EditWindow:  site.EditWindow(),
			OnEdit:      c.onEdit,
			OnDelete:    c.onDelete,
			// The newer of what the inbox and the read frames say.
			VisitorRead:      max(t.VisitorRead, conv.VisitorRead),
			VisitorDelivered: max(t.VisitorDelivered, conv.VisitorDelivered),
			Draft:            d.DraftOf(id, c.now),
			OnRich:           c.onRich,
			Context: &ContextPanel{State: d.VisitorState(d.VisitorOf(id)), Conv: conv, Now: c.now,
				OnCard: func(ctx app.Context, card *parley.Card) { c.onRich(ctx, "", card, nil) },
				Me:     d.Agent.ID, Manage: d.managesVisitorSite(d.VisitorOf(id)),
				OnAddNote: c.onAddNote, OnEditNote: c.onEditNote, OnDeleteNote: c.onDeleteNote},
			Files:     site.Files,
			OnFile:    c.onFile,
			Uploading: c.uploads > 0,
			FileError: c.fileErr,
			FileKey:   c.fileKeys[id],
		}
	default:
		pane = app.Div().Class("conv-empty").Body(
			app.P().Text("Pick a conversation to answer it."),
		)
	}

	return app.Div().Class("desk").Body(
		app.Header().Class("topbar").Body(
			app.A().Class("brand").Href(ui.Path("/console")).Text("Parley"),
			app.Nav().Class("topnav").Body(
				app.A().Class(navClass(ViewInbox)).Href(ui.Path("/console")).Body(app.Span().Text("Inbox"), badge),
				app.A().Class(navClass(ViewSettings)).Href(ui.Path("/console/settings")).Text("Settings"),
				c.peopleLink(navClass(ViewPeople)),
			),
			renderOpenStates(OpenLabels(d.Sites(), c.now)),
			app.Span().ID("connection").Class("conn conn-"+c.state.String()).Text(connectionText(c.state, c.everOnline)),
			notifyBtn,
			app.If(c.installable, func() app.UI {
				return app.Button().ID("install").Class("button button-quiet").Type("button").
					Title("Install the console as an app: its own window, notifications, a start from the dock").
					OnClick(c.onInstall).Text("Install")
			}),
			c.renderPresenceToggle(),
			app.Span().Class("me").Title(c.session.Agent.Email).Text(c.session.Agent.Name),
			app.Button().ID("logout").Class("button button-quiet").Type("button").OnClick(c.onLogout).Text("Log out"),
		),
		notice,
		app.Main().Class("workspace").Body(
			// Every page has a level-one heading, for screen readers: the
			// top bar shows sighted agents where they are.
			app.H1().Class("sr-only").Text(pageHeading(view)),
			app.Aside().Class("inbox-pane").Body(
				&SearchPanel{Search: c.search, Now: c.now},
				c.renderInbox(d),
				&TeamList{Agents: d.Colleagues(), Me: d.Agent.ID},
			),
			app.Section().Class("main-pane").Body(pane),
		),
	)
}

// search is the search panel's way to the API.
func (c *Console) search(ctx context.Context, q string) (parley.SearchPage, error) {
	return c.api.Search(ctx, q, "")
}

func (c *Console) renderInbox(d *Desk) app.UI {
	view := d.Inbox.View()
	total, _ := ViewCount(d.Inbox.Counts(), view)
	return &InboxList{Conversations: d.Inbox.List(), View: view, Switching: c.switching, Counts: d.Inbox.Counts(),
		Total: total, Selected: c.route.Conv, Now: c.now,
		More: d.Inbox.Next() != "", Loading: c.loadingMore, OnLoadMore: c.onLoadMore, OnView: c.onView,
		Tag: d.Inbox.Tag(), OnTag: c.onTagFilter}
}

// renderPresenceToggle shows the agent's own status; a click switches
// between online and away.
func (c *Console) renderPresenceToggle() app.UI {
	status := c.presence.Status()
	label, title := StatusLabel(status), "You are online: click to set yourself away"
	if status == parley.StatusAway {
		title = "You are away: click to set yourself online"
		if c.presence.Idle() {
			label = "Away (idle)"
		}
	}
	return app.Button().ID("presence").Class("presence-toggle presence-"+status).Type("button").
		Title(title).Aria("pressed", status == parley.StatusAway).OnClick(c.onTogglePresence).Body(
		app.Span().Class("presence-dot presence-"+status),
		app.Span().Text(label),
	)
}

func connectionText(s client.State, everOnline bool) string {
	switch {
	case s == client.Online:
		return "Online"
	case everOnline:
		return "Reconnecting…"
	default:
		return "Connecting…"
	}
}

// peopleLink is the nav link to People, for owners and admins.
func (c *Console) peopleLink(class string) app.UI {
	if !c.manages {
		return app.Span().Class("nav-none")
	}
	return app.A().ID("nav-people").Class(class).Href(ui.Path("/console/people")).Text("People")
}

// OnAppInstallChange follows whether the browser offers to install the
// console (go-app keeps the browser's beforeinstallprompt event).
func (c *Console) OnAppInstallChange(ctx app.Context) {
	c.installable = ctx.IsAppInstallable()
}

func (c *Console) onInstall(ctx app.Context, e app.Event) {
	ctx.ShowAppInstallPrompt()
}

// pageHeading is the level-one heading of a console view.
func pageHeading(view string) string {
	switch view {
	case "conversation":
		return "Conversation"
	case "settings":
		return "Settings"
	case "people":
		return "People"
	}
	return "Inbox"
}
