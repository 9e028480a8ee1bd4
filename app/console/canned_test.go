package console_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestCannedCompletions(t *testing.T) {
	canned := []parley.CannedReply{
		{Shortcut: "thanks", Text: "Thanks {{contact.name}}! — {{agent.name}}, {{site.name}}"},
		{Shortcut: "thanks", Text: "Cheers, {{contact.name}}", Agent: 1},
		{Shortcut: "return-policy", Text: "Returns are free for 30 days."},
	}
	named := console.CannedVarsOf(parley.Conversation{VisitorName: "Kim"}, "Ann", "Coffee Shop")
	anon := console.CannedVarsOf(parley.Conversation{Visitor: 12}, "Ann", "Coffee Shop")
	for _, tt := range []struct {
		q    string
		vars parley.CannedVars
		want string
	}{
		{"th", named, `[thanks:"Cheers, Kim"]`},
		{"thanks", anon, `[thanks:"Cheers, there"]`},
		{"ret", named, `[return-policy:"Returns are free for 30 days."]`},
		{"", named, `[return-policy:"Returns are free for 30 days." thanks:"Cheers, Kim"]`},
		{"zzz", named, `[]`},
	} {
		var got []string
		for _, c := range console.CannedCompletions(canned, tt.q, tt.vars) {
			got = append(got, fmt.Sprintf("%s:%q", c.Label, c.Text))
		}
		if g := fmt.Sprint(got); g != tt.want {
			t.Errorf("/%s: %s, want %s", tt.q, g, tt.want)
		}
	}
	site := console.CannedCompletions(canned[:1], "thanks", named)
	if len(site) != 1 || site[0].Text != "Thanks Kim! — Ann, Coffee Shop" {
		t.Errorf("the site's /thanks: %+v", site)
	}
}

// TestInboxTagFilter: with a tag, the list holds the conversations that
// carry it, live: a conv frame that adds or removes the tag moves one in
// or out; without, every one.
func TestInboxTagFilter(t *testing.T) {
	tagged := func(c parley.Conversation, tags ...string) parley.Conversation {
		c.Tags = tags
		return c
	}
	var b console.Inbox
	b.Reset([]parley.Conversation{
		tagged(conversation(1, 1*time.Minute, 0, parley.StatusOpen), "vip"),
		tagged(conversation(2, 2*time.Minute, 0, parley.StatusOpen), "late", "vip"),
		conversation(3, 3*time.Minute, 0, parley.StatusOpen),
	})
	b.SetTagView(parley.ViewOpen, "vip", parley.ConversationPage{Conversations: []parley.Conversation{
		tagged(conversation(2, 2*time.Minute, 0, parley.StatusOpen), "late", "vip"),
		tagged(conversation(1, 1*time.Minute, 0, parley.StatusOpen), "vip"),
	}})
	if got, want := ids(b.List()), []uint64{2, 1}; !reflect.DeepEqual(got, want) || b.Tag() != "vip" {
		t.Errorf("tag vip: %v (tag %q), want %v", got, b.Tag(), want)
	}
	b.Apply(tagged(conversation(3, 3*time.Minute, 0, parley.StatusOpen), "vip"))
	b.Apply(tagged(conversation(2, 2*time.Minute, 0, parley.StatusOpen), "late"))
	if got, want := ids(b.List()), []uint64{3, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("after tagging 3 and untagging 2: %v, want %v", got, want)
	}
	b.SetTagView(parley.ViewOpen, "", parley.ConversationPage{})
	if got, want := ids(b.List()), []uint64{3, 2, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("no tag: %v, want %v", got, want)
	}
}
