//go:build !js

// The tests run against the real server, whose store (bbolt) does not build
// for js/wasm.

package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func TestStateString(t *testing.T) {
	tests := []struct {
		s    client.State
		want string
	}{
		{client.Connecting, "connecting"},
		{client.Online, "online"},
		{client.Offline, "offline"},
		{client.State(42), "unknown"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("State(%d).String() = %q, want %q", int(tt.s), got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{0, 125 * time.Millisecond, 250 * time.Millisecond},
		{1, 250 * time.Millisecond, 500 * time.Millisecond},
		{3, time.Second, 2 * time.Second},
		{6, 5 * time.Second, 10 * time.Second},
		{7, 5 * time.Second, 10 * time.Second},
		{1000, 5 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if got := client.Backoff(tt.attempt); got < tt.min || got > tt.max {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", tt.attempt, got, tt.min, tt.max)
			}
		}
	}
}

// TestSendRefusedLocally: texts the server would refuse never enter the
// outbox; the app learns why through an error frame carrying the id.
func TestSendRefusedLocally(t *testing.T) {
	tests := []struct {
		name, text, code string
	}{
		{"empty", "  \n ", parley.EInvalid},
		{"too many characters", strings.Repeat("a", 4001), parley.ETooLarge},
		{"invalid UTF-8", "caf\xe9", parley.EInvalid},
		{"control character", "bell\a", parley.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			c := client.New(rec.options("ws://127.0.0.1:1/ws", visitorHello()))
			id := c.Send(7, tt.text, false)
			if err := parley.CheckClientID(id); err != nil {
				t.Fatalf("Send returned id %q: %v", id, err)
			}
			rec.wait(t, "an error frame", func() bool { return rec.countType(parley.TypeError) > 0 })
			f := rec.snapshot()[0]
			if f.Type != parley.TypeError || f.ID != id || f.Code != tt.code {
				t.Errorf("got frame %+v, want error %s for id %s", f, tt.code, id)
			}
			if got := c.Outbox(); len(got) != 0 {
				t.Errorf("outbox holds %d frames, want 0", len(got))
			}
		})
	}
}

func TestSendQueuesWhileOffline(t *testing.T) {
	rec := newRecorder()
	c := client.New(rec.options("ws://127.0.0.1:1/ws", visitorHello()))
	a := c.Send(0, "  hello  ", true)
	b := c.Send(3, "again", false)
	if a == b {
		t.Fatalf("two sends got the same id %q", a)
	}
	got := c.Outbox()
	if len(got) != 2 {
		t.Fatalf("outbox holds %d frames, want 2", len(got))
	}
	want := []parley.Frame{
		{Type: parley.TypeSend, ID: a, Text: "hello", Greeted: true},
		{Type: parley.TypeSend, ID: b, Conv: 3, Text: "again"},
	}
	for i := range want {
		if g, w := got[i], want[i]; g.Type != w.Type || g.ID != w.ID || g.Conv != w.Conv || g.Text != w.Text || g.Greeted != w.Greeted {
			t.Errorf("outbox[%d] = %+v, want %+v", i, g, w)
		}
	}
	rec.wait(t, "two outbox reports", func() bool { return len(rec.outboxs) == 2 })
	if n := len(rec.outboxs[1]); n != 2 {
		t.Errorf("latest outbox report holds %d frames, want 2", n)
	}
	if got, want := c.State(), client.Offline; got != want {
		t.Errorf("State() = %v, want %v", got, want)
	}
}

// TestRestoredOutboxIsCleaned: storage may hold junk; only frames the server
// could accept are kept, once each.
func TestRestoredOutboxIsCleaned(t *testing.T) {
	o := client.Options{URL: "ws://127.0.0.1:1/ws", Hello: visitorHello(), Outbox: []parley.Frame{
		{Type: parley.TypeSend, ID: "a1", Conv: 1, Text: "one"},
		{Type: parley.TypeSend, ID: "a1", Conv: 1, Text: "one again"},
		{Type: parley.TypeSend, ID: "bad id", Conv: 1, Text: "two"},
		{Type: parley.TypeSend, ID: "", Conv: 1, Text: "three"},
		{ID: "b2", Conv: 1, Text: "four"},
	}}
	got := client.New(o).Outbox()
	var ids []string
	for _, f := range got {
		if f.Type != parley.TypeSend {
			t.Errorf("restored frame %s has type %q, want send", f.ID, f.Type)
		}
		ids = append(ids, f.ID)
	}
	if g, w := strings.Join(ids, ","), "a1,b2"; g != w {
		t.Errorf("restored ids = %s, want %s", g, w)
	}
}

func TestSendAck(t *testing.T) {
	ts := newServer(t)
	c, rec := visitorOnline(t, ts.wsURL())

	id := c.Send(0, "Do you ship to Norway?", false)
	rec.wait(t, "the ack and the msg", func() bool { return rec.hasMsg(id) && rec.countType(parley.TypeAck) == 1 && rec.outboxEmpty() })

	frames := rec.snapshot()
	var ack, msg parley.Frame
	for _, f := range frames {
		switch f.Type {
		case parley.TypeAck:
			ack = f
		case parley.TypeMsg:
			msg = f
		}
	}
	if ack.ID != id || ack.Seq != 1 || ack.Conv == 0 || ack.Dup {
		t.Errorf("ack = %+v, want id %s, seq 1, a conversation, not dup", ack, id)
	}
	if msg.Conv != ack.Conv || msg.Seq != 1 || msg.Text != "Do you ship to Norway?" || msg.From == nil || msg.From.Kind != parley.AuthorVisitor {
		t.Errorf("msg = %+v, want the visitor's message as seq 1 of conv %d", msg, ack.Conv)
	}
	if got := c.LastSeq(ack.Conv); got != 1 {
		t.Errorf("LastSeq(%d) = %d, want 1", ack.Conv, got)
	}
	if got := c.Outbox(); len(got) != 0 {
		t.Errorf("Outbox() holds %d frames, want 0", len(got))
	}
	ws := rec.welcomes()
	if len(ws) != 1 || ws[0].Token == "" || ws[0].Visitor == nil {
		t.Fatalf("welcomes = %+v, want one with a token and a visitor", ws)
	}
	if got, want := c.Token(), ws[0].Token; got != want {
		t.Errorf("Token() = %q, want the welcome's %q", got, want)
	}
	rec.mu.Lock()
	if len(rec.outboxs) < 2 || len(rec.outboxs[0]) != 1 || rec.outboxs[0][0].ID != id {
		t.Errorf("outbox reports = %v, want [%s] then []", rec.outboxs, id)
	}
	rec.mu.Unlock()
	rec.checkNoOverlap(t)
}

// TestSendRespectsAnnouncedLimits: the client checks texts against the
// limits of the welcome, including the frame size: a text within the
// character limit can still encode to a frame the server would answer by
// closing the connection (1009), again after every reconnect.
func TestSendRespectsAnnouncedLimits(t *testing.T) {
	limits := parley.Limits{MaxFrameBytes: 16 << 10, MaxTextRunes: 4000, SendPerSecond: 5, SendBurst: 20}
	ts := startServer(t, filepath.Join(t.TempDir(), "parley.db"), "127.0.0.1:0", limits)
	c, rec := visitorOnline(t, ts.wsURL())
	if got := c.Limits(); got != limits {
		t.Errorf("Limits() = %+v, want the announced %+v", got, limits)
	}

	// 4,000 characters that escape to six bytes of JSON each.
	big := c.Send(0, strings.Repeat("<", 4000), false)
	rec.wait(t, "the refusal", func() bool { return rec.countType(parley.TypeError) == 1 })
	for _, f := range rec.snapshot() {
		if f.Type == parley.TypeError && (f.ID != big || f.Code != parley.ETooLarge) {
			t.Errorf("got %s, want error too_large for %s", describe([]parley.Frame{f}), big)
		}
	}
	ok := c.Send(0, strings.Repeat("<", 2000), false)
	rec.wait(t, "the msg that fits", func() bool { return rec.hasMsg(ok) && rec.outboxEmpty() })
	if got := rec.countType(parley.TypeWelcome); got != 1 {
		t.Errorf("got %d welcomes, want 1: the connection was not closed", got)
	}
}

// TestOutboxSurvivesRestart: messages written while the server is down are
// delivered once each, in order, by a new server on the same file and
// address, to the same visitor.
func TestOutboxSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	ts := startServer(t, path, "127.0.0.1:0", parley.Limits{})
	addr := ts.addr
	c, rec := visitorOnline(t, ts.wsURL())

	first := c.Send(0, "one", false)
	rec.wait(t, "the first msg and its ack", func() bool { return rec.hasMsg(first) && rec.outboxEmpty() })
	conv := c.Following()[0]
	token := c.Token()

	ts.stop()
	rec.wait(t, "the client to notice", func() bool { return rec.lastState() != client.Online })
	ids := []string{first}
	for _, text := range []string{"two", "three", "four"} {
		ids = append(ids, c.Send(conv, text, false))
	}
	if got := len(c.Outbox()); got != 3 {
		t.Fatalf("outbox holds %d frames while the server is down, want 3", got)
	}

	startServer(t, path, addr, parley.Limits{})
	rec.wait(t, "every message", func() bool { return rec.hasMsg(ids[3]) && rec.outboxEmpty() })

	checkMsgs(t, rec.snapshot(), conv, ids)
	ws := rec.welcomes()
	if len(ws) < 2 {
		t.Fatalf("got %d welcomes, want 2", len(ws))
	}
	if ws[0].Visitor.ID != ws[len(ws)-1].Visitor.ID {
		t.Errorf("visitor after restart = %d, want the same visitor %d", ws[len(ws)-1].Visitor.ID, ws[0].Visitor.ID)
	}
	if got := c.Token(); got != token {
		t.Errorf("Token() changed across the reconnect")
	}
	if got := c.LastSeq(conv); got != 4 {
		t.Errorf("LastSeq = %d, want 4", got)
	}
	rec.checkNoOverlap(t)
}

// TestRestoredOutbox: a reloaded widget restores its outbox; a frame the
// server already stored is not stored twice, the others are sent in order.
func TestRestoredOutbox(t *testing.T) {
	ts := newServer(t)
	first := newRecorder()
	a := client.New(first.options(ts.wsURL(), visitorHello()))
	stopA := run(t, a)
	first.wait(t, "online", func() bool { return first.lastState() == client.Online })
	stored := a.Send(0, "stored already", false)
	first.wait(t, "the msg", func() bool { return first.hasMsg(stored) })
	conv, token := a.Following()[0], a.Token()
	if err := stopA(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	// The widget was reloaded before it saw the ack and after it wrote
	// another message while offline.
	hello := visitorHello()
	hello.Token = token
	rec := newRecorder()
	o := rec.options(ts.wsURL(), hello)
	o.Outbox = []parley.Frame{
		{Type: parley.TypeSend, ID: stored, Conv: conv, Text: "stored already"},
		{Type: parley.TypeSend, ID: "restored-2", Conv: conv, Text: "written offline"},
	}
	b := client.New(o)
	run(t, b)
	rec.wait(t, "the restored message", func() bool { return rec.hasMsg("restored-2") && rec.outboxEmpty() })
	third := b.Send(conv, "after the reload", false)
	rec.wait(t, "the new message", func() bool { return rec.hasMsg(third) })

	frames := rec.snapshot()
	checkMsgs(t, frames, conv, []string{stored, "restored-2", third})
	var dup bool
	for _, f := range frames {
		if f.Type == parley.TypeAck && f.ID == stored {
			dup = f.Dup
		}
	}
	if !dup {
		t.Errorf("the resent message was not acked as a duplicate: %s", describe(frames))
	}
	rec.checkNoOverlap(t)
}

// TestGapTriggersResume: an ack lost on the way makes the next one skip
// ahead (an ack stands for the sender's msg); the client holds it,
// resumes, and delivers both in order. (The lost ack's message stays in the
// outbox until a reconnect resends it and gets its ack as a duplicate.)
func TestGapTriggersResume(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	var dropped bool
	p.setDrop(func(f parley.Frame) bool {
		if f.Type == parley.TypeAck && f.Seq == 2 && !dropped {
			dropped = true
			return true
		}
		return false
	})
	c, rec := visitorOnline(t, p.wsURL())

	ids := []string{c.Send(0, "one", false)}
	rec.wait(t, "the first msg", func() bool { return rec.hasMsg(ids[0]) })
	conv := c.Following()[0]
	ids = append(ids, c.Send(conv, "two", false), c.Send(conv, "three", false))
	rec.wait(t, "every message", func() bool { return rec.hasMsg(ids[2]) && rec.hasMsg(ids[1]) })

	checkMsgs(t, rec.snapshot(), conv, ids)
	var resumed bool
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeResume && f.Conv == conv && f.After == 1 {
			resumed = true
		}
	}
	if !resumed {
		t.Errorf("the client sent no resume{conv %d, after 1}", conv)
	}
	if got := c.LastSeq(conv); got != 3 {
		t.Errorf("LastSeq = %d, want 3", got)
	}
	rec.checkNoOverlap(t)
}

func TestResync(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	c, rec := visitorOnline(t, p.wsURL())
	id := c.Send(0, "hello", false)
	rec.wait(t, "the msg", func() bool { return rec.hasMsg(id) })
	conv := c.Following()[0]

	resumes := func(after uint64) int {
		n := 0
		for _, f := range p.clientFrames() {
			if f.Type == parley.TypeResume && f.Conv == conv && f.After == after {
				n++
			}
		}
		return n
	}
	synced := func() int {
		n := 0
		for _, f := range rec.frames {
			if f.Type == parley.TypeSynced && f.Conv == conv {
				n++
			}
		}
		return n
	}
	// The conv frame of the new conversation may have come before its msg,
	// and made the client resume from 0: let that settle first.
	rec.wait(t, "earlier resumes answered", func() bool { return synced() == resumes(0) })

	c.Resync()
	rec.wait(t, "synced after Resync", func() bool { return resumes(1) == 1 && synced() == resumes(0)+1 })
	checkMsgs(t, rec.snapshot(), conv, []string{id})
}

// TestResyncReplacesDeadConnection: a connection that went silent (a laptop
// waking up) is noticed by Resync and replaced; nothing is lost.
func TestResyncReplacesDeadConnection(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	rec := newRecorder()
	c := client.New(rec.options(p.wsURL(), visitorHello()))
	client.SetProbeTimeout(c, 200*time.Millisecond)
	run(t, c)
	rec.wait(t, "online", func() bool { return rec.lastState() == client.Online })
	first := c.Send(0, "before", false)
	rec.wait(t, "the msg and its ack", func() bool { return rec.hasMsg(first) && rec.outboxEmpty() })
	conv := c.Following()[0]
	token := c.Token()

	p.stallAll()
	second := c.Send(conv, "while the network is gone", false)
	c.Resync()
	rec.wait(t, "a second welcome", func() bool { return rec.countType(parley.TypeWelcome) == 2 })
	rec.wait(t, "the message written meanwhile", func() bool { return rec.hasMsg(second) && rec.outboxEmpty() })
	checkMsgs(t, rec.snapshot(), conv, []string{first, second})

	// The new connection said hello as the same visitor, and asked for
	// what came after what the client holds.
	var hellos []parley.Frame
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeHello {
			hellos = append(hellos, f)
		}
	}
	if len(hellos) != 2 {
		t.Fatalf("got %d hellos, want 2", len(hellos))
	}
	if h := hellos[1]; h.Token != token || len(h.Since) != 1 || h.Since[0] != (parley.ResumeFrom{Conv: conv, After: 1}) {
		t.Errorf("second hello: token same = %v, since = %v; want the same token and since [{%d 1}]", h.Token == token, h.Since, conv)
	}
	rec.checkNoOverlap(t)
}

// TestPacedBelowRateLimit: a burst of sends is paced to the limits the
// welcome announces, so the server refuses none and the order holds.
func TestPacedBelowRateLimit(t *testing.T) {
	limits := parley.DefaultLimits
	limits.SendPerSecond, limits.SendBurst = 40, 4
	ts := startServer(t, filepath.Join(t.TempDir(), "parley.db"), "127.0.0.1:0", limits)
	p := newProxy(t, ts.wsURL())
	var refused int
	p.setDrop(func(f parley.Frame) bool {
		if f.Type == parley.TypeError && f.Code == parley.ERateLimited {
			refused++
		}
		return false
	})
	c, rec := visitorOnline(t, p.wsURL())
	ids := []string{c.Send(0, "first", false)}
	rec.wait(t, "the first msg", func() bool { return rec.hasMsg(ids[0]) })
	conv := c.Following()[0]
	for i := range 12 {
		ids = append(ids, c.Send(conv, "burst "+itoa(uint64(i)), false))
	}
	rec.wait(t, "every message", func() bool { return rec.hasMsg(ids[len(ids)-1]) && rec.outboxEmpty() })
	checkMsgs(t, rec.snapshot(), conv, ids)
	p.mu.Lock()
	defer p.mu.Unlock()
	if refused != 0 {
		t.Errorf("the server refused %d sends as rate limited, want 0", refused)
	}
}

// TestRateLimitedResent: when the server refuses sends as rate limited (here
// because the welcome understates its limits), the client keeps them and
// resends them in order.
func TestRateLimitedResent(t *testing.T) {
	limits := parley.DefaultLimits
	limits.SendPerSecond, limits.SendBurst = 4, 4
	ts := startServer(t, filepath.Join(t.TempDir(), "parley.db"), "127.0.0.1:0", limits)
	p := newProxy(t, ts.wsURL())
	var refused int
	p.setDrop(func(f parley.Frame) bool {
		if f.Type == parley.TypeError && f.Code == parley.ERateLimited {
			refused++
		}
		return false
	})
	p.setRewrite(func(f *parley.Frame) {
		if f.Type == parley.TypeWelcome && f.Limits != nil {
			f.Limits.SendPerSecond, f.Limits.SendBurst = 1000, 100
		}
	})
	c, rec := visitorOnline(t, p.wsURL())
	ids := []string{c.Send(0, "first", false)}
	rec.wait(t, "the first msg", func() bool { return rec.hasMsg(ids[0]) })
	conv := c.Following()[0]
	for i := range 7 {
		ids = append(ids, c.Send(conv, "burst "+itoa(uint64(i)), false))
	}
	rec.wait(t, "every message", func() bool { return rec.hasMsg(ids[len(ids)-1]) && rec.outboxEmpty() })
	frames := rec.snapshot()
	checkMsgs(t, frames, conv, ids)
	for _, f := range frames {
		if f.Type == parley.TypeError {
			t.Errorf("the app saw %s: a retryable refusal is the client's business", describe([]parley.Frame{f}))
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if refused == 0 {
		t.Errorf("the server refused no send: the test did not test anything")
	}
}

// TestAgent: an agent sees visitor messages of conversations it has not
// opened as they come, follows the one it opens (getting its history), and
// answers.
func TestAgent(t *testing.T) {
	ts := newServer(t)
	v, vrec := visitorOnline(t, ts.wsURL())
	first := v.Send(0, "hello?", false)
	vrec.wait(t, "the visitor's msg", func() bool { return vrec.hasMsg(first) })
	conv := v.Following()[0]

	a, arec := agentOnline(t, ts)
	w := arec.welcomes()[0]
	if w.Agent == nil || w.Agent.Email != testEmail {
		t.Errorf("welcome agent = %+v, want %s", w.Agent, testEmail)
	}
	var listed bool
	for _, cv := range w.Conversations {
		listed = listed || cv.ID == conv
	}
	if !listed {
		t.Errorf("welcome lists %d conversations without %d", len(w.Conversations), conv)
	}
	if got := a.Following(); len(got) != 0 {
		t.Errorf("an agent follows %v after the welcome, want nothing until it opens one", got)
	}

	// Not followed: passed on as it comes.
	second := v.Send(conv, "anyone there?", false)
	arec.wait(t, "the live msg", func() bool { return arec.hasMsg(second) })

	// Opening the conversation: the whole history, then live, tracked.
	mark := len(arec.snapshot())
	a.Follow(conv, 0)
	arec.wait(t, "the replay", func() bool { return a.LastSeq(conv) == 2 })
	answer := a.Send(conv, "Yes, how can I help?", false)
	vrec.wait(t, "the answer", func() bool { return vrec.hasMsg(answer) })
	// The answer takes the queued chat first: "Ada joined" is seq 3.
	// The client's state moves before the app hears of it: wait for the
	// app's copy.
	arec.wait(t, "the answer's echo", func() bool { return a.LastSeq(conv) == 4 && arec.outboxEmpty() && arec.hasMsg(answer) })
	checkMsgs(t, vrec.snapshot(), conv, []string{first, second, "", answer})
	checkMsgs(t, arec.snapshot()[mark:], conv, []string{first, second, "", answer})

	// Ephemeral frames reach the other side.
	a.Typing(conv, true)
	vrec.wait(t, "the agent typing", func() bool {
		for _, f := range vrec.frames {
			if f.Type == parley.TypeTyping && f.Conv == conv && f.On && f.From != nil && f.From.Kind == parley.AuthorAgent {
				return true
			}
		}
		return false
	})
	a.Resolve(conv)
	arec.wait(t, "the conversation resolved", func() bool {
		for _, f := range arec.frames {
			if f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == conv && f.Conversation.Status == parley.StatusResolved {
				return true
			}
		}
		return false
	})
	arec.checkNoOverlap(t)
	vrec.checkNoOverlap(t)
}

// TestPageRemembered: the page goes out at once, and into every later hello.
func TestPageRemembered(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	rec := newRecorder()
	c := client.New(rec.options(p.wsURL(), visitorHello()))
	client.SetProbeTimeout(c, 200*time.Millisecond)
	home := parley.Page{URL: "http://127.0.0.1/", Title: "Home"}
	shoes := parley.Page{URL: "http://127.0.0.1/shoes", Title: "Shoes"}
	c.Page(home)
	run(t, c)
	rec.wait(t, "online", func() bool { return rec.lastState() == client.Online })
	c.Page(shoes)
	id := c.Send(0, "these in 42?", false)
	rec.wait(t, "the msg and its ack", func() bool { return rec.hasMsg(id) && rec.outboxEmpty() })

	// Replace the connection.
	p.stallAll()
	c.Resync()
	rec.wait(t, "a second welcome", func() bool { return rec.countType(parley.TypeWelcome) == 2 })

	var got []string
	for _, f := range p.clientFrames() {
		switch {
		case f.Type == parley.TypeHello && f.Page != nil:
			got = append(got, "hello "+f.Page.URL)
		case f.Type == parley.TypeHello:
			got = append(got, "hello without page")
		case f.Type == parley.TypePage && f.Page != nil:
			got = append(got, "page "+f.Page.URL)
		}
	}
	want := []string{"hello " + home.URL, "page " + shoes.URL, "hello " + shoes.URL}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("pages sent:\n got %q\nwant %q", got, want)
	}
}

// TestUnknownTokenStartsOver: a token the server does not know makes a new
// visitor; the client takes the new token and forgets the old visitor's
// conversations.
func TestUnknownTokenStartsOver(t *testing.T) {
	ts := newServer(t)
	rec := newRecorder()
	hello := visitorHello()
	hello.Token = "not-a-token-of-this-site"
	c := client.New(rec.options(ts.wsURL(), hello))
	c.Follow(99, 4)
	run(t, c)
	rec.wait(t, "online", func() bool { return rec.lastState() == client.Online })
	if got := c.Token(); got == hello.Token || got == "" {
		t.Errorf("Token() = %q, want the new visitor's token", got)
	}
	if got := c.Following(); len(got) != 0 {
		t.Errorf("Following() = %v, want nothing", got)
	}
	id := c.Send(0, "hi", false)
	rec.wait(t, "the msg", func() bool { return rec.hasMsg(id) })
	if got := c.Following(); len(got) != 1 || got[0] == 99 {
		t.Errorf("Following() = %v, want the new conversation only", got)
	}
}

// TestResumeLinkInFirstHelloOnly: a resume link goes in the hellos until
// the first welcome, never after: a link works once, and the welcome's
// token stands for the visitor from then on. What the server says about
// the link reaches the app.
func TestResumeLinkInFirstHelloOnly(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	rec := newRecorder()
	hello := visitorHello()
	hello.ResumeLink = "not-a-resume-link"
	c := client.New(rec.options(p.wsURL(), hello))
	client.SetProbeTimeout(c, 200*time.Millisecond)
	run(t, c)
	rec.wait(t, "the error about the link", func() bool {
		for _, f := range rec.frames {
			if f.Type == parley.TypeError && f.Code == parley.EInvalid && strings.Contains(f.Message, "link") {
				return true
			}
		}
		return false
	})
	token := c.Token()
	id := c.Send(0, "hi", false)
	rec.wait(t, "the msg and its ack", func() bool { return rec.hasMsg(id) && rec.outboxEmpty() })
	// Replace the connection.
	p.stallAll()
	c.Resync()
	rec.wait(t, "a second welcome", func() bool { return rec.countType(parley.TypeWelcome) == 2 })

	var hellos []parley.Frame
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeHello {
			hellos = append(hellos, f)
		}
	}
	if len(hellos) != 2 || hellos[0].ResumeLink != hello.ResumeLink || hellos[0].Token != "" ||
		hellos[1].ResumeLink != "" || hellos[1].Token != token || token == "" {
		t.Errorf("hellos: %+v\nwant the link in the first only, the welcome's token %q in the second", hellos, token)
	}
}

func TestAgentUnauthorized(t *testing.T) {
	ts := newServer(t)
	rec := newRecorder()
	o := rec.options(ts.wsURL(), parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	o.Header = http.Header{"Cookie": {"parley_session=not-a-session"}}
	c := client.New(o)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	err := c.Run(ctx)
	if !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("Run = %v, want ErrUnauthorized", err)
	}
	if got := c.State(); got != client.Offline {
		t.Errorf("State() = %v, want offline", got)
	}
}

// TestVisitorStreamSkipsAgentsOnlyEntries: notes between two messages are
// not a gap for a visitor. The agent's message says what came before it in
// the visitor's stream, so the client delivers it at once, asks for no
// replay, and its position moves past the notes.
func TestVisitorStreamSkipsAgentsOnlyEntries(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	c, rec := visitorOnline(t, p.wsURL())
	first := c.Send(0, "is the blue one in stock?", false)
	rec.wait(t, "the first message", func() bool { return rec.hasMsg(first) })
	conv := c.Following()[0]

	ctx := t.Context()
	agent := parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	for i := range 3 {
		if _, err := ts.db.Append(ctx, store.Append{Conv: conv, From: agent, ID: fmt.Sprint("note-", i), Text: "check the warehouse", Kind: parley.KindNote}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.db.Append(ctx, store.Append{Conv: conv, From: agent, ID: "answer", Text: "Yes, two left."}); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, "the answer", func() bool { return rec.hasMsg("answer") })
	next := c.Send(conv, "great, ordering now", false)
	rec.wait(t, "the next message", func() bool { return rec.hasMsg(next) })

	var got []string
	for _, f := range rec.snapshot() {
		if f.Type == parley.TypeMsg {
			got = append(got, fmt.Sprintf("%d:%s", f.Seq, f.ID))
			if f.Kind == parley.KindNote {
				t.Errorf("the visitor's app got a note: %+v", f)
			}
		}
	}
	if want := fmt.Sprintf("[1:%s 5:answer 6:%s]", first, next); fmt.Sprint(got) != want {
		t.Errorf("delivered %v, want %s", got, want)
	}
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeResume {
			t.Errorf("the client asked for a replay (%+v): it saw a false gap", f)
		}
	}
	if got := c.LastSeq(conv); got != 6 {
		t.Errorf("LastSeq = %d, want 6", got)
	}
	rec.checkNoOverlap(t)
}

// TestAgentNoteFromTheClient: an agent's SendNote travels as a send of
// kind note, is acked into the agent's stream like a message, and the
// visitor's client delivers the next reply at once, asking for no replay.
func TestAgentNoteFromTheClient(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	v, vrec := visitorOnline(t, p.wsURL())
	first := v.Send(0, "is the blue one in stock?", false)
	vrec.wait(t, "the visitor's msg", func() bool { return vrec.hasMsg(first) })
	conv := v.Following()[0]

	a, arec := agentOnline(t, ts)
	a.Follow(conv, 0)
	note := a.SendNote(conv, "VIP: ships free")
	arec.wait(t, "the note", func() bool { return arec.hasMsg(note) && arec.outboxEmpty() })
	reply := a.Send(conv, "Yes, two left.", false)
	arec.wait(t, "the reply", func() bool { return arec.hasMsg(reply) })
	vrec.wait(t, "the reply at the visitor", func() bool { return vrec.hasMsg(reply) })

	for _, f := range arec.snapshot() {
		if f.Type == parley.TypeMsg && f.ID == note && (f.Kind != parley.KindNote || f.Text != "VIP: ships free") {
			t.Errorf("the agent's copy of its note: %+v", f)
		}
	}
	for _, f := range vrec.snapshot() {
		if f.Kind == parley.KindNote || f.Text == "VIP: ships free" {
			t.Errorf("the visitor's app got the note: %+v", f)
		}
	}
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeResume {
			t.Errorf("the visitor's client asked for a replay (%+v): it saw a false gap", f)
		}
	}
}

// TestResendIsNotFresh: a message's first write says fresh; once written,
// it may be stored with its ack lost, so a resend never does, and the
// server finds the original.
func TestResendIsNotFresh(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	var dropped atomic.Bool
	p.setDrop(func(f parley.Frame) bool {
		return f.Type == parley.TypeAck && dropped.CompareAndSwap(false, true)
	})
	rec := newRecorder()
	c := client.New(rec.options(p.wsURL(), visitorHello()))
	client.SetProbeTimeout(c, 200*time.Millisecond)
	run(t, c)
	rec.wait(t, "online", func() bool { return rec.lastState() == client.Online })
	id := c.Send(0, "stored, but its ack is lost", false)
	rec.wait(t, "the send", func() bool {
		for _, f := range p.clientFrames() {
			if f.Type == parley.TypeSend && f.ID == id {
				return true
			}
		}
		return false
	})
	// The message is stored once its ack exists: wait for the proxy to
	// drop it (a fixed sleep lost the race on a loaded machine, and the
	// resend then was the first copy).
	rec.wait(t, "the ack dropped", dropped.Load)
	p.stallAll()
	c.Resync()
	rec.wait(t, "the resend acked", func() bool { return rec.hasMsg(id) && rec.outboxEmpty() })

	var fresh []bool
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeSend && f.ID == id {
			fresh = append(fresh, f.Fresh)
		}
	}
	if len(fresh) != 2 || !fresh[0] || fresh[1] {
		t.Errorf("writes of the message said fresh %v, want [true false]", fresh)
	}
	var dup bool
	for _, f := range rec.snapshot() {
		if f.Type == parley.TypeAck && f.ID == id {
			dup = f.Dup
		}
	}
	if last, _ := ts.db.LastSeq(c.Following()[0]); !dup || last != 1 {
		t.Errorf("resend: dup %v, conversation at %d; want the original ack, stored once", dup, last)
	}
}

// TestPresenceRemembered: an agent's away goes out at once and into every
// later hello, so a reconnect never shows it online; online again is sent
// as a frame and leaves the hellos plain.
func TestPresenceRemembered(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	rec := newRecorder()
	o := rec.options(p.wsURL(), parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	o.Header = ts.login(t)
	c := client.New(o)
	client.SetProbeTimeout(c, 200*time.Millisecond)
	// A followed conversation, so that Resync probes the connection.
	vis, err := ts.db.CreateVisitor(testSite, []byte("presence-visitor"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ts.db.Append(context.Background(), store.Append{Site: testSite, Visitor: vis.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: vis.ID}, ID: "p-1", Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	c.Follow(res.Conv.ID, 0)
	run(t, c)
	rec.wait(t, "online", func() bool { return rec.lastState() == client.Online })
	c.Presence(parley.StatusAway)
	rec.wait(t, "the agent's own presence frame", func() bool {
		for _, f := range rec.frames {
			if f.Type == parley.TypePresence && f.Agent != nil && f.Agent.Status == parley.StatusAway {
				return true
			}
		}
		return false
	})
	p.stallAll()
	c.Resync()
	rec.wait(t, "a second welcome", func() bool { return rec.countType(parley.TypeWelcome) == 2 })
	w := rec.welcomes()[1]
	if len(w.Agents) != 1 || w.Agents[0].Status != parley.StatusAway {
		t.Errorf("second welcome lists %+v, want the agent away", w.Agents)
	}
	c.Presence(parley.StatusOnline)
	rec.wait(t, "the agent back online", func() bool {
		n := 0
		for _, f := range rec.frames {
			if f.Type == parley.TypePresence && f.Agent != nil && f.Agent.Status == parley.StatusOnline {
				n++
			}
		}
		return n > 0
	})
	p.stallAll()
	c.Resync()
	rec.wait(t, "a third welcome", func() bool { return rec.countType(parley.TypeWelcome) == 3 })

	var got []string
	for _, f := range p.clientFrames() {
		switch f.Type {
		case parley.TypeHello:
			got = append(got, "hello "+f.Status)
		case parley.TypePresence:
			got = append(got, "presence "+f.Status)
		}
	}
	want := []string{"hello ", "presence away", "hello away", "presence online", "hello "}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("presence sent:\n got %q\nwant %q", got, want)
	}
}

// TestSendControl: a claim goes out at once with a fresh id; offline,
// nothing is sent or kept for later.
func TestSendControl(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	rec := newRecorder()
	o := rec.options(p.wsURL(), parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
	o.Header = ts.login(t)
	c := client.New(o)
	if id, ok := c.SendControl(parley.Frame{Type: parley.TypeClaim, Conv: 7}); ok || id != "" {
		t.Errorf("SendControl offline = %q, %v; want nothing sent", id, ok)
	}
	run(t, c)
	rec.wait(t, "online", func() bool { return rec.lastState() == client.Online })
	id, ok := c.SendControl(parley.Frame{Type: parley.TypeClaim, Conv: 7})
	if !ok || parley.CheckClientID(id) != nil {
		t.Fatalf("SendControl online = %q, %v; want a client id", id, ok)
	}
	rec.wait(t, "the claim on the wire", func() bool {
		for _, f := range p.clientFrames() {
			if f.Type == parley.TypeClaim && f.ID == id && f.Conv == 7 {
				return true
			}
		}
		return false
	})
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeClaim && f.ID != id {
			t.Errorf("the offline claim went out later: %+v", f)
		}
	}
}
