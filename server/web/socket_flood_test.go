package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// TestSocketFloodErrorsBeforeClose: a flooder that does read its socket
// learns which of its messages were refused before it is closed: the
// close for flooding queues behind the errors, and what the flooder sends
// after it is not handled.
func TestSocketFloodErrorsBeforeClose(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, _ := env.newVisitor(t, "flooder")
	const sends = 300 // well over the burst plus the refusals that close
	for i := range sends {
		v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: fmt.Sprint("f-", i), Text: "flood"})
	}
	limited, acked := 0, 0
	var err error
	for {
		var f parley.Frame
		if f, err = v.tryNext(); err != nil {
			break
		}
		switch {
		case f.Type == parley.TypeAck:
			acked++
		case f.Type == parley.TypeError && f.Code == parley.ERateLimited && strings.HasPrefix(f.ID, "f-"):
			limited++
		case f.Type == parley.TypeError:
			t.Errorf("unexpected error %+v", f)
		}
	}
	if got := websocket.CloseStatus(err); got != websocket.StatusPolicyViolation {
		t.Errorf("closed with %v (%v), want %v", got, err, websocket.StatusPolicyViolation)
	}
	// More than 100 refusals close: the 101st is the last one answered.
	if limited != 101 {
		t.Errorf("got %d rate_limited errors naming a message before the close, want 101 (and %d acks)", limited, acked)
	}
	if acked < parley.DefaultLimits.SendBurst {
		t.Errorf("got %d acks, want at least the burst of %d", acked, parley.DefaultLimits.SendBurst)
	}
}
