package web_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

type blockBody struct {
	Visitor bool   `json:"visitor,omitempty"`
	Address bool   `json:"address,omitempty"`
	Hours   any    `json:"hours,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// TestBlockedVisitorCannotWrite: a block closes the visitor's socket at
// once; the visitor cannot say hello again nor write until it expires,
// while another visitor from the same address is served; an address block
// refuses new visitors from it; the log notes the block for agents.
func TestBlockedVisitorCannotWrite(t *testing.T) {
	env, clock := newAbuseEnv(t)
	const addr = "198.51.100.20"
	v, w := helloFrom(t, env, "visitor", addr, "")
	conv := v.say(0, "v1", "buy my spam").Conv
	ann := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)

	var out struct{ Blocks []store.Block }
	path := "/api/conversations/" + strconv.FormatUint(conv, 10) + "/block"
	if status, _ := env.api(t, ann, "POST", path, blockBody{Visitor: true, Hours: 1, Reason: "spam"}, &out); status != http.StatusOK || len(out.Blocks) != 1 {
		t.Fatalf("block: status %d %+v", status, out)
	}
	if f := v.untilError(); f.Code != parley.EForbidden || f.Message != "You can't send messages here." {
		t.Errorf("the blocked visitor's socket: got %+v, want forbidden", f)
	}
	if code := v.closeStatus(); code != 4003 {
		t.Errorf("the blocked visitor's socket closed with %d, want 4003", code)
	}
	again, f := helloFrom(t, env, "visitor again", addr, w.Token)
	if f.Code != parley.EForbidden {
		t.Errorf("the blocked visitor's hello: got %+v, want forbidden", f)
	}
	if code := again.closeStatus(); code != 4003 {
		t.Errorf("after a blocked hello: closed with %d, want 4003", code)
	}
	// Same address, another person: served.
	n, _ := helloFrom(t, env, "neighbour", addr, "")
	n.say(0, "n1", "hello")

	msgs := env.stored(t, conv)
	last := msgs[len(msgs)-1]
	if last.Kind != parley.KindEvent || last.Event != parley.EventBlocked || !last.Internal {
		t.Errorf("the log's last entry: %+v, want an internal blocked event", last)
	}

	// The block ends.
	clock.Advance(time.Hour + time.Second)
	back, f := helloFrom(t, env, "visitor later", addr, w.Token)
	if f.Type != parley.TypeWelcome {
		t.Fatalf("after the block: got %+v, want a welcome", f)
	}
	back.say(conv, "v2", "sorry")

	// An address block: no new visitor from it, none elsewhere hindered.
	if status, _ := env.api(t, ann, "POST", path, blockBody{Address: true, Hours: 24}, &out); status != http.StatusOK || out.Blocks[0].Address != addr+"/32" {
		t.Fatalf("address block: status %d %+v", status, out)
	}
	back.closeStatus()
	if _, f := helloFrom(t, env, "new from blocked address", addr, ""); f.Code != parley.EForbidden {
		t.Errorf("a new visitor from a blocked address: got %+v, want forbidden", f)
	}
	if _, f := helloFrom(t, env, "other address", "198.51.100.21", ""); f.Type != parley.TypeWelcome {
		t.Errorf("a visitor from another address: got %+v, want a welcome", f)
	}
	var list struct{ Blocks []store.Block }
	if status, _ := env.api(t, ann, "GET", "/api/sites/shop/blocks", nil, &list); status != 200 || len(list.Blocks) != 1 {
		t.Errorf("list: %d %+v, want the address block alone (the visitor's has expired)", status, list)
	}
	if status, _ := env.api(t, ann, "DELETE", path, nil, nil); status != 200 {
		t.Errorf("unblock: %d", status)
	}
	if _, f := helloFrom(t, env, "after unblock", addr, ""); f.Type != parley.TypeWelcome {
		t.Errorf("after the unblock: got %+v, want a welcome", f)
	}
}

// TestBlockScoping: only agents of the conversation's site may block; bad
// requests are invalid; the list is for owners and admins.
func TestBlockScoping(t *testing.T) {
	env, _ := newAbuseEnv(t)
	v, _ := helloFrom(t, env, "visitor", "198.51.100.30", "")
	conv := v.say(0, "v1", "hi").Conv
	path := "/api/conversations/" + strconv.FormatUint(conv, 10) + "/block"

	cy := loginWithCSRF(t, env, env.agents[2].Email, sockPassword)
	var e struct{ Code string }
	if status, _ := env.api(t, cy, "POST", path, blockBody{Visitor: true, Hours: 1}, &e); status != 404 || e.Code != parley.ENotFound {
		t.Errorf("another site's agent: %d %+v, want not_found", status, e)
	}
	if status, _ := env.api(t, cy, "GET", "/api/sites/shop/blocks", nil, &e); status != 404 {
		t.Errorf("another site's agent listing: %d, want 404", status)
	}
	if status, _ := env.api(t, agentLogin{}, "POST", path, blockBody{Visitor: true, Hours: 1}, nil); status != 401 && status != 403 {
		t.Errorf("no session: %d, want 401 or 403", status)
	}
	bob := loginWithCSRF(t, env, env.agents[1].Email, sockPassword)
	for _, body := range []any{
		blockBody{Visitor: true, Hours: 0}, blockBody{Visitor: true, Hours: -5}, blockBody{Visitor: true, Hours: 100000},
		blockBody{Visitor: true, Hours: 1.5}, blockBody{Visitor: true, Hours: "x"}, blockBody{Hours: 1},
		"{not json", nil,
	} {
		e.Code = ""
		if status, _ := env.api(t, bob, "POST", path, body, &e); status != 400 || e.Code != parley.EInvalid {
			t.Errorf("POST %+v: %d %+v, want invalid", body, status, e)
		}
	}
	if status, _ := env.api(t, bob, "POST", "/api/conversations/999999/block", blockBody{Visitor: true, Hours: 1}, &e); status != 404 {
		t.Errorf("a missing conversation: %d, want 404", status)
	}
	// Any member may block; only owners and admins list.
	if status, _ := env.api(t, bob, "POST", path, blockBody{Visitor: true, Hours: 24 * 365}, nil); status != 200 {
		t.Errorf("a site's agent blocking for a year: %d, want 200", status)
	}
	if status, _ := env.api(t, bob, "GET", "/api/sites/shop/blocks", nil, &e); status != 403 {
		t.Errorf("a site's plain agent listing: %d, want 403", status)
	}
	// A visitor's socket cannot reach the API at all: it has no session,
	// and its frames have no block.
	if code := v.closeStatus(); code != 4003 {
		t.Errorf("the blocked visitor's socket: closed with %d", code)
	}
}
