//go:build !js

package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
)

// TestQueueFrameReachesApp: the server's queue frames, which the client
// keeps no books on, reach OnFrame as they are.
func TestQueueFrameReachesApp(t *testing.T) {
	est := 240
	queue := parley.Frame{Type: parley.TypeQueue, Conv: 7,
		Queue: &parley.QueueStatus{Position: 3, Estimate: &est, Online: 2}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), stepTimeout)
		defer cancel()
		if _, _, err := conn.Read(ctx); err != nil { // the hello
			return
		}
		open := parley.Conversation{ID: 7, Site: testSite, Status: parley.StatusQueued}
		for _, f := range []parley.Frame{
			{Type: parley.TypeWelcome, Token: "tok", Visitor: &parley.Visitor{ID: 1, Site: testSite},
				Conversations: []parley.Conversation{open}},
			queue,
		} {
			if err := conn.Write(ctx, websocket.MessageText, f.Encode()); err != nil {
				return
			}
		}
		// Hold the connection open until the client goes away.
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)

	rec := newRecorder()
	c := client.New(rec.options("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", visitorHello()))
	run(t, c)
	rec.wait(t, "the queue frame", func() bool { return rec.countType(parley.TypeQueue) == 1 })
	for _, f := range rec.snapshot() {
		if f.Type != parley.TypeQueue {
			continue
		}
		if f.Conv != 7 || f.Queue == nil || *f.Queue != (parley.QueueStatus{Position: 3, Estimate: f.Queue.Estimate, Online: 2}) ||
			f.Queue.Estimate == nil || *f.Queue.Estimate != est {
			t.Errorf("queue frame = %s, want %s", f.Encode(), queue.Encode())
		}
	}
}

// TestPreChatAnswersSentAndResent: the answers of the pre-chat form go with
// the first message, stay in its outbox entry (and so in storage), and go
// again with the resend after a reconnect; later messages carry none.
func TestPreChatAnswersSentAndResent(t *testing.T) {
	ts := newServer(t)
	p := newProxy(t, ts.wsURL())
	var dropped bool
	p.setDrop(func(f parley.Frame) bool {
		if f.Type == parley.TypeAck && !dropped {
			dropped = true
			return true
		}
		return false
	})
	rec := newRecorder()
	c := client.New(rec.options(p.wsURL(), visitorHello()))
	client.SetProbeTimeout(c, 200*time.Millisecond)

	answers := parley.PreChatAnswers{Topic: "returns", Name: "Kim", Email: "kim@example.com"}
	// Offline: the first message waits in the outbox, answers and all.
	id := c.SendForm(0, "where is my parcel?", false, answers)
	later := c.SendForm(0, "order 1234", false, answers)
	out := c.Outbox()
	if len(out) != 2 {
		t.Fatalf("outbox holds %d frames, want 2", len(out))
	}
	if got := (parley.PreChatAnswers{Topic: out[0].Topic, Name: out[0].Name, Email: out[0].Email}); got != answers {
		t.Errorf("outbox entry carries %+v, want %+v", got, answers)
	}
	// A widget reloaded from storage keeps them too.
	restored := client.New(client.Options{URL: p.wsURL(), Hello: visitorHello(), Outbox: out}).Outbox()
	if got := (parley.PreChatAnswers{Topic: restored[0].Topic, Name: restored[0].Name, Email: restored[0].Email}); got != answers {
		t.Errorf("restored outbox entry carries %+v, want %+v", got, answers)
	}

	run(t, c)
	rec.wait(t, "both sends written", func() bool {
		n := 0
		for _, f := range p.clientFrames() {
			if f.Type == parley.TypeSend {
				n++
			}
		}
		return n >= 2
	})
	time.Sleep(50 * time.Millisecond) // the first ack is on its way, and dropped
	p.stallAll()
	c.Resync()
	rec.wait(t, "the resend acked", func() bool { return rec.hasMsg(id) && rec.hasMsg(later) && rec.outboxEmpty() })

	var firsts int
	for _, f := range p.clientFrames() {
		if f.Type != parley.TypeSend {
			continue
		}
		got := parley.PreChatAnswers{Topic: f.Topic, Name: f.Name, Email: f.Email}
		switch f.ID {
		case id:
			firsts++
			if got != answers {
				t.Errorf("write %d of the first message carried %+v, want %+v", firsts, got, answers)
			}
		default:
			if f.Conv != 0 && got != (parley.PreChatAnswers{}) {
				t.Errorf("a send to conversation %d carried answers %+v", f.Conv, got)
			}
		}
	}
	if firsts != 2 {
		t.Errorf("the first message was written %d times, want 2 (sent, then resent)", firsts)
	}
}

// TestSendFormDropsAnswersForExistingConv: only a new conversation has a
// form.
func TestSendFormDropsAnswersForExistingConv(t *testing.T) {
	c := client.New(client.Options{URL: "ws://127.0.0.1:1/ws", Hello: visitorHello()})
	c.SendForm(4, "hello", false, parley.PreChatAnswers{Name: "Kim"})
	if f := c.Outbox()[0]; f.Name != "" {
		t.Errorf("a send to conversation 4 carries name %q, want none", f.Name)
	}
}
