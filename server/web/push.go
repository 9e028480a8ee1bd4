package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/outbox"
	"github.com/parley-chat/parley/server/store"
)

// Web Push: the news an agent's installed console gets while it is
// closed — a new chat in their teams, a chat assigned to them, a visitor's
// message in their chats — each as they chose (parley.PushPrefs).
//
// Each piece of news is one outbox job per agent, queued in the
// transaction of its cause (a new conversation, an assignment, a
// message), so a crash loses none. The job queues only for an agent who
// has a subscription, wants that news, and has no console socket now
// (online or away: the open console tells them itself). That test reads
// memory only, so a message costs no store read: the agents with
// subscriptions and their preferences are kept here, loaded at start and
// changed by the API. The job runs the same test again, then encrypts
// the news for each of the agent's browsers (RFC 8291, aes128gcm) and
// signs with the install's VAPID key (RFC 8292), kept in the store.
//
// A 404 or 410 from a push service means the subscription is gone: it is
// deleted. A 429, a 5xx or no answer retries the job with the outbox's
// backoff; the browsers already reached may then see the news twice,
// under one tag, so the second replaces the first on screen.

// PushConfig is how the server sends pushes.
type PushConfig struct {
	// Client posts to push services; nil is a client with a timeout.
	Client *http.Client
	// LoopbackHTTP takes http endpoints on a loopback host (tests).
	LoopbackHTTP bool
}

// Push news, the job's event.
const (
	jobPush      = "push"
	pushNewChat  = "new"
	pushAssigned = "assigned"
	pushMessage  = "message"
	// pushBodyLen is how much of the visitor's text a push shows.
	pushBodyLen = 120
	pushTTL     = 3600 // seconds: news older than an hour is stale
)

// pushJobPayload is a push job's input.
type pushJobPayload struct {
	Agent uint64 `json:"agent"`
	Event string `json:"event"`
	Text  string `json:"text,omitempty"`
}

// pushState is the VAPID key and the agents with subscriptions.
type pushState struct {
	// private and public are the VAPID key, base64url; empty: push is
	// off (the key could not be read).
	private, public string

	mu     sync.RWMutex
	agents map[uint64]parley.PushPrefs
}

// loadPush reads the VAPID key and the agents with subscriptions.
func (s *Server) loadPush() {
	s.push.agents = make(map[uint64]parley.PushPrefs)
	key, err := s.store.VAPIDKey()
	if err != nil {
		s.log.Error("web: reading the VAPID key; Web Push is off", "err", err)
		return
	}
	s.push.private = base64.RawURLEncoding.EncodeToString(key.Bytes())
	s.push.public = base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes())
	all, err := s.store.PushAgents()
	if err != nil {
		s.log.Error("web: reading the push subscriptions; none get pushes until they subscribe again", "err", err)
		return
	}
	for _, p := range all {
		s.push.set(p)
	}
}

// set records agent p's subscriptions and preferences.
func (ps *pushState) set(p store.PushAgent) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(p.Subs) == 0 {
		delete(ps.agents, p.Agent)
	} else {
		ps.agents[p.Agent] = p.Prefs
	}
}

// wants says whether agent has a subscription and wants event.
func (ps *pushState) wants(agent uint64, event string) bool {
	ps.mu.RLock()
	prefs, ok := ps.agents[agent]
	ps.mu.RUnlock()
	if !ok || ps.private == "" {
		return false
	}
	switch event {
	case pushNewChat:
		return prefs.NewChat
	case pushAssigned:
		return prefs.Assigned
	case pushMessage:
		return prefs.Message
	}
	return false
}

// any says whether some agent has a subscription.
func (ps *pushState) any() bool {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	return len(ps.agents) > 0
}

// subscribers are the agents with a subscription.
func (ps *pushState) subscribers() []uint64 {
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	out := make([]uint64, 0, len(ps.agents))
	for id := range ps.agents {
		out = append(out, id)
	}
	return out
}

// pushJob is the job that pushes event to agent, or none when the agent
// has no subscription, does not want it, or has its console open. It
// reads memory only.
func (s *Server) pushJob(agent uint64, event, text string) []store.NewJob {
	if !s.push.wants(agent, event) || s.presence.status(agent) != parley.StatusOffline {
		return nil
	}
	payload, _ := json.Marshal(pushJobPayload{Agent: agent, Event: event, Text: parley.Truncate(text, pushBodyLen*4)})
	return []store.NewJob{{Kind: jobPush, Payload: payload}}
}

// newChatPushAgents are the agents with a subscription who are enabled
// members of site's team: those a chat it starts may be pushed to. It
// reads the store only when someone has a subscription at all.
func (s *Server) newChatPushAgents(siteID, team string) []uint64 {
	subs := s.push.subscribers()
	if len(subs) == 0 {
		return nil
	}
	site, err := s.store.Site(siteID)
	if err != nil {
		return nil
	}
	t, explicit := site.Routing.Team(team)
	var out []uint64
	for _, id := range subs {
		if explicit && team != "" && !t.HasMember(id) {
			continue
		}
		if _, err := s.store.Role(siteID, id); err != nil {
			continue
		}
		if off, _ := s.store.AgentDisabled(id); off {
			continue
		}
		out = append(out, id)
	}
	return out
}

// visitorPushJobs are the jobs a visitor's message queues, decided in
// its transaction: news of the new chat for newChat's agents, or of the
// message for the conversation's assignee.
func (s *Server) visitorPushJobs(newChat []uint64, text string) func(parley.Conversation, bool) []store.NewJob {
	return func(conv parley.Conversation, started bool) []store.NewJob {
		var jobs []store.NewJob
		if started {
			for _, id := range newChat {
				jobs = append(jobs, s.pushJob(id, pushNewChat, text)...)
			}
			return jobs
		}
		if conv.Assignee != 0 {
			jobs = s.pushJob(conv.Assignee, pushMessage, text)
		}
		return jobs
	}
}

// PushHandlers are the outbox's handlers of push jobs.
func (s *Server) PushHandlers() map[string]outbox.Handler {
	return map[string]outbox.Handler{jobPush: s.sendPush}
}

// OutboxHandlers are the handlers of every job the server queues.
func (s *Server) OutboxHandlers() map[string]outbox.Handler {
	h := s.MailHandlers()
	for k, v := range s.PushHandlers() {
		h[k] = v
	}
	return h
}

// sendPush carries out push job j.
func (s *Server) sendPush(ctx context.Context, j store.Job) error {
	var in pushJobPayload
	if err := json.Unmarshal(j.Payload, &in); err != nil {
		return outbox.Permanent(fmt.Errorf("push job: %w", err))
	}
	if s.push.private == "" {
		return outbox.Permanent(fmt.Errorf("web push is off: no VAPID key"))
	}
	if s.presence.status(in.Agent) != parley.StatusOffline {
		return nil // the console opened meanwhile: it shows the news itself
	}
	if off, err := s.store.AgentDisabled(in.Agent); err != nil || off {
		return nil // deactivated (or gone) since: no more news
	}
	p, err := s.store.PushAgent(in.Agent)
	if err != nil {
		return err
	}
	if len(p.Subs) == 0 {
		return nil
	}
	conv, err := s.store.Conversation(j.Conv)
	if err != nil {
		return outbox.Permanent(err)
	}
	body, err := json.Marshal(s.pushPayload(conv, in))
	if err != nil {
		return outbox.Permanent(err)
	}
	urgency := webpush.UrgencyHigh
	if in.Event == pushMessage {
		urgency = webpush.UrgencyNormal
	}
	opts := &webpush.Options{
		HTTPClient:      s.pushClient(),
		Subscriber:      s.pushSubscriber(),
		Topic:           fmt.Sprintf("c%d", conv.ID), // a newer push of the chat replaces an undelivered one
		TTL:             pushTTL,
		Urgency:         urgency,
		VAPIDPublicKey:  s.push.public,
		VAPIDPrivateKey: s.push.private,
	}
	var retry error
	for _, sub := range p.Subs {
		err := s.pushTo(ctx, body, sub, opts)
		switch {
		case err == nil:
		case err == errPushGone:
			q, _, err := s.store.RemovePushSubscription(ctx, in.Agent, sub.Endpoint)
			if err != nil {
				retry = err
				continue
			}
			s.push.set(q)
		case outbox.IsPermanent(err):
			s.log.Warn("web: a push service refused a push", "agent", in.Agent, "err", err)
		default:
			retry = err
		}
	}
	return retry
}

var errPushGone = fmt.Errorf("push subscription gone")

// pushTo sends body to sub: nil when the push service took it,
// errPushGone when the subscription is no more, a permanent error for
// any other refusal, and a retryable one for a 429, a 5xx or no answer.
func (s *Server) pushTo(ctx context.Context, body []byte, sub store.PushSub, opts *webpush.Options) error {
	res, err := webpush.SendNotificationWithContext(ctx, body, &webpush.Subscription{Endpoint: sub.Endpoint,
		Keys: webpush.Keys{Auth: sub.Keys.Auth, P256dh: sub.Keys.P256dh}}, opts)
	if err != nil {
		return fmt.Errorf("push to %s: %w", pushHost(sub.Endpoint), err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
		return errPushGone
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return fmt.Errorf("push to %s: %s", pushHost(sub.Endpoint), res.Status)
	default:
		return outbox.Permanent(fmt.Errorf("push to %s: %s: %s", pushHost(sub.Endpoint), res.Status, strings.TrimSpace(string(msg))))
	}
}

// pushHost is the push service of endpoint, for logs: the rest of the
// URL identifies the browser.
func pushHost(endpoint string) string {
	host, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(endpoint, "https://"), "http://"), "/")
	return host
}

// pushPayload is what the notification of in about conv says.
func (s *Server) pushPayload(conv parley.Conversation, in pushJobPayload) parley.PushPayload {
	who := conv.VisitorName
	if who == "" {
		who = "A visitor"
	}
	text := in.Text
	var title string
	switch in.Event {
	case pushNewChat:
		title = "New chat: " + who
	case pushAssigned:
		title = "Assigned to you: " + who
		if text == "" {
			text = conv.PublicText
		}
	default:
		title = who
	}
	if cut := parley.Truncate(text, pushBodyLen); cut != text {
		text = cut + "…"
	}
	p := parley.PushPayload{Title: title, Body: text,
		URL: fmt.Sprintf("%s/console/c/%d", s.base(), conv.ID), Tag: fmt.Sprintf("parley-conv-%d", conv.ID)}
	if a := s.cfg.Assets; a != nil && a.icons["icon-192.png"] != nil {
		p.Icon = a.icons["icon-192.png"].url
	}
	return p
}

// pushSubscriber is the VAPID "sub": how a push service reaches the
// install's operator.
func (s *Server) pushSubscriber() string {
	if strings.HasPrefix(s.cfg.PublicURL, "https://") {
		return s.cfg.PublicURL
	}
	return "parley@" + s.mailDomain()
}

// defaultPushClient reaches push services, which are public: it refuses
// to connect to a loopback, private, link-local or otherwise non-public
// address, whatever the endpoint's name resolves to at that moment, so an
// agent cannot aim the server's requests at the inside of its network.
var defaultPushClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	Proxy:               http.ProxyFromEnvironment,
	DialContext:         (&net.Dialer{Timeout: 10 * time.Second, Control: publicOnly}).DialContext,
	TLSHandshakeTimeout: 10 * time.Second,
	MaxIdleConnsPerHost: 4,
	IdleConnTimeout:     90 * time.Second,
	ForceAttemptHTTP2:   true,
}}

// loopbackPushClient is the tests' (PushConfig.LoopbackHTTP).
var loopbackPushClient = &http.Client{Timeout: 30 * time.Second}

// publicOnly refuses a connection to an address that is not a public
// unicast one.
func publicOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	ip = ip.Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return fmt.Errorf("push endpoint address %s is not public", ip)
	}
	return nil
}

func (s *Server) pushClient() *http.Client {
	switch {
	case s.cfg.Push.Client != nil:
		return s.cfg.Push.Client
	case s.cfg.Push.LoopbackHTTP:
		return loopbackPushClient
	}
	return defaultPushClient
}

// The agents' push API: the key to subscribe with, their subscriptions
// and their preferences. Each touches only the caller's own.

type pushKeyResponse struct {
	Key string `json:"key"`
}

func (s *Server) handlePushKey(w http.ResponseWriter, r *http.Request, _ store.Session, _ parley.Agent) {
	if s.push.public == "" {
		s.apiError(w, r, parley.Errorf(parley.EUnavailable, "Web Push is off on this server."))
		return
	}
	writeJSON(w, http.StatusOK, pushKeyResponse{Key: s.push.public})
}

func (s *Server) handlePushPrefs(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	p, err := s.store.PushAgent(me.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, parley.PushStatus{Prefs: p.Prefs, Subscriptions: len(p.Subs)})
}

func (s *Server) handleSetPushPrefs(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	var prefs parley.PushPrefs
	if err := decodeJSON(w, r, &prefs, 1<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	p, err := s.store.SetPushPrefs(r.Context(), me.ID, prefs)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.push.set(p)
	writeJSON(w, http.StatusOK, parley.PushStatus{Prefs: p.Prefs, Subscriptions: len(p.Subs)})
}

func (s *Server) handleSubscribePush(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	var sub parley.PushSubscription
	if err := decodeJSON(w, r, &sub, 4<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := sub.Check(s.cfg.Push.LoopbackHTTP); err != nil {
		s.apiError(w, r, err)
		return
	}
	p, err := s.store.AddPushSubscription(r.Context(), me.ID, sub)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.push.set(p)
	writeJSON(w, http.StatusOK, parley.PushStatus{Prefs: p.Prefs, Subscriptions: len(p.Subs)})
}

type pushUnsubscribe struct {
	Endpoint string `json:"endpoint"`
}

func (s *Server) handleUnsubscribePush(w http.ResponseWriter, r *http.Request, _ store.Session, me parley.Agent) {
	var in pushUnsubscribe
	if err := decodeJSON(w, r, &in, 4<<10); err != nil {
		s.apiError(w, r, err)
		return
	}
	p, found, err := s.store.RemovePushSubscription(r.Context(), me.ID, in.Endpoint)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !found {
		s.apiError(w, r, parley.Errorf(parley.ENotFound, "You have no push subscription at that endpoint."))
		return
	}
	s.push.set(p)
	writeJSON(w, http.StatusOK, parley.PushStatus{Prefs: p.Prefs, Subscriptions: len(p.Subs)})
}
