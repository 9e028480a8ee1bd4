package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func TestAppendSequence(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	first := mustAppend(t, d, visitorSend(v, 0, "m1", "hello"))
	c := first.Conv
	if c.ID == 0 || c.Site != "shop" || c.Visitor != v.ID || c.VisitorName != v.Name || c.Status != parley.StatusQueued {
		t.Fatalf("new conversation: got %+v", c)
	}
	if first.Dup || first.Message.Seq != 1 || first.Message.Conv != c.ID || first.Message.At == 0 {
		t.Fatalf("first message: got %+v", first)
	}

	const n = 20
	for i := 2; i <= n; i++ {
		var a store.Append
		if i%2 == 0 {
			a = agentSend(1, c.ID, fmt.Sprintf("r%d", i), fmt.Sprintf("answer %d", i))
		} else {
			// conv 0 finds the visitor's open conversation.
			a = visitorSend(v, 0, fmt.Sprintf("m%d", i), fmt.Sprintf("question %d", i))
		}
		res := mustAppend(t, d, a)
		if res.Message.Conv != c.ID || res.Message.Seq != uint64(i) {
			t.Fatalf("message %d: got conv %d seq %d, want conv %d seq %d", i, res.Message.Conv, res.Message.Seq, c.ID, i)
		}
		if res.Conv.LastSeq != uint64(i) || res.Conv.LastText != a.Text {
			t.Errorf("conversation after %d: lastSeq %d lastText %q", i, res.Conv.LastSeq, res.Conv.LastText)
		}
	}
	if seq, err := d.LastSeq(c.ID); err != nil || seq != n {
		t.Errorf("LastSeq: got %d, %v; want %d", seq, err, n)
	}

	ms := frames(t, d, c.ID, 0, 0)
	if len(ms) != n {
		t.Fatalf("stored messages: got %d, want %d", len(ms), n)
	}
	for i, m := range ms {
		if m.Seq != uint64(i+1) {
			t.Errorf("message %d: seq %d", i, m.Seq)
		}
	}
	if !reflect.DeepEqual(ms[0], first.Message) {
		t.Errorf("stored first message: got %+v, want %+v", ms[0], first.Message)
	}

	_, err := d.Append(testContext(t), agentSend(1, 0, "r0", "nowhere"))
	wantCode(t, err, parley.EInvalid)
	_, err = d.Append(testContext(t), agentSend(1, 999, "r0", "nowhere"))
	wantCode(t, err, parley.ENotFound)
}

func TestLastTextPreview(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	text := strings.Repeat("é", 200)
	res := mustAppend(t, d, visitorSend(v, 0, "long", text))
	if want := strings.Repeat("é", 140); res.Conv.LastText != want {
		t.Errorf("LastText: got %d runes, want 140", len([]rune(res.Conv.LastText)))
	}
	if got := frames(t, d, res.Conv.ID, 0, 0)[0].Text; got != text {
		t.Errorf("stored text was cut to %d runes", len([]rune(got)))
	}
}

func TestAppendDedupe(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	w := mustCreateVisitor(t, d, "shop")

	first := mustAppend(t, d, visitorSend(v, 0, "same", "hello"))
	mustAppend(t, d, agentSend(1, first.Conv.ID, "r1", "hi"))

	// A resend, even with conv 0 and another text, answers with the original.
	again := mustAppend(t, d, visitorSend(v, 0, "same", "hello again"))
	if !again.Dup || !reflect.DeepEqual(again.Message, first.Message) {
		t.Errorf("resend: got dup=%v %+v, want dup=true %+v", again.Dup, again.Message, first.Message)
	}
	if again.Conv.LastSeq != 2 {
		t.Errorf("resend conversation: lastSeq %d, want the current 2", again.Conv.LastSeq)
	}

	// Ids are unique per author, not globally.
	other := mustAppend(t, d, visitorSend(w, 0, "same", "hello"))
	if other.Dup || other.Message.Conv == first.Message.Conv {
		t.Errorf("another visitor's message with the same id: got %+v", other)
	}
	agent := mustAppend(t, d, agentSend(1, first.Conv.ID, "same", "an agent reuses the id"))
	if agent.Dup || agent.Message.Seq != 3 {
		t.Errorf("an agent's message with a visitor's id: got %+v", agent)
	}

	if ms := frames(t, d, first.Conv.ID, 0, 0); len(ms) != 3 {
		t.Errorf("stored messages: got %d, want 3", len(ms))
	}
}

// A send whose ack was lost may be resent after its conversation was
// resolved; with conv 0 it must still find the original, not start a new
// conversation.
func TestAppendDedupeAfterResolve(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	old := mustAppend(t, d, visitorSend(v, 0, "early", "first question"))
	if _, err := d.SetStatus(old.Conv.ID, parley.StatusResolved); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	newer := mustAppend(t, d, visitorSend(v, 0, "later", "second question"))
	if newer.Conv.ID == old.Conv.ID {
		t.Fatalf("second question went to the resolved conversation")
	}

	for _, conv := range []uint64{0, old.Conv.ID} {
		res := mustAppend(t, d, visitorSend(v, conv, "early", "first question"))
		if !res.Dup || !reflect.DeepEqual(res.Message, old.Message) || res.Conv.ID != old.Conv.ID {
			t.Errorf("resend with conv %d: got dup=%v %+v, want the original %+v", conv, res.Dup, res.Message, old.Message)
		}
		if res.Conv.Status != parley.StatusResolved {
			t.Errorf("resend with conv %d reopened the conversation", conv)
		}
	}
	if cs, _ := d.VisitorConversations(v.ID); len(cs) != 2 {
		t.Errorf("conversations: got %d, want 2", len(cs))
	}
	// A resend must not be answered from another visitor's conversation,
	// even with conv 0.
	w := mustCreateVisitor(t, d, "shop")
	if res := mustAppend(t, d, visitorSend(w, 0, "early", "my own")); res.Dup {
		t.Errorf("another visitor's send was taken for a resend: %+v", res)
	}
}

// Resends that land in one batch must dedupe against each other, not only
// against what is already on disk.
func TestAppendDedupeInOneBatch(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	const n = 8
	results := make([]store.Appended, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	release := blockCommitter(t, d, nil)
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = d.Append(testContext(t), visitorSend(v, 0, "same", fmt.Sprintf("try %d", i)))
		})
	}
	release(n)
	wg.Wait()

	originals := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Append %d: %v", i, errs[i])
		}
		if !results[i].Dup {
			originals++
		}
		if !reflect.DeepEqual(results[i].Message, results[0].Message) {
			t.Errorf("Append %d: got %+v, want %+v", i, results[i].Message, results[0].Message)
		}
	}
	if originals != 1 {
		t.Errorf("stored originals: got %d, want 1", originals)
	}
	if ms := frames(t, d, results[0].Message.Conv, 0, 0); len(ms) != 1 {
		t.Errorf("stored messages: got %d, want 1", len(ms))
	}
}

func TestAppendOwnership(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	mustCreateSite(t, d, "other")
	v := mustCreateVisitor(t, d, "shop")
	w := mustCreateVisitor(t, d, "shop")
	x := mustCreateVisitor(t, d, "other")
	c := mustAppend(t, d, visitorSend(v, 0, "m1", "mine")).Conv

	// Another visitor's conversation looks exactly like a missing one.
	_, err := d.Append(testContext(t), visitorSend(w, c.ID, "w1", "let me in"))
	wantCode(t, err, parley.ENotFound)
	_, missing := d.Append(testContext(t), visitorSend(w, 999, "w2", "anyone?"))
	wantCode(t, missing, parley.ENotFound)
	if strings.Contains(err.Error(), "visitor") || parley.ErrorMessage(err) != strings.Replace(parley.ErrorMessage(missing), "999", fmt.Sprint(c.ID), 1) {
		t.Errorf("foreign conversation error %q differs from a missing one's %q", parley.ErrorMessage(err), parley.ErrorMessage(missing))
	}

	// A conversation of another site is not found either, even for an agent
	// who names the site.
	a := agentSend(1, c.ID, "r1", "wrong site")
	a.Site = "other"
	_, err = d.Append(testContext(t), a)
	wantCode(t, err, parley.ENotFound)

	// A visitor sending on a site they do not belong to starts nothing.
	s := visitorSend(x, 0, "x1", "hi")
	s.Site = "shop"
	_, err = d.Append(testContext(t), s)
	wantCode(t, err, parley.ENotFound)

	// An unknown visitor cannot start a conversation.
	_, err = d.Append(testContext(t), visitorSend(parley.Visitor{ID: 999, Site: "shop"}, 0, "g1", "ghost"))
	wantCode(t, err, parley.ENotFound)

	if ms := frames(t, d, c.ID, 0, 0); len(ms) != 1 {
		t.Errorf("messages of the attacked conversation: got %d, want 1", len(ms))
	}
	if cs, _ := d.VisitorConversations(w.ID); len(cs) != 0 {
		t.Errorf("refused sends created conversations: %v", ids(cs))
	}
}

// One refused request must not fail the others of its batch.
func TestAppendRefusalInBatch(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	w := mustCreateVisitor(t, d, "shop")
	c := mustAppend(t, d, visitorSend(v, 0, "m1", "mine")).Conv

	var good store.Appended
	var goodErr, badErr error
	var wg sync.WaitGroup
	release := blockCommitter(t, d, nil)
	wg.Go(func() { _, badErr = d.Append(testContext(t), visitorSend(w, c.ID, "w1", "intruder")) })
	wg.Go(func() { good, goodErr = d.Append(testContext(t), visitorSend(v, c.ID, "m2", "still me")) })
	release(2)
	wg.Wait()

	wantCode(t, badErr, parley.ENotFound)
	if goodErr != nil || good.Message.Seq != 2 {
		t.Errorf("the valid request of the batch: got seq %d, %v; want 2", good.Message.Seq, goodErr)
	}
}

func TestGreeting(t *testing.T) {
	d := openTestDB(t)
	site := mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	var committed []store.Committed
	var mu sync.Mutex
	d.OnCommit(func(cs []store.Committed) {
		mu.Lock()
		committed = append(committed, cs...)
		mu.Unlock()
	})

	a := visitorSend(v, 0, "m1", "Yes, where is my order?")
	a.Greeting = "Need help with your order?"
	res := mustAppend(t, d, a)
	if res.Message.Seq != 2 || res.Message.ID != "m1" {
		t.Errorf("answer to the greeting: got %+v, want seq 2", res.Message)
	}
	if res.Conv.Unread != 1 || res.Conv.LastText != a.Text {
		t.Errorf("conversation: unread %d lastText %q; want 1, %q", res.Conv.Unread, res.Conv.LastText, a.Text)
	}
	ms := frames(t, d, res.Conv.ID, 0, 0)
	wantGreeting := parley.Message{
		Conv: res.Conv.ID, Seq: 1, ID: "m1-greeting",
		From: parley.Author{Kind: parley.AuthorSite, Name: site.Name},
		Text: a.Greeting, At: res.Message.At,
	}
	if len(ms) != 2 || !reflect.DeepEqual(ms[0], wantGreeting) || !reflect.DeepEqual(ms[1], res.Message) {
		t.Fatalf("stored: got %+v, want %+v then %+v", ms, wantGreeting, res.Message)
	}

	mu.Lock()
	if len(committed) != 2 || !committed[0].Created || committed[1].Created ||
		!reflect.DeepEqual(committed[0].Message, wantGreeting) || !reflect.DeepEqual(committed[1].Message, res.Message) ||
		committed[0].Conv.LastSeq != 1 || committed[1].Conv.LastSeq != 2 {
		t.Errorf("OnCommit got %+v; want the greeting (creating the conversation) then the answer", committed)
	}
	mu.Unlock()

	// A later greeting is ignored: the conversation has messages.
	b := visitorSend(v, 0, "m2", "Hello?")
	b.Greeting = "Need help?"
	if res := mustAppend(t, d, b); res.Message.Seq != 3 {
		t.Errorf("second greeted message: got seq %d, want 3", res.Message.Seq)
	}

	// The greeting is not the visitor's, so it stays out of Unread.
	c, err := d.MarkRead(res.Conv.ID, parley.AuthorAgent, 1)
	if err != nil || c.Unread != 2 {
		t.Errorf("MarkRead after the greeting: unread %d, %v; want 2", c.Unread, err)
	}
}

// The hook runs after the commit, so a reader it tells about the message
// finds it, and it sees every message in commit order.
func TestOnCommit(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	const visitors, each = 8, 25
	vs := make([]parley.Visitor, visitors)
	for i := range vs {
		vs[i] = mustCreateVisitor(t, d, "shop")
	}

	var mu sync.Mutex
	var seen []store.Committed
	var problems []string
	hooked := map[string]bool{} // by the message as JSON: a Message with files is no map key
	d.OnCommit(func(cs []store.Committed) {
		for _, c := range cs {
			var stored []byte
			err := d.Messages(c.Message.Conv, c.Message.Seq-1, 1, func(b []byte) error {
				stored = b
				return nil
			})
			if err != nil || !bytes.Equal(stored, c.Frame) {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%d/%d: not readable inside the hook: read %q, %v", c.Message.Conv, c.Message.Seq, stored, err))
				mu.Unlock()
			}
		}
		mu.Lock()
		seen = append(seen, cs...)
		for _, c := range cs {
			hooked[string(parley.MessageFrame(c.Message).Encode())] = true
		}
		mu.Unlock()
	})

	var wg sync.WaitGroup
	for _, v := range vs {
		wg.Go(func() {
			for i := range each {
				res, err := d.Append(testContext(t), visitorSend(v, 0, fmt.Sprintf("m%d", i), "hello"))
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				// The hook ran before the sender was answered.
				mu.Lock()
				if !hooked[string(parley.MessageFrame(res.Message).Encode())] {
					problems = append(problems, fmt.Sprintf("%d/%d: acked before the hook saw it", res.Message.Conv, res.Message.Seq))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("OnCommit: %s", p)
	}
	if len(seen) != visitors*each {
		t.Fatalf("OnCommit saw %d messages, want %d", len(seen), visitors*each)
	}
	next := map[uint64]uint64{}
	for _, c := range seen {
		next[c.Message.Conv]++
		if c.Message.Seq != next[c.Message.Conv] {
			t.Fatalf("OnCommit order: conversation %d got seq %d, want %d", c.Message.Conv, c.Message.Seq, next[c.Message.Conv])
		}
		if c.Conv.LastSeq != c.Message.Seq || c.Created != (c.Message.Seq == 1) {
			t.Errorf("Committed %d/%d: conv lastSeq %d, created %v", c.Message.Conv, c.Message.Seq, c.Conv.LastSeq, c.Created)
		}
		if want := parley.MessageFrame(c.Message).Encode(); !bytes.Equal(c.Frame, want) {
			t.Errorf("Committed frame: got %s, want %s", c.Frame, want)
		}
	}
}

// Many writers on few conversations: every conversation's seqs are 1..n,
// each once.
func TestAppendConcurrent(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	const convs, writers, each = 4, 16, 20
	cs := make([]uint64, convs)
	for i := range cs {
		v := mustCreateVisitor(t, d, "shop")
		cs[i] = mustAppend(t, d, visitorSend(v, 0, "start", "hi")).Conv.ID
	}

	var mu sync.Mutex
	acked := map[uint64]map[uint64]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				conv := cs[(w+i)%convs]
				res, err := d.Append(testContext(t), agentSend(uint64(w+1), conv, fmt.Sprintf("w%d-%d", w, i), "x"))
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				mu.Lock()
				if acked[conv] == nil {
					acked[conv] = map[uint64]bool{}
				}
				if acked[conv][res.Message.Seq] {
					t.Errorf("conversation %d: seq %d acked twice", conv, res.Message.Seq)
				}
				acked[conv][res.Message.Seq] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	total := 0
	for _, conv := range cs {
		ms := frames(t, d, conv, 0, 0)
		total += len(ms)
		for i, m := range ms {
			if m.Seq != uint64(i+1) {
				t.Fatalf("conversation %d: message %d has seq %d", conv, i, m.Seq)
			}
		}
		if last, _ := d.LastSeq(conv); last != uint64(len(ms)) {
			t.Errorf("conversation %d: LastSeq %d, %d messages", conv, last, len(ms))
		}
	}
	if want := convs + writers*each; total != want {
		t.Errorf("stored messages: got %d, want %d", total, want)
	}
}

func TestMessagesAfterLimit(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	w := mustCreateVisitor(t, d, "shop")
	c := mustAppend(t, d, visitorSend(v, 0, "m1", "1")).Conv
	// A neighbour conversation, so a scan that overruns its range shows.
	mustAppend(t, d, visitorSend(w, 0, "n1", "neighbour"))
	for i := 2; i <= 10; i++ {
		mustAppend(t, d, visitorSend(v, c.ID, fmt.Sprintf("m%d", i), fmt.Sprint(i)))
	}

	tests := []struct {
		after      uint64
		limit      int
		first, num int
	}{
		{0, 0, 1, 10},
		{0, 3, 1, 3},
		{4, 0, 5, 6},
		{4, 2, 5, 2},
		{9, 5, 10, 1},
		{10, 0, 0, 0},
		{1 << 63, 0, 0, 0},
		{^uint64(0), 0, 0, 0},
		{0, -1, 1, 10},
	}
	for _, tt := range tests {
		ms := frames(t, d, c.ID, tt.after, tt.limit)
		if len(ms) != tt.num {
			t.Errorf("Messages(after %d, limit %d): got %d messages, want %d", tt.after, tt.limit, len(ms), tt.num)
			continue
		}
		for i, m := range ms {
			if m.Conv != c.ID || m.Seq != uint64(tt.first+i) {
				t.Errorf("Messages(after %d, limit %d)[%d]: got %d/%d, want %d/%d", tt.after, tt.limit, i, m.Conv, m.Seq, c.ID, tt.first+i)
			}
		}

		// The HTTP API's path: the same frames, comma-separated, after dst.
		body, err := d.AppendTranscript([]byte("["), c.ID, tt.after, tt.limit)
		if err != nil {
			t.Fatalf("AppendTranscript(after %d, limit %d): %v", tt.after, tt.limit, err)
		}
		var got []parley.Frame
		if err := json.Unmarshal(append(body, ']'), &got); err != nil {
			t.Fatalf("AppendTranscript(after %d, limit %d) is not a JSON array body: %v\n%s", tt.after, tt.limit, err, body)
		}
		if len(got) != len(ms) {
			t.Errorf("AppendTranscript(after %d, limit %d): %d frames, Messages gave %d", tt.after, tt.limit, len(got), len(ms))
			continue
		}
		for i, f := range got {
			if !reflect.DeepEqual(f.ToMessage(), ms[i]) {
				t.Errorf("AppendTranscript(after %d, limit %d)[%d] = %+v, want %+v", tt.after, tt.limit, i, f.ToMessage(), ms[i])
			}
		}
	}

	err := d.Messages(999, 0, 0, func([]byte) error { return nil })
	wantCode(t, err, parley.ENotFound)
	_, err = d.AppendTranscript(nil, 999, 0, 0)
	wantCode(t, err, parley.ENotFound)

	stop := errors.New("stop")
	calls := 0
	err = d.Messages(c.ID, 0, 0, func([]byte) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Messages with a failing fn: got %v after %d calls, want %v after 1", err, calls, stop)
	}
}

func TestSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustCreateSite(t, d, "shop")
	hash := randomHash(t)
	v, err := d.CreateVisitor("shop", hash)
	if err != nil {
		t.Fatalf("CreateVisitor: %v", err)
	}
	first := mustAppend(t, d, visitorSend(v, 0, "m1", "before restart"))
	mustAppend(t, d, agentSend(1, first.Conv.ID, "r1", "answer"))
	before := frames(t, d, first.Conv.ID, 0, 0)
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	d = openTestDBAt(t, path, store.Options{})
	if got, err := d.VisitorByToken("shop", hash); err != nil || got != v {
		t.Errorf("visitor after reopen: got %+v, %v; want %+v", got, err, v)
	}
	after := frames(t, d, first.Conv.ID, 0, 0)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("messages after reopen: got %+v, want %+v", after, before)
	}
	// Dedupe and sequence numbers carry on.
	if res := mustAppend(t, d, visitorSend(v, 0, "m1", "before restart")); !res.Dup || !reflect.DeepEqual(res.Message, before[0]) {
		t.Errorf("resend after reopen: got %+v", res)
	}
	if res := mustAppend(t, d, visitorSend(v, 0, "m2", "after restart")); res.Message.Seq != 3 || res.Conv.ID != first.Conv.ID {
		t.Errorf("message after reopen: got %d/%d, want %d/3", res.Message.Conv, res.Message.Seq, first.Conv.ID)
	}
	w := mustCreateVisitor(t, d, "shop")
	if w.ID != v.ID+1 {
		t.Errorf("visitor id after reopen: got %d, want %d", w.ID, v.ID+1)
	}
}

func TestAppendCanceledAndClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Append(ctx, visitorSend(v, 0, "m1", "too late")); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a canceled context: got %v, want %v", err, context.Canceled)
	}
	// The canceled send was not stored, so this one creates the conversation.
	if res := mustAppend(t, d, visitorSend(v, 0, "m1", "again")); res.Dup || res.Message.Seq != 1 {
		t.Errorf("resend after cancel: got %+v", res)
	}

	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err = d.Append(testContext(t), visitorSend(v, 0, "m2", "closed"))
	wantCode(t, err, parley.EUnavailable)
	_, err = d.CreateVisitor("shop", randomHash(t))
	wantCode(t, err, parley.EUnavailable)
	_, err = d.Site("shop")
	wantCode(t, err, parley.EUnavailable)
}

// Writes queued before Close are committed, not dropped.
func TestCloseDrainsQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	c := mustAppend(t, d, visitorSend(v, 0, "m0", "start")).Conv

	const n = 5
	errs := make([]error, n)
	var wg sync.WaitGroup
	release := blockCommitter(t, d, nil)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = d.Append(testContext(t), visitorSend(v, c.ID, fmt.Sprintf("m%d", i+1), "queued"))
		})
	}
	release(n)
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("queued Append %d: %v", i, err)
		}
	}

	d = openTestDBAt(t, path, store.Options{})
	if last, _ := d.LastSeq(c.ID); last != n+1 {
		t.Errorf("LastSeq after Close and reopen: got %d, want %d", last, n+1)
	}
}

// A new visitor's first sends can share a batch: all must land in the one
// conversation the first of them creates.
func TestAppendNewConversationInOneBatch(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	const n = 5
	results := make([]store.Appended, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	release := blockCommitter(t, d, nil)
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = d.Append(testContext(t), visitorSend(v, 0, fmt.Sprintf("m%d", i), "hi"))
		})
	}
	release(n)
	wg.Wait()

	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Append %d: %v", i, errs[i])
		}
		if results[i].Message.Conv != results[0].Message.Conv {
			t.Errorf("Append %d went to conversation %d, Append 0 to %d", i, results[i].Message.Conv, results[0].Message.Conv)
		}
		if results[i].Conv.LastSeq != n {
			t.Errorf("Append %d: conversation lastSeq %d, want %d", i, results[i].Conv.LastSeq, n)
		}
	}
	if cs, _ := d.VisitorConversations(v.ID); len(cs) != 1 {
		t.Errorf("conversations: got %d, want 1", len(cs))
	}
}
