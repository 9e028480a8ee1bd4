package console_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestFAQForm(t *testing.T) {
	if got := strings.Join(console.SplitKeywords(" shipping, ,delivery ,"), "|"); got != "shipping|delivery" {
		t.Errorf("SplitKeywords = %q", got)
	}
	list := []parley.FAQEntry{{ID: "a", Question: "A?", Answer: "a"}, {ID: "b", Question: "B?", Answer: "b"}}
	edited := console.EditFAQ(list, parley.FAQEntry{ID: "b", Question: "B2?", Answer: "b2"})
	if len(edited) != 2 || edited[1].Question != "B2?" || list[1].Question != "B?" {
		t.Errorf("edit: %+v (the original: %+v)", edited, list)
	}
	if added := console.EditFAQ(list, parley.FAQEntry{Question: "C?", Answer: "c"}); len(added) != 3 || added[2].Question != "C?" {
		t.Errorf("add: %+v", added)
	}
	if got := console.FAQStatLine(parley.FAQStat{Shown: 5, Helpful: 2, Asked: 1}); got != "Shown 5 · helpful 2 · then asked a person 1" {
		t.Errorf("FAQStatLine = %q", got)
	}
}
