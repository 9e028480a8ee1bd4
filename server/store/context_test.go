package store_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// TestUpdateContext: updates merge, refused ones store nothing, pages
// come from SetPage, and all of it survives a reopen.
func TestUpdateContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")

	ch, err2 := d.UpdateContext(v.ID, parley.ContextUpdate{
		Attributes: map[string]string{"plan": "gold"},
		Cart:       &parley.Cart{Items: []parley.CartItem{{Name: "Mug", Qty: 2, Price: "9.50"}}, Total: "19.00", Currency: "EUR"},
		Track:      []parley.TrackedEvent{{Name: "Viewed", Props: map[string]string{"sku": "M"}}},
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		Language:   "de-CH",
	})
	if err2 != nil || !ch.Changed || ch.Chatted || ch.Visitor.ID != v.ID {
		t.Fatalf("UpdateContext: %+v, %v", ch, err2)
	}
	ctx := ch.Context
	if ctx.Attributes["plan"] != "gold" || ctx.Cart == nil || len(ctx.Events) != 1 || ctx.Browser != "Firefox 133" || ctx.Language != "de-CH" {
		t.Errorf("context %+v", ctx)
	}
	if ch, err := d.UpdateContext(v.ID, parley.ContextUpdate{Attributes: map[string]string{"plan": "gold"}}); err != nil || ch.Changed {
		t.Errorf("the same attribute again: %+v, %v", ch, err)
	}

	// Refused: nothing stored, not even the valid parts.
	_, err = d.UpdateContext(v.ID, parley.ContextUpdate{
		Attributes: map[string]string{"plan": "silver"},
		Cart:       &parley.Cart{Items: []parley.CartItem{{Name: "Mug", Qty: -1}}},
	})
	wantCode(t, err, parley.EInvalid)
	many := map[string]string{}
	for i := range parley.MaxAttributes {
		many[fmt.Sprint("k", i)] = "v"
	}
	_, err = d.UpdateContext(v.ID, parley.ContextUpdate{Attributes: many})
	wantCode(t, err, parley.ETooLarge)
	_, err = d.UpdateContext(999, parley.ContextUpdate{Attributes: map[string]string{"a": "b"}})
	wantCode(t, err, parley.ENotFound)

	// Without a conversation, nobody looks: no context comes back.
	if _, c, err := d.SetPage(v.ID, parley.Page{URL: "https://shop.example/first"}); err != nil || c != nil {
		t.Fatalf("SetPage before any conversation: context %v, %v", c, err)
	}
	mustAppend(t, d, visitorSend(v, 0, "m-1", "hello"))
	if ch, err := d.UpdateContext(v.ID, parley.ContextUpdate{Language: "en"}); err != nil || !ch.Chatted {
		t.Errorf("after a conversation: %+v, %v; want chatted", ch, err)
	}
	for i := range parley.MaxContextPages + 2 {
		p := parley.Page{URL: fmt.Sprint("https://shop.example/p", i)}
		if _, c, err := d.SetPage(v.ID, p); err != nil || c == nil {
			t.Fatalf("SetPage %d: context %v, %v", i, c, err)
		}
		if _, c, err := d.SetPage(v.ID, p); err != nil || c != nil {
			t.Fatalf("SetPage %d again: context %v, %v", i, c, err)
		}
	}

	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d = openTestDBAt(t, path, store.Options{})
	_, ctx, err = d.VisitorWithContext(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Attributes["plan"] != "gold" || len(ctx.Attributes) != 1 || ctx.Cart == nil || ctx.Cart.Items[0].Qty != 2 || len(ctx.Events) != 1 {
		t.Errorf("after reopen: %+v", ctx)
	}
	if len(ctx.Pages) != parley.MaxContextPages || ctx.Pages[len(ctx.Pages)-1].URL != "https://shop.example/p21" || ctx.Pages[0].At.IsZero() {
		t.Errorf("after reopen: %d pages, last %+v", len(ctx.Pages), ctx.Pages[len(ctx.Pages)-1])
	}
}
