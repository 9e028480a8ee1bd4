package store_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/server/store"
)

// TestBlocks: blocks are kept by site, replaced by key, swept when
// expired, and lifted per visitor with their address block.
func TestBlocks(t *testing.T) {
	d := openTestDB(t)
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	hour := t0.Add(time.Hour)
	put := func(now time.Time, bs ...store.Block) {
		t.Helper()
		if err := d.PutBlocks(now, bs...); err != nil {
			t.Fatalf("PutBlocks: %v", err)
		}
	}
	put(t0,
		store.Block{Site: "shop", Visitor: 7, Until: hour, By: 1, At: t0},
		store.Block{Site: "shop", Visitor: 7, Address: "203.0.113.7/32", Until: hour, By: 1, At: t0},
		store.Block{Site: "shop", Visitor: 8, Until: t0.Add(time.Minute), By: 1, At: t0},
		store.Block{Site: "shop2", Visitor: 9, Until: hour, By: 1, At: t0},
	)
	// Same key: replaced, not added.
	put(t0, store.Block{Site: "shop", Visitor: 7, Until: hour, Reason: "spam", By: 2, At: t0})
	if got, _ := d.Blocks("shop"); len(got) != 3 {
		t.Errorf("shop's blocks: got %d %+v, want 3", len(got), got)
	}
	if got, _ := d.Blocks(""); len(got) != 4 {
		t.Errorf("all blocks: got %d, want 4", len(got))
	}
	// A write after visitor 8's block expired sweeps it.
	put(t0.Add(2*time.Minute), store.Block{Site: "shop", Visitor: 10, Until: hour, By: 1, At: t0})
	got, _ := d.Blocks("shop")
	for _, b := range got {
		if b.Visitor == 8 {
			t.Errorf("expired block kept: %+v", b)
		}
	}
	gone, err := d.DeleteVisitorBlocks("shop", 7)
	if err != nil || len(gone) != 2 {
		t.Errorf("DeleteVisitorBlocks(7): %d %v, want both of visitor 7's blocks", len(gone), err)
	}
	if got, _ := d.Blocks("shop"); len(got) != 1 || got[0].Visitor != 10 {
		t.Errorf("after lifting visitor 7: %+v, want visitor 10's alone", got)
	}
	if got, _ := d.Blocks("shop2"); len(got) != 1 {
		t.Errorf("another site's blocks: %+v, want untouched", got)
	}
	wantCode(t, d.PutBlocks(t0, store.Block{Site: "shop"}), "invalid")
}
