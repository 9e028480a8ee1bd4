package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func testFile(n int) parley.File {
	sum := sha256.Sum256(fmt.Appendf(nil, "file %d", n))
	return parley.File{ID: hex.EncodeToString(sum[:]), Name: fmt.Sprintf("f%d.png", n), Type: "image/png", Size: 10, Width: 2, Height: 1}
}

func TestFilesAttachOnlyToTheirConversation(t *testing.T) {
	d := openTestDB(t)
	ctx := testContext(t)
	mustCreateSite(t, d, "shop")
	v1, v2 := mustCreateVisitor(t, d, "shop"), mustCreateVisitor(t, d, "shop")
	c1 := mustAppend(t, d, visitorSend(v1, 0, "a1", "hello")).Message.Conv
	c2 := mustAppend(t, d, visitorSend(v2, 0, "b1", "hello")).Message.Conv

	f := testFile(1)
	by := parley.Author{Kind: parley.AuthorVisitor, ID: v1.ID}
	// v2 cannot upload to v1's conversation.
	_, err := d.AddFile(ctx, store.NewFile{Conv: c1, Site: "shop", Visitor: v2.ID, By: by, File: f})
	wantCode(t, err, parley.ENotFound)
	got, err := d.AddFile(ctx, store.NewFile{Conv: c1, Site: "shop", Visitor: v1.ID, By: by, File: f})
	if err != nil || got != f {
		t.Fatalf("AddFile: got %+v, %v; want %+v", got, err, f)
	}
	// A sender's claims about the file do not count: the record does.
	a := visitorSend(v1, c1, "a2", "")
	a.Files = []string{f.ID}
	m := mustAppend(t, d, a).Message
	if len(m.Files) != 1 || m.Files[0] != f {
		t.Fatalf("message files: got %+v, want [%+v]", m.Files, f)
	}
	if msgs := frames(t, d, c1, 0, 10); len(msgs[len(msgs)-1].Files) != 1 {
		t.Fatalf("stored frame lost its files: %+v", msgs[len(msgs)-1])
	}
	// v2 may not attach v1's file to their own conversation.
	a = visitorSend(v2, c2, "b2", "")
	a.Files = []string{f.ID}
	_, err = d.Append(ctx, a)
	wantCode(t, err, parley.EInvalid)
	if _, err := d.File(c2, f.ID); parley.ErrorCode(err) != parley.ENotFound {
		t.Fatalf("File(c2): got %v, want not found", err)
	}
	if got, err := d.File(c1, f.ID); err != nil || got != f {
		t.Fatalf("File(c1): got %+v, %v", got, err)
	}
	// A deletion takes the files off the message with its text.
	del := visitorSend(v1, c1, "a3", "")
	del.Kind, del.Ref, del.Own = parley.KindDelete, m.Seq, true
	mustAppend(t, d, del)
	for _, ms := range frames(t, d, c1, 0, 10) {
		if ms.Seq == m.Seq && (len(ms.Files) != 0 || !ms.Deleted) {
			t.Errorf("deleted message still carries %+v", ms.Files)
		}
	}
	// A note carries no files.
	a = agentSend(1, c1, "n1", "note")
	a.Kind, a.Files = parley.KindNote, []string{f.ID}
	_, err = d.Append(ctx, a)
	wantCode(t, err, parley.EInvalid)
}

func TestFilesPerConversationBudget(t *testing.T) {
	d := openTestDB(t)
	ctx := testContext(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	c := mustAppend(t, d, visitorSend(v, 0, "a1", "hello")).Message.Conv
	by := parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}
	for i := range parley.MaxFilesPerConversation {
		if _, err := d.AddFile(ctx, store.NewFile{Conv: c, By: by, File: testFile(i)}); err != nil {
			t.Fatalf("AddFile %d: %v", i, err)
		}
	}
	// The same bytes again are the same file: no cost.
	if _, err := d.AddFile(ctx, store.NewFile{Conv: c, By: by, File: testFile(0)}); err != nil {
		t.Fatalf("AddFile of a known file: %v", err)
	}
	_, err := d.AddFile(ctx, store.NewFile{Conv: c, By: by, File: testFile(999)})
	wantCode(t, err, parley.ETooLarge)
}

// TestSweepFilesOrphans: an upload no message carries is removed once old
// enough, a sent one stays, and the sweep names the bytes still recorded.
func TestSweepFilesOrphans(t *testing.T) {
	d := openTestDB(t)
	ctx := testContext(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	c := mustAppend(t, d, visitorSend(v, 0, "a1", "hello")).Message.Conv
	by := parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}
	sent, orphan := testFile(1), testFile(2)
	for _, f := range []parley.File{sent, orphan} {
		if _, err := d.AddFile(ctx, store.NewFile{Conv: c, By: by, File: f}); err != nil {
			t.Fatal(err)
		}
	}
	a := visitorSend(v, c, "a2", "")
	a.Files = []string{sent.ID}
	mustAppend(t, d, a)

	// Not old enough: both stay.
	keep, err := d.SweepFiles(ctx, time.Now().Add(-24*time.Hour))
	if err != nil || !keep[sent.ID] || !keep[orphan.ID] {
		t.Fatalf("young sweep: %v, %v; want both kept", keep, err)
	}
	// Old enough: the orphan goes, the sent file stays.
	keep, err = d.SweepFiles(ctx, time.Now().Add(time.Hour))
	if err != nil || !keep[sent.ID] || keep[orphan.ID] {
		t.Fatalf("old sweep: %v, %v; want the sent file only", keep, err)
	}
	if _, err := d.File(c, orphan.ID); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("the orphan's record: %v, want not found", err)
	}
	if _, err := d.File(c, sent.ID); err != nil {
		t.Errorf("the sent file's record: %v", err)
	}
}
