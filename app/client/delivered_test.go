//go:build !js

package client_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// deliveredFrames are the delivered frames the clients behind p wrote.
func deliveredFrames(p *proxy) []parley.Frame {
	var out []parley.Frame
	for _, f := range p.clientFrames() {
		if f.Type == parley.TypeDelivered {
			out = append(out, f)
		}
	}
	return out
}

// TestDeliveredCoalesced: a burst of the agents' messages costs the
// visitor's client one delivered frame, with the newest seq; a read that
// covers the newest message makes none; the agent's client hears the
// visitor's mark.
func TestDeliveredCoalesced(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	v, vrec := visitorOnline(t, p.wsURL())
	first := v.Send(0, "hello?", false)
	vrec.wait(t, "the visitor's msg", func() bool { return vrec.hasMsg(first) })
	conv := v.Following()[0]

	_, arec := agentOnline(t, ts)

	agent, _, err := ts.db.AgentByEmail(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	from := parley.Author{Kind: parley.AuthorAgent, ID: agent.ID, Name: agent.Name}
	var last uint64
	for i := range 10 {
		r, err := ts.db.Append(t.Context(), store.Append{Conv: conv, From: from, ID: fmt.Sprintf("a-%d", i), Text: "answer"})
		if err != nil {
			t.Fatal(err)
		}
		last = r.Message.Seq
	}
	vrec.wait(t, "the agent's messages", func() bool { return vrec.hasMsg("a-9") })
	// The agent's console hears that they were delivered.
	arec.wait(t, "the visitor's delivered mark", func() bool {
		for _, f := range arec.frames {
			if f.Type == parley.TypeDelivered && f.Conv == conv && f.Seq == last && f.From != nil && f.From.Kind == parley.AuthorVisitor {
				return true
			}
		}
		return false
	})
	if got := deliveredFrames(p); len(got) != 1 || got[0].Conv != conv || got[0].Seq != last {
		t.Errorf("the visitor's client wrote delivered frames %+v, want one at %d", got, last)
	}

	// Within the second after it, a new message waits for the second to
	// pass; a read of it in the meantime makes the delivered frame moot.
	r, err := ts.db.Append(t.Context(), store.Append{Conv: conv, From: from, ID: "a-read", Text: "read me"})
	if err != nil {
		t.Fatal(err)
	}
	vrec.wait(t, "the next message", func() bool { return vrec.hasMsg("a-read") })
	v.Read(conv, r.Message.Seq)
	arec.wait(t, "the visitor's read", func() bool {
		for _, f := range arec.frames {
			if f.Type == parley.TypeRead && f.Conv == conv && f.Seq == r.Message.Seq {
				return true
			}
		}
		return false
	})
	time.Sleep(1500 * time.Millisecond)
	if got := deliveredFrames(p); len(got) != 1 {
		t.Errorf("after a read, the visitor's client wrote delivered frames %+v, want still one", got)
	}

	// One more message, not read: delivered once more, a second after the
	// first at the earliest.
	r, err = ts.db.Append(t.Context(), store.Append{Conv: conv, From: from, ID: "a-late", Text: "later"})
	if err != nil {
		t.Fatal(err)
	}
	arec.wait(t, "the second delivered mark", func() bool {
		for _, f := range arec.frames {
			if f.Type == parley.TypeDelivered && f.Seq == r.Message.Seq {
				return true
			}
		}
		return false
	})
	if got := deliveredFrames(p); len(got) != 2 || got[1].Seq != r.Message.Seq {
		t.Errorf("the visitor's client wrote delivered frames %+v, want a second one at %d", got, r.Message.Seq)
	}
	// The visitor's own message counts for nothing: only the other side's.
	for _, f := range deliveredFrames(p) {
		if f.Seq == 1 {
			t.Errorf("a delivered frame for the visitor's own message: %+v", f)
		}
	}
}
