package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// fastLimits lift the send rate limit for tests that send a lot.
var fastLimits = parley.Limits{MaxFrameBytes: 64 << 10, MaxTextRunes: 16000, SendPerSecond: 1e6, SendBurst: 1e6}

func TestSocketVisitorWelcomeAndToken(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, w := env.newVisitor(t, "visitor")
	if w.Limits == nil || *w.Limits != parley.DefaultLimits {
		t.Errorf("welcome limits = %+v, want %+v", w.Limits, parley.DefaultLimits)
	}
	if len(w.Conversations) != 0 {
		t.Errorf("a new visitor has conversations: %+v", w.Conversations)
	}
	ack := v.say(0, "first", "Hello?")
	v.ws.Close(websocket.StatusNormalClosure, "")

	// The same token is the same visitor, who finds their conversation.
	again := env.dial(t, "visitor again", nil)
	w2 := again.visitorHello(env.site.ID, w.Token)
	if w2.Visitor.ID != w.Visitor.ID {
		t.Errorf("same token: visitor %d, want %d", w2.Visitor.ID, w.Visitor.ID)
	}
	if w2.Token != "" {
		t.Errorf("a known visitor got a new token")
	}
	if len(w2.Conversations) != 1 || w2.Conversations[0].ID != ack.Conv || w2.Conversations[0].LastSeq != 1 {
		t.Errorf("welcome conversations = %+v, want conversation %d with lastSeq 1", w2.Conversations, ack.Conv)
	}

	// A token is bound to its site; an unknown one makes a new visitor.
	for _, tt := range []struct{ name, site, token string }{
		{"other site", env.other.ID, w.Token},
		{"unknown token", env.site.ID, "bm90LWEtcmVhbC10b2tlbi1ub3QtYS1yZWFsLXRva2Vu"},
	} {
		c := env.dial(t, tt.name, nil)
		w3 := c.visitorHello(tt.site, tt.token)
		if w3.Visitor.ID == w.Visitor.ID || w3.Token == "" || w3.Token == w.Token || len(w3.Conversations) != 0 {
			t.Errorf("%s: got visitor %d token %q conversations %d, want a new visitor", tt.name, w3.Visitor.ID, w3.Token, len(w3.Conversations))
		}
	}
}

func TestSocketAckAfterCommit(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	agent, _ := env.newAgent(t, "agent", 0)
	v, w := env.newVisitor(t, "visitor")
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "m-1", Text: "  Do you ship to Norway?  "})

	// The sender gets its ack and the new conversation, and no echo of
	// its message: the ack stands for it.
	var ack parley.Frame
	for ack.Type == "" {
		switch f := v.next(); f.Type {
		case parley.TypeAck:
			ack = f
			// The ack promises durability: the store must have it now.
			got := env.stored(t, f.Conv)
			if len(got) != 1 || got[0].Seq != f.Seq || got[0].ID != "m-1" {
				t.Fatalf("at ack time the store holds %+v, want message m-1 as seq %d", got, f.Seq)
			}
		case parley.TypeConv:
			if f.Conversation == nil || f.Conversation.Visitor != w.Visitor.ID {
				t.Errorf("conv frame for someone else: %+v", f.Conversation)
			}
		default:
			t.Fatalf("unexpected frame %+v", f)
		}
	}
	if ack.ID != "m-1" || ack.Seq != 1 || ack.Conv == 0 || ack.At == 0 || ack.Dup || ack.Prev != nil {
		t.Errorf("ack = %+v, want m-1 as seq 1 of a new conversation", ack)
	}
	// Everyone else following the conversation gets the msg.
	msg := agent.msgs(ack.Conv, 1)[0]
	if msg.Conv != ack.Conv || msg.Seq != 1 || msg.Text != "Do you ship to Norway?" || msg.At != ack.At ||
		msg.From == nil || *msg.From != (parley.Author{Kind: parley.AuthorVisitor, ID: w.Visitor.ID, Name: w.Visitor.Name}) {
		t.Errorf("msg = %+v from %+v, want the trimmed text from the visitor", msg, msg.From)
	}
}

// TestSocketFramesPerMessage: a message costs one frame per connection
// that follows its conversation — the ack to its sender, the msg to the
// others — and no conv frame, since a msg says what changed.
func TestSocketFramesPerMessage(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	agent, _ := env.newAgent(t, "agent", 0)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "m-1", "first").Conv
	otherTab := env.dial(t, "second tab", nil)
	otherTab.visitorHello(env.site.ID, w.Token)
	agent.msgs(conv, 1)
	// The new conversation was announced to both before the ack.
	v.untilType(parley.TypeConv)
	v.msgs(conv, 1)
	agent.untilType(parley.TypeConv)

	// A marker published after the burst: a typing frame from the agent
	// reaches both visitor tabs, and the visitor's reaches the agent.
	const n = 10
	for i := range n {
		v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: fmt.Sprint("v-", i), Conv: conv, Text: "more"})
	}
	for i := range n {
		v.ack(fmt.Sprint("v-", i))
	}
	agent.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true})
	v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true})
	count := func(c *sockClient, typ string) (frames, msgs int) {
		for {
			f := c.next()
			if f.Type == parley.TypeTyping {
				return frames, msgs
			}
			frames++
			if f.Type == typ {
				msgs++
			}
		}
	}
	if frames, msgs := count(v, parley.TypeMsg); frames != n || msgs != n {
		// v.next returns the own copies ack left behind: n of them.
		t.Errorf("sender: %d frames besides its acks' copies (%d msg), want exactly its %d acks", frames, msgs, n)
	}
	for _, c := range []*sockClient{otherTab, agent} {
		if frames, msgs := count(c, parley.TypeMsg); frames != n || msgs != n {
			t.Errorf("%s: %d frames for %d messages (%d msg), want one msg each", c.name, frames, n, msgs)
		}
	}
	for _, f := range v.seen {
		if f.Type == parley.TypeMsg {
			t.Errorf("the sender got a msg frame %+v: the ack should stand for it", f)
		}
	}
}

func TestSocketResendIsAckedAsDup(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, _ := env.newVisitor(t, "visitor")
	first := v.say(0, "same-id", "Is this in stock?")
	second := v.say(0, "same-id", "Is this in stock?")
	if !second.Dup || second.Seq != first.Seq || second.Conv != first.Conv || second.At != first.At {
		t.Errorf("resend ack = %+v, want the original %+v with dup", second, first)
	}
	third := v.say(first.Conv, "other-id", "Hello?")
	if third.Dup || third.Seq != 2 {
		t.Errorf("next ack = %+v, want seq 2 without dup", third)
	}
	if got := env.stored(t, first.Conv); len(got) != 2 {
		t.Errorf("stored %d messages, want 2: %+v", len(got), got)
	}
}

func TestSocketOrderAndTwoAgents(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	bob, _ := env.newAgent(t, "bob", 1)
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "m-0", "message 0").Conv

	// Pipelined sends: stored, acked and delivered in the order sent.
	const n = 50
	for i := 1; i < n; i++ {
		id := fmt.Sprint("m-", i)
		v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: id, Conv: conv, Text: fmt.Sprint("message ", i)})
	}
	for _, agent := range []*sockClient{ann, bob} {
		got := agent.msgs(conv, n)
		if want := seqRange(1, n); !equalSeqs(seqs(got), want) {
			t.Fatalf("%s got seqs %v, want %v", agent.name, seqs(got), want)
		}
		for i, m := range got {
			if want := fmt.Sprint("message ", i); m.Text != want || m.ID != fmt.Sprint("m-", i) {
				t.Errorf("%s: seq %d is %q (%s), want %q", agent.name, m.Seq, m.Text, m.ID, want)
			}
		}
	}
	var last uint64
	for i := 1; i < n; i++ {
		a := v.ack(fmt.Sprint("m-", i))
		if a.Seq != last+1 && last != 0 {
			t.Errorf("ack of m-%d has seq %d after %d", i, a.Seq, last)
		}
		last = a.Seq
	}

	// Both agents see the agent's reply, as does the visitor: it takes the
	// queued chat first ("Ann joined", n+1).
	ann.say(conv, "reply", "Yes, we ship to Norway.")
	for _, c := range []*sockClient{bob, v} {
		got := c.until("reply", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "reply" })
		if got.Seq != n+2 || got.From.Kind != parley.AuthorAgent || got.From.ID != env.agents[0].ID {
			t.Errorf("%s: got %+v from %+v, want Ann's reply as seq %d", c.name, got, got.From, n+2)
		}
	}

	// One message at a time, for the round trip alone.
	var rtts []time.Duration
	for i := range 50 {
		id := fmt.Sprint("rt-", i)
		start := time.Now()
		v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: id, Conv: conv, Text: "ping"})
		ann.until("msg "+id, func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == id })
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	t.Logf("round trip visitor send -> agent msg (NoSync store, -race if on): %d samples, median %v, p90 %v, max %v",
		len(rtts), rtts[len(rtts)/2], rtts[len(rtts)*9/10], rtts[len(rtts)-1])
}

func TestSocketReconnectReplaysExactlyTheGap(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	agent, _ := env.newAgent(t, "agent", 0)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "one").Conv
	v.say(conv, "v-2", "two")
	v.say(conv, "v-3", "three")
	v.msgs(conv, 3)
	v.ws.Close(websocket.StatusNormalClosure, "")

	// While the visitor is away, the agent answers: its first answer takes
	// the queued chat (4).
	for i := 5; i <= 7; i++ {
		agent.say(conv, fmt.Sprint("a-", i), fmt.Sprint("answer ", i))
	}

	back := env.dial(t, "visitor back", nil)
	back.visitorHello(env.site.ID, w.Token, parley.ResumeFrom{Conv: conv, After: 3})
	var replay []parley.Frame
	for {
		f := back.next()
		if f.Type == parley.TypeSynced {
			if f.Conv != conv || f.Seq != 7 {
				t.Errorf("synced = %+v, want conversation %d at seq 7", f, conv)
			}
			break
		}
		if f.Type != parley.TypeMsg {
			t.Fatalf("during the replay got %+v, want only msg frames", f)
		}
		replay = append(replay, f)
	}
	if want := seqRange(4, 7); !equalSeqs(seqs(replay), want) {
		t.Fatalf("replayed seqs %v, want %v", seqs(replay), want)
	}
	if replay[0].Event != parley.EventAssigned || replay[1].Text != "answer 5" {
		t.Errorf("replayed %q then %q, want the assignment, then %q", replay[0].Text, replay[1].Text, "answer 5")
	}

	// Live again: the next message is 8, not a duplicate.
	agent.say(conv, "a-8", "still there?")
	if got := back.msgs(conv, 1)[0]; got.Seq != 8 {
		t.Errorf("after the replay got seq %d, want 8", got.Seq)
	}

	// resume on a live connection replays on request, then synced.
	back.sendFrame(parley.Frame{Type: parley.TypeResume, Conv: conv, After: 5})
	got := back.msgs(conv, 3)
	if want := seqRange(6, 8); !equalSeqs(seqs(got), want) {
		t.Errorf("resume after 5 replayed %v, want %v", seqs(got), want)
	}
	if s := back.untilType(parley.TypeSynced); s.Seq != 8 {
		t.Errorf("synced seq %d, want 8", s.Seq)
	}

	// Asking past the end replays nothing and says where the end is.
	back.sendFrame(parley.Frame{Type: parley.TypeResume, Conv: conv, After: 8})
	f := back.until("msg or synced", func(f parley.Frame) bool { return f.Type == parley.TypeMsg || f.Type == parley.TypeSynced })
	if f.Type != parley.TypeSynced || f.Seq != 8 {
		t.Errorf("resume at the end got %+v, want synced at 8", f)
	}
}

// TestSocketReplayDuringLiveTraffic reconnects again and again while an
// agent writes without pause: subscribe first, then read, so each message
// arrives exactly once and in order, whether from the replay or live.
func TestSocketReplayDuringLiveTraffic(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-0", "start").Conv
	v.ws.Close(websocket.StatusNormalClosure, "")

	agent, _ := env.newAgent(t, "agent", 0)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		// As fast as acks come back: a steady stream, but not a flood
		// that would rightly get the agent dropped as too slow a reader.
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			id := fmt.Sprint("a-", i)
			b := fmt.Sprintf(`{"type":"send","id":"%s","conv":%d,"text":"live %d"}`, id, conv, i)
			ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
			err := agent.ws.Write(ctx, websocket.MessageText, []byte(b))
			cancel()
			for err == nil {
				var f parley.Frame
				if f, err = agent.tryNext(); f.Type == parley.TypeAck && f.ID == id {
					break
				}
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()

	// Each round resumes from the last message it holds, reads its replay
	// and a few live messages, and hangs up.
	var last uint64 = 1
	for round := range 30 {
		c := env.dial(t, fmt.Sprint("visitor round ", round), nil)
		c.visitorHello(env.site.ID, w.Token, parley.ResumeFrom{Conv: conv, After: last})
		until := last + 10
		synced := false
		for last < until || !synced {
			f := c.next()
			switch f.Type {
			case parley.TypeMsg:
				if f.Seq != last+1 {
					t.Fatalf("round %d: got seq %d after %d (synced %v)", round, f.Seq, last, synced)
				}
				last = f.Seq
			case parley.TypeSynced:
				if synced || f.Seq != last {
					t.Fatalf("round %d: synced at %d after msg %d", round, f.Seq, last)
				}
				synced = true
			}
		}
		c.ws.CloseNow()
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d messages over 30 reconnections", last)
}

func TestSocketVisitorCannotReachAnotherConversation(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	alice, _ := env.newVisitor(t, "alice")
	private := alice.say(0, "a-1", "my address is ...").Conv
	mallory, _ := env.newVisitor(t, "mallory")

	// Each probe on Alice's conversation must look exactly like one on a
	// conversation that does not exist.
	probes := []struct {
		name  string
		frame func(conv uint64) parley.Frame
	}{
		{"send", func(conv uint64) parley.Frame {
			return parley.Frame{Type: parley.TypeSend, ID: fmt.Sprint("probe-", conv), Conv: conv, Text: "hi"}
		}},
		{"resume", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeResume, Conv: conv} }},
		{"typing", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true} }},
		{"read", func(conv uint64) parley.Frame { return parley.Frame{Type: parley.TypeRead, Conv: conv, Seq: 1} }},
	}
	for _, p := range probes {
		mallory.sendFrame(p.frame(private))
		theirs := mallory.next()
		mallory.sendFrame(p.frame(private + 1000))
		missing := mallory.next()
		if theirs.Type != parley.TypeError || theirs.Code != parley.ENotFound {
			t.Errorf("%s on another's conversation: got %+v, want error %s", p.name, theirs, parley.ENotFound)
		}
		if theirs.Code != missing.Code || theirs.Message != missing.Message {
			t.Errorf("%s: another's conversation gives %q %q, a missing one %q %q: they must not differ",
				p.name, theirs.Code, theirs.Message, missing.Code, missing.Message)
		}
	}

	// hello.since naming it is refused the same way, and replays nothing.
	spy := env.dial(t, "spy", nil)
	spy.visitorHello(env.site.ID, "", parley.ResumeFrom{Conv: private})
	if f := spy.next(); f.Type != parley.TypeError || f.Code != parley.ENotFound {
		t.Errorf("hello.since on another's conversation: got %+v, want error %s", f, parley.ENotFound)
	}

	// Nothing was stored, and Alice's next message reaches Alice only.
	if got := env.stored(t, private); len(got) != 1 {
		t.Errorf("conversation holds %d messages, want 1", len(got))
	}
	alice.say(private, "a-2", "second")
	alice.msgs(private, 2)
	for _, c := range []*sockClient{mallory, spy} {
		// Frames to a connection are ordered: anything of Alice's,
		// published before, would arrive before their own message.
		own := c.say(0, c.name+"-1", "my own question").Conv
		c.msgs(own, 1)
		for _, f := range c.seen {
			if f.Conv == private || (f.Conversation != nil && f.Conversation.ID == private) {
				t.Errorf("%s received %+v of Alice's conversation", c.name, f)
			}
		}
	}
}

// TestSocketBadInput sends every kind of bad frame: each gets its error,
// the connection stays open, and a parallel conversation carries on.
func TestSocketBadInput(t *testing.T) {
	limits := parley.DefaultLimits
	limits.SendPerSecond, limits.SendBurst = 1000, 1000 // two sends per case
	env := newSockEnv(t, limits)
	agent, _ := env.newAgent(t, "agent", 0)
	other, _ := env.newVisitor(t, "healthy visitor")
	otherConv := other.say(0, "h-0", "hello").Conv
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-0", "hello").Conv

	long := strings.Repeat("é", parley.DefaultLimits.MaxTextRunes+1)
	tests := []struct {
		name    string
		typ     websocket.MessageType
		raw     string
		code    string
		wantID  string
		asAgent bool
	}{
		{"malformed JSON", websocket.MessageText, `{"type":"send",`, parley.EInvalid, "", false},
		{"not an object", websocket.MessageText, `[1,2]`, parley.EInvalid, "", false},
		{"wrong field type", websocket.MessageText, `{"type":"send","conv":"seven"}`, parley.EInvalid, "", false},
		{"invalid UTF-8", websocket.MessageText, "{\"type\":\"send\",\"id\":\"u\",\"text\":\"caf\xe9\"}", parley.EInvalid, "", false},
		{"binary frame", websocket.MessageBinary, `{"type":"typing","conv":1}`, parley.EInvalid, "", false},
		{"no type", websocket.MessageText, `{"conv":1}`, parley.EInvalid, "", false},
		{"unknown type", websocket.MessageText, `{"type":"delete_everything"}`, parley.EInvalid, "", false},
		{"second hello", websocket.MessageText, `{"type":"hello","role":"visitor","site":"shop"}`, parley.EConflict, "", false},
		{"send without id", websocket.MessageText, fmt.Sprintf(`{"type":"send","conv":%d,"text":"x"}`, conv), parley.EInvalid, "", false},
		{"send with bad id", websocket.MessageText, fmt.Sprintf(`{"type":"send","id":"a b","conv":%d,"text":"x"}`, conv), parley.EInvalid, "a b", false},
		{"send with overlong id", websocket.MessageText, fmt.Sprintf(`{"type":"send","id":"%s","conv":%d,"text":"x"}`, strings.Repeat("i", 65), conv), parley.EInvalid, "", false},
		{"empty text", websocket.MessageText, fmt.Sprintf(`{"type":"send","id":"e1","conv":%d,"text":""}`, conv), parley.EInvalid, "e1", false},
		{"blank text", websocket.MessageText, fmt.Sprintf(`{"type":"send","id":"e2","conv":%d,"text":" \n\t "}`, conv), parley.EInvalid, "e2", false},
		{"text too long", websocket.MessageText, fmt.Sprintf(`{"type":"send","id":"l1","conv":%d,"text":"%s"}`, conv, long), parley.ETooLarge, "l1", false},
		{"resume without conv", websocket.MessageText, `{"type":"resume","after":3}`, parley.EInvalid, "", false},
		{"typing without conv", websocket.MessageText, `{"type":"typing","on":true}`, parley.EInvalid, "", false},
		{"read without seq", websocket.MessageText, fmt.Sprintf(`{"type":"read","conv":%d}`, conv), parley.EInvalid, "", false},
		{"page without page", websocket.MessageText, `{"type":"page"}`, parley.EInvalid, "", false},
		{"page not http", websocket.MessageText, `{"type":"page","page":{"url":"javascript:alert(1)"}}`, parley.EInvalid, "", false},
		{"visitor resolves", websocket.MessageText, fmt.Sprintf(`{"type":"resolve","conv":%d}`, conv), parley.EForbidden, "", false},
		{"agent sends page", websocket.MessageText, `{"type":"page","page":{"url":"https://shop.example/"}}`, parley.EForbidden, "", true},
		{"agent sends without conv", websocket.MessageText, `{"type":"send","id":"g1","text":"hi"}`, parley.EInvalid, "g1", true},
		{"agent resolves nothing", websocket.MessageText, `{"type":"resolve","conv":987654}`, parley.ENotFound, "", true},
	}
	for i, tt := range tests {
		c := v
		if tt.asAgent {
			c = agent
		}
		c.sendRaw(tt.typ, []byte(tt.raw))
		f := c.untilError()
		if f.Code != tt.code || f.ID != tt.wantID || f.Message == "" {
			t.Errorf("%s: got error %q %q id %q, want code %q id %q and a message", tt.name, f.Code, f.Message, f.ID, tt.code, tt.wantID)
		}
		// Still open and working, and so is the other conversation.
		c.say(conv, fmt.Sprint("after-", i), "still here")
		other.say(otherConv, fmt.Sprint("h-", i+1), "carrying on")
	}
	// The agent's first "still here" took the conversation: one entry more.
	if got := env.stored(t, conv); len(got) != 2+len(tests) {
		t.Errorf("conversation holds %d messages, want %d: refused sends must store nothing", len(got), 1+len(tests))
	}
}

func TestSocketOversizedFrameClosesWith1009(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, _ := env.newVisitor(t, "visitor")
	bystander, _ := env.newVisitor(t, "bystander")
	big := fmt.Sprintf(`{"type":"send","id":"big","text":"%s"}`, strings.Repeat("x", parley.DefaultLimits.MaxFrameBytes))
	v.sendRaw(websocket.MessageText, []byte(big))
	if got := v.closeStatus(); got != websocket.StatusMessageTooBig {
		t.Errorf("close status %v, want %v", got, websocket.StatusMessageTooBig)
	}
	bystander.say(0, "b-1", "unaffected")
}

func TestSocketOrigin(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	// Behind a proxy, the public URL's origin differs from the Host header.
	proxied := newSockEnvConfig(t, web.Config{PublicURL: "https://chat.example.com"})
	for _, tt := range []struct {
		env    *sockEnv
		origin string
		ok     bool
	}{
		{env, "https://evil.example", false},
		{env, "null", false},
		{env, "https://shop.example", false}, // the shop embeds the widget, but only Parley's own pages connect
		{env, env.url, true},
		{env, "", true}, // native clients
		{proxied, "https://chat.example.com", true},
		{proxied, "http://chat.example.com", false},
		{proxied, "https://evil.example", false},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		hdr := http.Header{}
		if tt.origin != "" {
			hdr.Set("Origin", tt.origin)
		}
		ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(tt.env.url, "http")+"/ws", &websocket.DialOptions{HTTPHeader: hdr})
		cancel()
		switch {
		case tt.ok && err != nil:
			t.Errorf("origin %q: %v, want accepted", tt.origin, err)
		case !tt.ok && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden):
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Errorf("origin %q: status %d, want %d", tt.origin, status, http.StatusForbidden)
		}
		if ws != nil {
			ws.CloseNow()
		}
	}
}

func TestSocketNoHelloClosesWith4001(t *testing.T) {
	t.Parallel() // waits out the 10 s hello deadline
	env := newSockEnv(t, parley.Limits{})
	c := env.dial(t, "silent", nil)
	// Other frames before hello are refused and do not count as hello.
	c.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "early", Text: "hi"})
	if f := c.next(); f.Type != parley.TypeError || f.Code != parley.EUnauthorized {
		t.Errorf("send before hello: got %+v, want error %s", f, parley.EUnauthorized)
	}
	if got := c.closeStatus(); got != 4001 {
		t.Errorf("close status %v, want 4001", got)
	}
}

func TestSocketAgentWithoutSessionClosesWith4001(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	for _, hdr := range []http.Header{nil, {"Cookie": {"parley_session=forged"}}} {
		c := env.dial(t, "no session", hdr)
		c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent})
		if f := c.next(); f.Type != parley.TypeError || f.Code != parley.EUnauthorized {
			t.Errorf("got %+v, want error %s", f, parley.EUnauthorized)
		}
		if got := c.closeStatus(); got != 4001 {
			t.Errorf("close status %v, want 4001", got)
		}
	}
}

func TestSocketRateLimitAndFlooding(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "r-0", "hi").Conv

	// A burst far over SendBurst: some are refused with rate_limited, by id.
	const burst = 40
	for i := 1; i <= burst; i++ {
		v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: fmt.Sprint("r-", i), Conv: conv, Text: "quick"})
	}
	acked, limited := 0, 0
	for acked+limited < burst {
		f := v.next()
		switch {
		case f.Type == parley.TypeAck:
			acked++
		case f.Type == parley.TypeError && f.Code == parley.ERateLimited && strings.HasPrefix(f.ID, "r-"):
			limited++
		case f.Type == parley.TypeError:
			t.Fatalf("unexpected error %+v", f)
		}
	}
	if limited == 0 || acked < parley.DefaultLimits.SendBurst-1 {
		t.Errorf("acked %d, rate limited %d: want the burst acked and the rest limited", acked, limited)
	}
	if got := env.stored(t, conv); len(got) != 1+acked {
		t.Errorf("stored %d messages, want %d: limited ones must not be stored", len(got), 1+acked)
	}

	// Ignoring the errors: more than 100 refusals in 10 s close the connection.
	for i := range 110 {
		err := v.ws.Write(context.Background(), websocket.MessageText, fmt.Appendf(nil, `{"type":"send","id":"f-%d","conv":%d,"text":"x"}`, i, conv))
		if err != nil {
			break // closed already
		}
	}
	if got := v.closeStatus(); got != websocket.StatusPolicyViolation {
		t.Errorf("close status %v, want %v", got, websocket.StatusPolicyViolation)
	}
}

func TestSocketGreetingIsFirstMessage(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, _ := env.newVisitor(t, "visitor")
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "g-1", Text: "Yes, something fruity", Greeted: true})
	ack := v.ack("g-1")
	if ack.Seq != 2 {
		t.Errorf("the answer to the greeting is seq %d, want 2", ack.Seq)
	}
	got := v.msgs(ack.Conv, 2)
	if g := got[0]; g.Seq != 1 || g.Text != env.site.Proactive.Message || g.From.Kind != parley.AuthorSite {
		t.Errorf("first message %+v from %+v, want the site's greeting", g, g.From)
	}
	// greeted on a conversation that already has messages adds nothing.
	v.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "g-2", Conv: ack.Conv, Text: "and more", Greeted: true})
	if a := v.ack("g-2"); a.Seq != 3 {
		t.Errorf("later greeted send is seq %d, want 3", a.Seq)
	}

	// Without greeted, no greeting.
	plain, _ := env.newVisitor(t, "plain")
	conv := plain.say(0, "p-1", "hello").Conv
	if m := plain.msgs(conv, 1)[0]; m.Seq != 1 || m.From.Kind != parley.AuthorVisitor {
		t.Errorf("first message %+v, want the visitor's", m)
	}
}

func TestSocketTypingReadPageResolve(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	ann, _ := env.newAgent(t, "ann", 0)
	bob, _ := env.newAgent(t, "bob", 1)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "hello").Conv

	// The visitor's typing reaches the agents.
	v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true})
	for _, a := range []*sockClient{ann, bob} {
		f := a.untilType(parley.TypeTyping)
		if f.Conv != conv || !f.On || f.From == nil || f.From.Kind != parley.AuthorVisitor || f.From.ID != w.Visitor.ID {
			t.Errorf("%s: typing %+v from %+v, want the visitor typing", a.name, f, f.From)
		}
	}
	// Ann's typing reaches the visitor and Bob, not Ann.
	ann.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true})
	for _, c := range []*sockClient{v, bob} {
		f := c.untilType(parley.TypeTyping)
		if f.From == nil || f.From.Kind != parley.AuthorAgent || f.From.ID != env.agents[0].ID {
			t.Errorf("%s: typing from %+v, want Ann", c.name, f.From)
		}
	}
	// Frames to one connection are ordered: Ann's next frame is her ack,
	// with no typing echo before it.
	ann.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "a-1", Conv: conv, Text: "How can I help?"})
	ann.until("ack", func(f parley.Frame) bool {
		if f.Type == parley.TypeTyping {
			t.Errorf("Ann got her own typing back: %+v", f)
		}
		return f.Type == parley.TypeAck
	})

	// The visitor reads Ann's message (3: her answer took the chat at 2):
	// agents see the read mark.
	v.sendFrame(parley.Frame{Type: parley.TypeRead, Conv: conv, Seq: 3})
	if f := ann.untilType(parley.TypeRead); f.Conv != conv || f.Seq != 3 || f.From.Kind != parley.AuthorVisitor {
		t.Errorf("read %+v from %+v, want the visitor's read of seq 3", f, f.From)
	}

	// A new visitor message is unread; Bob reading it tells Ann and the visitor.
	v.say(conv, "v-2", "A gift card please")
	bob.until("unread conversation", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == conv && f.Conversation.Unread == 1
	})
	bob.sendFrame(parley.Frame{Type: parley.TypeRead, Conv: conv, Seq: 4})
	if f := v.untilType(parley.TypeRead); f.Seq != 4 || f.From.Kind != parley.AuthorAgent {
		t.Errorf("visitor got read %+v from %+v, want Bob's read of seq 4", f, f.From)
	}
	ann.until("conversation read", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == conv && f.Conversation.Unread == 0 && f.Conversation.AgentRead == 4
	})

	// The visitor's page shows on the conversation.
	page := parley.Page{URL: "https://shop.example/products/espresso", Title: "Espresso Blend"}
	v.sendFrame(parley.Frame{Type: parley.TypePage, Page: &page})
	ann.until("page", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == conv && f.Conversation.Page == page
	})

	// Resolving tells everyone; the visitor's next message reopens.
	bob.sendFrame(parley.Frame{Type: parley.TypeResolve, Conv: conv})
	for _, c := range []*sockClient{v, ann} {
		c.until("resolved", func(f parley.Frame) bool {
			return f.Type == parley.TypeConv && f.Conversation.ID == conv && f.Conversation.Status == parley.StatusResolved
		})
	}
	v.say(conv, "v-3", "One more thing")
	ann.until("reopened", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == conv && f.Conversation.Status == parley.StatusQueued
	})
}

func TestSocketNewConversationReachesAgentsAndOtherTabs(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	agent, w := env.newAgent(t, "agent", 0)
	if len(w.Conversations) != 0 {
		t.Fatalf("welcome lists %d conversations, want none", len(w.Conversations))
	}
	tab1, vw := env.newVisitor(t, "tab 1")
	tab2 := env.dial(t, "tab 2", nil)
	tab2.visitorHello(env.site.ID, vw.Token)

	conv := tab1.say(0, "t-1", "hi from tab 1").Conv
	for _, c := range []*sockClient{agent, tab2} {
		f := c.next()
		if f.Type != parley.TypeConv || f.Conversation.ID != conv {
			t.Fatalf("%s: first frame %+v, want the new conversation", c.name, f)
		}
		if m := c.next(); m.Type != parley.TypeMsg || m.Conv != conv || m.Seq != 1 {
			t.Errorf("%s: second frame %+v, want msg 1", c.name, m)
		}
	}
	// An agent connecting now finds it open.
	_, w2 := env.newAgent(t, "agent 2", 1)
	if len(w2.Conversations) != 1 || w2.Conversations[0].ID != conv {
		t.Errorf("welcome conversations %+v, want %d", w2.Conversations, conv)
	}
}

// TestSocketSlowConsumerIsDropped has one agent stop reading while
// visitors talk: the fast agent gets every message in order, and the
// stalled one is closed with 1013 instead of holding anyone up.
//
// The stalled agent reads nothing until the server says it dropped it,
// then reads on to its close frame. A reader that only slows down would
// keep up whenever the visitors happen to be slower than it (under -race,
// on a busy machine). The server's write timeout and pings are made long:
// while the agent reads nothing the server's writer waits in a write, and
// at the visitors' pace on a busy machine the queue may take longer to
// fill than a write or a ping may wait.
func TestSocketSlowConsumerIsDropped(t *testing.T) {
	t.Parallel() // a few seconds of traffic
	env := newSockEnvConfig(t, web.Config{Limits: fastLimits}, func(s *web.Server) { web.SetSocketTimeouts(s, 5*time.Minute, 5*time.Minute) })
	// The stalled agent's socket has a small, fixed receive buffer: left
	// to itself, Linux grows a loopback receive buffer up to tcp_rmem's
	// maximum (32 MB here), which would hold the whole stream. The
	// server's send buffer grows up to tcp_wmem's maximum (4 MB here,
	// about 270 of these messages), then the queue holds 256: the stream
	// below is 753.
	small := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		Control: func(network, address string, rc syscall.RawConn) error {
			var err error
			if cerr := rc.Control(func(fd uintptr) {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 32<<10)
			}); cerr != nil {
				return cerr
			}
			return err
		},
	}).DialContext}}
	slow, _ := env.newAgentVia(t, "slow agent", 0, small)
	fast, _ := env.newAgent(t, "fast agent", 1)

	var streamed atomic.Bool
	type result struct {
		msgs   int
		status websocket.StatusCode
		err    error
		waited bool // it resumed reading when the server said it dropped it
	}
	slowDone := make(chan result, 1)
	go func() {
		var r result
		for !streamed.Load() {
			if strings.Contains(env.logs.String(), "slow client dropped") {
				r.waited = true
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, b, err := slow.ws.Read(ctx)
			cancel()
			if err != nil {
				r.status, r.err = websocket.CloseStatus(err), err
				slowDone <- r
				return
			}
			if strings.HasPrefix(string(b), `{"type":"msg"`) {
				r.msgs++
			}
		}
	}()

	// Several visitors at once, each sending as fast as its acks come
	// back: no flood that a fair reader could not follow. Big messages
	// fill the kernel's socket buffers soon.
	const visitors, perVisitor = 3, 250
	text := strings.Repeat("0123456789", 1500)
	var wg sync.WaitGroup
	errs := make(chan error, visitors+1)
	convs := make(map[uint64]bool)
	for i := range visitors {
		v, _ := env.newVisitor(t, fmt.Sprint("visitor ", i))
		conv := v.say(0, fmt.Sprint("v", i, "-0"), "start").Conv
		convs[conv] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 1; j <= perVisitor; j++ {
				b := fmt.Sprintf(`{"type":"send","id":"v%d-%d","conv":%d,"text":"%s"}`, i, j, conv, text)
				ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
				err := v.ws.Write(ctx, websocket.MessageText, []byte(b))
				for err == nil {
					var b []byte
					// Only the frame's start is looked at: no need to decode
					// the echo of 15 KB messages.
					if _, b, err = v.ws.Read(ctx); strings.HasPrefix(string(b), `{"type":"ack"`) {
						break
					} else if strings.HasPrefix(string(b), `{"type":"error"`) {
						err = fmt.Errorf("got %.200s", b)
					}
				}
				cancel()
				if err != nil {
					errs <- fmt.Errorf("visitor %d: %w", i, err)
					return
				}
			}
		}()
	}
	// The fast agent reads everything, each conversation in order.
	last := make(map[uint64]uint64)
	for conv := range convs {
		last[conv] = 1
	}
	for total := 0; total < visitors*perVisitor; {
		f := fast.next()
		if f.Type != parley.TypeMsg || f.Seq == 1 {
			continue
		}
		if f.Seq != last[f.Conv]+1 {
			t.Fatalf("fast agent: conversation %d: seq %d after %d", f.Conv, f.Seq, last[f.Conv])
		}
		last[f.Conv] = f.Seq
		total++
	}
	streamed.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	r := <-slowDone
	t.Logf("the slow agent received %d of %d messages before it was dropped", r.msgs, visitors*(perVisitor+1))
	if !r.waited {
		t.Errorf("the server never said it dropped the slow agent")
	}
	if r.status != websocket.StatusTryAgainLater {
		t.Errorf("slow agent: %v, want close status %v", r.err, websocket.StatusTryAgainLater)
	}
	if r.msgs >= visitors*(perVisitor+1) {
		t.Errorf("the slow agent received all %d messages: it was never dropped", r.msgs)
	}
}

func TestSocketShutdownClosesWith1001(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	v, _ := env.newVisitor(t, "visitor")
	silent := env.dial(t, "before hello", nil)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- env.srv.Close(ctx) }()
	for _, c := range []*sockClient{v, silent} {
		if got := c.closeStatus(); got != websocket.StatusGoingAway {
			t.Errorf("%s: close status %v, want %v", c.name, got, websocket.StatusGoingAway)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Close: %v", err)
	}
}
