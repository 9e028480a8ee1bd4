package web_test

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// TestSlowBodyIsCut: a request body dripped slowly is cut when its time
// is up, and the server goes on serving others.
func TestSlowBodyIsCut(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	web.SetBodyReadTimeout(300 * time.Millisecond)
	t.Cleanup(func() { web.SetBodyReadTimeout(10 * time.Second) })
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":")
	start := time.Now()
	done := make(chan string, 1)
	go func() {
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(conn)
		done <- string(b)
	}()
	// Drip a byte now and then: never done.
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		conn.Write([]byte(" "))
	}
	got := <-done
	if took := time.Since(start); took > 3*time.Second || !strings.Contains(got, "400") {
		t.Errorf("a dripped body: answered %q after %v; want a 400 soon after the deadline", got, took)
	}
	// Others are served.
	l := loginWithCSRF(t, env, env.agents[0].Email, sockPassword)
	if l.csrf == "" {
		t.Error("no login after the slow client")
	}
}

// TestHelloSinceDeduplicated: a hello naming one conversation many times
// costs one replay.
func TestHelloSinceDeduplicated(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v1", "hello").Conv
	since := make([]parley.ResumeFrom, 0, 40)
	for i := range 40 {
		since = append(since, parley.ResumeFrom{Conv: conv, After: uint64(i % 2)})
	}
	back := env.dial(t, "visitor again", nil)
	back.visitorHello(env.site.ID, w.Token, since...)
	back.untilType(parley.TypeSynced)
	// A resume after it: whatever else the hello queued would come first.
	back.sendFrame(parley.Frame{Type: parley.TypeResume, Conv: conv, After: 1})
	back.untilType(parley.TypeSynced)
	msgs, synced := 0, 0
	for _, f := range back.seen {
		switch f.Type {
		case parley.TypeMsg:
			msgs++
		case parley.TypeSynced:
			synced++
		}
	}
	if msgs != 1 || synced != 2 {
		t.Errorf("40 copies of one conversation in hello, then a resume: %d messages replayed, %d synced; want 1 and 2", msgs, synced)
	}
}

// TestTypingCoalesced: an author's repeated typing state reaches agents
// once per period, a change at once.
func TestTypingCoalesced(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	agent, _ := env.newAgent(t, "agent", 0)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v1", "hello").Conv
	other := env.dial(t, "visitor's second tab", nil)
	other.visitorHello(env.site.ID, w.Token)
	for range 3 {
		v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true})
		other.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true})
	}
	v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: false})
	agent.until("typing off", func(f parley.Frame) bool { return f.Type == parley.TypeTyping && !f.On })
	on := 0
	for _, f := range agent.seen {
		if f.Type == parley.TypeTyping && f.On {
			on++
		}
	}
	if on != 1 {
		t.Errorf("6 typing frames from two tabs reached the agent as %d, want 1", on)
	}
}

// TestTypingPreview: with the site's typing preview on, agents read the
// visitor's draft (cards masked), a new draft at most every second; off,
// the draft never leaves the server; an agent's typing carries none.
func TestTypingPreview(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	agent, _ := env.newAgent(t, "agent", 0)
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "v1", "hello").Conv
	typing := func(text string) parley.Frame {
		t.Helper()
		v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true, Text: text})
		v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: false})
		return agent.until("typing", func(f parley.Frame) bool { return f.Type == parley.TypeTyping && f.On })
	}
	if f := typing("my secret draft"); f.Text != "" {
		t.Errorf("preview off: the agent read %q", f.Text)
	}
	agent.until("typing off", func(f parley.Frame) bool { return f.Type == parley.TypeTyping && !f.On })

	site := env.site
	site.TypingPreview = true
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	if f := typing("card 4111 1111 1111 1111\x07"); f.Text != "card •••• •••• •••• 1111" {
		t.Errorf("preview on: the agent read %q", f.Text)
	}
	agent.until("typing off", func(f parley.Frame) bool { return f.Type == parley.TypeTyping && !f.On })

	// Two drafts within a second: the second waits for the next.
	v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true, Text: "Whe"})
	v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true, Text: "Where"})
	time.Sleep(1100 * time.Millisecond)
	v.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true, Text: "Where is"})
	agent.until("the paced draft", func(f parley.Frame) bool { return f.Type == parley.TypeTyping && f.Text == "Where is" })
	for _, f := range agent.seen {
		if f.Type == parley.TypeTyping && f.Text == "Where" {
			t.Errorf("a draft within the second went out: %+v", f)
		}
	}

	agent.sendFrame(parley.Frame{Type: parley.TypeTyping, Conv: conv, On: true, Text: "agent draft"})
	if e := agent.untilError(); e.Code != parley.EInvalid {
		t.Errorf("an agent's draft: %+v, want invalid", e)
	}
}
