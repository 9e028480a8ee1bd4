package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// TestCloseBoundedByDeafClient: Close waits for the close handshakes, but
// a client that never answers its close is cut at the context's end, and
// that is no error. Meanwhile new websockets are refused.
func TestCloseBoundedByDeafClient(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	deaf, _ := env.newVisitor(t, "deaf visitor") // reads nothing from here on
	v, _ := env.newVisitor(t, "visitor")

	const bound = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- env.srv.Close(ctx) }()

	if got := v.closeStatus(); got != websocket.StatusGoingAway {
		t.Errorf("visitor: close status %v, want %v", got, websocket.StatusGoingAway)
	}
	// Close is still waiting for the deaf visitor: a new socket is refused.
	dialCtx, dialCancel := context.WithTimeout(context.Background(), stepTimeout)
	defer dialCancel()
	if ws, _, err := websocket.Dial(dialCtx, "ws"+strings.TrimPrefix(env.url, "http")+"/ws", nil); err == nil {
		ws.CloseNow()
		t.Errorf("a websocket opened while the server was closing")
	}

	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(bound + stepTimeout):
		t.Fatalf("Close still waits %v after its context ended", stepTimeout)
	}
	if took := time.Since(start); took < bound*9/10 {
		t.Errorf("Close returned after %v: it did not wait for the deaf visitor's close handshake", took)
	}
	// The close frame was written all the same: it waits in the deaf
	// visitor's buffers.
	if got := deaf.closeStatus(); got != websocket.StatusGoingAway {
		t.Errorf("deaf visitor: close status %v, want %v", got, websocket.StatusGoingAway)
	}
}
