package console

import (
	"strings"

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

// CannedPick is the canned reply /shortcut inserts: the agent's own
// before its team's, a team's before the site's (as CannedCompletions
// offers them).
func CannedPick(canned []parley.CannedReply, shortcut string) (parley.CannedReply, bool) {
	for _, r := range parley.MatchCanned(canned, shortcut) {
		if r.Shortcut == shortcut {
			return r, true
		}
	}
	return parley.CannedReply{}, false
}

// CannedAttachment is the product card and quick replies a canned reply
// put with the composer's text: Send sends them together, as one rich
// message.
type CannedAttachment struct {
	Conv     uint64
	Shortcut string
	Card     *parley.Card
	Replies  []string
}

// AttachmentOf is what inserting r in conversation conv attaches to the
// composer; nil for a reply of text only.
func AttachmentOf(r parley.CannedReply, conv uint64) *CannedAttachment {
	if r.Card == nil && len(r.Replies) == 0 {
		return nil
	}
	return &CannedAttachment{Conv: conv, Shortcut: r.Shortcut, Card: r.Card, Replies: r.Replies}
}

// CannedRich is the card and quick replies of the canned settings' form:
// a card when any of its fields is filled, the replies comma-separated.
// CheckCannedReplies checks them.
func CannedRich(title, price, link, image, replies string) (*parley.Card, []string) {
	var card *parley.Card
	if strings.TrimSpace(title+price+link+image) != "" {
		card = &parley.Card{Title: title, Price: price, URL: strings.TrimSpace(link), Image: strings.TrimSpace(image)}
	}
	var out []string
	for _, r := range strings.Split(replies, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return card, out
}
