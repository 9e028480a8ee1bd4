package console_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

var t0 = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)

func TestParseRoute(t *testing.T) {
	tests := []struct {
		path string
		want console.Route
	}{
		{"/console", console.Route{View: console.ViewInbox}},
		{"/console/", console.Route{View: console.ViewInbox}},
		{"/console/c/12", console.Route{View: console.ViewConversation, Conv: 12}},
		{"/console/c/12/", console.Route{View: console.ViewConversation, Conv: 12}},
		{"/console/c/0", console.Route{View: console.ViewInbox}},
		{"/console/c/abc", console.Route{View: console.ViewInbox}},
		{"/console/c/", console.Route{View: console.ViewInbox}},
		{"/console/settings", console.Route{View: console.ViewSettings}},
		{"/console/nope", console.Route{View: console.ViewInbox}},
		{"/chat/demo", console.Route{View: console.ViewInbox}},
	}
	for _, tt := range tests {
		if got := console.ParseRoute(tt.path); got != tt.want {
			t.Errorf("ParseRoute(%q) = %+v, want %+v", tt.path, got, tt.want)
		}
	}
	for _, r := range []console.Route{{View: console.ViewInbox}, {View: console.ViewConversation, Conv: 7}, {View: console.ViewSettings}} {
		if got := console.ParseRoute(r.Path()); got != r {
			t.Errorf("ParseRoute(%q) = %+v, want the route back %+v", r.Path(), got, r)
		}
	}
}

func conversation(id uint64, updated time.Duration, unread int, status string) parley.Conversation {
	return parley.Conversation{ID: id, Visitor: id * 10, Status: status, Unread: unread, LastSeq: uint64(unread) + 1,
		LastText: "text", Updated: t0.Add(updated)}
}

func ids(convs []parley.Conversation) []uint64 {
	var s []uint64
	for _, c := range convs {
		s = append(s, c.ID)
	}
	return s
}

func TestInbox(t *testing.T) {
	var b console.Inbox
	b.Reset([]parley.Conversation{
		conversation(1, 1*time.Minute, 2, parley.StatusOpen),
		conversation(2, 3*time.Minute, 0, parley.StatusOpen),
		conversation(3, 2*time.Minute, 1, parley.StatusOpen),
		conversation(4, 2*time.Minute, 5, parley.StatusOpen), // same time as 3: higher id first
	})
	if got, want := ids(b.List()), []uint64{2, 4, 3, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Open = %v, want %v", got, want)
	}
	if got, want := b.UnreadTotal(), 8; got != want {
		t.Errorf("UnreadTotal = %d, want %d", got, want)
	}

	// A message in 1 moves it up; 2 is resolved and leaves the list.
	b.Apply(conversation(1, 5*time.Minute, 3, parley.StatusOpen))
	b.Apply(conversation(2, 6*time.Minute, 0, parley.StatusResolved))
	if got, want := ids(b.List()), []uint64{1, 4, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Open after updates = %v, want %v", got, want)
	}
	// A resolved conversation's unread messages no longer count.
	b.Apply(conversation(4, 7*time.Minute, 5, parley.StatusResolved))
	if got, want := b.UnreadTotal(), 4; got != want {
		t.Errorf("UnreadTotal = %d, want %d", got, want)
	}

	// After a reconnect the welcome lists only what is open now.
	b.Reset([]parley.Conversation{conversation(3, 2*time.Minute, 0, parley.StatusOpen)})
	if got, want := ids(b.List()), []uint64{3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Open after Reset = %v, want %v", got, want)
	}
	if c, ok := b.Get(1); !ok || c.Status != parley.StatusResolved {
		t.Errorf("conversation 1 after Reset = %+v, %v; want it known and resolved", c, ok)
	}
}

func TestVisitorName(t *testing.T) {
	tests := []struct {
		c    parley.Conversation
		want string
	}{
		{parley.Conversation{VisitorName: "Vera"}, "Vera"},
		{parley.Conversation{Visitor: 42}, "Visitor 42"},
		{parley.Conversation{}, "Visitor"},
	}
	for _, tt := range tests {
		if got := console.VisitorName(tt.c); got != tt.want {
			t.Errorf("VisitorName(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestDocumentTitle(t *testing.T) {
	for n, want := range map[int]string{0: "Parley", 1: "(1) Parley", 3: "(3) Parley"} {
		if got := console.DocumentTitle(n); got != want {
			t.Errorf("DocumentTitle(%d) = %q, want %q", n, got, want)
		}
	}
}

var (
	me    = parley.Agent{ID: 1, Name: "Ann", Role: parley.AgentRoleAgent}
	vera  = &parley.Author{Kind: parley.AuthorVisitor, ID: 70, Name: "Vera"}
	ann   = &parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	bob   = &parley.Author{Kind: parley.AuthorAgent, ID: 2, Name: "Bob"}
	open7 = parley.Conversation{ID: 7, Visitor: 70, VisitorName: "Vera", Status: parley.StatusOpen, LastSeq: 2, Unread: 1, LastText: "hi"}
)

func msg(conv, seq uint64, id string, from *parley.Author, text string) parley.Frame {
	return parley.Frame{Type: parley.TypeMsg, Conv: conv, Seq: seq, ID: id, From: from, Text: text, At: t0.UnixMilli()}
}

func convFrame(c parley.Conversation) parley.Frame {
	return parley.Frame{Type: parley.TypeConv, Conversation: &c}
}

func TestDeskAlerts(t *testing.T) {
	d := console.NewDesk()
	eff := d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{open7}}, t0)
	if len(eff.Alerts) != 0 {
		t.Errorf("welcome alerted %v; what was there before login is not news", eff.Alerts)
	}

	next := open7
	next.LastSeq, next.Unread, next.LastText = 3, 2, "anyone there?"
	eff = d.Apply(convFrame(next), t0)
	if want := []console.Alert{{Conv: 7, Name: "Vera", Text: "anyone there?"}}; !reflect.DeepEqual(eff.Alerts, want) {
		t.Errorf("alerts = %v, want %v", eff.Alerts, want)
	}
	// The same state again (a page change, say) is no news.
	if eff = d.Apply(convFrame(next), t0); len(eff.Alerts) != 0 {
		t.Errorf("repeated conv frame alerted %v", eff.Alerts)
	}
	// An agent's reply or a read mark lowers nothing into news either.
	read := next
	read.LastSeq, read.Unread = 4, 0
	if eff = d.Apply(convFrame(read), t0); len(eff.Alerts) != 0 {
		t.Errorf("agent reply alerted %v", eff.Alerts)
	}
	// A new conversation with a message is news.
	fresh := parley.Conversation{ID: 8, Visitor: 80, Status: parley.StatusOpen, LastSeq: 1, Unread: 1, LastText: "hello"}
	eff = d.Apply(convFrame(fresh), t0)
	if want := []console.Alert{{Conv: 8, Name: "Visitor 80", Text: "hello"}}; !reflect.DeepEqual(eff.Alerts, want) {
		t.Errorf("alerts = %v, want %v", eff.Alerts, want)
	}
	// Back from a disconnect: conversation 8 got another message meanwhile.
	fresh.LastSeq, fresh.Unread, fresh.LastText = 2, 2, "hello?"
	eff = d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{read, fresh}}, t0)
	if want := []console.Alert{{Conv: 8, Name: "Visitor 80", Text: "hello?"}}; !reflect.DeepEqual(eff.Alerts, want) {
		t.Errorf("alerts after reconnect = %v, want %v", eff.Alerts, want)
	}
	if got, want := d.Inbox.UnreadTotal(), 2; got != want {
		t.Errorf("UnreadTotal = %d, want %d", got, want)
	}
}

// TestDeskInboxFromMsg: the server sends no conv frame after each message;
// the inbox row moves with the msg frames alone, in every conversation,
// opened here or not.
func TestDeskInboxFromMsg(t *testing.T) {
	d := console.NewDesk()
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{open7}}, t0)
	vera := parley.Author{Kind: parley.AuthorVisitor, ID: open7.Visitor, Name: "Vera"}
	msg := func(seq uint64, from parley.Author, kind, text string) parley.Frame {
		return parley.Frame{Type: parley.TypeMsg, Conv: 7, Seq: seq, From: &from, Kind: kind, Text: text, At: t0.Add(time.Duration(seq) * time.Minute).UnixMilli()}
	}
	eff := d.Apply(msg(open7.LastSeq+1, vera, "", "is it waterproof?"), t0)
	c, _ := d.Inbox.Get(7)
	if c.LastSeq != open7.LastSeq+1 || c.LastText != "is it waterproof?" || c.Unread != open7.Unread+1 || !c.Updated.After(open7.Updated) {
		t.Errorf("after the visitor's msg: %+v", c)
	}
	if want := []console.Alert{{Conv: 7, Name: "Vera", Text: "is it waterproof?"}}; !reflect.DeepEqual(eff.Alerts, want) {
		t.Errorf("alerts = %v, want %v", eff.Alerts, want)
	}
	// A replayed copy changes nothing and is no news.
	if eff = d.Apply(msg(open7.LastSeq+1, vera, "", "is it waterproof?"), t0); len(eff.Alerts) != 0 {
		t.Errorf("a replayed msg alerted %v", eff.Alerts)
	}
	ann := parley.Author{Kind: parley.AuthorAgent, ID: 99, Name: "Ann"}
	d.Apply(msg(open7.LastSeq+2, ann, parley.KindNote, "checking stock"), t0)
	d.Apply(msg(open7.LastSeq+3, ann, "", "Yes, fully."), t0)
	c, _ = d.Inbox.Get(7)
	if c.LastSeq != open7.LastSeq+3 || c.LastText != "Yes, fully." || c.Unread != 0 || c.AgentRead != c.LastSeq {
		t.Errorf("after the agents' entries: %+v", c)
	}
}

func rows(items []ui.Item) []string {
	var s []string
	for _, it := range items {
		state := ""
		switch it.Status {
		case ui.Sending:
			state = " (sending)"
		case ui.Failed:
			state = " (failed: " + it.Reason + ")"
		}
		s = append(s, it.From.Name+": "+it.Text+state)
	}
	return s
}

func TestDeskConversation(t *testing.T) {
	d := console.NewDesk()
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{open7}}, t0)

	// Messages of a conversation not opened here are left to the inbox.
	if eff := d.Apply(msg(7, 1, "a", vera, "hi"), t0); len(eff.Grew) != 0 {
		t.Errorf("unopened conversation grew: %v", eff.Grew)
	}
	if d.Synced(7) {
		t.Error("Synced before any history")
	}

	d.Thread(7).Followed = true
	for _, f := range []parley.Frame{
		msg(7, 2, "b", vera, "anyone?"),
		msg(7, 1, "a", vera, "hi"),
		msg(7, 2, "b", vera, "anyone?"),
		{Type: parley.TypeSynced, Conv: 7, Seq: 2},
		msg(7, 3, "c", bob, "Bob here"),
	} {
		d.Apply(f, t0)
	}
	if !d.Synced(7) {
		t.Error("Synced = false after synced frame")
	}

	d.Sent(parley.Frame{Type: parley.TypeSend, ID: "m1", Conv: 7, Text: "Ann here too"})
	d.Sent(parley.Frame{Type: parley.TypeSend, ID: "m2", Conv: 7, Text: "x"})
	d.Outbox = []parley.Frame{
		{Type: parley.TypeSend, ID: "m1", Conv: 7, Text: "Ann here too"},
		{Type: parley.TypeSend, ID: "other", Conv: 8, Text: "elsewhere"},
	}
	d.Apply(parley.Frame{Type: parley.TypeError, ID: "m2", Code: parley.EInvalid, Message: "Message text is empty."}, t0)

	want := []string{"Vera: hi", "Vera: anyone?", "Bob: Bob here", "Ann: Ann here too (sending)", "Ann: x (failed: Message text is empty.)"}
	if got := rows(d.Items(7)); !reflect.DeepEqual(got, want) {
		t.Errorf("items =\n%q\nwant\n%q", got, want)
	}

	if seq, ok := d.MarkRead(7); !ok || seq != 3 {
		t.Errorf("MarkRead = %d, %v; want 3, true", seq, ok)
	}
	if _, ok := d.MarkRead(7); ok {
		t.Error("MarkRead moved again without new messages")
	}

	if f, ok := d.Retry(7, "m2"); !ok || f.Text != "x" {
		t.Errorf("Retry = %+v, %v; want the refused frame", f, ok)
	}
}

func TestDeskTyping(t *testing.T) {
	d := console.NewDesk()
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me}, t0)
	d.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 7, On: true, From: vera}, t0)
	d.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 7, On: true, From: ann}, t0) // my own echo
	d.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 7, On: true, From: bob}, t0)
	if got, want := d.TypingNames(7, t0.Add(time.Second)), []string{"Bob", "Vera"}; !reflect.DeepEqual(got, want) {
		t.Errorf("typing = %v, want %v", got, want)
	}
	if got := d.TypingNames(7, t0.Add(ui.TypingExpiry)); len(got) != 0 {
		t.Errorf("typing after expiry = %v, want nobody", got)
	}
}

func TestResponseError(t *testing.T) {
	header := func(k, v string) http.Header { h := http.Header{}; h.Set(k, v); return h }
	tests := []struct {
		name     string
		path     string
		status   int
		header   http.Header
		body     string
		wantCode string
		wantMsg  string
	}{
		{"bad credentials", "/api/login", 401, nil, `{"code":"unauthorized","message":"Invalid email or password."}`,
			parley.EUnauthorized, "Wrong email or password."},
		{"no session", "/api/session", 401, nil, ``, parley.EUnauthorized, "Please log in."},
		{"too many attempts", "/api/login", 429, header("Retry-After", "840"), `{"code":"rate_limited","message":"x"}`,
			parley.ERateLimited, "Too many attempts, try again in 14 minutes."},
		{"one minute", "/api/login", 429, header("Retry-After", "30"), ``,
			parley.ERateLimited, "Too many attempts, try again in 1 minute."},
		{"no retry-after", "/api/login", 429, nil, ``, parley.ERateLimited, "Too many attempts, try again later."},
		{"server message", "/api/sites/demo", 400, nil, `{"code":"invalid","message":"Allowed origin \"ftp://x\": only http and https are allowed."}`,
			parley.EInvalid, `Allowed origin "ftp://x": only http and https are allowed.`},
		{"forbidden without message", "/api/sites/demo", 403, nil, ``, parley.EForbidden, "Only admins may do this."},
		{"server error, html body", "/api/sites", 502, nil, `<html>bad gateway</html>`, parley.EInternal,
			"The server had a problem (502). Try again in a moment."},
		{"not found", "/api/sites/x", 404, nil, ``, parley.ENotFound, "The request failed (404)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			err := console.ResponseError(tt.path, tt.status, h, []byte(tt.body))
			if err.Code != tt.wantCode || err.Message != tt.wantMsg {
				t.Errorf("got %q %q, want %q %q", err.Code, err.Message, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestSiteForm(t *testing.T) {
	base := parley.Site{
		ID: "demo", Name: "Demo", Title: "Chat", Color: "#112233",
		AllowedOrigins: []string{"https://shop.example", "*.example.com"},
		Proactive:      parley.Proactive{Enabled: true, DelaySeconds: 10, PagePattern: "/p/*", Message: "Hi!"},
	}
	form := console.NewSiteForm(base, "")
	if got, err := form.Site(base); err != nil || !reflect.DeepEqual(got, base) {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, base)
	}
	looks := base
	looks.Position, looks.LauncherLabel, looks.Theme = parley.PositionLeft, "Chat with us", parley.ThemeLight
	if got, err := console.NewSiteForm(looks, "").Site(looks); err != nil || !reflect.DeepEqual(got, looks) {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, base)
	}
	withFiles := base
	withFiles.Files = parley.FileSettings{MaxBytes: 3 << 20, Types: []string{"image/png", "application/pdf"}}
	if got, err := console.NewSiteForm(withFiles, "").Site(withFiles); err != nil || !reflect.DeepEqual(got, withFiles) {
		t.Errorf("round trip with attachment limits = %+v, %v; want %+v", got.Files, err, withFiles.Files)
	}

	tests := []struct {
		name    string
		edit    func(*console.SiteForm)
		check   func(parley.Site) bool
		wantErr bool
	}{
		{"origins one per line, blanks dropped", func(f *console.SiteForm) { f.AllowedOrigins = " https://a.example \n\n http://b.example:8080\n" },
			func(s parley.Site) bool {
				return reflect.DeepEqual(s.AllowedOrigins, []string{"https://a.example", "http://b.example:8080"})
			}, false},
		{"no origins is an empty list", func(f *console.SiteForm) { f.AllowedOrigins = "" },
			func(s parley.Site) bool { return s.AllowedOrigins != nil && len(s.AllowedOrigins) == 0 }, false},
		{"delay", func(f *console.SiteForm) { f.DelaySeconds = " 30 " },
			func(s parley.Site) bool { return s.Proactive.DelaySeconds == 30 }, false},
		{"empty delay is zero", func(f *console.SiteForm) { f.DelaySeconds = "" },
			func(s parley.Site) bool { return s.Proactive.DelaySeconds == 0 }, false},
		{"delay not a number", func(f *console.SiteForm) { f.DelaySeconds = "soon" }, nil, true},
		{"looks: left, a label, dark", func(f *console.SiteForm) {
			f.Position, f.LauncherLabel, f.Theme = parley.PositionLeft, "  Chat with us ", parley.ThemeDark
		}, func(s parley.Site) bool {
			return s.Position == "left" && s.LauncherLabel == "Chat with us" && s.Theme == "dark"
		}, false},
		{"negative delay", func(f *console.SiteForm) { f.DelaySeconds = "-1" }, nil, true},
		{"proactive without greeting", func(f *console.SiteForm) { f.Greeting = "  " }, nil, true},
		{"disabled proactive without greeting", func(f *console.SiteForm) { f.Proactive, f.Greeting = false, "" },
			func(s parley.Site) bool { return !s.Proactive.Enabled }, false},
		{"id is kept", func(f *console.SiteForm) { f.Name = "  New name " },
			func(s parley.Site) bool { return s.ID == "demo" && s.Name == "New name" }, false},
		{"files: the largest in MB", func(f *console.SiteForm) { f.Files.MaxMB = " 2.5 " },
			func(s parley.Site) bool { return s.Files.MaxBytes == 5<<19 && s.Files.Limit() == 5<<19 }, false},
		{"files: empty size is the default", func(f *console.SiteForm) { f.Files.MaxMB = "" },
			func(s parley.Site) bool { return s.Files.MaxBytes == 0 && s.Files.Limit() == parley.DefaultFileBytes }, false},
		{"files: size not a number", func(f *console.SiteForm) { f.Files.MaxMB = "big" }, nil, true},
		{"files: size past the largest", func(f *console.SiteForm) { f.Files.MaxMB = "26" }, nil, true},
		{"files: size zero", func(f *console.SiteForm) { f.Files.MaxMB = "0" }, nil, true},
		{"files: PDFs only", func(f *console.SiteForm) { f.Files.Types = map[string]bool{"application/pdf": true} },
			func(s parley.Site) bool { return reflect.DeepEqual(s.Files.Types, []string{"application/pdf"}) }, false},
		{"files: zip added to the defaults", func(f *console.SiteForm) { f.Files.Types["application/zip"] = true },
			func(s parley.Site) bool { return len(s.Files.Types) == len(parley.DefaultFileTypes)+1 }, false},
		{"files: no type while on", func(f *console.SiteForm) { f.Files.Types = map[string]bool{} }, nil, true},
		{"files: off", func(f *console.SiteForm) { f.Files.On, f.Files.Types = false, map[string]bool{} },
			func(s parley.Site) bool { return s.Files.Off && s.Files.Limit() == 0 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := console.NewSiteForm(base, "")
			tt.edit(&f)
			got, err := f.Site(base)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && !tt.check(got) {
				t.Errorf("site = %+v", got)
			}
			if err != nil && parley.ErrorCode(err) != parley.EInvalid {
				t.Errorf("error code = %q, want invalid", parley.ErrorCode(err))
			}
		})
	}
}

func onSite(c parley.Conversation, site string) parley.Conversation {
	c.Site = site
	return c
}

// TestInboxPages: the welcome's first page, live frames and the pages
// loaded with "Load more" merge into one list in inbox order, and the
// counts follow the conversations' status changes.
func TestInboxPages(t *testing.T) {
	var b console.Inbox
	open := func(id uint64, minutes int) parley.Conversation {
		return onSite(conversation(id, time.Duration(minutes)*time.Minute, 0, parley.StatusOpen), "shop")
	}
	counts := func(n int) parley.Counts {
		return parley.Counts{Open: n, BySite: map[string]parley.Counts{"shop": {Open: n}}}
	}
	first := []parley.Conversation{open(10, 10), open(9, 9), open(8, 8)}
	c := counts(6)
	b.ResetPage(first, &c, parley.CursorOf(first[2]).String())
	if got, want := ids(b.List()), []uint64{10, 9, 8}; !reflect.DeepEqual(got, want) || b.Next() == "" {
		t.Errorf("after the welcome: %v, next %q; want %v and a next page", got, b.Next(), want)
	}

	// A new conversation arrives live: at the top, counted.
	b.Apply(open(11, 20))
	// Below the loaded pages, conversation 3's page changes: it is not
	// listed yet and its status did not change.
	b.Apply(open(3, 3))
	// Conversation 2, below the pages, was resolved by someone else: it
	// moved to the top as resolved, one fewer open.
	b.Apply(onSite(conversation(2, 21*time.Minute, 0, parley.StatusResolved), "shop"))
	if got, want := ids(b.List()), []uint64{11, 10, 9, 8}; !reflect.DeepEqual(got, want) {
		t.Errorf("after live frames: %v, want %v", got, want)
	}
	if got, want := b.Counts(), counts(6); !reflect.DeepEqual(got, want) {
		t.Errorf("counts after +1 -1: %+v, want %+v", got, want)
	}

	// A page asked for before a reconnect, or twice, is dropped.
	if b.AddPage("", parley.ConversationPage{Conversations: []parley.Conversation{open(1, 1)}}) ||
		b.AddPage("1_1", parley.ConversationPage{Conversations: []parley.Conversation{open(1, 1)}}) {
		t.Error("a page that does not continue the list was taken")
	}
	// The next page, the last: 3's copy is older than the live one.
	stale := open(3, 3)
	stale.LastText = "older"
	stale.LastSeq = 0
	if !b.AddPage(b.Next(), parley.ConversationPage{Conversations: []parley.Conversation{open(5, 5), open(4, 4), stale, open(1, 1)}}) {
		t.Fatal("the next page was dropped")
	}
	if got, want := ids(b.List()), []uint64{11, 10, 9, 8, 5, 4, 3, 1}; !reflect.DeepEqual(got, want) || b.Next() != "" {
		t.Errorf("after the last page: %v, next %q; want %v and no more", got, b.Next(), want)
	}
	if c, _ := b.Get(3); c.LastText == "older" {
		t.Error("the page's older copy replaced the live one")
	}
	if got, want := b.Counts(), counts(6); !reflect.DeepEqual(got, want) {
		t.Errorf("a page changed the counts: %+v, want %+v", got, want)
	}

	// Resolved, then reopened by the visitor. The counts are the
	// server's: a frame changes them, never a conversation.
	r := open(10, 30)
	r.Status = parley.StatusResolved
	b.Apply(r)
	if b.Counts().Open != 6 || slices.Contains(ids(b.List()), 10) {
		t.Errorf("after resolving 10: %+v %v", b.Counts(), ids(b.List()))
	}
	b.SetCounts(counts(5))
	b.Apply(open(10, 31))
	if b.Counts().Open != 5 || ids(b.List())[0] != 10 {
		t.Errorf("after reopening 10: %+v %v", b.Counts(), ids(b.List()))
	}

	// Reconnected: the welcome's page ends at 9. 11 and 10 are missing
	// from it within its region: resolved meanwhile. 8 and below are
	// forgotten until their page loads again.
	second := []parley.Conversation{open(12, 40), open(9, 9)}
	c = counts(5)
	b.ResetPage(second, &c, parley.CursorOf(second[1]).String())
	if got, want := ids(b.List()), []uint64{12, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("after the reconnect: %v, want %v", got, want)
	}
	for _, id := range []uint64{11, 10} {
		if c, ok := b.Get(id); !ok || c.Status != parley.StatusResolved {
			t.Errorf("%d after the reconnect: %+v %v, want known and resolved", id, c, ok)
		}
	}
	if _, ok := b.Get(8); ok {
		t.Error("8 is still known: its state may be stale")
	}
	if got, want := b.Counts(), counts(5); !reflect.DeepEqual(got, want) {
		t.Errorf("counts after the reconnect: %+v, want %+v", got, want)
	}
}

// TestDeskMsgBelowThePages: a message in a conversation not loaded asks
// for the top of the inbox again, and is news; the top read again lists it.
func TestDeskMsgBelowThePages(t *testing.T) {
	d := console.NewDesk()
	top := onSite(open7, "shop")
	top.Updated = t0
	counts := parley.Counts{Open: 60}
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{top}, Counts: &counts,
		Next: parley.CursorOf(top).String(), PageSize: 50}, t0)
	old := parley.Conversation{ID: 3, Site: "shop", Visitor: 30, VisitorName: "Visitor 30", Status: parley.StatusOpen, LastSeq: 4, Updated: t0.Add(-time.Hour)}
	f := msg(3, 5, "v5", &parley.Author{Kind: parley.AuthorVisitor, ID: 30, Name: "Visitor 30"}, "still there?")
	f.At = t0.Add(time.Minute).UnixMilli()
	eff := d.Apply(f, t0)
	if !eff.Refresh || !reflect.DeepEqual(eff.Alerts, []console.Alert{{Conv: 3, Name: "Visitor 30", Text: "still there?"}}) {
		t.Errorf("effects: %+v, want a refresh and an alert", eff)
	}
	moved := old
	moved.Advance(f.ToMessage())
	d.Inbox.Merge([]parley.Conversation{moved, top})
	if got, want := ids(d.Inbox.List()), []uint64{3, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("after the refresh: %v, want %v", got, want)
	}
	if d.Inbox.Counts().Open != 60 {
		t.Errorf("a refresh changed the count: %+v", d.Inbox.Counts())
	}
}

// TestDeskVisitorDeliveredMark: the visitor's delivered mark, from the
// inbox and from delivered frames, is what the agent's receipts read;
// agents' delivered frames do not move it.
func TestDeskVisitorDeliveredMark(t *testing.T) {
	d := console.NewDesk()
	c := open7
	c.VisitorDelivered = 1
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{c}}, t0)
	if got := d.Thread(7).VisitorDelivered; got != 1 {
		t.Errorf("from the welcome: %d, want 1", got)
	}
	d.Apply(parley.Frame{Type: parley.TypeDelivered, Conv: 7, Seq: 2, From: vera}, t0)
	d.Apply(parley.Frame{Type: parley.TypeDelivered, Conv: 7, Seq: 5, From: bob}, t0)
	d.Apply(parley.Frame{Type: parley.TypeDelivered, Conv: 7, Seq: 1, From: vera}, t0)
	if got := d.Thread(7).VisitorDelivered; got != 2 {
		t.Errorf("after the delivered frames: %d, want 2", got)
	}
	if got := d.Thread(7).VisitorRead; got != 0 {
		t.Errorf("a delivered frame moved the read mark to %d", got)
	}
}
