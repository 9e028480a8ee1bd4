package console

import (
	"context"
	"net/http"

	"github.com/parley-chat/parley/app/parley"
)

// PushKey is the server's VAPID public key, base64url: what a browser
// subscribes with.
func (a *API) PushKey(ctx context.Context) (string, error) {
	var out struct {
		Key string `json:"key"`
	}
	err := a.do(ctx, http.MethodGet, "/api/push/key", nil, &out)
	return out.Key, err
}

// PushStatus reads the agent's push preferences.
func (a *API) PushStatus(ctx context.Context) (parley.PushStatus, error) {
	var out parley.PushStatus
	err := a.do(ctx, http.MethodGet, "/api/push/preferences", nil, &out)
	return out, err
}

// SetPushPrefs saves the agent's push preferences.
func (a *API) SetPushPrefs(ctx context.Context, p parley.PushPrefs) (parley.PushStatus, error) {
	var out parley.PushStatus
	err := a.do(ctx, http.MethodPut, "/api/push/preferences", p, &out)
	return out, err
}

// SubscribePush gives the server this browser's push subscription.
func (a *API) SubscribePush(ctx context.Context, s parley.PushSubscription) (parley.PushStatus, error) {
	var out parley.PushStatus
	err := a.do(ctx, http.MethodPost, "/api/push/subscriptions", s, &out)
	return out, err
}

// UnsubscribePush removes this browser's push subscription at endpoint.
func (a *API) UnsubscribePush(ctx context.Context, endpoint string) (parley.PushStatus, error) {
	var out parley.PushStatus
	err := a.do(ctx, http.MethodDelete, "/api/push/subscriptions", map[string]string{"endpoint": endpoint}, &out)
	return out, err
}
