//go:build !js

package client_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/coder/websocket"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// rawHello says hello as a new visitor of the test site on a connection of
// its own and returns the answer.
func rawHello(t *testing.T, url string) parley.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	if err := ws.Write(ctx, websocket.MessageText, visitorHello().Encode()); err != nil {
		t.Fatalf("hello: %v", err)
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("reading the answer to hello: %v", err)
	}
	var f parley.Frame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestChallengeAnsweredByItself: a new visitor of a flooded site is
// challenged; the client proves work and says hello again on the same
// connection, at the real difficulty, and the app sees only a welcome.
func TestChallengeAnsweredByItself(t *testing.T) {
	ts := startServerConfig(t, filepath.Join(t.TempDir(), "parley.db"),
		web.Config{Addr: "127.0.0.1:0", AddressLimits: web.AddressLimits{PoWAbovePerMinute: 2}})
	for i := range 2 {
		if f := rawHello(t, ts.wsURL()); f.Type != parley.TypeWelcome {
			t.Fatalf("new visitor %d, under the threshold: %+v", i+1, f)
		}
	}
	if f := rawHello(t, ts.wsURL()); f.Code != parley.EChallenge || f.Challenge == nil {
		t.Fatalf("the third new visitor in a minute: got %+v, want a challenge", f)
	}

	p := newProxy(t, ts.wsURL())
	c, rec := visitorOnline(t, p.wsURL())
	if c.Token() == "" {
		t.Error("no visitor token after the welcome")
	}
	rec.mu.Lock()
	states, errs := slices.Clone(rec.states), rec.countType(parley.TypeError)
	rec.mu.Unlock()
	if want := []client.State{client.Connecting, client.Online}; !slices.Equal(states, want) {
		t.Errorf("states %v, want %v: one connection, no backoff", states, want)
	}
	if errs != 0 {
		t.Errorf("the app saw %d error frames; the challenge is the client's business", errs)
	}
	var hellos []parley.Frame
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeHello {
			hellos = append(hellos, f)
		}
	}
	if len(hellos) != 2 || hellos[0].Proof != nil || hellos[1].Proof == nil || !hellos[1].Proof.Meets(18) {
		t.Fatalf("hellos sent: %+v; want one without a proof, then one with a proof of 18 bits", hellos)
	}
	id := c.Send(0, "hello from a flooded shop", false)
	rec.wait(t, "the message", func() bool { return rec.hasMsg(id) })
}

// TestChallengeRefusedAgainBacksOff: a client whose proofs keep being
// refused (here a proxy lowers the difficulty it is told, so its proofs
// fall short) makes a few on one connection, then shows the refusal and
// waits out the backoff like any refused hello; once the challenges are
// true again it gets in.
func TestChallengeRefusedAgainBacksOff(t *testing.T) {
	ts := startServerConfig(t, filepath.Join(t.TempDir(), "parley.db"),
		web.Config{Addr: "127.0.0.1:0", AddressLimits: web.AddressLimits{PoWAbovePerMinute: 1}})
	rawHello(t, ts.wsURL())
	if f := rawHello(t, ts.wsURL()); f.Code != parley.EChallenge {
		t.Fatalf("the second new visitor in a minute: got %+v, want a challenge", f)
	}
	p := newProxy(t, ts.wsURL())
	p.setRewrite(func(f *parley.Frame) {
		if f.Challenge != nil {
			f.Challenge.Bits = 1
		}
	})
	rec := newRecorder()
	c := client.New(rec.options(p.wsURL(), visitorHello()))
	run(t, c)
	rec.wait(t, "the refusal shown", func() bool { return rec.countType(parley.TypeError) > 0 })
	rec.mu.Lock()
	shown := slices.Clone(rec.frames)
	rec.mu.Unlock()
	if f := shown[0]; f.Code != parley.EChallenge || f.Message == "" {
		t.Errorf("shown %+v, want the challenge's refusal with its message", f)
	}
	hellos := 0
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeHello {
			hellos++
		}
	}
	if hellos != 4 {
		t.Errorf("hellos on the first connection: got %d, want 1 and 3 with proofs", hellos)
	}
	rec.wait(t, "offline, in the backoff", func() bool { return slices.Contains(rec.states, client.Offline) })

	p.setRewrite(nil)
	rec.wait(t, "online", func() bool { return rec.lastState() == client.Online })
}
