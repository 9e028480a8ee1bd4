package store_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func note(agent, conv uint64, id, text string) store.Append {
	a := agentSend(agent, conv, id, text)
	a.Kind = parley.KindNote
	return a
}

func event(conv uint64, name string, internal bool) store.Append {
	return store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorSite}, Kind: parley.KindEvent, Event: name, Internal: internal}
}

// visitorFrames returns the frames of conv after seq as its visitor gets them.
func visitorFrames(tb testing.TB, d *store.DB, conv, after uint64) []parley.Frame {
	tb.Helper()
	var fs []parley.Frame
	err := d.VisitorMessages(conv, after, 0, func(b []byte) error {
		f, err := parley.DecodeFrame(b)
		fs = append(fs, f)
		return err
	})
	if err != nil {
		tb.Fatalf("VisitorMessages(%d, %d): %v", conv, after, err)
	}
	return fs
}

func seqs(ms []parley.Message) []uint64 {
	var out []uint64
	for _, m := range ms {
		out = append(out, m.Seq)
	}
	return out
}

func TestLogAudiences(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	conv := mustAppend(t, d, visitorSend(v, 0, "v1", "Where is my order?")).Conv.ID // 1
	mustAppend(t, d, note(7, conv, "n1", "Customer ordered twice, check refunds"))  // 2
	mustAppend(t, d, event(conv, parley.EventRated, true))                          // 3
	res := mustAppend(t, d, agentSend(7, conv, "a1", "It ships tomorrow."))         // 4
	if res.Prev != 1 {
		t.Errorf("agent message after two agents-only entries: Prev got %d, want 1", res.Prev)
	}
	mustAppend(t, d, event(conv, parley.EventEmailed, false))       // 5
	last := mustAppend(t, d, visitorSend(v, conv, "v2", "Thanks!")) // 6
	if last.Prev != 5 {
		t.Errorf("visitor message after a public entry: Prev got %d, want 5", last.Prev)
	}

	all := frames(t, d, conv, 0, 0)
	if got, want := fmt.Sprint(seqs(all)), "[1 2 3 4 5 6]"; got != want {
		t.Fatalf("agents' entries: got %s, want %s", got, want)
	}
	if !all[1].Internal || all[1].Kind != parley.KindNote || !all[2].Internal || all[4].Internal {
		t.Errorf("audiences as stored: %+v", all)
	}

	vis := visitorFrames(t, d, conv, 0)
	var got []string
	for _, f := range vis {
		got = append(got, fmt.Sprintf("%d<%d", f.Seq, f.PrevSeq()))
		if f.Internal || f.Kind == parley.KindNote || f.Text == "Customer ordered twice, check refunds" {
			t.Errorf("visitor got an agents-only entry: %+v", f)
		}
	}
	// Each entry names the one before it in the visitor's own stream, so a
	// client that holds 1 accepts 4 without asking for 2 and 3.
	if want := "[1<0 4<1 5<4 6<5]"; fmt.Sprint(got) != want {
		t.Errorf("visitor's stream (seq<prev): got %v, want %s", got, want)
	}
	// A resume from the middle starts after the point given.
	if vs := visitorFrames(t, d, conv, 4); len(vs) != 2 || vs[0].Seq != 5 {
		t.Errorf("visitor resume after 4: got %+v", vs)
	}

	c, err := d.Conversation(conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.LastSeq != 6 || c.PublicSeq != 6 || c.LastText != "Thanks!" {
		t.Errorf("conversation: %+v", c)
	}
	mustAppend(t, d, note(7, conv, "n2", "refund issued"))
	c, _ = d.Conversation(conv)
	fv := c.ForVisitor()
	if c.LastSeq != 7 || c.LastText != "refund issued" || fv.LastSeq != 6 || fv.LastText != "Thanks!" || fv.PublicSeq != 0 || fv.PublicText != "" || fv.AgentRead > 6 {
		t.Errorf("after a note: agents see %+v, the visitor %+v", c, fv)
	}
}

func TestLogEditDelete(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	conv := mustAppend(t, d, visitorSend(v, 0, "v1", "my card is 4111 1111 1111 1111")).Conv.ID
	edit := agentSend(7, conv, "e1", "Please never send card numbers here.")
	mustAppend(t, d, edit)
	ed := agentSend(7, conv, "e2", "Please never send card numbers in chat.")
	ed.Kind, ed.Ref = parley.KindEdit, 2
	mustAppend(t, d, ed)
	if c, _ := d.Conversation(conv); c.LastText != "Please never send card numbers in chat." {
		t.Errorf("an edit of the newest message updates the preview: %q", c.LastText)
	}
	del := agentSend(7, conv, "d1", "")
	del.Kind, del.Ref = parley.KindDelete, 1
	mustAppend(t, d, del)
	ms := frames(t, d, conv, 0, 0)
	if len(ms) != 4 || ms[0].Text != "" || !ms[0].Deleted || ms[3].Kind != parley.KindDelete || ms[3].Ref != 1 {
		t.Fatalf("after deleting 1: %+v", ms)
	}
	for _, tc := range []struct {
		name string
		a    store.Append
		code string
	}{
		{"unknown kind", store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorAgent, ID: 7}, Kind: "poll", Text: "x"}, parley.EInvalid},
		{"visitor note", func() store.Append { a := visitorSend(v, conv, "vn", "x"); a.Kind = parley.KindNote; return a }(), parley.EForbidden},
		{"visitor internal", func() store.Append { a := visitorSend(v, conv, "vi", "x"); a.Internal = true; return a }(), parley.EForbidden},
		{"event without a name", store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorSite}, Kind: parley.KindEvent}, parley.EInvalid},
		{"edit without ref", func() store.Append { a := agentSend(7, conv, "x1", "x"); a.Kind = parley.KindEdit; return a }(), parley.EInvalid},
		{"ref on a message", func() store.Append { a := agentSend(7, conv, "x2", "x"); a.Ref = 1; return a }(), parley.EInvalid},
		{"edit of a missing entry", func() store.Append { a := agentSend(7, conv, "x3", "x"); a.Kind, a.Ref = parley.KindEdit, 99; return a }(), parley.ENotFound},
		{"edit of a deletion", func() store.Append { a := agentSend(7, conv, "x4", "x"); a.Kind, a.Ref = parley.KindEdit, 4; return a }(), parley.EInvalid},
	} {
		_, err := d.Append(testContext(t), tc.a)
		if got := parley.ErrorCode(err); got != tc.code {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
	if c, _ := d.Conversation(conv); c.LastSeq != 4 {
		t.Errorf("refused entries changed the conversation: LastSeq %d, want 4", c.LastSeq)
	}
}

// TestLogOwnEditsAndDeletes: with Own, only the author changes a message,
// within the window; a visitor cannot even name an agents-only entry; a
// deletion erases the text of the message and of its edits.
func TestLogOwnEditsAndDeletes(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	conv := mustAppend(t, d, visitorSend(v, 0, "v1", "the original words")).Conv.ID
	mustAppend(t, d, agentSend(7, conv, "a1", "Hello!"))
	mustAppend(t, d, note(7, conv, "n1", "a note"))
	change := func(a store.Append, kind string, ref uint64, text string) error {
		a.Kind, a.Ref, a.Text, a.Own, a.Within = kind, ref, text, true, time.Hour
		_, err := d.Append(testContext(t), a)
		return err
	}
	if err := change(visitorSend(v, conv, "e1", ""), parley.KindEdit, 1, "the edited words"); err != nil {
		t.Fatalf("the visitor edits their message: %v", err)
	}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"the visitor edits the agent's message", change(visitorSend(v, conv, "e2", ""), parley.KindEdit, 2, "x"), parley.EForbidden},
		{"the visitor names a note", change(visitorSend(v, conv, "e3", ""), parley.KindDelete, 3, ""), parley.ENotFound},
		{"another agent deletes Ann's message", change(agentSend(8, conv, "e4", ""), parley.KindDelete, 2, ""), parley.EForbidden},
	} {
		if got := parley.ErrorCode(tc.err); got != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, tc.err, tc.code)
		}
	}
	if err := change(visitorSend(v, conv, "d1", ""), parley.KindDelete, 1, ""); err != nil {
		t.Fatalf("the visitor deletes their message: %v", err)
	}
	var raw bytes.Buffer
	d.Messages(conv, 0, 0, func(f []byte) error { raw.Write(f); return nil })
	if strings.Contains(raw.String(), "original") || strings.Contains(raw.String(), "edited") {
		t.Errorf("a deleted message's words are still stored:\n%s", raw.String())
	}
	if err := change(visitorSend(v, conv, "e5", ""), parley.KindEdit, 1, "back"); parley.ErrorCode(err) != parley.EConflict {
		t.Errorf("an edit of a deleted message: %v, want conflict", err)
	}
	// Past the window: refused, nothing stored.
	late := agentSend(7, conv, "e6", "")
	late.Kind, late.Ref, late.Text, late.Own, late.Within = parley.KindEdit, 2, "Hi!", true, time.Millisecond
	time.Sleep(5 * time.Millisecond)
	if _, err := d.Append(testContext(t), late); parley.ErrorCode(err) != parley.EConflict {
		t.Errorf("an edit after the window: %v, want conflict", err)
	}
	if c, _ := d.Conversation(conv); c.LastSeq != 5 {
		t.Errorf("LastSeq %d, want 5: the refusals stored nothing", c.LastSeq)
	}
}

// snapshotFile copies the database file as it was at its newest commit:
// what a kill -9 right then would leave behind, every commit in it, and no
// checkpoint since the last one.
func snapshotFile(tb testing.TB, d *store.DB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("crashed-%d.db", snapshots.Add(1)))
	if err := store.Snapshot(d, path); err != nil {
		tb.Fatal(err)
	}
	return path
}

var snapshots atomic.Int64

// dumpConv is everything readers see of one conversation.
func dumpConv(tb testing.TB, d *store.DB, conv uint64) string {
	tb.Helper()
	c, err := d.Conversation(conv)
	if err != nil {
		tb.Fatalf("Conversation(%d): %v", conv, err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%+v\n", c)
	d.Messages(conv, 0, 0, func(f []byte) error { b.Write(f); b.WriteByte('\n'); return nil })
	b.WriteString("visitor:\n")
	d.VisitorMessages(conv, 0, 0, func(f []byte) error { b.Write(f); b.WriteByte('\n'); return nil })
	return b.String()
}

// TestLogReplayAfterCrash: what only the committer's memory held between
// checkpoints — counters, index, dedupe keys — comes back from the log.
func TestLogReplayAfterCrash(t *testing.T) {
	d := openTestDBAt(t, filepath.Join(t.TempDir(), "parley.db"), store.Options{CheckpointEvery: time.Hour, CheckpointEntries: 1 << 30})
	mustCreateSite(t, d, "shop")
	var convs []uint64
	var vs []parley.Visitor
	for i := range 30 {
		v := mustCreateVisitor(t, d, "shop")
		vs = append(vs, v)
		convs = append(convs, mustAppend(t, d, visitorSend(v, 0, fmt.Sprintf("c%d", i), "hi")).Conv.ID)
	}
	write := func(round int) {
		for i, conv := range convs {
			mustAppend(t, d, visitorSend(vs[i], conv, fmt.Sprintf("r%d-%d", round, i), fmt.Sprintf("question %d", round)))
			if i%3 == 0 {
				mustAppend(t, d, note(7, conv, fmt.Sprintf("n%d-%d", round, i), "internal"))
			}
			if i%2 == 0 {
				mustAppend(t, d, agentSend(7, conv, fmt.Sprintf("a%d-%d", round, i), fmt.Sprintf("answer %d", round)))
			}
			if i%4 == 0 {
				last, _ := d.LastSeq(conv)
				if _, err := d.MarkRead(conv, parley.AuthorAgent, last-1); err != nil {
					t.Fatal(err)
				}
				if _, err := d.MarkRead(conv, parley.AuthorVisitor, last); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	write(1)
	if err := d.Checkpoint(testContext(t)); err != nil {
		t.Fatal(err)
	}
	write(2)
	if _, err := d.SetStatus(convs[5], parley.StatusResolved); err != nil { // a record written between checkpoints
		t.Fatal(err)
	}
	write(3) // the visitor's message reopens convs[5]

	crashed := openTestDBAt(t, snapshotFile(t, d), store.Options{})
	for _, conv := range convs {
		if got, want := dumpConv(t, crashed, conv), dumpConv(t, d, conv); got != want {
			t.Fatalf("conversation %d after replay:\n%s\nwant\n%s", conv, got, want)
		}
	}
	// Dedupe keys written only to the log still find resends.
	res := mustAppend(t, crashed, visitorSend(vs[2], convs[2], "r3-2", "question 3"))
	orig := mustAppend(t, d, visitorSend(vs[2], convs[2], "r3-2", "question 3"))
	if !res.Dup || res.Message.Seq != orig.Message.Seq {
		t.Errorf("resend after crash: got dup=%v seq %d, want the original seq %d", res.Dup, res.Message.Seq, orig.Message.Seq)
	}
	// And numbering goes on where it was.
	next := mustAppend(t, crashed, agentSend(7, convs[2], "after", "still here"))
	if last, _ := d.LastSeq(convs[2]); next.Message.Seq != last+1 {
		t.Errorf("first seq after replay: got %d, want %d", next.Message.Seq, last+1)
	}
}

// TestLogReadersAcrossCheckpoints reads conversations while they grow and
// checkpoints come and go: every read is a gap-free prefix that never
// shrinks.
func TestLogReadersAcrossCheckpoints(t *testing.T) {
	d := openTestDBAt(t, filepath.Join(t.TempDir(), "parley.db"), store.Options{NoSync: true, CheckpointEntries: 37})
	mustCreateSite(t, d, "shop")
	const nconv, perConv = 8, 150
	var convs []uint64
	for i := range nconv {
		v := mustCreateVisitor(t, d, "shop")
		convs = append(convs, mustAppend(t, d, visitorSend(v, 0, fmt.Sprintf("c%d", i), "hi")).Conv.ID)
	}
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	var wg sync.WaitGroup
	var done atomic.Int32
	for i, conv := range convs {
		wg.Go(func() {
			defer done.Add(1)
			for j := range perConv {
				a := agentSend(7, conv, fmt.Sprintf("m%d-%d", i, j), "text")
				if j%5 == 0 {
					a.Kind = parley.KindNote
				}
				if _, err := d.Append(ctx, a); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	var reads atomic.Int64
	for r := range 4 {
		wg.Go(func() {
			seen := make(map[uint64]uint64)
			for done.Load() < nconv && ctx.Err() == nil {
				conv := convs[(int(reads.Add(1))+r)%nconv]
				var n uint64
				err := d.Messages(conv, 0, 0, func(b []byte) error {
					f, err := parley.DecodeFrame(b)
					if err != nil {
						return err
					}
					if n++; f.Seq != n {
						return fmt.Errorf("seq %d at position %d", f.Seq, n)
					}
					return nil
				})
				if err != nil {
					t.Errorf("Messages(%d): %v", conv, err)
					return
				}
				if n < seen[conv] {
					t.Errorf("conversation %d shrank from %d to %d entries", conv, seen[conv], n)
					return
				}
				seen[conv] = n
				var prev uint64
				err = d.VisitorMessages(conv, 0, 0, func(b []byte) error {
					f, _ := parley.DecodeFrame(b)
					if f.PrevSeq() != prev {
						return fmt.Errorf("seq %d says prev %d, the visitor's previous was %d", f.Seq, f.PrevSeq(), prev)
					}
					prev = f.Seq
					return nil
				})
				if err != nil {
					t.Errorf("VisitorMessages(%d): %v", conv, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if reads.Load() < nconv {
		t.Errorf("only %d reads ran", reads.Load())
	}
	for _, conv := range convs {
		if last, _ := d.LastSeq(conv); last != perConv+1 {
			t.Errorf("conversation %d: LastSeq %d, want %d", conv, last, perConv+1)
		}
	}
}

// TestLogReplayAfterPartialCheckpoint: a crash while a checkpoint is only
// part done, its steps having written some conversations and not others,
// loses nothing and counts nothing twice.
func TestLogReplayAfterPartialCheckpoint(t *testing.T) {
	d := openTestDBAt(t, filepath.Join(t.TempDir(), "parley.db"), store.Options{NoSync: true, CheckpointEvery: time.Hour, CheckpointEntries: 700})
	const n = 600 // more than a checkpoint step writes
	vs, convs := seedConversations(t, d, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for r := range 3 {
				mustAppend(t, d, agentSend(7, convs[i], fmt.Sprint("a", r), "answer"))
				if _, err := d.MarkRead(convs[i], parley.AuthorVisitor, uint64(r+1)); err != nil {
					t.Error(err)
				}
				mustAppend(t, d, visitorSend(vs[i], convs[i], fmt.Sprint("v", r), "question"))
			}
		})
	}
	// Crashes all along the way, checkpoint steps under way included: each
	// file opens and holds conversations whose counters agree with their
	// entries.
	stop := make(chan struct{})
	var taken []string
	var snap sync.WaitGroup
	snap.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				taken = append(taken, snapshotFile(t, d))
			}
		}
	})
	wg.Wait()
	close(stop)
	snap.Wait()
	for _, path := range taken {
		checkConsistent(t, openTestDBAt(t, path, store.Options{}), convs)
	}

	crashed := openTestDBAt(t, snapshotFile(t, d), store.Options{})
	for i, conv := range convs {
		if got, want := dumpConv(t, crashed, conv), dumpConv(t, d, conv); got != want {
			t.Fatalf("conversation %d after replay:\n%s\nwant\n%s", conv, got, want)
		}
		if i%50 == 0 {
			res := mustAppend(t, crashed, visitorSend(vs[i], conv, "v1", "question"))
			if !res.Dup || res.Message.Seq != 5 {
				t.Errorf("resend after crash: dup %v seq %d, want dup at 5", res.Dup, res.Message.Seq)
			}
		}
	}
}

// TestResendAfterCheckpoint: a resend whose original is already
// checkpointed is found through the index's id hashes, in the newest and
// in an older conversation; a send marked fresh is not looked for there.
func TestResendAfterCheckpoint(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	older := mustAppend(t, d, visitorSend(v, 0, "o-1", "first chat")).Conv.ID
	if _, err := d.SetStatus(older, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	conv := mustAppend(t, d, visitorSend(v, 0, "n-1", "second chat")).Conv.ID
	for i := range 20 {
		mustAppend(t, d, agentSend(7, conv, fmt.Sprint("a-", i), "answer"))
	}
	mustAppend(t, d, visitorSend(v, conv, "n-2", "the newest entry of the newest conversation"))
	if err := d.Checkpoint(testContext(t)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    store.Append
		conv uint64
		seq  uint64
	}{
		{"named conversation, oldest entry", visitorSend(v, conv, "n-1", "second chat"), conv, 1},
		{"named conversation, newest entry", visitorSend(v, conv, "n-2", "x"), conv, 22},
		{"no conversation named: the older one", visitorSend(v, 0, "o-1", "first chat"), older, 1},
		{"agent", agentSend(7, conv, "a-7", "answer"), conv, 9},
	} {
		res := mustAppend(t, d, tc.a)
		if !res.Dup || res.Message.Conv != tc.conv || res.Message.Seq != tc.seq {
			t.Errorf("%s: dup %v at %d/%d, want the original %d/%d", tc.name, res.Dup, res.Message.Conv, res.Message.Seq, tc.conv, tc.seq)
		}
	}
	// The same id from another author is another message.
	other := agentSend(8, conv, "a-7", "answer")
	if res := mustAppend(t, d, other); res.Dup {
		t.Errorf("another agent's a-7 was taken for agent 7's")
	}
	// A fresh send is a first attempt: checkpointed history is not searched,
	// while what is not yet checkpointed still is.
	fresh := visitorSend(v, conv, "n-2", "x")
	fresh.Fresh = true
	if res := mustAppend(t, d, fresh); res.Dup {
		t.Errorf("a fresh send was looked for in checkpointed history")
	}
	again := visitorSend(v, conv, "n-3", "y")
	mustAppend(t, d, again)
	again.Fresh = true
	if res := mustAppend(t, d, again); !res.Dup {
		t.Errorf("a fresh resend of an entry not yet checkpointed was stored twice")
	}
}

// checkConsistent checks that each conversation of d has gap-free entries
// and the counters those entries imply.
func checkConsistent(tb testing.TB, d *store.DB, convs []uint64) {
	tb.Helper()
	for _, conv := range convs {
		c, err := d.Conversation(conv)
		if parley.ErrorCode(err) == parley.ENotFound {
			continue // not created yet at this snapshot
		}
		if err != nil {
			tb.Fatalf("Conversation(%d): %v", conv, err)
		}
		want := parley.Conversation{ID: c.ID, Site: c.Site, Visitor: c.Visitor, VisitorName: c.VisitorName, Status: c.Status, Page: c.Page, Created: c.Created,
			Queued: c.Queued, Resolved: c.Resolved, Reopened: c.Reopened, Tags: c.Tags} // set by the record, not by entries
		for i, m := range frames(tb, d, conv, 0, 0) {
			if m.Seq != uint64(i+1) {
				tb.Fatalf("conversation %d: entry %d has seq %d", conv, i+1, m.Seq)
			}
			want.Advance(m)
		}
		want.VisitorRead = c.VisitorRead // read marks are not entries with a seq
		if !reflect.DeepEqual(c, want) {
			tb.Fatalf("conversation %d:\n got %+v\nwant %+v (from its entries)", conv, c, want)
		}
	}
}
