package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/parley-chat/parley/app/parley"
)

// The People API: sites and their agents (server/web/api_people.go).

// CreateSite creates a site, with id made from the name when id is "";
// the agent, an install admin, becomes its owner.
func (a *API) CreateSite(ctx context.Context, id, name string, origins []string) (SiteInfo, error) {
	body := map[string]any{"id": id, "name": name, "allowedOrigins": origins}
	var out SiteInfo
	if err := a.do(ctx, http.MethodPost, "/api/sites", body, &out); err != nil {
		return SiteInfo{}, err
	}
	return out, nil
}

// Members lists the members of a site.
func (a *API) Members(ctx context.Context, site string) ([]parley.SiteMember, error) {
	var out []parley.SiteMember
	if err := a.do(ctx, http.MethodGet, sitePath(site)+"/members", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// AddAgent adds an agent to a site, creating it if the email is new: then
// the answer carries its one-time password.
func (a *API) AddAgent(ctx context.Context, site, email, name, role string) (parley.NewMember, error) {
	body := map[string]string{"email": email, "name": name, "role": role}
	var out parley.NewMember
	if err := a.do(ctx, http.MethodPost, sitePath(site)+"/agents", body, &out); err != nil {
		return parley.NewMember{}, err
	}
	return out, nil
}

// SetRole changes a member's role on a site.
func (a *API) SetRole(ctx context.Context, site string, agent uint64, role string) (parley.SiteMember, error) {
	var out parley.SiteMember
	if err := a.do(ctx, http.MethodPut, memberPath(site, agent), map[string]string{"role": role}, &out); err != nil {
		return parley.SiteMember{}, err
	}
	return out, nil
}

// RemoveMember takes an agent off a site.
func (a *API) RemoveMember(ctx context.Context, site string, agent uint64) error {
	return a.do(ctx, http.MethodDelete, memberPath(site, agent), nil, nil)
}

// SetDisabled deactivates an agent, ending its sessions, or enables it.
func (a *API) SetDisabled(ctx context.Context, agent uint64, disabled bool) error {
	action := "/enable"
	if disabled {
		action = "/disable"
	}
	return a.do(ctx, http.MethodPost, agentPath(agent)+action, nil, nil)
}

// ResetPassword gives an agent a new one-time password, ending its
// sessions, and returns it.
func (a *API) ResetPassword(ctx context.Context, agent uint64) (string, error) {
	var out parley.NewPassword
	if err := a.do(ctx, http.MethodPost, agentPath(agent)+"/password-reset", nil, &out); err != nil {
		return "", err
	}
	return out.Password, nil
}

func sitePath(site string) string { return "/api/sites/" + url.PathEscape(site) }

func memberPath(site string, agent uint64) string {
	return sitePath(site) + "/members/" + strconv.FormatUint(agent, 10)
}

func agentPath(agent uint64) string { return "/api/agents/" + strconv.FormatUint(agent, 10) }
