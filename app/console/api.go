package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/parley-chat/parley/app/parley"
)

// Session is what POST /api/login and GET /api/session return.
type Session struct {
	Agent parley.Agent `json:"agent"`
	CSRF  string       `json:"csrf"`
}

// SiteInfo is a site as GET /api/sites lists it: its settings, the script
// tag to paste into the shop, and this agent's role on it.
type SiteInfo struct {
	parley.Site
	Snippet string `json:"snippet"`
	Role    string `json:"role"`
	// Open is whether the site is open now, by its business hours; nil
	// when the server does not say.
	Open *parley.OpenState `json:"open,omitempty"`
}

// CanManage says whether this agent may change the site's settings.
func (s SiteInfo) CanManage() bool { return parley.CanManageSite(s.Role) }

// request and response are the little of HTTP the API needs. They keep
// net/http's Client, and the native transport it links, out of the wasm.
type request struct {
	method string
	url    string
	header map[string]string
	body   []byte
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// transport sends a request: fetch in the browser, an *http.Client natively.
type transport func(context.Context, request) (response, error)

// API calls Parley's JSON API from the browser. The session cookie goes
// along by itself (same origin); the CSRF token is kept in memory only.
type API struct {
	base string
	send transport

	mu   sync.Mutex
	csrf string
}

// NewAPI returns an API client for the server at base ("https://host").
// In the browser it uses fetch and ignores hc; elsewhere it uses hc, or
// http.DefaultClient when hc is nil.
func NewAPI(base string, hc *http.Client) *API {
	return &API{base: strings.TrimRight(base, "/"), send: newTransport(hc)}
}

// Session returns the current session; a *parley.Error with code
// unauthorized when there is none.
func (a *API) Session(ctx context.Context) (Session, error) {
	var s Session
	if err := a.do(ctx, http.MethodGet, "/api/session", nil, &s); err != nil {
		return Session{}, err
	}
	a.setCSRF(s.CSRF)
	return s, nil
}

// Login signs in.
func (a *API) Login(ctx context.Context, email, password string) (Session, error) {
	var s Session
	body := map[string]string{"email": email, "password": password}
	if err := a.do(ctx, http.MethodPost, "/api/login", body, &s); err != nil {
		return Session{}, err
	}
	a.setCSRF(s.CSRF)
	return s, nil
}

// Logout ends the session.
func (a *API) Logout(ctx context.Context) error {
	err := a.do(ctx, http.MethodPost, "/api/logout", nil, nil)
	a.setCSRF("")
	return err
}

// Sites lists the sites with their snippets.
func (a *API) Sites(ctx context.Context) ([]SiteInfo, error) {
	var sites []SiteInfo
	if err := a.do(ctx, http.MethodGet, "/api/sites", nil, &sites); err != nil {
		return nil, err
	}
	return sites, nil
}

// UpdateSite saves a site's settings (admins only) and returns the site as
// stored, when the server sends it back.
func (a *API) UpdateSite(ctx context.Context, s parley.Site) (SiteInfo, error) {
	var out SiteInfo
	if err := a.do(ctx, http.MethodPut, "/api/sites/"+url.PathEscape(s.ID), s, &out); err != nil {
		return SiteInfo{}, err
	}
	return out, nil
}

// cannedBody is the body of GET and PUT /api/sites/{id}/canned.
type cannedBody struct {
	CannedReplies []parley.CannedReply `json:"cannedReplies"`
}

// Canned returns a site's canned replies: those this agent may use, or,
// to its owners and admins, all of them.
func (a *API) Canned(ctx context.Context, site string) ([]parley.CannedReply, error) {
	var out cannedBody
	if err := a.do(ctx, http.MethodGet, "/api/sites/"+url.PathEscape(site)+"/canned", nil, &out); err != nil {
		return nil, err
	}
	return out.CannedReplies, nil
}

// PutCanned replaces a site's canned replies (owners and admins) and
// returns them as stored.
func (a *API) PutCanned(ctx context.Context, site string, list []parley.CannedReply) ([]parley.CannedReply, error) {
	if list == nil {
		list = []parley.CannedReply{}
	}
	var out cannedBody
	if err := a.do(ctx, http.MethodPut, "/api/sites/"+url.PathEscape(site)+"/canned", cannedBody{CannedReplies: list}, &out); err != nil {
		return nil, err
	}
	return out.CannedReplies, nil
}

// OwnCanned returns this agent's own private canned replies on a site.
func (a *API) OwnCanned(ctx context.Context, site string) ([]parley.CannedReply, error) {
	var out cannedBody
	if err := a.do(ctx, http.MethodGet, "/api/sites/"+url.PathEscape(site)+"/canned/mine", nil, &out); err != nil {
		return nil, err
	}
	return out.CannedReplies, nil
}

// PutOwnCanned replaces this agent's own private canned replies on a
// site (any member) and returns them as stored.
func (a *API) PutOwnCanned(ctx context.Context, site string, list []parley.CannedReply) ([]parley.CannedReply, error) {
	if list == nil {
		list = []parley.CannedReply{}
	}
	var out cannedBody
	if err := a.do(ctx, http.MethodPut, "/api/sites/"+url.PathEscape(site)+"/canned/mine", cannedBody{CannedReplies: list}, &out); err != nil {
		return nil, err
	}
	return out.CannedReplies, nil
}

// ChangePassword replaces the agent's password. The server ends the
// agent's other sessions; this one stays.
func (a *API) ChangePassword(ctx context.Context, current, next string) error {
	body := map[string]string{"current": current, "new": next}
	return a.do(ctx, http.MethodPost, "/api/password", body, nil)
}

// Conversations reads a page of an inbox view (parley.ViewQueue, …) after
// cursor before ("" for the top), at most limit of them, in inbox order;
// with tag, only the conversations that carry it.
func (a *API) Conversations(ctx context.Context, view, tag, before string, limit int) (parley.ConversationPage, error) {
	if view == "" {
		view = parley.ViewOpen
	}
	path := "/api/conversations?view=" + url.QueryEscape(view) + "&limit=" + strconv.Itoa(limit)
	if tag != "" {
		path += "&tag=" + url.QueryEscape(tag)
	}
	if before != "" {
		path += "&before=" + url.QueryEscape(before)
	}
	var p parley.ConversationPage
	if err := a.do(ctx, http.MethodGet, path, nil, &p); err != nil {
		return parley.ConversationPage{}, err
	}
	return p, nil
}

// SiteMember is a member of a site: the People page lists them, and the
// routing settings offer them for a team.
type SiteMember = parley.SiteMember

// FileHeader is the header of a file upload: the CSRF token (the cookie
// goes by itself).
func (a *API) FileHeader() map[string]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return map[string]string{"X-CSRF-Token": a.csrf}
}

func (a *API) setCSRF(token string) {
	a.mu.Lock()
	a.csrf = token
	a.mu.Unlock()
}

func (a *API) do(ctx context.Context, method, path string, in, out any) error {
	req := request{method: method, url: a.base + path, header: map[string]string{"Accept": "application/json"}}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("console: encoding %s %s: %w", method, path, err)
		}
		req.body = b
		req.header["Content-Type"] = "application/json"
	}
	if method != http.MethodGet {
		a.mu.Lock()
		if a.csrf != "" {
			req.header["X-CSRF-Token"] = a.csrf
		}
		a.mu.Unlock()
	}
	resp, err := a.send(ctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return parley.Errorf(parley.EUnavailable, "Cannot reach the Parley server. Check your connection and try again.")
	}
	if resp.status < 200 || resp.status > 299 {
		return ResponseError(path, resp.status, resp.header, resp.body)
	}
	if out == nil || len(bytes.TrimSpace(resp.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return fmt.Errorf("console: decoding %s %s: %w", method, path, err)
	}
	return nil
}

// ResponseError turns a failed API response into the error to show: the
// server's {code, message} when it sent one, with login's refusals spelt
// out (wrong credentials; too many attempts, using Retry-After).
func ResponseError(path string, status int, h http.Header, body []byte) *parley.Error {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	code := e.Code
	if code == "" {
		code = codeForStatus(status)
	}
	login := path == "/api/login"
	switch {
	case status == http.StatusTooManyRequests:
		return parley.Errorf(parley.ERateLimited, "%s", tooManyAttempts(h.Get("Retry-After")))
	case status == http.StatusUnauthorized && login:
		return parley.Errorf(parley.EUnauthorized, "Wrong email or password.")
	case status == http.StatusUnauthorized:
		return parley.Errorf(parley.EUnauthorized, "Please log in.")
	case status == http.StatusForbidden && e.Message == "":
		return parley.Errorf(parley.EForbidden, "Only admins may do this.")
	case e.Message != "":
		return parley.Errorf(code, "%s", e.Message)
	case status >= 500:
		return parley.Errorf(code, "The server had a problem (%d). Try again in a moment.", status)
	default:
		return parley.Errorf(code, "The request failed (%d).", status)
	}
}

// tooManyAttempts words a 429 with its Retry-After seconds, in minutes.
func tooManyAttempts(retryAfter string) string {
	secs, err := strconv.Atoi(strings.TrimSpace(retryAfter))
	if err != nil || secs <= 0 {
		return "Too many attempts, try again later."
	}
	mins := int(math.Ceil(float64(secs) / 60))
	if mins == 1 {
		return "Too many attempts, try again in 1 minute."
	}
	return fmt.Sprintf("Too many attempts, try again in %d minutes.", mins)
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return parley.EInvalid
	case http.StatusUnauthorized:
		return parley.EUnauthorized
	case http.StatusForbidden:
		return parley.EForbidden
	case http.StatusNotFound:
		return parley.ENotFound
	case http.StatusConflict:
		return parley.EConflict
	case http.StatusRequestEntityTooLarge:
		return parley.ETooLarge
	case http.StatusTooManyRequests:
		return parley.ERateLimited
	case http.StatusServiceUnavailable:
		return parley.EUnavailable
	}
	return parley.EInternal
}
