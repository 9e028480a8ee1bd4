package visitor_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

// TestFAQState: suggestions are looked up from three characters, not
// twice for the same text; only the answer to the last lookup counts; a
// sent message clears them.
func TestFAQState(t *testing.T) {
	var s visitor.FAQState
	if _, ok := s.Want("hi "); ok {
		t.Error("two characters looked up")
	}
	if _, ok := s.Want(strings.Repeat("x", parley.MaxFAQQuery+1)); ok {
		t.Error("a text over the limit looked up")
	}
	q, ok := s.Want("  ship ")
	if !ok || q != "ship" {
		t.Fatalf("Want = %q %v", q, ok)
	}
	s.Asked, s.Q = "r1", q
	if _, ok := s.Want("ship"); ok {
		t.Error("the same text looked up again")
	}
	res := []parley.FAQResult{{Entry: "shipping", Question: "Shipping?", Answer: "2 days"}}
	if s.Apply(parley.Frame{Type: parley.TypeFAQ, ID: "old", Results: res}) || len(s.Results) != 0 {
		t.Error("a stale answer was taken")
	}
	if !s.Apply(parley.Frame{Type: parley.TypeFAQ, ID: "r1", Results: res}) || len(s.Results) != 1 {
		t.Errorf("the answer was not taken: %+v", s)
	}
	s.Open = "shipping"
	if _, ok := s.Want("sh"); ok || s.Results != nil || s.Open != "" {
		t.Errorf("erased to two characters: %+v", s)
	}
	s.Results, s.Hidden = res, true
	s.Clear()
	if s.Results != nil || s.Hidden || s.Q != "" {
		t.Errorf("after Clear: %+v", s)
	}
}
