package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func noteIDs(st *console.VisitorState) string {
	var ids []string
	for _, n := range st.Details.Notes {
		ids = append(ids, fmt.Sprintf("%d:%s", n.ID, n.Text))
	}
	return strings.Join(ids, " ")
}

// TestDeskContactNotes: contact_note frames update the notes of a
// visitor the agent has read, newest first, the same frame twice changing
// nothing; those of a visitor never opened are ignored.
func TestDeskContactNotes(t *testing.T) {
	d := console.NewDesk()
	if !d.WantVisitor(30) || d.WantVisitor(30) {
		t.Fatal("WantVisitor: want true once")
	}
	d.SetVisitor(30, console.VisitorDetails{Visitor: parley.Visitor{ID: 30, Site: "shop"},
		Notes: []parley.ContactNote{{ID: 4, Visitor: 30, Text: "four"}, {ID: 2, Visitor: 30, Text: "two"}}}, nil)
	st := d.VisitorState(30)
	note := func(n parley.ContactNote) parley.Frame {
		return parley.Frame{Type: parley.TypeContactNote, ContactNote: &n}
	}
	for _, tt := range []struct {
		f    parley.Frame
		want string
	}{
		{note(parley.ContactNote{ID: 7, Visitor: 30, Text: "seven"}), "7:seven 4:four 2:two"},
		{note(parley.ContactNote{ID: 7, Visitor: 30, Text: "seven"}), "7:seven 4:four 2:two"},
		{note(parley.ContactNote{ID: 3, Visitor: 30, Text: "three"}), "7:seven 4:four 3:three 2:two"},
		{note(parley.ContactNote{ID: 4, Visitor: 30, Text: "FOUR", Edited: &t0}), "7:seven 4:FOUR 3:three 2:two"},
		{note(parley.ContactNote{ID: 7, Visitor: 30, Deleted: true}), "4:FOUR 3:three 2:two"},
		{note(parley.ContactNote{ID: 9, Visitor: 31, Text: "another visitor's"}), "4:FOUR 3:three 2:two"},
	} {
		d.Apply(tt.f, t0)
		if got := noteIDs(st); got != tt.want {
			t.Errorf("after %+v: %s, want %s", *tt.f.ContactNote, got, tt.want)
		}
	}
	if d.VisitorState(31) != nil {
		t.Error("a note of a visitor never opened made a state")
	}
	// Deleting the note being edited closes the edit.
	st.EditID, st.EditDraft = 3, "draft"
	d.Apply(note(parley.ContactNote{ID: 3, Visitor: 30, Deleted: true}), t0)
	if st.EditID != 0 || st.EditDraft != "" {
		t.Errorf("edit still open on a deleted note: %d %q", st.EditID, st.EditDraft)
	}
}

// TestContextPanelNotes: notes show newest first with their author and
// time, as text; an agent may edit and delete its own, an owner or admin
// delete the others' too, a plain agent only read them.
func TestContextPanelNotes(t *testing.T) {
	st := &console.VisitorState{Loaded: true, Details: console.VisitorDetails{
		Visitor: parley.Visitor{ID: 30, Name: "Vera"},
		Notes: []parley.ContactNote{
			{ID: 5, Visitor: 30, Author: 2, AuthorName: "Bob", Text: "<b>Returned</b> order #123 twice", Created: t0.Add(-time.Hour)},
			{ID: 1, Visitor: 30, Author: 1, AuthorName: "Ann", Text: "VIP, prefers email", Created: t0.Add(-48 * time.Hour), Edited: &t0},
		},
	}}
	panel := func(me uint64, manage bool) string {
		p := &console.ContextPanel{Now: t0, Conv: parley.Conversation{ID: 7}, State: st, Me: me, Manage: manage,
			OnAddNote:    func(app.Context, uint64, string) {},
			OnEditNote:   func(app.Context, uint64, uint64, string) {},
			OnDeleteNote: func(app.Context, uint64, uint64) {}}
		load(t, p)
		return app.HTMLString(p)
	}
	html := panel(2, false)
	bob, ann := strings.Index(html, `data-note="5"`), strings.Index(html, `data-note="1"`)
	if bob < 0 || ann < bob {
		t.Fatalf("want Bob's newer note first:\n%s", html)
	}
	for _, want := range []string{"Bob (you)", "&lt;b&gt;Returned&lt;/b&gt; order #123 twice", "Ann", "edited", `id="note-form"`} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in\n%s", want, html)
		}
	}
	if got := strings.Count(html, "note-edit-open"); got != 1 || !strings.Contains(html[bob:ann], "note-edit-open") {
		t.Errorf("Bob gets %d Edit buttons, want one, on his note", got)
	}
	if got := strings.Count(html, `class="note-delete"`); got != 1 {
		t.Errorf("Bob, a plain agent, gets %d Delete buttons, want 1", got)
	}
	if html := panel(1, true); strings.Count(html, `class="note-delete"`) != 2 || strings.Count(html, "note-edit-open") != 1 {
		t.Errorf("the owner Ann: want 2 Delete and 1 Edit button:\n%s", html)
	}
	st.EditID, st.EditDraft = 1, "VIP"
	if html := panel(1, true); !strings.Contains(html, `id="note-edit"`) || !strings.Contains(html, "note-save") {
		t.Errorf("editing: no edit box:\n%s", html)
	}
}

// TestDeskLearnsVisitorOfPastConversation: a resolved conversation opened
// by its URL is in no inbox; its visitor's first message names them, so
// its panel (and the contact's notes) can load after a reload.
func TestDeskLearnsVisitorOfPastConversation(t *testing.T) {
	d := console.NewDesk()
	if d.VisitorOf(9) != 0 {
		t.Fatal("a conversation never seen has a visitor")
	}
	d.Apply(parley.Frame{Type: parley.TypeMsg, Conv: 9, Seq: 1, Kind: parley.KindEvent, Event: parley.EventAssigned,
		From: &parley.Author{Kind: parley.AuthorSite}}, t0)
	if d.VisitorOf(9) != 0 {
		t.Error("an event named the visitor")
	}
	d.Apply(parley.Frame{Type: parley.TypeMsg, Conv: 9, Seq: 2, Kind: parley.KindMessage, Text: "hi",
		From: &parley.Author{Kind: parley.AuthorVisitor, ID: 30}}, t0)
	if got := d.VisitorOf(9); got != 30 {
		t.Errorf("VisitorOf(9) = %d, want 30", got)
	}
}
