package console

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// People lists the members of a site the agent owns or administers, with
// their role, and lets it add agents, change roles, deactivate, enable,
// reset passwords and remove. It loads the sites and members itself.
type People struct {
	app.Compo

	API *API
	Me  uint64

	load    status
	loadErr string
	sites   []SiteInfo // those the agent manages
	current int

	members    []parley.SiteMember
	membersFor string // the site members were loaded for
	membersErr string

	// busy: a change is on its way; msg, msgErr: the outcome of the last.
	busy   bool
	msg    string
	msgErr bool

	// The add form; role "" is agent.
	email, name, role string
	adding            bool

	// oneTime is a password to show once: for the agent with that email.
	oneTime, oneTimeFor string
}

// OnMount loads the sites.
func (p *People) OnMount(ctx app.Context) {
	if p.API == nil {
		return
	}
	p.load, p.loadErr = loading, ""
	api := p.API
	ctx.Async(func() {
		sites, err := api.Sites(ctx)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.load, p.loadErr = failed, parley.ErrorMessage(err)
				return
			}
			p.load, p.sites = done, ManagedSites(sites)
			p.pick(ctx, 0)
		})
	})
}

// ManagedSites are the sites among sites whose people the agent manages.
func ManagedSites(sites []SiteInfo) []SiteInfo {
	var out []SiteInfo
	for _, s := range sites {
		if s.CanManage() {
			out = append(out, s)
		}
	}
	return out
}

func (p *People) pick(ctx app.Context, i int) {
	p.current, p.msg, p.msgErr = i, "", false
	p.oneTime, p.oneTimeFor = "", ""
	p.members, p.membersFor, p.membersErr = nil, "", ""
	p.reloadMembers(ctx)
}

func (p *People) site() (SiteInfo, bool) {
	if p.current < len(p.sites) {
		return p.sites[p.current], true
	}
	return SiteInfo{}, false
}

func (p *People) reloadMembers(ctx app.Context) {
	site, ok := p.site()
	if !ok || p.API == nil {
		return
	}
	api := p.API
	ctx.Async(func() {
		ms, err := api.Members(ctx, site.ID)
		ctx.Dispatch(func(ctx app.Context) {
			if cur, ok := p.site(); !ok || cur.ID != site.ID {
				return
			}
			if err != nil {
				p.membersErr = parley.ErrorMessage(err)
				return
			}
			p.members, p.membersFor, p.membersErr = ms, site.ID, ""
		})
	})
}

// act runs a change, shows its outcome and reads the members again.
func (p *People) act(ctx app.Context, call func() (string, error)) {
	if p.busy || p.API == nil {
		return
	}
	p.busy, p.msg, p.msgErr = true, "", false
	ctx.Async(func() {
		msg, err := call()
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			if err != nil {
				p.msg, p.msgErr = parley.ErrorMessage(err), true
			} else {
				p.msg = msg
			}
			p.reloadMembers(ctx)
		})
	})
}

// Render implements app.Composer.
func (p *People) Render() app.UI {
	var body app.UI
	switch {
	case p.load == failed:
		body = app.P().Class("settings-error").Role("alert").Text(p.loadErr)
	case p.load != done:
		body = app.P().Class("settings-loading").Text("Loading sites…")
	case len(p.sites) == 0:
		body = app.P().Class("settings-empty").Text("Only a site's owners and admins manage its people.")
	default:
		body = app.Div().Class("settings-site").Body(
			p.renderTabs(),
			p.renderMembers(),
			p.renderOneTime(),
			p.renderAddForm(),
		)
	}
	return app.Div().ID("people").Class("settings people").Body(
		app.H2().Class("settings-title").Text("People"),
		body,
	)
}

func (p *People) renderTabs() app.UI {
	if len(p.sites) < 2 {
		return app.Span().Class("site-tabs-none")
	}
	return app.Div().Class("site-tabs").Role("tablist").Body(
		app.Range(p.sites).Slice(func(i int) app.UI {
			name := p.sites[i].Name
			if name == "" {
				name = p.sites[i].ID
			}
			class := "site-tab"
			if i == p.current {
				class += " selected"
			}
			return app.Button().Class(class).Type("button").Role("tab").Aria("selected", i == p.current).
				OnClick(func(ctx app.Context, e app.Event) { p.pick(ctx, i) }).Text(name)
		}),
	)
}

// roleLabels are the site roles as people read them, in order.
var roleLabels = []struct{ role, label string }{
	{parley.SiteRoleOwner, "Owner"},
	{parley.SiteRoleAdmin, "Admin"},
	{parley.SiteRoleAgent, "Agent"},
}

// roleSelect is a dropdown of the roles; owner is offered only to owners
// (or shown when it is the current role, then fixed for an admin).
func roleSelect(id, current, mine string, disabled bool, onChange app.EventHandler) app.UI {
	return app.Select().ID(id).Class("role-select").Disabled(disabled).Aria("label", "Role").OnChange(onChange).Body(
		app.Range(roleLabels).Slice(func(i int) app.UI {
			r := roleLabels[i]
			return app.Option().Value(r.role).Selected(r.role == current).
				Disabled(r.role == parley.SiteRoleOwner && mine != parley.SiteRoleOwner).Text(r.label)
		}),
	)
}

func (p *People) renderMembers() app.UI {
	site, _ := p.site()
	var result app.UI = app.Span().Class("save-none")
	if p.msg != "" && p.msgErr {
		result = app.P().ID("people-error").Class("save-error").Role("alert").Text(p.msg)
	} else if p.msg != "" {
		result = app.P().ID("people-ok").Class("save-ok").Role("status").Text(p.msg)
	}
	var list app.UI
	switch {
	case p.membersErr != "":
		list = app.P().Class("settings-error").Role("alert").Text(p.membersErr)
	case p.membersFor != site.ID:
		list = app.P().Class("settings-loading").Text("Loading people…")
	default:
		api, siteID := p.API, site.ID
		list = &MemberList{
			Members: p.members, MyRole: site.Role, Me: p.Me, Busy: p.busy,
			OnRole: func(ctx app.Context, m parley.SiteMember, role string) {
				p.act(ctx, func() (string, error) {
					_, err := api.SetRole(ctx, siteID, m.ID, role)
					return m.Name + " is now " + roleName(role) + ".", err
				})
			},
			OnToggle: func(ctx app.Context, m parley.SiteMember) {
				p.act(ctx, func() (string, error) {
					if m.Disabled {
						return m.Name + " can log in again.", api.SetDisabled(ctx, m.ID, false)
					}
					return m.Name + " is deactivated and logged out everywhere.", api.SetDisabled(ctx, m.ID, true)
				})
			},
			OnReset: p.reset,
			OnRemove: func(ctx app.Context, m parley.SiteMember) {
				p.act(ctx, func() (string, error) {
					return m.Name + " is no longer a member of this site.", api.RemoveMember(ctx, siteID, m.ID)
				})
			},
		}
	}
	return app.Section().Class("card members-card").Body(
		app.H3().Text("Members"),
		list,
		result,
	)
}

// MemberList renders a site's members, each with a role dropdown and,
// but for the agent itself, deactivate or enable, reset password and
// remove. MyRole is the agent's role on the site: an admin changes no
// owner and makes none.
type MemberList struct {
	app.Compo

	Members  []parley.SiteMember
	MyRole   string
	Me       uint64
	Busy     bool
	OnRole   func(ctx app.Context, m parley.SiteMember, role string)
	OnToggle func(ctx app.Context, m parley.SiteMember)
	OnReset  func(ctx app.Context, m parley.SiteMember)
	OnRemove func(ctx app.Context, m parley.SiteMember)
}

// Render implements app.Composer.
func (l *MemberList) Render() app.UI {
	return app.Ul().ID("members").Class("member-list").Body(
		app.Range(l.Members).Slice(func(i int) app.UI { return l.renderMember(l.Members[i]) }),
	)
}

func (l *MemberList) renderMember(m parley.SiteMember) app.UI {
	me := m.ID == l.Me
	name := m.Name
	if me {
		name += " (you)"
	}
	status, statusClass := "Active", "member-status"
	if m.Disabled {
		status, statusClass = "Deactivated", "member-status member-disabled"
	}
	fixed := l.Busy || m.Role == parley.SiteRoleOwner && l.MyRole != parley.SiteRoleOwner
	on := func(h func(app.Context, parley.SiteMember)) app.EventHandler {
		return func(ctx app.Context, e app.Event) {
			if h != nil {
				h(ctx, m)
			}
		}
	}
	var actions app.UI = app.Span().Class("member-actions-none")
	if !me {
		toggle := "Deactivate"
		if m.Disabled {
			toggle = "Enable"
		}
		actions = app.Div().Class("member-actions").Body(
			app.Button().Class("button button-small member-toggle").Type("button").Disabled(fixed).
				OnClick(on(l.OnToggle)).Text(toggle),
			app.Button().Class("button button-small member-reset").Type("button").Disabled(fixed).
				OnClick(on(l.OnReset)).Text("Reset password"),
			app.Button().Class("button button-small button-quiet member-remove").Type("button").Disabled(fixed).
				OnClick(on(l.OnRemove)).Text("Remove"),
		)
	}
	return app.Li().Class("member").DataSet("agent", m.ID).DataSet("email", m.Email).Body(
		app.Div().Class("member-who").Body(
			app.Span().Class("member-name").Text(name),
			app.Span().Class("member-email").Text(m.Email),
			app.Span().Class(statusClass).Text(status),
		),
		roleSelect("role-"+strconv.FormatUint(m.ID, 10), m.Role, l.MyRole, fixed, func(ctx app.Context, e app.Event) {
			if l.OnRole != nil {
				l.OnRole(ctx, m, ctx.JSSrc().Get("value").String())
			}
		}),
		actions,
	)
}

// roleName is a role in a sentence.
func roleName(role string) string {
	switch role {
	case parley.SiteRoleOwner:
		return "an owner"
	case parley.SiteRoleAdmin:
		return "an admin"
	}
	return "an agent"
}

func (p *People) reset(ctx app.Context, m parley.SiteMember) {
	if p.busy || p.API == nil {
		return
	}
	api := p.API
	p.busy, p.msg, p.msgErr = true, "", false
	ctx.Async(func() {
		pw, err := api.ResetPassword(ctx, m.ID)
		ctx.Dispatch(func(ctx app.Context) {
			p.busy = false
			if err != nil {
				p.msg, p.msgErr = parley.ErrorMessage(err), true
				return
			}
			p.oneTime, p.oneTimeFor = pw, m.Email
			p.msg = m.Name + " is logged out everywhere; give them the new password below."
		})
	})
}

// renderOneTime shows a new one-time password, once: it is forgotten
// when the agent picks another site or leaves the page.
func (p *People) renderOneTime() app.UI {
	if p.oneTime == "" {
		return app.Span().Class("one-time-none")
	}
	return &OneTimePassword{For: p.oneTimeFor, Password: p.oneTime}
}

// OneTimePassword shows a password made for agent For, with a copy
// button.
type OneTimePassword struct {
	app.Compo

	For, Password string

	copied string // the password last copied
}

// Render implements app.Composer.
func (o *OneTimePassword) Render() app.UI {
	label := "Copy"
	if o.copied == o.Password {
		label = "Copied"
	}
	pw := o.Password
	return app.Section().ID("one-time").Class("card one-time-card").Role("status").Body(
		app.H3().Text("Password for "+o.For),
		app.P().Class("hint").Text("Shown only now. Give it to them; they change it in Settings after logging in."),
		app.Input().ID("one-time-password").Class("snippet").Type("text").ReadOnly(true).Spellcheck(false).
			Aria("label", "One-time password").Value(pw),
		app.Button().ID("copy-password").Class("button").Type("button").
			OnClick(func(ctx app.Context, e app.Event) {
				copyText(ctx, pw, "one-time-password", func() { o.copied = pw })
			}).Text(label),
	)
}

func (p *People) renderAddForm() app.UI {
	site, _ := p.site()
	label := "Add agent"
	if p.adding {
		label = "Adding…"
	}
	return app.Form().ID("add-agent").Class("card site-form").OnSubmit(p.onAdd).Body(
		app.H3().Text("Add an agent"),
		app.P().Class("hint").Text("A new email gets an account with a one-time password; an existing agent joins this site."),
		field("agent-email", "Email", app.Input().ID("agent-email").Type("email").Required(true).
			Attr("autocomplete", "off").Value(p.email).
			OnInput(func(ctx app.Context, e app.Event) { p.email = ctx.JSSrc().Get("value").String() })),
		field("agent-name", "Name", app.Input().ID("agent-name").Type("text").Required(true).
			Attr("autocomplete", "off").Value(p.name).
			OnInput(func(ctx app.Context, e app.Event) { p.name = ctx.JSSrc().Get("value").String() })),
		field("agent-role", "Role", roleSelect("agent-role", p.addRole(), site.Role, false, func(ctx app.Context, e app.Event) {
			p.role = ctx.JSSrc().Get("value").String()
		})),
		app.Button().ID("add-agent-submit").Class("button button-primary").Type("submit").
			Disabled(p.adding).Text(label),
	)
}

func (p *People) addRole() string {
	if p.role == "" {
		return parley.SiteRoleAgent
	}
	return p.role
}

func (p *People) onAdd(ctx app.Context, e app.Event) {
	e.PreventDefault()
	site, ok := p.site()
	if !ok || p.API == nil || p.adding {
		return
	}
	email, name, err := parley.CheckNewAgent(p.email, p.name)
	if err != nil {
		p.msg, p.msgErr = parley.ErrorMessage(err), true
		return
	}
	api, role := p.API, p.addRole()
	p.adding, p.msg, p.msgErr = true, "", false
	ctx.Async(func() {
		added, err := api.AddAgent(ctx, site.ID, email, name, role)
		ctx.Dispatch(func(ctx app.Context) {
			p.adding = false
			if err != nil {
				p.msg, p.msgErr = parley.ErrorMessage(err), true
				return
			}
			p.email, p.name = "", ""
			if added.Password != "" {
				p.oneTime, p.oneTimeFor = added.Password, added.Member.Email
				p.msg = "Added " + added.Member.Name + ". Give them the password below."
			} else {
				p.oneTime, p.oneTimeFor = "", ""
				p.msg = strings.TrimSpace(added.Member.Name + " joined this site; they log in with their own password.")
			}
			p.reloadMembers(ctx)
		})
	})
}
