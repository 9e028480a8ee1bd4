package parley

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// Web Push: an agent's installed console subscribes with the push service
// of its browser, and the server pushes news to it while it is closed.

// PushPrefs say which news reach an agent's closed console.
type PushPrefs struct {
	// NewChat: a chat started in one of the agent's teams.
	NewChat bool `json:"newChat"`
	// Assigned: a chat assigned or transferred to the agent.
	Assigned bool `json:"assigned"`
	// Message: a visitor's message in a chat assigned to the agent.
	Message bool `json:"message"`
}

// DefaultPushPrefs are an agent's preferences until they change them.
var DefaultPushPrefs = PushPrefs{NewChat: true, Assigned: true, Message: true}

// PushKeys are a subscription's keys as the browser's
// PushSubscription.toJSON() gives them: base64url.
type PushKeys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// PushSubscription is where the browser's push service takes a console's
// pushes, and the keys that encrypt them for it.
type PushSubscription struct {
	Endpoint string   `json:"endpoint"`
	Keys     PushKeys `json:"keys"`
}

// Bounds of push subscriptions.
const (
	// MaxPushSubscriptions per agent: one for each browser they use; a
	// new one past it replaces the oldest.
	MaxPushSubscriptions = 10
	// MaxPushEndpoint is the longest endpoint URL taken.
	MaxPushEndpoint = 1024
)

// PushStatus is an agent's push settings as the API shows them.
type PushStatus struct {
	Prefs PushPrefs `json:"prefs"`
	// Subscriptions counts the agent's browsers that get pushes.
	Subscriptions int `json:"subscriptions"`
}

// PushPayload is what a push carries to the console's service worker.
type PushPayload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// URL is the console page a click opens.
	URL string `json:"url"`
	// Tag makes a newer notification of the same chat replace the older
	// ("parley-conv-ID", as the open console tags its own).
	Tag string `json:"tag"`
	// Icon is the console's icon.
	Icon string `json:"icon,omitempty"`
}

// Check refuses a subscription that is not one: the endpoint must be an
// https URL (http only on a loopback host when loopbackHTTP: tests and
// development), p256dh an uncompressed P-256 point (65 bytes) and auth 16
// bytes.
func (p PushSubscription) Check(loopbackHTTP bool) error {
	if p.Endpoint == "" {
		return Errorf(EInvalid, "A push subscription needs its endpoint.")
	}
	if len(p.Endpoint) > MaxPushEndpoint {
		return Errorf(ETooLarge, "A push endpoint is at most %d bytes.", MaxPushEndpoint)
	}
	u, err := url.Parse(p.Endpoint)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return Errorf(EInvalid, "The push endpoint is not a URL.")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopbackHTTP && isLoopback(u.Hostname()):
	default:
		return Errorf(EInvalid, "The push endpoint must be an https URL.")
	}
	if k, err := decodeKey(p.Keys.P256dh); err != nil || len(k) != 65 || k[0] != 4 {
		return Errorf(EInvalid, "keys.p256dh must be a P-256 public key, uncompressed, in base64url (65 bytes).")
	}
	if k, err := decodeKey(p.Keys.Auth); err != nil || len(k) != 16 {
		return Errorf(EInvalid, "keys.auth must be 16 bytes in base64url.")
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// decodeKey reads base64url with or without padding, as browsers differ.
func decodeKey(s string) ([]byte, error) {
	if len(s) > 200 {
		return nil, Errorf(ETooLarge, "key too long")
	}
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
