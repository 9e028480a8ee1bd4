package parley

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/i18n"
)

// Routing: a site's teams, the topics that route to them, the pre-chat
// form, and what happens when an assignee goes offline. It is part of the
// site's settings (Site.Routing); a site without teams routes every chat
// to one implicit team of all its members, with the id "".

// Conversation statuses beyond StatusOpen and StatusResolved: a queued
// conversation is open and waits in its team's queue for an agent.
const StatusQueued = "queued"

// IsOpenStatus says whether a conversation with status s is open: queued
// or assigned.
func IsOpenStatus(s string) bool { return s == StatusOpen || s == StatusQueued }

// Team is a group of a site's agents who answer one kind of question.
type Team struct {
	// ID is short and stable: lower-case letters, digits and '-'.
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []uint64 `json:"members"`
	// Hours are the team's own business hours; nil: the site's.
	Hours *Hours `json:"hours,omitempty"`
}

// HasMember says whether agent is a member of t.
func (t Team) HasMember(agent uint64) bool {
	for _, m := range t.Members {
		if m == agent {
			return true
		}
	}
	return false
}

// Topic is a choice of the pre-chat form; a conversation about it goes to
// its team.
type Topic struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Team string `json:"team"`
	// NameByLang is the name in other languages (Translations).
	NameByLang Translations `json:"nameByLang,omitempty"`
}

// Pre-chat form field modes.
const (
	FieldOff      = ""
	FieldOptional = "optional"
	FieldRequired = "required"
)

// PreChat is the form a visitor fills in with the first message. Each of
// its fields is FieldOff, FieldOptional or FieldRequired; Topic is offered
// only when the site has topics.
type PreChat struct {
	Enabled bool   `json:"enabled"`
	Topic   string `json:"topic,omitempty"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
}

// Routing is a site's teams, topics, pre-chat form, requeue grace,
// business hours and offline mode.
type Routing struct {
	Teams  []Team  `json:"teams,omitempty"`
	Topics []Topic `json:"topics,omitempty"`
	// DefaultTeam gets the conversations without a topic (and a proactive
	// greeting's answer); "" is the first team, or with no teams every
	// member of the site.
	DefaultTeam string  `json:"defaultTeam,omitempty"`
	PreChat     PreChat `json:"preChat"`
	// Manual turns automatic assignment off: queued conversations wait
	// until an agent claims one (or answers it, which takes it).
	Manual bool `json:"manual,omitempty"`
	// BusyMinutes turns surge mode on: a visitor whose estimated wait
	// passes it is offered to leave an email instead of waiting (both
	// work). 0 is off.
	BusyMinutes int `json:"busyMinutes,omitempty"`
	// RequeueSeconds is how long an assignee may be offline before its
	// open chats go back to the front of the queue; 0 is
	// DefaultRequeueSeconds.
	RequeueSeconds int `json:"requeueSeconds,omitempty"`
	// Hours are the site's business hours, and its teams' unless a team
	// has its own.
	Hours Hours `json:"hours"`
	// Offline is what the widget does outside the hours, or when no
	// member of the chosen team is online; "" is OfflineForm (WhenClosed).
	Offline OfflineMode `json:"offline,omitempty"`
}

// Routing bounds and defaults.
const (
	MaxTeams              = 50
	MaxTopics             = 50
	MaxTeamMembers        = 500
	maxTeamName           = 60
	maxTeamID             = 32
	DefaultRequeueSeconds = 120
	MinRequeueSeconds     = 10
	MaxRequeueSeconds     = 24 * 3600
	// MaxBusyMinutes bounds the surge threshold.
	MaxBusyMinutes = 240
	// MaxTransferReason bounds the internal reason of a transfer.
	MaxTransferReason = 500
	// MaxEmail bounds an email address of the pre-chat form.
	MaxEmail = 254
	// MaxVisitorName bounds the name of the pre-chat form.
	MaxVisitorName = 80
)

// Team returns the team with id; ok is false if there is none. The id ""
// is the implicit team of a site without teams.
func (r Routing) Team(id string) (Team, bool) {
	for _, t := range r.Teams {
		if t.ID == id {
			return t, true
		}
	}
	return Team{}, id == "" && len(r.Teams) == 0
}

// Topic returns the topic with id.
func (r Routing) Topic(id string) (Topic, bool) {
	for _, t := range r.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return Topic{}, false
}

// DefaultTeamID is the team a conversation without a topic goes to.
func (r Routing) DefaultTeamID() string {
	if r.DefaultTeam != "" {
		return r.DefaultTeam
	}
	if len(r.Teams) > 0 {
		return r.Teams[0].ID
	}
	return ""
}

// TeamFor is the team a new conversation about topic (maybe "") goes to.
func (r Routing) TeamFor(topic string) string {
	if t, ok := r.Topic(topic); ok {
		return t.Team
	}
	return r.DefaultTeamID()
}

// RequeueAfter is the grace in seconds before an offline assignee's chats
// return to the queue.
func (r Routing) RequeueAfter() int {
	if r.RequeueSeconds == 0 {
		return DefaultRequeueSeconds
	}
	return r.RequeueSeconds
}

// Validate checks and normalises routing settings from outside. members
// says whether an agent is a member of the site: a team holds members only.
// loadZone checks the time zones of the business hours (Hours.Validate);
// nil checks only their names' shape.
func (r Routing) Validate(member func(agent uint64) bool, loadZone func(string) (*time.Location, error)) (Routing, error) {
	if len(r.Teams) > MaxTeams {
		return Routing{}, Errorf(ETooLarge, "At most %d teams.", MaxTeams)
	}
	if len(r.Topics) > MaxTopics {
		return Routing{}, Errorf(ETooLarge, "At most %d topics.", MaxTopics)
	}
	teams := make(map[string]bool, len(r.Teams))
	for i := range r.Teams {
		t := &r.Teams[i]
		if err := checkNamed(&t.Name, &t.ID, "team", teams); err != nil {
			return Routing{}, err
		}
		if len(t.Members) > MaxTeamMembers {
			return Routing{}, Errorf(ETooLarge, "A team has at most %d members.", MaxTeamMembers)
		}
		seen := make(map[uint64]bool, len(t.Members))
		members := t.Members[:0:0]
		for _, m := range t.Members {
			if seen[m] {
				continue
			}
			if member != nil && !member(m) {
				return Routing{}, Errorf(EInvalid, "Agent %d is not a member of the site, so not of team %q.", m, t.Name)
			}
			seen[m] = true
			members = append(members, m)
		}
		t.Members = members
		if t.Hours != nil {
			h, err := t.Hours.Validate(loadZone)
			if err != nil {
				return Routing{}, Errorf(ErrorCode(err), "Team %s: %s", t.Name, ErrorMessage(err))
			}
			t.Hours = &h
		}
	}
	topics := make(map[string]bool, len(r.Topics))
	for i := range r.Topics {
		t := &r.Topics[i]
		if err := checkNamed(&t.Name, &t.ID, "topic", topics); err != nil {
			return Routing{}, err
		}
		names, err := t.NameByLang.Validate("Topic "+t.Name, maxTeamName)
		if err != nil {
			return Routing{}, err
		}
		t.NameByLang = names
		if t.Team == "" {
			t.Team = r.DefaultTeamID()
		}
		if _, ok := r.Team(t.Team); !ok {
			return Routing{}, Errorf(EInvalid, "Topic %q goes to team %q, which does not exist.", t.Name, Truncate(t.Team, 40))
		}
	}
	if r.DefaultTeam != "" {
		if _, ok := r.Team(r.DefaultTeam); !ok {
			return Routing{}, Errorf(EInvalid, "The default team %q does not exist.", Truncate(r.DefaultTeam, 40))
		}
	}
	for _, f := range []struct{ mode, name string }{{r.PreChat.Topic, "topic"}, {r.PreChat.Name, "name"}, {r.PreChat.Email, "email"}} {
		if f.mode != FieldOff && f.mode != FieldOptional && f.mode != FieldRequired {
			return Routing{}, Errorf(EInvalid, "The pre-chat %s field must be off, optional or required, not %q.", f.name, Truncate(f.mode, 20))
		}
	}
	if r.PreChat.Topic != FieldOff && len(r.Topics) == 0 {
		return Routing{}, Errorf(EInvalid, "The pre-chat form asks for a topic, but the site has no topics.")
	}
	if r.BusyMinutes < 0 || r.BusyMinutes > MaxBusyMinutes {
		return Routing{}, Errorf(EInvalid, "The busy threshold must be from 1 to %d minutes, or 0 for off.", MaxBusyMinutes)
	}
	if r.RequeueSeconds != 0 && (r.RequeueSeconds < MinRequeueSeconds || r.RequeueSeconds > MaxRequeueSeconds) {
		return Routing{}, Errorf(EInvalid, "The requeue grace must be from %d to %d seconds.", MinRequeueSeconds, MaxRequeueSeconds)
	}
	var err error
	if r.Hours, err = r.Hours.Validate(loadZone); err != nil {
		return Routing{}, err
	}
	if !r.Offline.valid() {
		return Routing{}, Errorf(EInvalid, "The offline mode must be hide, form or email, not %q.", Truncate(string(r.Offline), 20))
	}
	return r, nil
}

// checkNamed checks a team's or a topic's name and id (made from the name
// when empty), and that no other of seen has the id; it adds the id.
func checkNamed(name, id *string, what string, seen map[string]bool) error {
	if err := checkName(name, "A "+what); err != nil {
		return err
	}
	if *id == "" {
		*id = Slug(*name)
	}
	if !validSlug(*id) {
		return Errorf(EInvalid, "The %s id %q must be 1–%d lower-case letters, digits or '-'.", what, Truncate(*id, 40), maxTeamID)
	}
	if seen[*id] {
		return Errorf(EInvalid, "Two %ss have the id %q.", what, *id)
	}
	seen[*id] = true
	return nil
}

func checkName(name *string, what string) error {
	if !utf8.ValidString(*name) {
		return Errorf(EInvalid, "%s name is not valid UTF-8.", what)
	}
	*name = strings.TrimSpace(*name)
	if *name == "" {
		return Errorf(EInvalid, "%s needs a name.", what)
	}
	if n := utf8.RuneCountInString(*name); n > maxTeamName {
		return Errorf(ETooLarge, "%s name is %d characters long; the limit is %d.", what, n, maxTeamName)
	}
	return nil
}

// Slug makes an id from a name: "Product advice" → "product-advice".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxTeamID {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}

func validSlug(s string) bool {
	if s == "" || len(s) > maxTeamID {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// PreChatAnswers are what a visitor's first send carries from the form.
type PreChatAnswers struct {
	Topic, Name, Email string
}

// Check validates answers against the form: required fields are given,
// fields that are off are empty, the topic exists and the email looks like
// one. It returns them trimmed.
func (r Routing) CheckAnswers(a PreChatAnswers) (PreChatAnswers, error) {
	a.Name, a.Email, a.Topic = strings.TrimSpace(a.Name), strings.TrimSpace(a.Email), strings.TrimSpace(a.Topic)
	if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Email) || !utf8.ValidString(a.Topic) {
		return a, Errorf(EInvalid, "The form is not valid UTF-8.")
	}
	form := r.PreChat
	if !form.Enabled {
		form = PreChat{}
	}
	fields := []struct {
		mode, value, name string
	}{{form.Topic, a.Topic, "topic"}, {form.Name, a.Name, "name"}, {form.Email, a.Email, "email"}}
	for _, f := range fields {
		if f.mode == FieldRequired && f.value == "" {
			return a, Errorf(EInvalid, "Please give your %s.", f.name)
		}
	}
	if a.Topic != "" {
		if _, ok := r.Topic(a.Topic); !ok {
			return a, Errorf(EInvalid, "Unknown topic %q.", Truncate(a.Topic, 40))
		}
	}
	if n := utf8.RuneCountInString(a.Name); n > MaxVisitorName {
		return a, Errorf(ETooLarge, "The name is %d characters long; the limit is %d.", n, MaxVisitorName)
	}
	if len(a.Email) > MaxEmail {
		return a, Errorf(ETooLarge, "The email address is longer than %d characters.", MaxEmail)
	}
	if a.Email != "" && !LooksLikeEmail(a.Email) {
		return a, Errorf(EInvalid, "%q does not look like an email address.", Truncate(a.Email, 60))
	}
	return a, nil
}

// LooksLikeEmail is a plain shape check: one '@' with text on both sides,
// a dot in the domain, no spaces or control characters.
func LooksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// Frame types of routing.
const (
	// TypeClaim (agent): take a queued conversation, {"type":"claim","id","conv"}.
	TypeClaim = "claim"
	// TypeTransfer (agent): hand a conversation to a team or an agent with
	// an internal reason, {"type":"transfer","id","conv","team","agentId","text"}.
	TypeTransfer = "transfer"
	// TypeQueue (server to a visitor): where the visitor's conversation
	// stands in its team's queue.
	TypeQueue = "queue"
	// TypeCounts (server to an agent): the inbox counts changed.
	TypeCounts = "counts"
	// TypeTranscript (visitor): email me this conversation,
	// {"type":"transcript","id","conv","email"}; email may be left out
	// when the pre-chat form had one.
	TypeTranscript = "transcript"
	// TypeContact (visitor): answer me by email at this address,
	// {"type":"contact","id","conv","email"}: the conversation keeps the
	// address, and unseen replies go there.
	TypeContact = "contact"
	// TypeSite (server to a visitor): whether the site answers chat now
	// changed, {"type":"site","open":{…}} (no open: it does); the widget
	// switches its offline mode without a reload.
	TypeSite = "site"
)

// QueueStatus is what a queued visitor is told.
type QueueStatus struct {
	// Position is 1 for the next conversation to be assigned.
	Position int `json:"position"`
	// Estimate is the expected wait in seconds, from measured data; nil
	// when there is no honest estimate (nobody online, or too little data).
	Estimate *int `json:"estimate,omitempty"`
	// Online counts the team's members online now; 0 means nobody can
	// answer, and there is no estimate.
	Online int `json:"online"`
}

// Inbox views (GET /api/conversations?view=…).
const (
	ViewOpen     = "open"     // every open conversation of the agent's sites
	ViewQueue    = "queue"    // queued: unassigned, waiting
	ViewMine     = "mine"     // open and assigned to the agent
	ViewTeam     = "team"     // open, in a team the agent is a member of
	ViewResolved = "resolved" // resolved, newest first
)

// ValidView says whether v names an inbox view ("" is ViewOpen).
func ValidView(v string) bool {
	switch v {
	case "", ViewOpen, ViewQueue, ViewMine, ViewTeam, ViewResolved:
		return true
	}
	return false
}

// Initials are up to two letters of a name, for an avatar: "Ola Nowak" → "ON".
func Initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		out = append(out, []rune(strings.ToUpper(string(r)))...)
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// Event texts: what an event entry says, in the transcript of both sides.
func JoinedText(name string) string { return fmt.Sprintf("%s joined", name) }
func MovedText(team string) string  { return fmt.Sprintf("Moved to %s", team) }
func RequeuedText() string          { return "Back in the queue" }

// EventTextIn is what an event line says in l, to the visitor in the
// widget and in the transcript: the server writes it in English (the
// texts above), and the event's fields say the same in any language. ""
// leaves the stored text.
func EventTextIn(l i18n.Lang, m Message) string {
	joined := func() string {
		if m.To == nil || m.To.Name == "" {
			return ""
		}
		return l.T("%s joined", m.To.Name)
	}
	switch m.Event {
	case EventAssigned:
		return joined()
	case EventQueued:
		return l.T("Back in the queue")
	case EventTransferred:
		// The server names the team only when it changed.
		if m.TeamName == "" || !strings.HasPrefix(m.Text, MovedText(m.TeamName)) {
			return joined()
		}
		moved := l.T("Moved to %s", m.TeamName)
		if j := joined(); j != "" {
			return moved + " · " + j
		}
		return moved
	}
	return ""
}
func TeamName(r Routing, id string) string {
	if t, ok := r.Team(id); ok && t.Name != "" {
		return t.Name
	}
	return "the team"
}
