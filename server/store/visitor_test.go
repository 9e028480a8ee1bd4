package store_test

import (
	"fmt"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestVisitors(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	mustCreateSite(t, d, "other")

	hash := randomHash(t)
	v, err := d.CreateVisitor("shop", hash)
	if err != nil {
		t.Fatalf("CreateVisitor: %v", err)
	}
	if v.ID == 0 || v.Site != "shop" || v.Name != fmt.Sprintf("Visitor %d", v.ID) || v.Created.IsZero() {
		t.Errorf("CreateVisitor: got %+v", v)
	}
	w := mustCreateVisitor(t, d, "shop")
	if w.ID == v.ID {
		t.Errorf("two visitors share id %d", v.ID)
	}

	_, err = d.CreateVisitor("shop", hash)
	wantCode(t, err, parley.EConflict)
	_, err = d.CreateVisitor("nowhere", randomHash(t))
	wantCode(t, err, parley.ENotFound)

	got, err := d.VisitorByToken("shop", hash)
	if err != nil {
		t.Fatalf("VisitorByToken: %v", err)
	}
	if got != v {
		t.Errorf("VisitorByToken: got %+v, want %+v", got, v)
	}
	// A token is bound to its site.
	_, err = d.VisitorByToken("other", hash)
	wantCode(t, err, parley.ENotFound)
	_, err = d.VisitorByToken("shop", randomHash(t))
	wantCode(t, err, parley.ENotFound)

	if got, err := d.Visitor(v.ID); err != nil || got != v {
		t.Errorf("Visitor: got %+v, %v; want %+v", got, err, v)
	}
	_, err = d.Visitor(999)
	wantCode(t, err, parley.ENotFound)
}

func TestSetPage(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	home := parley.Page{URL: "https://shop.example/", Title: "Home"}
	changed, _, err := d.SetPage(v.ID, home)
	if err != nil {
		t.Fatalf("SetPage: %v", err)
	}
	if len(changed) != 0 {
		t.Errorf("SetPage without conversations changed %d", len(changed))
	}

	// A new conversation starts on the remembered page.
	first := mustAppend(t, d, visitorSend(v, 0, "m1", "hello"))
	if first.Conv.Page != home {
		t.Errorf("new conversation page: got %+v, want %+v", first.Conv.Page, home)
	}

	cart := parley.Page{URL: "https://shop.example/cart", Title: "Cart"}
	changed, _, err = d.SetPage(v.ID, cart)
	if err != nil {
		t.Fatalf("SetPage: %v", err)
	}
	if len(changed) != 1 || changed[0].ID != first.Conv.ID || changed[0].Page != cart {
		t.Fatalf("SetPage changed: got %+v, want conversation %d on %+v", changed, first.Conv.ID, cart)
	}
	if c, _ := d.Conversation(first.Conv.ID); c.Page != cart {
		t.Errorf("stored page: got %+v, want %+v", c.Page, cart)
	}
	// The same page again changes nothing.
	if changed, _, _ := d.SetPage(v.ID, cart); len(changed) != 0 {
		t.Errorf("SetPage to the same page changed %d conversations", len(changed))
	}

	// A resolved conversation keeps the page it ended on.
	if _, err := d.SetStatus(first.Conv.ID, parley.StatusResolved); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	if changed, _, _ := d.SetPage(v.ID, home); len(changed) != 0 {
		t.Errorf("SetPage changed a resolved conversation: %+v", changed)
	}

	// An explicit page wins over the remembered one.
	product := parley.Page{URL: "https://shop.example/p/1"}
	a := visitorSend(v, 0, "m2", "new question")
	a.Page = product
	second := mustAppend(t, d, a)
	if second.Conv.ID == first.Conv.ID || second.Conv.Page != product {
		t.Errorf("second conversation: got %d on %+v, want a new one on %+v", second.Conv.ID, second.Conv.Page, product)
	}

	_, _, err = d.SetPage(999, home)
	wantCode(t, err, parley.ENotFound)
}
