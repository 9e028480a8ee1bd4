package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// TestSocketNote: an agent's send of kind note is stored as an agents-only
// entry and acked like a message; the visitor never receives it — live,
// in a replay, in a transcript — and their stream shows no gap where it
// sits. Visitors may not write one, nor an agent of another site; a note
// leaves a queued chat in its queue.
func TestSocketNote(t *testing.T) {
	env, box, _ := newMailEnv(t)
	ann, _ := env.newAgent(t, "ann", 0)
	v, w := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "Is the Ethiopian blend in stock?").Conv // 1
	ann.msgs(conv, 1)

	secret := "supplier is late, do not promise a date"
	note := parley.Frame{Type: parley.TypeSend, ID: "n-1", Conv: conv, Kind: parley.KindNote, Text: secret}
	ann.sendFrame(note)
	if ack := ann.ack("n-1"); ack.Seq != 2 || ack.Dup {
		t.Fatalf("note's ack %+v, want seq 2", ack)
	}
	if c, err := env.db.Conversation(conv); err != nil || c.Status != parley.StatusQueued || c.Assignee != 0 {
		t.Errorf("after a note: %+v, %v; want it still queued, unassigned", c, err)
	}
	// A resend is the same note.
	ann.sendFrame(note)
	if ack := ann.ack("n-1"); ack.Seq != 2 || !ack.Dup {
		t.Errorf("note's resend acked %+v, want seq 2, dup", ack)
	}

	// Refused: a visitor's note, and a note by an agent of another site.
	cy, _ := env.newAgent(t, "cy", 2)
	for _, tt := range []struct {
		by   *sockClient
		code string
	}{{v, parley.EForbidden}, {cy, parley.ENotFound}} {
		f := parley.Frame{Type: parley.TypeSend, ID: "x-" + tt.by.name, Conv: conv, Kind: parley.KindNote, Text: "sneaky"}
		tt.by.sendFrame(f)
		if e := tt.by.untilError(); e.Code != tt.code || e.ID != f.ID {
			t.Errorf("%s's note: got %+v, want %s", tt.by.name, e, tt.code)
		}
	}

	ann.say(conv, "a-1", "Yes: it ships today.") // 3 (the claim) and 4
	ann.sendFrame(parley.Frame{Type: parley.TypeSend, ID: "n-2", Conv: conv, Kind: parley.KindNote, Text: secret})
	ann.ack("n-2") // 5: the newest entry is agents-only
	got := v.msgs(conv, 3)
	if got[1].Seq != 3 || got[1].Event != parley.EventAssigned || got[2].Seq != 4 || got[2].PrevSeq() != 3 {
		t.Errorf("visitor got %+v, want the assignment at 3, then 4 after 3", got[1:])
	}
	if ack := v.say(conv, "v-2", "Great"); ack.Seq != 6 || ack.PrevSeq() != 4 {
		t.Errorf("visitor's ack seq %d prev %d, want 6 after 4", ack.Seq, ack.PrevSeq())
	}
	if all := env.stored(t, conv); len(all) != 6 || all[1].Kind != parley.KindNote || !all[1].Internal || all[1].Text != secret {
		t.Errorf("stored %+v", all)
	}

	// A reconnecting visitor's replay follows on without a gap.
	v.ws.Close(websocket.StatusNormalClosure, "")
	back := env.dial(t, "visitor back", nil)
	back.visitorHello(env.site.ID, w.Token, parley.ResumeFrom{Conv: conv})
	var replay []uint64
	var prev uint64
	for {
		f := back.next()
		if f.Type == parley.TypeSynced {
			break
		}
		if f.Type != parley.TypeMsg || f.PrevSeq() != prev {
			t.Fatalf("replay frame %+v: want a msg following %d", f, prev)
		}
		prev = f.Seq
		replay = append(replay, f.Seq)
	}
	if fmt.Sprint(replay) != "[1 3 4 6]" {
		t.Errorf("visitor's replay %v, want [1 3 4 6]", replay)
	}

	// The transcript leaves notes out.
	back.sendFrame(parley.Frame{Type: parley.TypeTranscript, ID: "t1", Conv: conv, Email: "kim@example.com"})
	waitMails(t, box, 1)
	if m := box.Mails()[0]; strings.Contains(m.Text, secret) || strings.Contains(m.HTML, secret) || !strings.Contains(m.Text, "Yes: it ships today.") {
		t.Errorf("the transcript:\n%s", m.Text)
	}
	for _, f := range append(back.seen, v.seen...) {
		if f.Internal || f.Kind == parley.KindNote || f.Text == secret || (f.Conversation != nil && f.Conversation.LastText == secret) {
			t.Errorf("the visitor received a note: %+v", f)
		}
	}
}
