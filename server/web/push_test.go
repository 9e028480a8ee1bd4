package web_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/outbox"
	"github.com/parley-chat/parley/server/web"
)

// pushBrowser is a browser's side of a push subscription: the keys it
// made, with which it decrypts what its push service delivers.
type pushBrowser struct {
	key  *ecdh.PrivateKey
	auth []byte
	sub  parley.PushSubscription
}

func newPushBrowser(tb testing.TB, endpoint string) *pushBrowser {
	tb.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	b64 := base64.RawURLEncoding.EncodeToString
	return &pushBrowser{key: k, auth: auth, sub: parley.PushSubscription{Endpoint: endpoint,
		Keys: parley.PushKeys{P256dh: b64(k.PublicKey().Bytes()), Auth: b64(auth)}}}
}

// decrypt opens an aes128gcm body (RFC 8188) encrypted for b (RFC 8291).
func (b *pushBrowser) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, fmt.Errorf("body of %d bytes", len(body))
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 || len(body) < 21+idlen {
		return nil, fmt.Errorf("keyid of %d bytes, want the server's 65-byte key", idlen)
	}
	serverPub, err := ecdh.P256().NewPublicKey(body[21 : 21+idlen])
	if err != nil {
		return nil, err
	}
	record := body[21+idlen:]
	if uint32(len(record)) > rs {
		return nil, fmt.Errorf("record of %d bytes over rs %d: one record expected", len(record), rs)
	}
	secret, err := b.key.ECDH(serverPub)
	if err != nil {
		return nil, err
	}
	info := append([]byte("WebPush: info\x00"), b.key.PublicKey().Bytes()...)
	info = append(info, serverPub.Bytes()...)
	ikm, err := hkdf.Key(sha256.New, secret, b.auth, string(info), 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	blk, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypting: %w", err)
	}
	// The last record ends with the delimiter 2, then zero padding.
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		return nil, fmt.Errorf("no last-record delimiter")
	}
	return plain[:len(plain)-1], nil
}

// verifyVAPID checks the Authorization header of a push (RFC 8292): a
// JWT signed ES256 with the server's key, for the endpoint's origin, not
// expired, with a contact.
func verifyVAPID(auth, serverKey, origin string) error {
	rest, ok := strings.CutPrefix(auth, "vapid ")
	if !ok {
		return fmt.Errorf("scheme of %q", auth)
	}
	var token, k string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			token = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			k = v
		}
	}
	if k != serverKey {
		return fmt.Errorf("k=%q, want the server's key %q", k, serverKey)
	}
	raw, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return err
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return err
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("JWT of %d parts", len(parts))
	}
	var head struct{ Alg, Typ string }
	if hb, err := base64.RawURLEncoding.DecodeString(parts[0]); err != nil || json.Unmarshal(hb, &head) != nil || head.Alg != "ES256" {
		return fmt.Errorf("JWT header %q", parts[0])
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return fmt.Errorf("JWT signature of %d bytes", len(sig))
	}
	h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return fmt.Errorf("JWT signature does not verify with the server's key")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	cb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(cb, &claims) != nil {
		return fmt.Errorf("JWT claims %q", parts[1])
	}
	switch {
	case claims.Aud != origin:
		return fmt.Errorf("aud %q, want %q", claims.Aud, origin)
	case claims.Exp <= time.Now().Unix() || claims.Exp > time.Now().Add(24*time.Hour).Unix():
		return fmt.Errorf("exp %d not within the next 24 hours", claims.Exp)
	case claims.Sub == "":
		return fmt.Errorf("no sub")
	}
	return nil
}

// delivery is one push the test's push service took.
type delivery struct {
	path   string
	header http.Header
	body   []byte
}

// pushService is a local push service: it records each push and answers
// with status.
type pushService struct {
	*httptest.Server
	got    chan delivery
	status atomic.Int32
}

func newPushService(t *testing.T) *pushService {
	ps := &pushService{got: make(chan delivery, 16)}
	ps.status.Store(http.StatusCreated)
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// The answer is the status when the push arrived: read after the
		// test has taken the push, it could be the one the test set next.
		status := int(ps.status.Load())
		ps.got <- delivery{path: r.URL.Path, header: r.Header.Clone(), body: body}
		w.WriteHeader(status)
	}))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *pushService) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-ps.got:
		return d
	case <-time.After(stepTimeout):
		t.Fatal("no push arrived")
		return delivery{}
	}
}

// newPushEnv is a server with an outbox worker and a local push service.
func newPushEnv(t *testing.T) (*sockEnv, *pushService) {
	t.Helper()
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits, Push: web.PushConfig{LoopbackHTTP: true}})
	w := &outbox.Worker{DB: env.db, Handlers: env.srv.OutboxHandlers(), FirstRetry: 50 * time.Millisecond}
	env.db.OnJobs(w.Kick)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return env, newPushService(t)
}

// apiAgent is an agent's session on the JSON API.
type apiAgent struct {
	env  *sockEnv
	c    *http.Client
	csrf string
}

func (env *sockEnv) apiLogin(t *testing.T, i int) *apiAgent {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	a := &apiAgent{env: env, c: &http.Client{Jar: jar}}
	var s struct{ CSRF string }
	if st := a.call(t, "POST", "/api/login", map[string]string{"email": env.agents[i].Email, "password": sockPassword}, &s); st != http.StatusOK {
		t.Fatalf("login: status %d", st)
	}
	a.csrf = s.CSRF
	return a
}

// call sends a JSON request with the session's CSRF token and decodes the
// answer into out; it returns the status.
func (a *apiAgent) call(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, a.env.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		json.Unmarshal(raw, out)
	}
	return resp.StatusCode
}

// checkPush verifies d came from the server, for b, and returns its payload.
func checkPush(t *testing.T, d delivery, b *pushBrowser, serverKey, origin string) parley.PushPayload {
	t.Helper()
	if err := verifyVAPID(d.header.Get("Authorization"), serverKey, origin); err != nil {
		t.Fatalf("VAPID: %v", err)
	}
	if ce := d.header.Get("Content-Encoding"); ce != "aes128gcm" {
		t.Errorf("Content-Encoding %q, want aes128gcm", ce)
	}
	if d.header.Get("TTL") == "" || d.header.Get("TTL") == "0" {
		t.Errorf("TTL %q, want one", d.header.Get("TTL"))
	}
	plain, err := b.decrypt(d.body)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	var p parley.PushPayload
	if err := json.Unmarshal(plain, &p); err != nil {
		t.Fatalf("payload %q: %v", plain, err)
	}
	return p
}

// waitIdleOutbox waits until the outbox has no queued job.
func waitIdleOutbox(t *testing.T, env *sockEnv) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		if q, _ := env.db.OutboxLen(); q == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the outbox never emptied")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebPush: a new chat is pushed to the team's subscribed agent whose
// console is closed, never to one whose console is open nor to an agent
// of another site; then its
// messages, once it is transferred to them, until they turn that off; a
// 410 deletes the subscription.
func TestWebPush(t *testing.T) {
	env, ps := newPushEnv(t)
	ann, bob := env.apiLogin(t, 0), env.apiLogin(t, 1)

	var key struct{ Key string }
	if st := bob.call(t, "GET", "/api/push/key", nil, &key); st != http.StatusOK || key.Key == "" {
		t.Fatalf("GET /api/push/key: %d %+v", st, key)
	}
	bobBrowser, annBrowser := newPushBrowser(t, ps.URL+"/bob"), newPushBrowser(t, ps.URL+"/ann")
	for _, x := range []struct {
		a *apiAgent
		b *pushBrowser
	}{{bob, bobBrowser}, {ann, annBrowser}} {
		if st := x.a.call(t, "POST", "/api/push/subscriptions", x.b.sub, nil); st != http.StatusOK {
			t.Fatalf("subscribe: status %d", st)
		}
	}
	// Cy works on the other site only: the shop's chats are none of his.
	cy := env.apiLogin(t, 2)
	if st := cy.call(t, "POST", "/api/push/subscriptions", newPushBrowser(t, ps.URL+"/cy").sub, nil); st != http.StatusOK {
		t.Fatalf("subscribe: status %d", st)
	}
	// Ann's console is open: she hears of chats there.
	annSock, _ := env.newAgent(t, "ann", 0)

	v, _ := env.newVisitor(t, "kim")
	ack := v.say(0, "m1", "Hello, where is my order? "+strings.Repeat("x", 200))
	d := ps.next(t)
	if d.path != "/bob" {
		t.Fatalf("push to %s, want only Bob's", d.path)
	}
	p := checkPush(t, d, bobBrowser, key.Key, ps.URL)
	wantURL, wantTag := fmt.Sprintf("/console/c/%d", ack.Conv), fmt.Sprintf("parley-conv-%d", ack.Conv)
	if !strings.HasPrefix(p.Title, "New chat") || !strings.HasPrefix(p.Body, "Hello, where is my order?") ||
		len([]rune(p.Body)) > 121 || p.URL != wantURL || p.Tag != wantTag {
		t.Errorf("payload %+v", p)
	}
	if u, topic := d.header.Get("Urgency"), d.header.Get("Topic"); u != "high" || topic != fmt.Sprintf("c%d", ack.Conv) {
		t.Errorf("Urgency %q, Topic %q", u, topic)
	}
	waitIdleOutbox(t, env)

	// Transferred to Bob, closed console: he hears of it, then of the
	// visitor's messages.
	annSock.sendFrame(parley.Frame{Type: parley.TypeTransfer, ID: "t1", Conv: ack.Conv, AgentID: env.agents[1].ID})
	d = ps.next(t)
	if p := checkPush(t, d, bobBrowser, key.Key, ps.URL); d.path != "/bob" || !strings.HasPrefix(p.Title, "Assigned to you") || p.URL != wantURL {
		t.Errorf("assignment push to %s: %+v", d.path, p)
	}
	v.say(ack.Conv, "m2", "Order 1234")
	d = ps.next(t)
	if p := checkPush(t, d, bobBrowser, key.Key, ps.URL); d.path != "/bob" || p.Body != "Order 1234" || p.Tag != wantTag {
		t.Errorf("message push to %s: %+v", d.path, p)
	}
	waitIdleOutbox(t, env)

	// Messages off: the job is not even queued (it would be, in the
	// message's own transaction, by the time of the ack).
	if st := bob.call(t, "PUT", "/api/push/preferences", parley.PushPrefs{NewChat: true, Assigned: true}, nil); st != http.StatusOK {
		t.Fatalf("PUT preferences: %d", st)
	}
	v.say(ack.Conv, "m3", "Hello?")
	if q, _ := env.db.OutboxLen(); q != 0 {
		t.Errorf("a message Bob turned off queued %d jobs", q)
	}

	// Back on; the push service says the subscription is gone.
	bob.call(t, "PUT", "/api/push/preferences", parley.DefaultPushPrefs, nil)
	ps.status.Store(http.StatusGone)
	v.say(ack.Conv, "m4", "Anyone?")
	ps.next(t)
	waitIdleOutbox(t, env)
	if p, _ := env.db.PushAgent(env.agents[1].ID); len(p.Subs) != 0 {
		t.Errorf("after a 410 Bob still has %d subscriptions", len(p.Subs))
	}
	// And with it gone, nothing more is queued.
	v.say(ack.Conv, "m5", "Hello again")
	if q, _ := env.db.OutboxLen(); q != 0 {
		t.Errorf("an agent without subscriptions got %d jobs", q)
	}
	select {
	case d := <-ps.got:
		t.Errorf("unexpected push to %s", d.path)
	default:
	}
}

// TestWebPushRetriesAServerError: a 503 is retried with the backoff.
func TestWebPushRetriesAServerError(t *testing.T) {
	env, ps := newPushEnv(t)
	bob := env.apiLogin(t, 1)
	b := newPushBrowser(t, ps.URL+"/bob")
	bob.call(t, "POST", "/api/push/subscriptions", b.sub, nil)
	ps.status.Store(http.StatusServiceUnavailable)
	v, _ := env.newVisitor(t, "kim")
	v.say(0, "m1", "Hi")
	ps.next(t)
	ps.status.Store(http.StatusCreated)
	ps.next(t)
	waitIdleOutbox(t, env)
	if p, _ := env.db.PushAgent(env.agents[1].ID); len(p.Subs) != 1 {
		t.Errorf("a 503 cost the subscription: %+v", p)
	}
	if _, dead := env.db.OutboxLen(); dead != 0 {
		t.Errorf("%d jobs buried", dead)
	}
}

// TestPushAPIScopeAndInput: an agent touches only its own subscriptions;
// bad input is refused with a clear message; no session is 401, no CSRF
// token 403.
func TestPushAPIScopeAndInput(t *testing.T) {
	env, ps := newPushEnv(t)
	ann, bob := env.apiLogin(t, 0), env.apiLogin(t, 1)
	b := newPushBrowser(t, ps.URL+"/bob")
	if st := bob.call(t, "POST", "/api/push/subscriptions", b.sub, nil); st != http.StatusOK {
		t.Fatalf("subscribe: %d", st)
	}
	var e struct{ Code, Message string }
	if st := ann.call(t, "DELETE", "/api/push/subscriptions", map[string]string{"endpoint": b.sub.Endpoint}, &e); st != http.StatusNotFound {
		t.Errorf("Ann deleting Bob's subscription: status %d, want 404", st)
	}
	if p, _ := env.db.PushAgent(env.agents[1].ID); len(p.Subs) != 1 {
		t.Errorf("Bob's subscription is gone after Ann's DELETE")
	}

	good := newPushBrowser(t, "https://push.example/x").sub
	for _, tc := range []struct {
		name string
		edit func(s *parley.PushSubscription)
		want string
	}{
		{"no endpoint", func(s *parley.PushSubscription) { s.Endpoint = "" }, "endpoint"},
		{"plain http", func(s *parley.PushSubscription) { s.Endpoint = "http://push.example/x" }, "https"},
		{"not a URL", func(s *parley.PushSubscription) { s.Endpoint = "https://" }, "URL"},
		{"short p256dh", func(s *parley.PushSubscription) { s.Keys.P256dh = s.Keys.P256dh[:20] }, "p256dh"},
		{"p256dh not base64", func(s *parley.PushSubscription) { s.Keys.P256dh = "!!" + s.Keys.P256dh[2:] }, "p256dh"},
		{"no auth", func(s *parley.PushSubscription) { s.Keys.Auth = "" }, "auth"},
	} {
		s := good
		tc.edit(&s)
		var e struct{ Code, Message string }
		if st := ann.call(t, "POST", "/api/push/subscriptions", s, &e); st != http.StatusBadRequest || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: status %d, %q; want 400 naming %q", tc.name, st, e.Message, tc.want)
		}
	}
	long := good
	long.Endpoint = "https://push.example/" + strings.Repeat("x", parley.MaxPushEndpoint)
	if st := ann.call(t, "POST", "/api/push/subscriptions", long, nil); st != http.StatusRequestEntityTooLarge {
		t.Errorf("a long endpoint: status %d, want 413", st)
	}

	anon := &apiAgent{env: env, c: &http.Client{}}
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/push/key"}, {"POST", "/api/push/subscriptions"}, {"DELETE", "/api/push/subscriptions"}, {"PUT", "/api/push/preferences"},
	} {
		if st := anon.call(t, r.method, r.path, good, nil); st != http.StatusUnauthorized {
			t.Errorf("%s %s without a session: %d, want 401", r.method, r.path, st)
		}
	}
	noCSRF := &apiAgent{env: env, c: ann.c}
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/push/subscriptions"}, {"DELETE", "/api/push/subscriptions"}, {"PUT", "/api/push/preferences"},
	} {
		if st := noCSRF.call(t, r.method, r.path, good, nil); st != http.StatusForbidden {
			t.Errorf("%s %s without the CSRF token: %d, want 403", r.method, r.path, st)
		}
	}
}
