package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

// peopleServer answers the People API from canned bodies by "METHOD
// path", and records what it was sent.
type peopleServer struct {
	*httptest.Server
	mu   sync.Mutex
	got  []string // "METHOD path body csrf"
	resp map[string]string
}

func newPeopleServer(tb testing.TB, resp map[string]string) *peopleServer {
	tb.Helper()
	s := &peopleServer{resp: resp}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Method + " " + r.URL.Path
		s.mu.Lock()
		s.got = append(s.got, key+" "+string(body)+" "+r.Header.Get("X-CSRF-Token"))
		s.mu.Unlock()
		out, ok := resp[key]
		switch {
		case !ok:
			http.NotFound(w, r)
		case out == "":
			w.WriteHeader(http.StatusNoContent)
		case out[0] == '!': // an error
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(out[1:]))
		default:
			w.Write([]byte(out))
		}
	}))
	tb.Cleanup(s.Close)
	return s
}

func TestRoutePeople(t *testing.T) {
	r := console.ParseRoute("/console/people")
	if r.View != console.ViewPeople || r.Path() != "/console/people" {
		t.Errorf("ParseRoute(/console/people) = %+v, path %q", r, r.Path())
	}
}

func TestManagedSites(t *testing.T) {
	sites := []console.SiteInfo{
		{Site: parley.Site{ID: "a"}, Role: parley.SiteRoleOwner},
		{Site: parley.Site{ID: "b"}, Role: parley.SiteRoleAgent},
		{Site: parley.Site{ID: "c"}, Role: parley.SiteRoleAdmin},
	}
	got := console.ManagedSites(sites)
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "c" {
		t.Errorf("ManagedSites = %+v, want a and c", got)
	}
}

func TestOrigins(t *testing.T) {
	got := console.Origins(" https://a.example \n\n*.b.example\n")
	if len(got) != 2 || got[0] != "https://a.example" || got[1] != "*.b.example" {
		t.Errorf("Origins = %q", got)
	}
	if got := console.Origins(""); got == nil || len(got) != 0 {
		t.Errorf("Origins(\"\") = %#v, want an empty list (JSON [])", got)
	}
}

// TestAPIPeople: each call's method, path, body and CSRF token, and how
// its answer is read.
func TestAPIPeople(t *testing.T) {
	s := newPeopleServer(t, map[string]string{
		"GET /api/session":                  `{"agent":{"id":1},"csrf":"tok"}`,
		"POST /api/sites":                   `{"id":"tea-house","name":"Tea House","snippet":"<script>","role":"owner"}`,
		"GET /api/sites/a b/members":        `[{"id":2,"name":"Bob","email":"bob@x","role":"agent","disabled":true}]`,
		"POST /api/sites/shop/agents":       `{"member":{"id":3,"name":"Eve","email":"eve@x","role":"agent"},"password":"one-time-password"}`,
		"PUT /api/sites/shop/members/2":     `{"id":2,"name":"Bob","email":"bob@x","role":"admin"}`,
		"DELETE /api/sites/shop/members/2":  ``,
		"POST /api/agents/2/disable":        ``,
		"POST /api/agents/2/enable":         ``,
		"POST /api/agents/2/password-reset": `{"password":"another-one-time"}`,
		"DELETE /api/sites/shop/members/1":  `!{"code":"conflict","message":"The site's last owner cannot be removed."}`,
	})
	api := console.NewAPI(s.URL, s.Client())
	ctx := context.Background()
	if _, err := api.Session(ctx); err != nil {
		t.Fatal(err)
	}
	site, err := api.CreateSite(ctx, "", "Tea House", []string{"https://tea.example"})
	if err != nil || site.ID != "tea-house" || site.Snippet != "<script>" || !site.CanManage() {
		t.Errorf("CreateSite = %+v, %v", site, err)
	}
	ms, err := api.Members(ctx, "a b")
	if err != nil || len(ms) != 1 || ms[0] != (parley.SiteMember{ID: 2, Name: "Bob", Email: "bob@x", Role: "agent", Disabled: true}) {
		t.Errorf("Members = %+v, %v", ms, err)
	}
	added, err := api.AddAgent(ctx, "shop", "eve@x", "Eve", "agent")
	if err != nil || added.Password != "one-time-password" || added.Member.ID != 3 {
		t.Errorf("AddAgent = %+v, %v", added, err)
	}
	if m, err := api.SetRole(ctx, "shop", 2, "admin"); err != nil || m.Role != "admin" {
		t.Errorf("SetRole = %+v, %v", m, err)
	}
	if err := api.RemoveMember(ctx, "shop", 2); err != nil {
		t.Errorf("RemoveMember: %v", err)
	}
	if err := api.SetDisabled(ctx, 2, true); err != nil {
		t.Errorf("SetDisabled(true): %v", err)
	}
	if err := api.SetDisabled(ctx, 2, false); err != nil {
		t.Errorf("SetDisabled(false): %v", err)
	}
	if pw, err := api.ResetPassword(ctx, 2); err != nil || pw != "another-one-time" {
		t.Errorf("ResetPassword = %q, %v", pw, err)
	}
	err = api.RemoveMember(ctx, "shop", 1)
	if parley.ErrorCode(err) != parley.EConflict || parley.ErrorMessage(err) != "The site's last owner cannot be removed." {
		t.Errorf("a refusal: %v", err)
	}

	want := []string{
		"GET /api/session  ",
		`POST /api/sites {"allowedOrigins":["https://tea.example"],"id":"","name":"Tea House"} tok`,
		"GET /api/sites/a b/members  ",
		`POST /api/sites/shop/agents {"email":"eve@x","name":"Eve","role":"agent"} tok`,
		`PUT /api/sites/shop/members/2 {"role":"admin"} tok`,
		"DELETE /api/sites/shop/members/2  tok",
		"POST /api/agents/2/disable  tok",
		"POST /api/agents/2/enable  tok",
		"POST /api/agents/2/password-reset  tok",
		"DELETE /api/sites/shop/members/1  tok",
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.got) != len(want) {
		t.Fatalf("requests:\n%q\nwant\n%q", s.got, want)
	}
	for i := range want {
		if s.got[i] != want[i] {
			t.Errorf("request %d: %q, want %q", i, s.got[i], want[i])
		}
	}
}

func TestMemberList(t *testing.T) {
	l := &console.MemberList{
		Members: []parley.SiteMember{
			{ID: 1, Name: "Ann", Email: "ann@x", Role: parley.SiteRoleOwner},
			{ID: 2, Name: "<b>Bob</b>", Email: "bob@x", Role: parley.SiteRoleAgent, Disabled: true},
			{ID: 3, Name: "Dee", Email: "dee@x", Role: parley.SiteRoleAdmin},
		},
		MyRole: parley.SiteRoleAdmin, Me: 3,
	}
	load(t, l)
	// Ann is an owner: Dee, an admin, can change nothing of hers, and the
	// owner role is offered to nobody by an admin.
	match(t, app.Li().Class("member").DataSet("agent", 1).DataSet("email", "ann@x"), l, 0, 0)
	match(t, app.Text("Ann"), l, 0, 0, 0, 0, 0)
	match(t, app.Text("Active"), l, 0, 0, 0, 2, 0)
	match(t, app.Select().ID("role-1").Class("role-select").Disabled(true).Aria("label", "Role").OnChange(nop), l, 0, 0, 1)
	match(t, app.Option().Value(parley.SiteRoleOwner).Selected(true).Disabled(true).Text("Owner"), l, 0, 0, 1, 0)
	match(t, app.Button().Class("button button-small member-toggle").Type("button").Disabled(true).OnClick(nop).Text("Deactivate"), l, 0, 0, 2, 0)
	// Bob: text as text, deactivated, to be enabled.
	match(t, app.Text("<b>Bob</b>"), l, 0, 1, 0, 0, 0)
	match(t, app.Span().Class("member-status member-disabled").Text("Deactivated"), l, 0, 1, 0, 2)
	match(t, app.Select().ID("role-2").Class("role-select").Disabled(false).Aria("label", "Role").OnChange(nop), l, 0, 1, 1)
	match(t, app.Option().Value(parley.SiteRoleOwner).Selected(false).Disabled(true).Text("Owner"), l, 0, 1, 1, 0)
	match(t, app.Option().Value(parley.SiteRoleAgent).Selected(true).Disabled(false).Text("Agent"), l, 0, 1, 1, 2)
	match(t, app.Button().Class("button button-small member-toggle").Type("button").Disabled(false).OnClick(nop).Text("Enable"), l, 0, 1, 2, 0)
	match(t, app.Button().Class("button button-small member-reset").Type("button").Disabled(false).OnClick(nop).Text("Reset password"), l, 0, 1, 2, 1)
	match(t, app.Button().Class("button button-small button-quiet member-remove").Type("button").Disabled(false).OnClick(nop).Text("Remove"), l, 0, 1, 2, 2)
	// Dee herself: no actions.
	match(t, app.Text("Dee (you)"), l, 0, 2, 0, 0, 0)
	match(t, app.Span().Class("member-actions-none"), l, 0, 2, 2)
}

// TestMemberListOwner: an owner may change another owner and make owners.
func TestMemberListOwner(t *testing.T) {
	l := &console.MemberList{
		Members: []parley.SiteMember{{ID: 1, Name: "Ann", Role: parley.SiteRoleOwner}, {ID: 2, Name: "Bob", Role: parley.SiteRoleOwner}},
		MyRole:  parley.SiteRoleOwner, Me: 1,
	}
	load(t, l)
	match(t, app.Select().ID("role-2").Class("role-select").Disabled(false).Aria("label", "Role").OnChange(nop), l, 0, 1, 1)
	match(t, app.Option().Value(parley.SiteRoleOwner).Selected(true).Disabled(false).Text("Owner"), l, 0, 1, 1, 0)
	match(t, app.Button().Class("button button-small member-toggle").Type("button").Disabled(false).OnClick(nop).Text("Deactivate"), l, 0, 1, 2, 0)
}

func TestOneTimePassword(t *testing.T) {
	o := &console.OneTimePassword{For: "eve@x", Password: "s3cret-one-time-pw"}
	load(t, o)
	match(t, app.Text("Password for eve@x"), o, 0, 0, 0)
	match(t, app.Input().ID("one-time-password").Class("snippet").Type("text").ReadOnly(true).Spellcheck(false).
		Aria("label", "One-time password").Value("s3cret-one-time-pw"), o, 0, 2)
	match(t, app.Button().ID("copy-password").Class("button").Type("button").OnClick(nop).Text("Copy"), o, 0, 3)
}

func TestPeopleLoading(t *testing.T) {
	p := &console.People{}
	load(t, p)
	match(t, app.Text("People"), p, 0, 0, 0)
	match(t, app.P().Class("settings-loading").Text("Loading sites…"), p, 0, 1)
}

func TestNewSiteForm(t *testing.T) {
	f := &console.NewSite{}
	load(t, f)
	match(t, app.Input().ID("new-site-name").Type("text").Required(true).Value("").OnInput(nop), f, 0, 2, 1)
	match(t, app.Input().ID("new-site-id").Type("text").Spellcheck(false).Value("").OnInput(nop), f, 0, 3, 1)
	match(t, app.Textarea().ID("new-site-origins").Rows(3).Spellcheck(false).OnInput(nop), f, 0, 4, 1)
	match(t, app.Button().ID("create-site").Class("button button-primary").Type("submit").Disabled(false), f, 0, 6)
}
