package web_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// TestEditAndDeleteOwnMessages: each side edits and deletes its own
// messages; the other side hears of it as entries that refer to them;
// nobody changes someone else's; a deleted message's words leave the
// store; bad frames are refused with their id.
func TestEditAndDeleteOwnMessages(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	v, _ := env.newVisitor(t, "shopper")
	ack := v.say(0, "v1", "I ordered the wrong size")
	conv, seq := ack.Conv, ack.Seq

	v.sendFrame(parley.Frame{Type: parley.TypeEdit, ID: "e1", Conv: conv, Ref: seq, Text: "I ordered the wrong colour"})
	v.ack("e1")
	got := ann.until("the edit", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.Kind == parley.KindEdit })
	if got.Ref != seq || got.Text != "I ordered the wrong colour" || got.From == nil || got.From.Kind != parley.AuthorVisitor {
		t.Errorf("the agent got %+v", got)
	}
	a := ann.say(conv, "a1", "Which colour would you like?")
	ann.sendFrame(parley.Frame{Type: parley.TypeEdit, ID: "a2", Conv: conv, Ref: a.Seq, Text: "Which colour would you like instead?"})
	ann.ack("a2")
	if got := v.until("the agent's edit", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "a2" }); got.Kind != parley.KindEdit || got.Ref != a.Seq {
		t.Errorf("the visitor got %+v", got)
	}

	for _, tt := range []struct {
		by   *sockClient
		f    parley.Frame
		code string
	}{
		{ann, parley.Frame{Type: parley.TypeDelete, ID: "x1", Conv: conv, Ref: seq}, parley.EForbidden},
		{v, parley.Frame{Type: parley.TypeEdit, ID: "x2", Conv: conv, Ref: a.Seq, Text: "mine now"}, parley.EForbidden},
		{v, parley.Frame{Type: parley.TypeEdit, ID: "x3", Conv: conv, Text: "no ref"}, parley.EInvalid},
		{v, parley.Frame{Type: parley.TypeDelete, ID: "x4", Conv: conv, Ref: seq, Text: "with text"}, parley.EInvalid},
		{v, parley.Frame{Type: parley.TypeEdit, ID: "x5", Conv: conv, Ref: seq, Text: strings.Repeat("x", 16001)}, parley.ETooLarge},
		{v, parley.Frame{Type: parley.TypeEdit, ID: "x6", Conv: conv, Ref: 999, Text: "x"}, parley.ENotFound},
		{v, parley.Frame{Type: parley.TypeEdit, ID: "", Conv: conv, Ref: seq, Text: "x"}, parley.EInvalid},
	} {
		tt.by.sendFrame(tt.f)
		if e := tt.by.untilError(); e.Code != tt.code || e.ID != tt.f.ID {
			t.Errorf("%s %+v: got %+v, want %s", tt.by.name, tt.f, e, tt.code)
		}
	}
	// Another visitor cannot name this conversation.
	other, _ := env.newVisitor(t, "someone else")
	other.sendFrame(parley.Frame{Type: parley.TypeDelete, ID: "o1", Conv: conv, Ref: seq})
	if e := other.untilError(); e.Code != parley.ENotFound {
		t.Errorf("another visitor's delete: %+v, want not_found", e)
	}

	v.sendFrame(parley.Frame{Type: parley.TypeDelete, ID: "d1", Conv: conv, Ref: seq})
	v.ack("d1")
	if got := ann.until("the deletion", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "d1" }); got.Kind != parley.KindDelete || got.Ref != seq {
		t.Errorf("the agent got %+v", got)
	}
	for _, m := range env.stored(t, conv) {
		if strings.Contains(m.Text, "size") || strings.Contains(m.Text, "colour") && m.From.Kind == parley.AuthorVisitor {
			t.Errorf("the deleted message's words are still stored: %+v", m)
		}
	}

	// A site that allows no changes refuses them.
	site := env.site
	site.EditMinutes = -1
	if err := env.db.PutSite(site); err != nil {
		t.Fatal(err)
	}
	ann.sendFrame(parley.Frame{Type: parley.TypeDelete, ID: "z1", Conv: conv, Ref: a.Seq})
	if e := ann.untilError(); e.Code != parley.EForbidden || e.ID != "z1" {
		t.Errorf("with editing off: %+v, want forbidden", e)
	}
}
