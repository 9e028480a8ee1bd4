package visitor_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
	"github.com/parley-chat/parley/app/visitor"
)

var (
	t0  = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	ann = &parley.Author{Kind: parley.AuthorAgent, ID: 1, Name: "Ann"}
	me  = &parley.Author{Kind: parley.AuthorVisitor, ID: 3}
)

func welcome(convs ...parley.Conversation) parley.Frame {
	return parley.Frame{Type: parley.TypeWelcome, Token: "tok", Conversations: convs,
		Limits: &parley.Limits{MaxTextRunes: 500}}
}

func conv(id, lastSeq, visitorRead uint64, status string) parley.Conversation {
	return parley.Conversation{ID: id, LastSeq: lastSeq, VisitorRead: visitorRead, Status: status}
}

func msgFrame(conv, seq uint64, id string, from *parley.Author, text string) parley.Frame {
	return parley.Frame{Type: parley.TypeMsg, Conv: conv, Seq: seq, ID: id, From: from, Text: text, At: t0.UnixMilli()}
}

func texts(items []ui.Item) []string {
	var s []string
	for _, it := range items {
		s = append(s, it.From.Kind+":"+it.Text)
	}
	return s
}

func TestChatHistoryIsNotAnnounced(t *testing.T) {
	c := visitor.NewChat()
	eff := c.Apply(welcome(conv(7, 3, 1, parley.StatusOpen)), t0)
	if eff.Token != "tok" {
		t.Errorf("token = %q, want tok", eff.Token)
	}
	if got, want := c.Limits.MaxTextRunes, 500; got != want {
		t.Errorf("MaxTextRunes = %d, want %d", got, want)
	}
	var announced int
	for _, f := range []parley.Frame{
		msgFrame(7, 1, "a", me, "hi"),
		msgFrame(7, 2, "b", ann, "hello"),
		msgFrame(7, 3, "c", ann, "anything else?"),
		msgFrame(7, 2, "b", ann, "hello"), // replay overlap
		msgFrame(7, 4, "d", ann, "bye"),   // live
	} {
		announced += len(c.Apply(f, t0).Announce)
	}
	if announced != 1 {
		t.Errorf("announced %d messages, want 1 (only the live one)", announced)
	}
	if got, want := texts(c.Items()), []string{"visitor:hi", "agent:hello", "agent:anything else?", "agent:bye"}; !reflect.DeepEqual(got, want) {
		t.Errorf("items = %q, want %q", got, want)
	}
	// Read up to 1 at welcome: three agent messages are unread.
	if got, want := c.Unread(), 3; got != want {
		t.Errorf("Unread = %d, want %d", got, want)
	}
	if seq, ok := c.MarkRead(); !ok || seq != 4 {
		t.Errorf("MarkRead = %d, %v; want 4, true", seq, ok)
	}
	if got := c.Unread(); got != 0 {
		t.Errorf("Unread after MarkRead = %d, want 0", got)
	}
	if _, ok := c.MarkRead(); ok {
		t.Error("MarkRead moved again without new messages")
	}
	if !c.AgentReplied() {
		t.Error("AgentReplied = false, want true")
	}
}

func TestChatReconnectAnnouncesMissed(t *testing.T) {
	c := visitor.NewChat()
	c.Apply(welcome(conv(7, 1, 0, parley.StatusOpen)), t0)
	c.Apply(msgFrame(7, 1, "a", me, "hi"), t0)
	// Offline while the agent answered; the welcome after reconnecting says
	// the conversation is at 2, and the replay brings it.
	c.Apply(welcome(conv(7, 2, 1, parley.StatusOpen)), t0)
	eff := c.Apply(msgFrame(7, 2, "b", ann, "hello"), t0)
	if got := len(eff.Announce); got != 1 {
		t.Errorf("announced %d, want 1: the visitor has not seen it", got)
	}
}

func TestChatOpenConversation(t *testing.T) {
	tests := []struct {
		name       string
		frames     []parley.Frame
		wantOpen   bool
		wantKnown  bool
		wantConvID uint64
	}{
		{"before welcome", nil, false, false, 0},
		{"no conversation", []parley.Frame{welcome()}, false, true, 0},
		{"open", []parley.Frame{welcome(conv(7, 2, 0, parley.StatusOpen))}, true, true, 7},
		{"resolved", []parley.Frame{welcome(conv(7, 2, 0, parley.StatusResolved))}, false, true, 7},
		{"resolved by an agent", []parley.Frame{
			welcome(conv(7, 2, 0, parley.StatusOpen)),
			{Type: parley.TypeConv, Conversation: &parley.Conversation{ID: 7, Status: parley.StatusResolved}},
		}, false, true, 7},
		{"first message creates it", []parley.Frame{
			welcome(),
			{Type: parley.TypeAck, ID: "x", Conv: 9, Seq: 1},
		}, true, true, 9},
		{"older conversation's frame ignored", []parley.Frame{
			welcome(conv(7, 2, 0, parley.StatusOpen)),
			{Type: parley.TypeConv, Conversation: &parley.Conversation{ID: 5, Status: parley.StatusResolved}},
		}, true, true, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := visitor.NewChat()
			for _, f := range tt.frames {
				c.Apply(f, t0)
			}
			open, known := c.OpenConversation()
			if open != tt.wantOpen || known != tt.wantKnown || c.Conv != tt.wantConvID {
				t.Errorf("open, known, conv = %v, %v, %d; want %v, %v, %d", open, known, c.Conv, tt.wantOpen, tt.wantKnown, tt.wantConvID)
			}
		})
	}
}

func TestChatGreeting(t *testing.T) {
	c := visitor.NewChat()
	c.Apply(welcome(), t0)
	c.Greet("Need help with your order?", t0)
	if got, want := texts(c.Items()), []string{"site:Need help with your order?"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("items = %q, want %q", got, want)
	}
	if !c.TakeGreeted() {
		t.Fatal("first message does not answer the greeting")
	}
	if c.TakeGreeted() {
		t.Error("second message answers the greeting too")
	}
	c.Sent(parley.Frame{Type: parley.TypeSend, ID: "a", Text: "yes", Greeted: true})
	c.Outbox = []parley.Frame{{Type: parley.TypeSend, ID: "a", Text: "yes", Greeted: true}}
	if got, want := texts(c.Items()), []string{"site:Need help with your order?", "visitor:yes"}; !reflect.DeepEqual(got, want) {
		t.Errorf("while sending: items = %q, want %q", got, want)
	}
	// The server stores the greeting as seq 1 and the answer as seq 2.
	c.Apply(parley.Frame{Type: parley.TypeAck, ID: "a", Conv: 9, Seq: 2}, t0)
	c.Outbox = nil
	c.Apply(msgFrame(9, 1, "", &parley.Author{Kind: parley.AuthorSite}, "Need help with your order?"), t0)
	c.Apply(msgFrame(9, 2, "a", me, "yes"), t0)
	items := c.Items()
	if got, want := texts(items), []string{"site:Need help with your order?", "visitor:yes"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after delivery: items = %q, want %q", got, want)
	}
	for _, it := range items {
		if it.Local || it.Status != ui.Delivered {
			t.Errorf("item %q: local %v, status %v; want a delivered message", it.Text, it.Local, it.Status)
		}
	}
}

func TestChatGreetingIgnoredInConversation(t *testing.T) {
	c := visitor.NewChat()
	c.Apply(welcome(conv(7, 1, 0, parley.StatusOpen)), t0)
	c.Apply(msgFrame(7, 1, "a", me, "hi"), t0)
	c.Greet("Need help?", t0)
	if got, want := texts(c.Items()), []string{"visitor:hi"}; !reflect.DeepEqual(got, want) {
		t.Errorf("items = %q, want %q", got, want)
	}
	if c.TakeGreeted() {
		t.Error("a message in a running conversation answers a greeting")
	}
}

func TestChatRefusedMessage(t *testing.T) {
	c := visitor.NewChat()
	c.Apply(welcome(conv(7, 0, 0, parley.StatusOpen)), t0)
	c.Sent(parley.Frame{Type: parley.TypeSend, ID: "a", Conv: 7, Text: "too long"})
	c.Apply(parley.Frame{Type: parley.TypeError, ID: "a", Code: parley.ETooLarge, Message: "Message is too long."}, t0)
	items := c.Items()
	if len(items) != 1 || items[0].Status != ui.Failed || items[0].Reason != "Message is too long." || items[0].Text != "too long" {
		t.Fatalf("items = %+v, want one failed message with its reason", items)
	}
	f, ok := c.Retry("a")
	if !ok || f.Text != "too long" {
		t.Fatalf("Retry = %+v, %v; want the refused frame", f, ok)
	}
	if got := len(c.Items()); got != 0 {
		t.Errorf("%d items after Retry, want 0 until sent again", got)
	}
	c.Apply(parley.Frame{Type: parley.TypeError, Code: parley.EUnavailable, Message: "Try again soon."}, t0)
	if c.Notice != "Try again soon." {
		t.Errorf("Notice = %q, want the error without id", c.Notice)
	}
}

func TestChatTyping(t *testing.T) {
	c := visitor.NewChat()
	c.Apply(welcome(conv(7, 0, 0, parley.StatusOpen)), t0)
	c.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 7, On: true, From: ann}, t0)
	if got, want := c.Typing.Names(t0.Add(time.Second)), []string{"Ann"}; !reflect.DeepEqual(got, want) {
		t.Errorf("typing = %v, want %v", got, want)
	}
	// Her message ends her typing.
	c.Apply(msgFrame(7, 1, "b", ann, "hello"), t0.Add(2*time.Second))
	if got := c.Typing.Names(t0.Add(3 * time.Second)); len(got) != 0 {
		t.Errorf("typing after her message = %v, want nobody", got)
	}
	// Another conversation's typing is not ours.
	c.Apply(parley.Frame{Type: parley.TypeTyping, Conv: 8, On: true, From: ann}, t0)
	if got := c.Typing.Names(t0.Add(time.Second)); len(got) != 0 {
		t.Errorf("typing from another conversation = %v, want nobody", got)
	}
}

func TestBanner(t *testing.T) {
	tests := []struct {
		state      client.State
		everOnline bool
		want       string
	}{
		{client.Online, true, ""},
		{client.Connecting, false, "Connecting…"},
		{client.Connecting, true, "Reconnecting… your messages will be sent"},
		{client.Offline, true, "Reconnecting… your messages will be sent"},
	}
	for _, tt := range tests {
		if got := visitor.Banner(tt.state, tt.everOnline); got != tt.want {
			t.Errorf("Banner(%v, %v) = %q, want %q", tt.state, tt.everOnline, got, tt.want)
		}
	}
}
