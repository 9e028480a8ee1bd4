package store_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// TestContactNotes: notes about a contact come newest first, only the
// contact's; an edit and a delete go through the caller's check, inside
// the transaction; a contact holds at most MaxNotesPerContact notes.
func TestContactNotes(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	other := mustCreateVisitor(t, d, "shop")

	first, err := d.AddContactNote(parley.ContactNote{Visitor: v.ID, Author: 7, AuthorName: "Ann", Text: "VIP, prefers email"})
	if err != nil || first.ID == 0 || first.Created.IsZero() {
		t.Fatalf("AddContactNote: %+v, %v", first, err)
	}
	second, err := d.AddContactNote(parley.ContactNote{Visitor: v.ID, Author: 8, Text: "Returned order #123 twice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddContactNote(parley.ContactNote{Visitor: other.ID, Author: 7, Text: "someone else"}); err != nil {
		t.Fatal(err)
	}
	_, err = d.AddContactNote(parley.ContactNote{Visitor: 9999, Author: 7, Text: "nobody"})
	wantCode(t, err, parley.ENotFound)

	got, err := d.ContactNotes(v.ID)
	if err != nil || len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID || got[1].AuthorName != "Ann" {
		t.Fatalf("ContactNotes: got %+v, %v; want the second, then the first", got, err)
	}

	refuse := func(parley.ContactNote) error { return parley.Errorf(parley.EForbidden, "no") }
	allow := func(parley.ContactNote) error { return nil }
	_, err = d.EditContactNote(v.ID, first.ID, "changed", refuse)
	wantCode(t, err, parley.EForbidden)
	_, err = d.EditContactNote(other.ID, first.ID, "changed", allow) // the note is not the other's
	wantCode(t, err, parley.ENotFound)
	edited, err := d.EditContactNote(v.ID, first.ID, "VIP, prefers phone", allow)
	if err != nil || edited.Text != "VIP, prefers phone" || edited.Edited == nil || edited.Author != 7 {
		t.Fatalf("EditContactNote: %+v, %v", edited, err)
	}
	_, err = d.DeleteContactNote(v.ID, second.ID, refuse)
	wantCode(t, err, parley.EForbidden)
	if _, err := d.DeleteContactNote(v.ID, second.ID, allow); err != nil {
		t.Fatal(err)
	}
	_, err = d.DeleteContactNote(v.ID, second.ID, allow)
	wantCode(t, err, parley.ENotFound)
	got, _ = d.ContactNotes(v.ID)
	if len(got) != 1 || got[0].Text != "VIP, prefers phone" {
		t.Fatalf("after edit and delete: %+v", got)
	}

	// The bound: MaxNotesPerContact, then a refusal, nothing stored.
	for len(got) < parley.MaxNotesPerContact {
		if _, err := d.AddContactNote(parley.ContactNote{Visitor: v.ID, Author: 7, Text: strings.Repeat("x", 10)}); err != nil {
			t.Fatal(err)
		}
		got = append(got, parley.ContactNote{})
	}
	_, err = d.AddContactNote(parley.ContactNote{Visitor: v.ID, Author: 7, Text: "one too many"})
	wantCode(t, err, parley.ETooLarge)
	if got, _ := d.ContactNotes(v.ID); len(got) != parley.MaxNotesPerContact {
		t.Errorf("%d notes, want %d", len(got), parley.MaxNotesPerContact)
	}
	if got, _ := d.ContactNotes(other.ID); len(got) != 1 {
		t.Errorf("the other visitor has %d notes, want 1", len(got))
	}
}

// TestPutOwnCannedReplies: an agent's private replies are replaced, no
// one else's; the site's bound holds with them.
func TestPutOwnCannedReplies(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	if err := d.PutCannedReplies("shop", []parley.CannedReply{{Shortcut: "hi", Text: "Hello"}, {Shortcut: "me", Text: "A", Agent: 1}, {Shortcut: "me", Text: "B", Agent: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.PutOwnCannedReplies("shop", 2, []parley.CannedReply{{Shortcut: "bye", Text: "Bye", Agent: 2}}); err != nil {
		t.Fatal(err)
	}
	list, _ := d.CannedReplies("shop")
	var got []string
	for _, r := range list {
		got = append(got, r.Shortcut+":"+r.Text)
	}
	if strings.Join(got, " ") != "bye:Bye hi:Hello me:A" {
		t.Errorf("got %v", got)
	}
	full := make([]parley.CannedReply, parley.MaxCannedReplies-1)
	for i := range full {
		full[i] = parley.CannedReply{Shortcut: "s", Text: "x", Team: strings.Repeat("t", i%50+1)}
	}
	if err := d.PutCannedReplies("shop", full); err != nil {
		t.Fatal(err)
	}
	_, err := d.PutOwnCannedReplies("shop", 2, []parley.CannedReply{{Shortcut: "a", Text: "a", Agent: 2}, {Shortcut: "b", Text: "b", Agent: 2}})
	wantCode(t, err, parley.ETooLarge)
	_, err = d.PutOwnCannedReplies("nowhere", 2, nil)
	wantCode(t, err, parley.ENotFound)
	if list, _ := d.CannedReplies("shop"); len(list) != parley.MaxCannedReplies-1 {
		t.Errorf("after the refusal: %d replies", len(list))
	}
}
