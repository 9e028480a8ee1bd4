package web

import (
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// TestDeliveredMarksBounded: the marks hold at most two generations; a
// conversation whose mark moves keeps it across generations, and one
// left quiet is forgotten, not kept forever.
func TestDeliveredMarksBounded(t *testing.T) {
	d := deliveredMarks{max: 10}
	d.move(1, parley.AuthorVisitor, 5, 0)
	d.move(2, parley.AuthorAgent, 7, 6)
	for conv := uint64(100); conv < 1000; conv++ {
		d.move(conv, parley.AuthorVisitor, 1, 0)
		if conv%5 == 0 {
			d.move(1, parley.AuthorVisitor, 5, 0) // active: kept
		}
		if n := d.size(); n > 2*10 {
			t.Fatalf("after conversation %d: %d conversations have marks, want at most 20", conv, n)
		}
	}
	convs := []parley.Conversation{{ID: 1}, {ID: 2}, {ID: 999}}
	d.fill(convs, false)
	if convs[0].VisitorDelivered != 5 {
		t.Errorf("the active conversation's mark: %d, want 5", convs[0].VisitorDelivered)
	}
	if convs[1].AgentDelivered != 0 {
		t.Errorf("the quiet conversation's mark: %d, want it forgotten", convs[1].AgentDelivered)
	}
	if convs[2].VisitorDelivered != 1 {
		t.Errorf("the newest conversation's mark: %d, want 1", convs[2].VisitorDelivered)
	}
	// A mark read from the older generation moves on from where it was.
	before, _ := d.move(1, parley.AuthorVisitor, 4, 0)
	if before != 5 {
		t.Errorf("before = %d, want 5", before)
	}
}

// size is how many conversations have marks.
func (d *deliveredMarks) size() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.cur) + len(d.old)
}
