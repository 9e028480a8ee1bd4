package console

import (
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/ui"
)

// CannedCompletions are the composer's completions for "/query": the
// matching canned replies, their variables filled.
func CannedCompletions(canned []parley.CannedReply, query string, vars parley.CannedVars) []ui.Completion {
	matches := parley.MatchCanned(canned, query)
	out := make([]ui.Completion, 0, len(matches))
	seen := make(map[string]bool, len(matches))
	for _, r := range matches {
		// An agent's own /thanks hides its team's and the site's.
		if seen[r.Shortcut] {
			continue
		}
		seen[r.Shortcut] = true
		out = append(out, ui.Completion{Label: r.Shortcut, Text: parley.FillCanned(r.Text, vars)})
	}
	return out
}

// CannedVarsOf are the variables of a canned reply in conversation c,
// written by agent on site: the visitor's name when they gave one.
func CannedVarsOf(c parley.Conversation, agent, site string) parley.CannedVars {
	return parley.CannedVars{Contact: c.VisitorName, Agent: agent, Site: site}
}
