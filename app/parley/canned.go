package parley

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Bounds on canned replies.
const (
	MaxCannedReplies = 200
	MaxShortcut      = 32
	// MaxOwnCannedReplies bounds an agent's private replies on a site
	// (within the site's MaxCannedReplies).
	MaxOwnCannedReplies = 50
)

// CannedReply is a text an agent inserts by typing /Shortcut in the
// composer. A site keeps its canned replies apart from its settings
// (GET and PUT /api/sites/{id}/canned): for every member (no Team, no
// Agent), for the members of one team (Team), or for one agent only
// (Agent), who alone is offered it and alone gets it, besides the site's
// owners and admins, who manage them all.
//
// Text may hold the variables {{contact.name}}, {{agent.name}} and
// {{site.name}}, filled in when the reply is inserted (FillCanned). Card
// and Replies, when set, go with the text as one rich message (rich.go),
// within the same bounds as a send's.
type CannedReply struct {
	Shortcut string   `json:"shortcut"`
	Text     string   `json:"text"`
	Team     string   `json:"team,omitempty"`
	Agent    uint64   `json:"agent,omitempty"`
	Card     *Card    `json:"card,omitempty"`
	Replies  []string `json:"replies,omitempty"`
}

// cannedKey is who a canned reply is for: a shortcut is there once per key.
type cannedKey struct {
	shortcut, team string
	agent          uint64
}

// CheckCannedReplies validates a site's canned replies and returns them
// normalised: shortcuts lowercase without the leading slash, texts
// trimmed, sorted by shortcut. hasTeam and isMember say whether a team id
// and an agent id exist on the site; nil accepts any.
func CheckCannedReplies(list []CannedReply, hasTeam func(string) bool, isMember func(uint64) bool) ([]CannedReply, error) {
	if len(list) > MaxCannedReplies {
		return nil, Errorf(ETooLarge, "At most %d canned replies per site.", MaxCannedReplies)
	}
	out := make([]CannedReply, 0, len(list))
	seen := make(map[cannedKey]bool, len(list))
	for _, r := range list {
		r.Shortcut = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r.Shortcut), "/"))
		if err := checkShortcut(r.Shortcut); err != nil {
			return nil, err
		}
		if !utf8.ValidString(r.Text) {
			return nil, Errorf(EInvalid, "The text of /%s is not valid UTF-8.", r.Shortcut)
		}
		r.Text = strings.TrimSpace(r.Text)
		if r.Text == "" {
			return nil, Errorf(EInvalid, "The canned reply /%s needs a text.", r.Shortcut)
		}
		if n, max := utf8.RuneCountInString(r.Text), DefaultLimits.MaxTextRunes; n > max {
			return nil, Errorf(ETooLarge, "The text of /%s is %d characters long; the limit is %d.", r.Shortcut, n, max)
		}
		if r.Team != "" && r.Agent != 0 {
			return nil, Errorf(EInvalid, "The canned reply /%s is for a team or for one agent, not both.", r.Shortcut)
		}
		if r.Team != "" && hasTeam != nil && !hasTeam(r.Team) {
			return nil, Errorf(EInvalid, "The canned reply /%s names team %q, which the site does not have.", r.Shortcut, Truncate(r.Team, 40))
		}
		if r.Agent != 0 && isMember != nil && !isMember(r.Agent) {
			return nil, Errorf(EInvalid, "The canned reply /%s is for an agent who is not a member of the site.", r.Shortcut)
		}
		card, replies, err := CheckRich(r.Card, r.Replies)
		if err != nil {
			return nil, Errorf(ErrorCode(err), "/%s: %s", r.Shortcut, ErrorMessage(err))
		}
		r.Card, r.Replies = card, replies
		key := cannedKey{r.Shortcut, r.Team, r.Agent}
		if seen[key] {
			return nil, Errorf(EInvalid, "The shortcut /%s is there twice for the same people.", r.Shortcut)
		}
		seen[key] = true
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Shortcut < out[j].Shortcut })
	return out, nil
}

// CheckOwnCannedReplies validates the private canned replies agent sets
// for itself (PUT /api/sites/{id}/canned/mine) and returns them
// normalised, each for agent: a reply for a team, the site, or another
// agent is not its to set (EForbidden).
func CheckOwnCannedReplies(list []CannedReply, agent uint64) ([]CannedReply, error) {
	if len(list) > MaxOwnCannedReplies {
		return nil, Errorf(ETooLarge, "At most %d canned replies of your own per site.", MaxOwnCannedReplies)
	}
	own := make([]CannedReply, len(list))
	for i, r := range list {
		if r.Team != "" || r.Agent != 0 && r.Agent != agent {
			return nil, Errorf(EForbidden, "Your own canned replies are for you only: the site's owners and admins set the others.")
		}
		r.Agent = agent
		own[i] = r
	}
	return CheckCannedReplies(own, nil, nil)
}

func checkShortcut(s string) error {
	if s == "" {
		return Errorf(EInvalid, "A canned reply needs a shortcut.")
	}
	if len(s) > MaxShortcut {
		return Errorf(ETooLarge, "The shortcut /%s is longer than %d characters.", Truncate(s, MaxShortcut), MaxShortcut)
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return Errorf(EInvalid, "The shortcut /%s may hold only a-z, 0-9 and -.", Truncate(s, MaxShortcut))
		}
	}
	return nil
}

// CannedFor returns the canned replies agent may use: the site's, those
// of the teams it is in, and its own.
func CannedFor(list []CannedReply, agent uint64, teams []Team) []CannedReply {
	var out []CannedReply
	for _, r := range list {
		switch {
		case r.Agent != 0:
			if r.Agent != agent {
				continue
			}
		case r.Team != "":
			if !inTeam(teams, r.Team, agent) {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

func inTeam(teams []Team, id string, agent uint64) bool {
	for _, t := range teams {
		if t.ID == id && t.HasMember(agent) {
			return true
		}
	}
	return false
}

// CannedVars are the values of a canned reply's variables.
type CannedVars struct {
	Contact string // the visitor's name; "there" when unknown
	Agent   string
	Site    string
}

// FillCanned replaces the variables of a canned reply's text. An unknown
// contact reads "there" ("Hi {{contact.name}}" → "Hi there"); unknown
// variables stay as they are.
func FillCanned(text string, v CannedVars) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	if strings.TrimSpace(v.Contact) == "" {
		v.Contact = "there"
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			break
		}
		b.WriteString(text[:i])
		name, val := strings.TrimSpace(text[i+2:i+j]), ""
		switch name {
		case "contact.name":
			val = v.Contact
		case "agent.name":
			val = v.Agent
		case "site.name":
			val = v.Site
		default:
			val = text[i : i+j+2]
		}
		b.WriteString(val)
		text = text[i+j+2:]
	}
	b.WriteString(text)
	return b.String()
}

// MatchCanned returns the replies whose shortcut holds query (what
// follows the slash), those starting with it first, each group by
// shortcut; an agent's own reply comes before a team's, and a team's
// before the site's of the same shortcut. An empty query matches all.
func MatchCanned(list []CannedReply, query string) []CannedReply {
	q := strings.ToLower(strings.TrimSpace(query))
	var out []CannedReply
	for _, r := range list {
		if strings.Contains(r.Shortcut, q) {
			out = append(out, r)
		}
	}
	scope := func(r CannedReply) int {
		switch {
		case r.Agent != 0:
			return 0
		case r.Team != "":
			return 1
		}
		return 2
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		pa, pb := strings.HasPrefix(a.Shortcut, q), strings.HasPrefix(b.Shortcut, q)
		if pa != pb {
			return pa
		}
		if a.Shortcut != b.Shortcut {
			return a.Shortcut < b.Shortcut
		}
		return scope(a) < scope(b)
	})
	return out
}
