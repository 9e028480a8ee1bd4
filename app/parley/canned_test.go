package parley_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestFillCanned(t *testing.T) {
	vars := parley.CannedVars{Contact: "Kim", Agent: "Ann", Site: "Coffee Shop"}
	for _, tt := range []struct {
		text string
		vars parley.CannedVars
		want string
	}{
		{"Hi {{contact.name}}, I'm {{agent.name}} from {{site.name}}.", vars, "Hi Kim, I'm Ann from Coffee Shop."},
		{"Hi {{ contact.name }}!", vars, "Hi Kim!"},
		{"Hi {{contact.name}}!", parley.CannedVars{Agent: "Ann"}, "Hi there!"},
		{"Hi {{contact.name}}!", parley.CannedVars{Contact: "  "}, "Hi there!"},
		{"Keep {{order.id}} and {{", vars, "Keep {{order.id}} and {{"},
		{"no variables", vars, "no variables"},
		{"{{agent.name}}{{agent.name}}", vars, "AnnAnn"},
		// A value is not expanded again.
		{"Hi {{contact.name}}", parley.CannedVars{Contact: "{{agent.name}}", Agent: "Ann"}, "Hi {{agent.name}}"},
	} {
		if got := parley.FillCanned(tt.text, tt.vars); got != tt.want {
			t.Errorf("FillCanned(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestMatchCanned(t *testing.T) {
	list := []parley.CannedReply{
		{Shortcut: "thanks", Text: "site"},
		{Shortcut: "return-policy", Text: "r"},
		{Shortcut: "refund", Text: "f"},
		{Shortcut: "thanks", Text: "mine", Agent: 7},
		{Shortcut: "thanks", Text: "team", Team: "sales"},
		{Shortcut: "no-returns", Text: "n"},
	}
	for _, tt := range []struct{ q, want string }{
		{"", "[no-returns refund return-policy thanks:mine thanks:team thanks:site]"},
		{"re", "[refund return-policy no-returns]"},
		{"ret", "[return-policy no-returns]"},
		{"RET", "[return-policy no-returns]"},
		{"thanks", "[thanks:mine thanks:team thanks:site]"},
		{"xyz", "[]"},
	} {
		var got []string
		for _, r := range parley.MatchCanned(list, tt.q) {
			s := r.Shortcut
			if s == "thanks" {
				s += ":" + r.Text
			}
			got = append(got, s)
		}
		if g := fmt.Sprint(got); g != tt.want {
			t.Errorf("MatchCanned(%q) = %s, want %s", tt.q, g, tt.want)
		}
	}
}

func TestCannedFor(t *testing.T) {
	list := []parley.CannedReply{
		{Shortcut: "a", Text: "site"},
		{Shortcut: "b", Text: "sales", Team: "sales"},
		{Shortcut: "c", Text: "ann's", Agent: 1},
		{Shortcut: "d", Text: "bob's", Agent: 2},
	}
	teams := []parley.Team{{ID: "sales", Members: []uint64{1}}}
	var got []string
	for _, r := range parley.CannedFor(list, 1, teams) {
		got = append(got, r.Shortcut)
	}
	if fmt.Sprint(got) != "[a b c]" {
		t.Errorf("Ann's: %v, want [a b c]", got)
	}
	got = nil
	for _, r := range parley.CannedFor(list, 2, teams) {
		got = append(got, r.Shortcut)
	}
	if fmt.Sprint(got) != "[a d]" {
		t.Errorf("Bob's: %v, want [a d]", got)
	}
}

func TestCheckCannedReplies(t *testing.T) {
	hasTeam := func(id string) bool { return id == "sales" }
	isMember := func(id uint64) bool { return id == 1 }
	got, err := parley.CheckCannedReplies([]parley.CannedReply{
		{Shortcut: " /Thanks ", Text: "  Thank you!  "},
		{Shortcut: "bye", Text: "Bye", Team: "sales"},
		{Shortcut: "thanks", Text: "Mine", Agent: 1},
	}, hasTeam, isMember)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[{bye Bye sales 0 <nil> []} {thanks Thank you!  0 <nil> []} {thanks Mine  1 <nil> []}]" {
		t.Errorf("normalised: %v", got)
	}
	many := make([]parley.CannedReply, parley.MaxCannedReplies+1)
	for i := range many {
		many[i] = parley.CannedReply{Shortcut: fmt.Sprint("s", i), Text: "x"}
	}
	for _, tt := range []struct {
		name string
		list []parley.CannedReply
		code string
	}{
		{"no shortcut", []parley.CannedReply{{Text: "x"}}, parley.EInvalid},
		{"a space", []parley.CannedReply{{Shortcut: "good bye", Text: "x"}}, parley.EInvalid},
		{"an underscore", []parley.CannedReply{{Shortcut: "good_bye", Text: "x"}}, parley.EInvalid},
		{"too long", []parley.CannedReply{{Shortcut: strings.Repeat("a", parley.MaxShortcut+1), Text: "x"}}, parley.ETooLarge},
		{"no text", []parley.CannedReply{{Shortcut: "a", Text: "  "}}, parley.EInvalid},
		{"text too long", []parley.CannedReply{{Shortcut: "a", Text: strings.Repeat("é", parley.DefaultLimits.MaxTextRunes+1)}}, parley.ETooLarge},
		{"twice", []parley.CannedReply{{Shortcut: "a", Text: "x"}, {Shortcut: "A", Text: "y"}}, parley.EInvalid},
		{"team and agent", []parley.CannedReply{{Shortcut: "a", Text: "x", Team: "sales", Agent: 1}}, parley.EInvalid},
		{"unknown team", []parley.CannedReply{{Shortcut: "a", Text: "x", Team: "ghosts"}}, parley.EInvalid},
		{"not a member", []parley.CannedReply{{Shortcut: "a", Text: "x", Agent: 9}}, parley.EInvalid},
		{"too many", many, parley.ETooLarge},
		{"a card without a title", []parley.CannedReply{{Shortcut: "a", Text: "x", Card: &parley.Card{URL: "https://shop.example/p"}}}, parley.EInvalid},
		{"a card's bad url", []parley.CannedReply{{Shortcut: "a", Text: "x", Card: &parley.Card{Title: "Mug", URL: "javascript:alert(1)"}}}, parley.EInvalid},
		{"a card's bad image", []parley.CannedReply{{Shortcut: "a", Text: "x", Card: &parley.Card{Title: "Mug", Image: "ftp://shop.example/m.png"}}}, parley.EInvalid},
		{"a card's title too long", []parley.CannedReply{{Shortcut: "a", Text: "x", Card: &parley.Card{Title: strings.Repeat("t", parley.MaxCardTitle+1)}}}, parley.ETooLarge},
		{"too many quick replies", []parley.CannedReply{{Shortcut: "a", Text: "x", Replies: []string{"1", "2", "3", "4", "5", "6"}}}, parley.ETooLarge},
		{"a quick reply too long", []parley.CannedReply{{Shortcut: "a", Text: "x", Replies: []string{strings.Repeat("r", parley.MaxQuickReply+1)}}}, parley.ETooLarge},
		{"an empty quick reply", []parley.CannedReply{{Shortcut: "a", Text: "x", Replies: []string{" "}}}, parley.EInvalid},
	} {
		if _, err := parley.CheckCannedReplies(tt.list, hasTeam, isMember); parley.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	rich, err := parley.CheckCannedReplies([]parley.CannedReply{{Shortcut: "mug", Text: "Our best mug",
		Card: &parley.Card{Title: " Mug ", Price: "€9", URL: "https://shop.example/mug", Image: "https://shop.example/mug.png"}, Replies: []string{" Buy ", "Later"}}}, nil, nil)
	if err != nil || rich[0].Card.Title != "Mug" || fmt.Sprint(rich[0].Replies) != "[Buy Later]" {
		t.Errorf("a card reply: %+v, %v", rich, err)
	}
	if _, err := parley.CheckCannedReplies([]parley.CannedReply{{Shortcut: strings.Repeat("a", parley.MaxShortcut), Text: strings.Repeat("é", parley.DefaultLimits.MaxTextRunes)}}, nil, nil); err != nil {
		t.Errorf("at the bounds: %v", err)
	}
}

func TestCheckOwnCannedReplies(t *testing.T) {
	got, err := parley.CheckOwnCannedReplies([]parley.CannedReply{{Shortcut: "b", Text: "x"}, {Shortcut: "a", Text: "y", Agent: 4}}, 4)
	if err != nil || len(got) != 2 || got[0].Shortcut != "a" || got[0].Agent != 4 || got[1].Agent != 4 {
		t.Errorf("got %+v, %v; want both for agent 4, sorted", got, err)
	}
	for _, tt := range []struct {
		name string
		r    parley.CannedReply
		code string
	}{
		{"a team's", parley.CannedReply{Shortcut: "a", Text: "x", Team: "sales"}, parley.EForbidden},
		{"another agent's", parley.CannedReply{Shortcut: "a", Text: "x", Agent: 5}, parley.EForbidden},
		{"a bad card", parley.CannedReply{Shortcut: "a", Text: "x", Card: &parley.Card{Title: "M", Image: "data:x"}}, parley.EInvalid},
	} {
		if _, err := parley.CheckOwnCannedReplies([]parley.CannedReply{tt.r}, 4); parley.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	many := make([]parley.CannedReply, parley.MaxOwnCannedReplies+1)
	for i := range many {
		many[i] = parley.CannedReply{Shortcut: fmt.Sprint("s", i), Text: "x"}
	}
	if _, err := parley.CheckOwnCannedReplies(many, 4); parley.ErrorCode(err) != parley.ETooLarge {
		t.Errorf("51 of one's own: %v", err)
	}
}
