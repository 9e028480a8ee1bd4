package store_test

import (
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// TestEntries: a follower of the log (the search index) reads every
// conversation entry after a position, in steps, with the positions the
// commit hooks reported, and skips read marks; a deleted entry reads erased.
func TestEntries(t *testing.T) {
	d := openTestDB(t)
	var hooked [2][]uint64
	for i := range hooked {
		d.OnCommit(func(b []store.Committed) {
			for _, c := range b {
				hooked[i] = append(hooked[i], c.Pos)
			}
		})
	}
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	conv := mustAppend(t, d, visitorSend(v, 0, "v1", "secret 1234")).Conv.ID
	mustAppend(t, d, note(7, conv, "n1", "a note"))
	if _, err := d.MarkRead(conv, "agent", 2); err != nil {
		t.Fatal(err)
	}
	del := agentSend(7, conv, "d1", "")
	del.Kind, del.Ref = parley.KindDelete, 1
	mustAppend(t, d, del)

	if len(hooked[0]) != 3 || len(hooked[1]) != 3 {
		t.Fatalf("both hooks see every entry: %v", hooked)
	}
	var got []store.Entry
	after := uint64(0)
	for {
		last, err := d.Entries(after, 2, func(e store.Entry) error { got = append(got, e); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if last == after {
			break
		}
		after = last
	}
	if lp, _ := d.LastPos(); lp != after || lp < 3 {
		t.Errorf("LastPos %d, Entries ended at %d; want the same, at least 3", lp, after)
	}
	if len(got) != 3 {
		t.Fatalf("got %d entries, want 3 (no read mark): %+v", len(got), got)
	}
	for i, e := range got {
		if e.Pos != hooked[0][i] || e.Message.Conv != conv || e.Message.Seq != uint64(i+1) {
			t.Errorf("entry %d: pos %d conv %d seq %d, hook said pos %d", i, e.Pos, e.Message.Conv, e.Message.Seq, hooked[0][i])
		}
	}
	if m := got[0].Message; m.Text != "" || !m.Deleted || m.From.Kind != parley.AuthorVisitor {
		t.Errorf("deleted message: %+v", m)
	}
	if m := got[1].Message; m.Kind != parley.KindNote || !m.Internal || m.Text != "a note" {
		t.Errorf("note: %+v", m)
	}
	if m := got[2].Message; m.Kind != parley.KindDelete || m.Ref != 1 {
		t.Errorf("deletion: %+v", m)
	}
}
