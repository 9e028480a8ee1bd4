package console_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestFitsView(t *testing.T) {
	scope := console.Scope{
		Me:      1,
		Teams:   map[console.TeamKey]bool{{Site: "shop", Team: "orders"}: true, {Site: "blog"}: true},
		Manages: map[string]bool{"admin-shop": true},
	}
	conv := func(site, team, status string, assignee uint64) parley.Conversation {
		return parley.Conversation{ID: 9, Site: site, Team: team, Status: status, Assignee: assignee}
	}
	const (
		q, o, r = parley.StatusQueued, parley.StatusOpen, parley.StatusResolved
	)
	tests := []struct {
		name string
		c    parley.Conversation
		view string
		want bool
	}{
		{"queued in my team: queue", conv("shop", "orders", q, 0), parley.ViewQueue, true},
		{"queued in another team: not my queue", conv("shop", "returns", q, 0), parley.ViewQueue, false},
		{"queued, a site I manage: queue", conv("admin-shop", "returns", q, 0), parley.ViewQueue, true},
		{"queued, the implicit team of a site without teams", conv("blog", "", q, 0), parley.ViewQueue, true},
		{"claimed by me: leaves the queue", conv("shop", "orders", o, 1), parley.ViewQueue, false},
		{"claimed by me: mine", conv("shop", "orders", o, 1), parley.ViewMine, true},
		{"claimed by someone else: not mine", conv("shop", "orders", o, 2), parley.ViewMine, false},
		{"queued: not mine", conv("shop", "orders", q, 0), parley.ViewMine, false},
		{"resolved, was mine: not mine", conv("shop", "orders", r, 1), parley.ViewMine, false},
		{"queued in my team: team", conv("shop", "orders", q, 0), parley.ViewTeam, true},
		{"open in my team, someone else's: team", conv("shop", "orders", o, 2), parley.ViewTeam, true},
		{"open in another team: not team", conv("shop", "returns", o, 2), parley.ViewTeam, false},
		{"manager, other team: not team", conv("admin-shop", "returns", o, 2), parley.ViewTeam, false},
		{"resolved in my team: not team", conv("shop", "orders", r, 0), parley.ViewTeam, false},
		{"queued: all open", conv("shop", "returns", q, 0), parley.ViewOpen, true},
		{"open: all open", conv("shop", "returns", o, 2), parley.ViewOpen, true},
		{"open: the empty view is all open", conv("shop", "returns", o, 2), "", true},
		{"resolved: not all open", conv("shop", "orders", r, 0), parley.ViewOpen, false},
		{"resolved: resolved", conv("shop", "returns", r, 0), parley.ViewResolved, true},
		{"open: not resolved", conv("shop", "orders", o, 1), parley.ViewResolved, false},
		{"an unknown view holds nothing", conv("shop", "orders", o, 1), "archive", false},
	}
	for _, tt := range tests {
		if got := console.FitsView(tt.c, tt.view, scope); got != tt.want {
			t.Errorf("%s: FitsView(%+v, %q) = %v, want %v", tt.name, tt.c, tt.view, got, tt.want)
		}
	}
	// Before the sites are known, every team counts: the server's pages decide.
	if !console.FitsView(conv("shop", "returns", q, 0), parley.ViewQueue, console.Scope{Me: 1}) {
		t.Error("an unknown scope left a queued conversation out of the queue")
	}
}

func TestNewScope(t *testing.T) {
	sites := []console.SiteInfo{
		{Site: parley.Site{ID: "shop", Routing: parley.Routing{Teams: []parley.Team{
			{ID: "orders", Members: []uint64{1, 2}}, {ID: "returns", Members: []uint64{2}}}}}, Role: parley.SiteRoleAgent},
		{Site: parley.Site{ID: "blog"}, Role: parley.SiteRoleOwner},
	}
	got := console.NewScope(1, sites)
	want := console.Scope{Me: 1,
		Teams:   map[console.TeamKey]bool{{Site: "shop", Team: "orders"}: true, {Site: "blog"}: true},
		Manages: map[string]bool{"blog": true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NewScope = %+v, want %+v", got, want)
	}
}

func TestTransferFrame(t *testing.T) {
	long := make([]rune, parley.MaxTransferReason+1)
	for i := range long {
		long[i] = 'é'
	}
	tests := []struct {
		name     string
		team     string
		agent    uint64
		reason   string
		want     parley.Frame
		wantCode string
	}{
		{"to a team", "returns", 0, "  wants a refund ", parley.Frame{Type: parley.TypeTransfer, Conv: 7, Team: "returns", Text: "wants a refund"}, ""},
		{"to an agent", "", 3, "", parley.Frame{Type: parley.TypeTransfer, Conv: 7, AgentID: 3}, ""},
		{"to an agent of a team", "orders", 3, "stock", parley.Frame{Type: parley.TypeTransfer, Conv: 7, Team: "orders", AgentID: 3, Text: "stock"}, ""},
		{"to nobody", "", 0, "why", parley.Frame{}, parley.EInvalid},
		{"reason too long", "orders", 0, string(long), parley.Frame{}, parley.ETooLarge},
		{"reason at the limit", "orders", 0, string(long[1:]), parley.Frame{Type: parley.TypeTransfer, Conv: 7, Team: "orders", Text: string(long[1:])}, ""},
	}
	for _, tt := range tests {
		got, err := console.TransferFrame(7, tt.team, tt.agent, tt.reason)
		if parley.ErrorCode(err) != tt.wantCode && !(err == nil && tt.wantCode == "") {
			t.Errorf("%s: error %v, want code %q", tt.name, err, tt.wantCode)
		}
		if err == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: frame %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestTransferTargets(t *testing.T) {
	colleagues := []parley.Agent{
		{ID: 1, Name: "Ann", Status: parley.StatusOnline},
		{ID: 2, Name: "Bob", Status: parley.StatusOnline},
		{ID: 3, Name: "Ola", Status: parley.StatusAway},
		{ID: 4, Name: "Piotr", Status: parley.StatusOnline},
	}
	r := parley.Routing{Teams: []parley.Team{{ID: "orders", Members: []uint64{1, 2}}, {ID: "returns", Members: []uint64{3, 4}}}}
	names := func(as []parley.Agent) []string {
		var s []string
		for _, a := range as {
			s = append(s, a.Name)
		}
		return s
	}
	for team, want := range map[string][]string{"": {"Bob", "Piotr"}, "orders": {"Bob"}, "returns": {"Piotr"}, "gone": {"Bob", "Piotr"}} {
		if got := names(console.TransferTargets(colleagues, r, team, 1)); !reflect.DeepEqual(got, want) {
			t.Errorf("targets in %q = %v, want %v", team, got, want)
		}
	}
}

func TestWaitingAndStatus(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0 s", 45 * time.Second: "45 s", 3*time.Minute + 59*time.Second: "3 min",
		time.Hour: "1 h", 65 * time.Minute: "1 h 5 min", 50 * time.Hour: "2 d",
	} {
		if got := console.Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
	queued := parley.Conversation{Status: parley.StatusQueued, Queued: t0.Add(-3 * time.Minute), Created: t0.Add(-time.Hour)}
	if got, want := console.StatusText(queued, t0), "Queued · waiting 3 min"; got != want {
		t.Errorf("StatusText(queued) = %q, want %q", got, want)
	}
	if got := console.WaitingTime(parley.Conversation{Status: parley.StatusOpen, Queued: t0}, t0); got != "" {
		t.Errorf("an open conversation waits %q", got)
	}
	for status, want := range map[string]string{parley.StatusOpen: "Open", parley.StatusResolved: "Resolved", "": ""} {
		if got := console.StatusText(parley.Conversation{Status: status}, t0); got != want {
			t.Errorf("StatusText(%q) = %q, want %q", status, got, want)
		}
	}
}

func TestMetaOf(t *testing.T) {
	site := console.SiteInfo{Site: parley.Site{ID: "shop", Name: "Shoe Shop", Routing: parley.Routing{
		Teams:  []parley.Team{{ID: "orders", Name: "Orders"}},
		Topics: []parley.Topic{{ID: "where", Name: "Where is my order?", Team: "orders"}}}}}
	c := parley.Conversation{Site: "shop", Topic: "where", Team: "orders"}
	if got, want := console.MetaOf(c, site, true), (console.ConvMeta{Site: "Shoe Shop", Topic: "Where is my order?", Team: "Orders"}); got != want {
		t.Errorf("MetaOf = %+v, want %+v", got, want)
	}
	if got, want := console.MetaOf(c, console.SiteInfo{}, false), (console.ConvMeta{Site: "shop", Topic: "where", Team: "orders"}); got != want {
		t.Errorf("MetaOf without the site = %+v, want %+v", got, want)
	}
	plain := console.SiteInfo{Site: parley.Site{ID: "blog", Name: "Blog"}}
	if got, want := console.MetaOf(parley.Conversation{Site: "blog"}, plain, true), (console.ConvMeta{Site: "Blog"}); got != want {
		t.Errorf("MetaOf without teams = %+v, want %+v", got, want)
	}
}

func TestRoutingForm(t *testing.T) {
	base := parley.Routing{
		Teams: []parley.Team{{ID: "orders", Name: "Orders", Members: []uint64{1, 2}}, {ID: "returns", Name: "Returns", Members: []uint64{3}}},
		Topics: []parley.Topic{{ID: "where", Name: "Where is my order?", Team: "orders"},
			{ID: "refund", Name: "Refund", Team: "returns"}},
		DefaultTeam:    "returns",
		PreChat:        parley.PreChat{Enabled: true, Topic: parley.FieldRequired, Email: parley.FieldOptional},
		RequeueSeconds: 300,
	}
	if got, err := console.NewRoutingForm(base, "").Routing(); err != nil || !reflect.DeepEqual(got, base) {
		t.Fatalf("round trip = %+v, %v; want %+v", got, err, base)
	}
	if got, err := console.NewRoutingForm(parley.Routing{}, "").Routing(); err != nil || !reflect.DeepEqual(got, parley.Routing{}) {
		t.Errorf("empty round trip = %+v, %v", got, err)
	}

	tests := []struct {
		name    string
		edit    func(*console.RoutingForm)
		check   func(parley.Routing) bool
		wantErr string
	}{
		{"a new team gets its id from its name, and topics follow it", func(f *console.RoutingForm) {
			f.AddTeam()
			f.Teams[2].Name = " Product advice "
			f.Teams[2].Members = []uint64{4}
			f.AddTopic()
			f.Topics[2].Name = "Sizes"
			f.Topics[2].Team = f.Teams[2].Key
			f.DefaultTeam = f.Teams[2].Key
		}, func(r parley.Routing) bool {
			return r.Teams[2].ID == "product-advice" && r.Teams[2].Name == "Product advice" &&
				r.Topics[2].Team == "product-advice" && r.DefaultTeam == "product-advice" && r.Topics[2].ID == "sizes"
		}, ""},
		{"a name without Latin letters gets a numbered id", func(f *console.RoutingForm) {
			f.AddTeam()
			f.Teams[2].Name = "Заказы"
		}, func(r parley.Routing) bool { return r.Teams[2].ID == "team-3" }, ""},
		{"a taken id is not reused", func(f *console.RoutingForm) {
			f.AddTeam()
			f.Teams[2].Name = "Orders!"
		}, func(r parley.Routing) bool { return r.Teams[2].ID == "team-3" }, ""},
		{"removing a team sends its topics and the default to the first", func(f *console.RoutingForm) { f.RemoveTeam(1) },
			func(r parley.Routing) bool {
				return len(r.Teams) == 1 && r.Topics[1].Team == "orders" && r.DefaultTeam == ""
			}, ""},
		{"members toggle", func(f *console.RoutingForm) {
			f.ToggleMember(0, 2, false)
			f.ToggleMember(0, 5, true)
			f.ToggleMember(0, 5, true)
		}, func(r parley.Routing) bool { return reflect.DeepEqual(r.Teams[0].Members, []uint64{1, 5}) }, ""},
		{"empty requeue is the default", func(f *console.RoutingForm) { f.RequeueSeconds = " " },
			func(r parley.Routing) bool {
				return r.RequeueSeconds == 0 && r.RequeueAfter() == parley.DefaultRequeueSeconds
			}, ""},
		{"requeue not a number", func(f *console.RoutingForm) { f.RequeueSeconds = "soon" }, nil, parley.EInvalid},
		{"requeue too short", func(f *console.RoutingForm) { f.RequeueSeconds = "5" }, nil, parley.EInvalid},
		{"a team without a name", func(f *console.RoutingForm) { f.AddTeam() }, nil, parley.EInvalid},
		{"topic field without topics", func(f *console.RoutingForm) { f.RemoveTopic(1); f.RemoveTopic(0) }, nil, parley.EInvalid},
		{"topic field off without topics", func(f *console.RoutingForm) { f.RemoveTopic(1); f.RemoveTopic(0); f.TopicField = parley.FieldOff },
			func(r parley.Routing) bool { return len(r.Topics) == 0 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := console.NewRoutingForm(base, "")
			tt.edit(&f)
			got, err := f.Routing()
			if tt.wantErr != "" {
				if parley.ErrorCode(err) != tt.wantErr {
					t.Errorf("err = %v, want code %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(got) {
				t.Errorf("routing = %+v, %v", got, err)
			}
		})
	}

	// The site form carries the routing through.
	site := parley.Site{ID: "demo", Name: "Demo", AllowedOrigins: []string{}, Routing: base}
	if got, err := console.NewSiteForm(site, "").Site(site); err != nil || !reflect.DeepEqual(got.Routing, base) {
		t.Errorf("site form routing = %+v, %v", got.Routing, err)
	}
}

func TestTeamCandidates(t *testing.T) {
	members := []console.SiteMember{{ID: 1, Name: "Ann"}, {ID: 2, Name: "Bob"}}
	got := console.TeamCandidates(members, []console.TeamForm{{Members: []uint64{2, 9}}})
	want := []console.SiteMember{{ID: 1, Name: "Ann"}, {ID: 2, Name: "Bob"}, {ID: 9, Name: "Agent 9"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("candidates = %+v, want %+v", got, want)
	}
}

// TestDeskClaim: a claim refused shows its reason in the conversation; a
// claim that succeeds moves the conversation from the queue to Mine.
func TestDeskClaim(t *testing.T) {
	d := console.NewDesk()
	d.Agent = me
	queued := parley.Conversation{ID: 7, Site: "shop", Team: "orders", Visitor: 70, VisitorName: "Vera", Status: parley.StatusQueued,
		LastSeq: 1, Unread: 1, Updated: t0, Queued: t0}
	counts := parley.Counts{Open: 1, Queue: 1}
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{queued}, Counts: &counts}, t0)
	d.SetSites([]console.SiteInfo{{Site: parley.Site{ID: "shop", Routing: parley.Routing{Teams: []parley.Team{{ID: "orders", Members: []uint64{1}}}}}}})
	d.Inbox.SetView(parley.ViewQueue, parley.ConversationPage{Conversations: []parley.Conversation{queued}})
	if got := ids(d.Inbox.List()); !reflect.DeepEqual(got, []uint64{7}) {
		t.Fatalf("queue = %v, want [7]", got)
	}

	d.Requested("r1", parley.Frame{Type: parley.TypeClaim, Conv: 7})
	if th := d.Thread(7); th.Request != "r1" {
		t.Errorf("request on its way = %q, want r1", th.Request)
	}
	d.Apply(parley.Frame{Type: parley.TypeError, ID: "r1", Code: parley.EConflict, Message: "Already assigned to Ola"}, t0)
	if th := d.Thread(7); th.Request != "" || th.RequestErr != "Already assigned to Ola" {
		t.Errorf("after the refusal: %q %q", th.Request, th.RequestErr)
	}
	if d.Notice != "" {
		t.Errorf("the refusal went to the notice: %q", d.Notice)
	}

	d.Requested("r2", parley.Frame{Type: parley.TypeClaim, Conv: 7})
	annAuthor := parley.Author{Kind: parley.AuthorAgent, ID: me.ID, Name: me.Name}
	ev := parley.Frame{Type: parley.TypeMsg, Conv: 7, Seq: 2, From: &parley.Author{Kind: parley.AuthorSite}, Kind: parley.KindEvent,
		Event: parley.EventAssigned, To: &annAuthor, Text: parley.JoinedText("Ann"), At: t0.Add(time.Minute).UnixMilli()}
	d.Apply(ev, t0)
	d.Apply(parley.Frame{Type: parley.TypeCounts, Counts: &parley.Counts{Open: 1, Mine: 1, Team: 1}}, t0)
	if th := d.Thread(7); th.Request != "" || th.RequestErr != "" {
		t.Errorf("after the assignment: %q %q", th.Request, th.RequestErr)
	}
	c, _ := d.Inbox.Get(7)
	if c.Status != parley.StatusOpen || c.Assignee != me.ID || c.AssigneeName != "Ann" {
		t.Errorf("after the assignment: %+v", c)
	}
	if got := d.Inbox.List(); len(got) != 0 {
		t.Errorf("the queue still lists %v", ids(got))
	}
	if got, want := d.Inbox.Counts(), (parley.Counts{Open: 1, Mine: 1, Team: 1}); !reflect.DeepEqual(got, want) {
		t.Errorf("counts = %+v, want the frame's %+v", got, want)
	}
	d.Inbox.SetView(parley.ViewMine, parley.ConversationPage{})
	if got := ids(d.Inbox.List()); !reflect.DeepEqual(got, []uint64{7}) {
		t.Errorf("mine = %v, want [7]", got)
	}
	// The event is a line of the transcript.
	d.Thread(7).Followed = true
	d.Apply(ev, t0)
	items := d.Items(7)
	if len(items) != 1 || items[0].Kind != parley.KindEvent || items[0].Text != "Ann joined" {
		t.Errorf("items = %+v, want the event line", items)
	}

	// Back from a disconnect on another view than the open one: read it again.
	eff := d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Conversations: []parley.Conversation{c}, Counts: &counts}, t0)
	if !eff.ReloadView || d.Inbox.View() != parley.ViewMine {
		t.Errorf("reconnect: ReloadView %v, view %q; want a reload of mine", eff.ReloadView, d.Inbox.View())
	}
}

// TestDeskNewQueued: a new queued conversation appears in Queue and in All
// open, not in Mine.
func TestDeskNewQueued(t *testing.T) {
	d := console.NewDesk()
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me}, t0)
	fresh := parley.Conversation{ID: 8, Site: "shop", Status: parley.StatusQueued, LastSeq: 1, Unread: 1, Updated: t0, LastText: "hi"}
	eff := d.Apply(convFrame(fresh), t0)
	if len(eff.Alerts) != 1 {
		t.Errorf("a new queued chat alerted %v, want once", eff.Alerts)
	}
	for view, want := range map[string][]uint64{parley.ViewQueue: {8}, parley.ViewOpen: {8}, parley.ViewMine: nil, parley.ViewResolved: nil} {
		d.Inbox.SetView(view, parley.ConversationPage{})
		if got := ids(d.Inbox.List()); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", view, got, want)
		}
	}
}

func TestConversationHeader(t *testing.T) {
	queued := parley.Conversation{ID: 7, Site: "shop", Visitor: 70, VisitorName: "Vera", Status: parley.StatusQueued,
		Queued: t0.Add(-2 * time.Minute), Topic: "where", Team: "orders"}
	v := &console.ConversationView{Conv: queued, Now: t0, Me: 1,
		Meta:       console.ConvMeta{Site: "Shoe Shop", Topic: "Where is my order?", Team: "Orders"},
		RequestErr: "Already assigned to Ola",
		OnResolve:  func(app.Context) {}, OnClaim: func(app.Context) {}, OnTransfer: func(app.Context, parley.Frame) {}}
	load(t, v)
	match(t, app.Text("Queued · waiting 2 min"), v, 0, 0, 2, 0)
	match(t, app.Text("Shoe Shop"), v, 0, 0, 1, 3, 0, 1, 0)
	match(t, app.Text("Where is my order?"), v, 0, 0, 1, 3, 1, 1, 0)
	match(t, app.Text("Orders"), v, 0, 0, 1, 3, 2, 1, 0)
	match(t, app.Text("Unassigned"), v, 0, 0, 1, 3, 3, 0)
	match(t, app.Button().ID("claim").Class("button button-primary").Type("button").Disabled(false).
		Title("Take this conversation: it leaves the queue and becomes yours").OnClick(nop).Text("Claim"), v, 0, 0, 4)
	match(t, app.Text("Transfer"), v, 0, 0, 5, 0)
	match(t, app.Text("Already assigned to Ola"), v, 0, 0, 6, 0)

	mine := queued
	mine.Status, mine.Assignee, mine.AssigneeName = parley.StatusOpen, 1, "Ann Nowak"
	v = &console.ConversationView{Conv: mine, Now: t0, Me: 1, Meta: console.ConvMeta{Site: "Shoe Shop"},
		OnClaim: func(app.Context) {}, OnTransfer: func(app.Context, parley.Frame) {}}
	load(t, v)
	match(t, app.Text("Open"), v, 0, 0, 2, 0)
	match(t, app.Span().Class("avatar avatar-small").Title("Ann Nowak").Aria("hidden", true).Text("AN"), v, 0, 0, 1, 3, 3, 0)
	match(t, app.Text("Ann Nowak (you)"), v, 0, 0, 1, 3, 3, 1, 0)
	match(t, app.Span().Class("claim-none"), v, 0, 0, 4)
}

func TestInboxSwitcher(t *testing.T) {
	l := &console.InboxList{View: parley.ViewQueue, Counts: parley.Counts{Open: 9, Queue: 2, Mine: 3, Team: 5}, Total: 2, Now: t0,
		OnView: func(app.Context, string) {}}
	load(t, l)
	match(t, app.Text("Queue"), l, 0, 0, 0, 0)
	match(t, app.Text("2 waiting"), l, 0, 0, 1, 0)
	match(t, app.Text(console.EmptyText(parley.ViewQueue)), l, 0, 1, 0)
	for i, w := range []struct {
		view, label, count, class string
	}{
		{parley.ViewQueue, "Queue", "2", "view-count view-count-waiting"},
		{parley.ViewMine, "Mine", "3", "view-count"},
		{parley.ViewTeam, "Team", "5", "view-count"},
		{parley.ViewOpen, "All open", "9", "view-count"},
	} {
		class := "inbox-view"
		if i == 0 {
			class += " active"
		}
		match(t, app.Button().Class(class).Type("button").DataSet("view", w.view).Aria("pressed", i == 0).OnClick(nop), l, 0, 0, 2, i)
		match(t, app.Text(w.label), l, 0, 0, 2, i, 0, 0)
		match(t, app.Span().Class(w.class), l, 0, 0, 2, i, 1)
		match(t, app.Text(w.count), l, 0, 0, 2, i, 1, 0)
	}
	match(t, app.Span().Class("view-count-none"), l, 0, 0, 2, 4, 1)
}
