package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// agentLogin is one session of an agent: the cookie header for the
// upgrade and the API, and the session's CSRF token.
type agentLogin struct {
	cookie http.Header
	csrf   string
}

func loginWithCSRF(tb testing.TB, env *sockEnv, email, password string) agentLogin {
	tb.Helper()
	var out struct{ CSRF string }
	status, hdr := env.api(tb, agentLogin{}, "POST", "/api/login", map[string]string{"email": email, "password": password}, &out)
	if status != http.StatusOK {
		tb.Fatalf("login %s: status %d", email, status)
	}
	l := agentLogin{cookie: http.Header{}, csrf: out.CSRF}
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		l.cookie.Add("Cookie", c.Name+"="+c.Value)
	}
	return l
}

// api calls the JSON API as l, from Parley's own origin, and returns the
// status and the response's headers; out, if not nil, receives the body.
func (env *sockEnv) api(tb testing.TB, l agentLogin, method, path string, body, out any) (int, http.Header) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, env.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Origin", env.url)
	req.Header.Set("Content-Type", "application/json")
	for _, c := range l.cookie.Values("Cookie") {
		req.Header.Add("Cookie", c)
	}
	if l.csrf != "" {
		req.Header.Set("X-CSRF-Token", l.csrf)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		json.Unmarshal(b, out)
	}
	return resp.StatusCode, resp.Header
}

// agentSocket opens an agent connection with l's cookie, past its welcome.
func (env *sockEnv) agentSocket(tb testing.TB, name string, l agentLogin) *sockClient {
	tb.Helper()
	c := env.dial(tb, name, l.cookie)
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	if w := c.next(); w.Type != parley.TypeWelcome || w.Agent == nil {
		tb.Fatalf("%s: got %+v, want an agent welcome", name, w)
	}
	return c
}

// wantEnded reads until c is closed, within d, and checks the close is
// 4001 with reason.
func (c *sockClient) wantEnded(d time.Duration, reason string) {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		_, _, err := c.ws.Read(ctx)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			c.tb.Fatalf("%s: still open after %v", c.name, d)
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != reason {
			c.tb.Fatalf("%s: ended with %v, want 4001 %q", c.name, err, reason)
		}
		return
	}
}

// wantOpen checks that each agent socket of the shop still gets live
// traffic: a visitor's message reaches it.
func wantOpen(tb testing.TB, visitor *sockClient, id string, agents ...*sockClient) {
	tb.Helper()
	ack := visitor.say(0, id, "still there? "+id)
	for _, a := range agents {
		a.until("the msg "+id, func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == id && f.Conv == ack.Conv })
	}
}

// wantRefusedSocket checks that l's cookie opens no agent connection.
func (env *sockEnv) wantRefusedSocket(tb testing.TB, name string, l agentLogin) {
	tb.Helper()
	c := env.dial(tb, name, l.cookie)
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	if f := c.next(); f.Type != parley.TypeError || f.Code != parley.EUnauthorized {
		tb.Errorf("%s: got %+v, want unauthorized", name, f)
	}
	c.wantEnded(stepTimeout, "not authenticated")
}

// TestLogoutClosesItsSockets: logging out closes at once every socket
// opened with that session, and only those.
func TestLogoutClosesItsSockets(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	ann := env.agents[0].Email
	first, second := loginWithCSRF(t, env, ann, sockPassword), loginWithCSRF(t, env, ann, sockPassword)
	bob := loginWithCSRF(t, env, env.agents[1].Email, sockPassword)
	tab1, tab2 := env.agentSocket(t, "ann tab 1", first), env.agentSocket(t, "ann tab 2", first)
	phone := env.agentSocket(t, "ann's phone", second)
	bobs := env.agentSocket(t, "bob", bob)
	visitor, _ := env.newVisitor(t, "visitor")
	wantOpen(t, visitor, "before", tab1, tab2, phone, bobs)

	if status, _ := env.api(t, first, "POST", "/api/logout", nil, nil); status != http.StatusNoContent {
		t.Fatalf("logout: %d", status)
	}
	// At once: well within a second, not at the next ping or sweep.
	tab1.wantEnded(time.Second, "session ended")
	tab2.wantEnded(time.Second, "session ended")

	wantOpen(t, visitor, "after", phone, bobs)
	if status, _ := env.api(t, first, "GET", "/api/session", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("the ended session's cookie: /api/session %d, want 401", status)
	}
	if status, _ := env.api(t, second, "GET", "/api/session", nil, nil); status != http.StatusOK {
		t.Errorf("the other session: /api/session %d, want 200", status)
	}
	env.wantRefusedSocket(t, "ann tab 1 again", first)
}

// TestSessionExpiryClosesSockets: a socket does not outlive its session's
// expiry; visitors are not concerned.
func TestSessionExpiryClosesSockets(t *testing.T) {
	const ttl = 2 * time.Second
	env := newSockEnvConfig(t, web.Config{SessionTTL: ttl})
	start := time.Now()
	l := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	ann := env.agentSocket(t, "ann", l)
	visitor, _ := env.newVisitor(t, "visitor")
	if time.Since(start) > ttl/2 {
		t.Skip("the setup took too long to tell an expiry from a refusal")
	}
	ann.wantEnded(ttl+stepTimeout, "session ended")
	if time.Since(start) < ttl {
		t.Errorf("closed after %v, before the session's %v were up", time.Since(start), ttl)
	}
	visitor.say(0, "after", "hello?") // the visitor still has its ack
	if status, _ := env.api(t, l, "GET", "/api/session", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("the expired session: /api/session %d, want 401", status)
	}
	env.wantRefusedSocket(t, "ann again", l)
}

// TestPasswordChange: POST /api/password checks the current password,
// refuses what it must without changing anything, and on success ends
// every other session of the agent, with its sockets, keeping this one.
func TestPasswordChange(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	email := env.agents[0].Email
	here, elsewhere := loginWithCSRF(t, env, email, sockPassword), loginWithCSRF(t, env, email, sockPassword)
	bob := loginWithCSRF(t, env, env.agents[1].Email, sockPassword)
	mine, theirs := env.agentSocket(t, "ann here", here), env.agentSocket(t, "ann elsewhere", elsewhere)
	bobs := env.agentSocket(t, "bob", bob)
	visitor, _ := env.newVisitor(t, "visitor")
	_, oldHash, _ := env.db.AgentByEmail(email)
	const newPassword = "a much better password"

	unchanged := func(what string) {
		t.Helper()
		if _, hash, _ := env.db.AgentByEmail(email); !bytes.Equal(hash, oldHash) {
			t.Errorf("%s changed the password", what)
		}
		if status, _ := env.api(t, elsewhere, "GET", "/api/session", nil, nil); status != http.StatusOK {
			t.Errorf("%s ended the other session: %d", what, status)
		}
	}
	for _, tc := range []struct {
		name   string
		as     agentLogin
		body   any
		status int
		code   string
	}{
		{"no CSRF token", agentLogin{cookie: here.cookie}, map[string]string{"current": sockPassword, "new": newPassword}, 403, parley.EForbidden},
		{"another session's CSRF token", agentLogin{cookie: here.cookie, csrf: elsewhere.csrf}, map[string]string{"current": sockPassword, "new": newPassword}, 403, parley.EForbidden},
		{"no session", agentLogin{}, map[string]string{"current": sockPassword, "new": newPassword}, 401, parley.EUnauthorized},
		{"too short", here, map[string]string{"current": sockPassword, "new": "short"}, 400, parley.EInvalid},
		{"nine characters", here, map[string]string{"current": sockPassword, "new": "ñññññññññ"}, 400, parley.EInvalid},
		{"too long", here, map[string]string{"current": sockPassword, "new": string(bytes.Repeat([]byte("x"), 1025))}, 400, parley.EInvalid},
		{"wrong current password", here, map[string]string{"current": "not my password", "new": newPassword}, 403, parley.EForbidden},
		{"not JSON", here, "new password please", 400, parley.EInvalid},
	} {
		var e struct{ Code, Message string }
		status, _ := env.api(t, tc.as, "POST", "/api/password", tc.body, &e)
		if status != tc.status || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s with a message", tc.name, status, e, tc.status, tc.code)
		}
		unchanged(tc.name)
	}
	wantOpen(t, visitor, "refusals", mine, theirs, bobs)

	if status, _ := env.api(t, here, "POST", "/api/password", map[string]string{"current": sockPassword, "new": newPassword}, nil); status != http.StatusNoContent {
		t.Fatalf("password change: %d, want 204", status)
	}
	theirs.wantEnded(time.Second, "session ended")
	wantOpen(t, visitor, "after", mine, bobs)
	if status, _ := env.api(t, elsewhere, "GET", "/api/session", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("the other session after the change: /api/session %d, want 401", status)
	}
	if status, _ := env.api(t, here, "GET", "/api/session", nil, nil); status != http.StatusOK {
		t.Errorf("this session after the change: /api/session %d, want 200", status)
	}
	env.wantRefusedSocket(t, "ann elsewhere again", elsewhere)
	if status, _ := env.api(t, agentLogin{}, "POST", "/api/login", map[string]string{"email": email, "password": sockPassword}, nil); status != http.StatusUnauthorized {
		t.Errorf("login with the old password: %d, want 401", status)
	}
	loginWithCSRF(t, env, email, newPassword)
	// Bob's sessions are his own.
	if status, _ := env.api(t, bob, "GET", "/api/session", nil, nil); status != http.StatusOK {
		t.Errorf("bob's session: %d", status)
	}
}

// TestPasswordChangeIsThrottled: the current password cannot be guessed
// through the password form faster than through the login form.
func TestPasswordChangeIsThrottled(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	l := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	body := map[string]string{"current": "guess", "new": "a much better password"}
	var status int
	var hdr http.Header
	for i := 0; i < 10 && status != http.StatusTooManyRequests; i++ {
		status, hdr = env.api(t, l, "POST", "/api/password", body, nil)
	}
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Errorf("guessing the current password: %d (Retry-After %q), want 429 with Retry-After", status, hdr.Get("Retry-After"))
	}
}
