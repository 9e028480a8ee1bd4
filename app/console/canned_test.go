package console_test

import (
	"fmt"
	"testing"

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
