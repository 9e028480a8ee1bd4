package store_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// TestSetTags: tags are written on the conversation's record through the
// committer, survive messages, a resolve and a restart, and a refusal
// changes nothing; canned replies are kept per site, apart from it.
func TestSetTags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	mustCreateSite(t, d, "a")
	v := mustCreateVisitor(t, d, "a")
	conv := mustAppend(t, d, visitorSend(v, 0, "m1", "hello")).Conv.ID

	c, changed, err := d.SetTags(ctx, conv, []string{"VIP", "late"}, nil)
	if err != nil || !changed || fmt.Sprint(c.Tags) != "[late vip]" {
		t.Fatalf("SetTags: %v, %v, %v", c.Tags, changed, err)
	}
	if _, changed, err := d.SetTags(ctx, conv, []string{"vip"}, []string{"absent"}); err != nil || changed {
		t.Errorf("no change: changed %v, %v", changed, err)
	}
	_, _, err = d.SetTags(ctx, conv, []string{"bad!"}, []string{"late"})
	wantCode(t, err, parley.EInvalid)
	_, _, err = d.SetTags(ctx, 999, []string{"vip"}, nil)
	wantCode(t, err, parley.ENotFound)

	mustAppend(t, d, visitorSend(v, conv, "m2", "still there?"))
	if _, err := d.SetStatus(conv, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if err := d.PutCannedReplies("a", []parley.CannedReply{{Shortcut: "hi", Text: "Hi!"}}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, d.PutCannedReplies("nowhere", nil), parley.ENotFound)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d = openTestDBAt(t, path, store.Options{})
	c, err = d.Conversation(conv)
	if err != nil || fmt.Sprint(c.Tags) != "[late vip]" || c.LastSeq != 2 {
		t.Errorf("after a restart: %+v, %v", c, err)
	}
	resolved, _, err := d.ResolvedPage([]string{"a"}, 0, 10, "vip")
	if err != nil || len(resolved) != 1 {
		t.Errorf("resolved, tagged vip: %v, %v", resolved, err)
	}
	if resolved, _, _ := d.ResolvedPage([]string{"a"}, 0, 10, "other"); len(resolved) != 0 {
		t.Errorf("resolved, tagged other: %v", resolved)
	}
	if list, err := d.CannedReplies("a"); err != nil || fmt.Sprint(list) != "[{hi Hi!  0 <nil> []}]" {
		t.Errorf("canned replies after a restart: %v, %v", list, err)
	}
	if site, err := d.Site("a"); err != nil || site.Name == "" {
		t.Errorf("the site: %+v, %v", site, err)
	}
}
