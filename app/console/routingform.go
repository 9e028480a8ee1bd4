package console

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/app/parley"
)

// RoutingForm is the "Teams & routing" part of the site settings as the
// agent edits it, turned into parley.Routing only when saved.
//
// Topics and the default team name a team by its form Key: a team's id
// once saved, a key of the form's own for a team added since, whose id
// the save makes from its name.
type RoutingForm struct {
	Teams       []TeamForm
	Topics      []TopicForm
	DefaultTeam string // a team's Key; "" is the first team
	PreChat     bool
	// TopicField, NameField and EmailField are each parley.FieldOff,
	// FieldOptional or FieldRequired.
	TopicField, NameField, EmailField string
	RequeueSeconds                    string // "" is the default
	// Hours are the site's business hours; Offline what the widget does
	// outside them ("" is parley.OfflineForm).
	Hours   HoursForm
	Offline parley.OfflineMode
	added   int
}

// TeamForm is one team of the form.
type TeamForm struct {
	Key     string
	ID      string // "" until saved
	Name    string
	Members []uint64
	// Hours are the team's own business hours, which the form keeps as
	// they are; nil: the site's.
	Hours *parley.Hours
}

// TopicForm is one topic of the form; Team is a team's Key.
type TopicForm struct {
	ID   string
	Name string
	Team string
	// NameByLang is the name in other languages (the settings'
	// Translations section).
	NameByLang parley.Translations
}

// NewRoutingForm fills the form from a site's routing. zone is the
// browser's time zone, to start business hours without one from.
func NewRoutingForm(r parley.Routing, zone string) RoutingForm {
	f := RoutingForm{
		Hours:       NewHoursForm(r.Hours, zone),
		Offline:     r.Offline,
		DefaultTeam: r.DefaultTeam,
		PreChat:     r.PreChat.Enabled,
		TopicField:  r.PreChat.Topic,
		NameField:   r.PreChat.Name,
		EmailField:  r.PreChat.Email,
	}
	for _, t := range r.Teams {
		f.Teams = append(f.Teams, TeamForm{Key: t.ID, ID: t.ID, Name: t.Name, Members: slices.Clone(t.Members), Hours: cloneHours(t.Hours)})
	}
	for _, t := range r.Topics {
		f.Topics = append(f.Topics, TopicForm{ID: t.ID, Name: t.Name, Team: t.Team, NameByLang: maps.Clone(t.NameByLang)})
	}
	if r.RequeueSeconds != 0 {
		f.RequeueSeconds = strconv.Itoa(r.RequeueSeconds)
	}
	return f
}

// AddTeam appends an empty team with a key of its own.
func (f *RoutingForm) AddTeam() {
	f.added++
	f.Teams = append(f.Teams, TeamForm{Key: "new:" + strconv.Itoa(f.added)})
}

// RemoveTeam drops team i; topics and the default that named it go to
// the first team.
func (f *RoutingForm) RemoveTeam(i int) {
	if i < 0 || i >= len(f.Teams) {
		return
	}
	key := f.Teams[i].Key
	f.Teams = slices.Delete(f.Teams, i, i+1)
	for j := range f.Topics {
		if f.Topics[j].Team == key {
			f.Topics[j].Team = ""
		}
	}
	if f.DefaultTeam == key {
		f.DefaultTeam = ""
	}
}

// AddTopic appends an empty topic for the default team.
func (f *RoutingForm) AddTopic() {
	f.Topics = append(f.Topics, TopicForm{})
}

// RemoveTopic drops topic i.
func (f *RoutingForm) RemoveTopic(i int) {
	if i >= 0 && i < len(f.Topics) {
		f.Topics = slices.Delete(f.Topics, i, i+1)
	}
}

// ToggleMember adds agent to team i, or removes it.
func (f *RoutingForm) ToggleMember(i int, agent uint64, on bool) {
	if i < 0 || i >= len(f.Teams) {
		return
	}
	t := &f.Teams[i]
	has := slices.Contains(t.Members, agent)
	switch {
	case on && !has:
		t.Members = append(t.Members, agent)
	case !on && has:
		t.Members = slices.DeleteFunc(t.Members, func(m uint64) bool { return m == agent })
	}
}

// Routing turns the form into routing settings: new teams get an id made
// from their name, keys become ids, and the result is checked as the
// server checks it (but for membership, which the server knows), so most
// mistakes show before the save.
func (f RoutingForm) Routing() (parley.Routing, error) {
	var r parley.Routing
	ids := make(map[string]string, len(f.Teams)) // key → id
	taken := make(map[string]bool, len(f.Teams))
	for _, t := range f.Teams {
		if t.ID != "" {
			taken[t.ID] = true
		}
	}
	for i, t := range f.Teams {
		id := t.ID
		if id == "" {
			id = parley.Slug(t.Name)
			if id == "" || taken[id] {
				// A name without Latin letters or digits, or one taken:
				// a plain numbered id.
				for n := i + 1; id == "" || taken[id]; n++ {
					id = "team-" + strconv.Itoa(n)
				}
			}
			taken[id] = true
		}
		ids[t.Key] = id
		r.Teams = append(r.Teams, parley.Team{ID: id, Name: strings.TrimSpace(t.Name), Members: slices.Clone(t.Members), Hours: cloneHours(t.Hours)})
	}
	for _, t := range f.Topics {
		r.Topics = append(r.Topics, parley.Topic{ID: t.ID, Name: strings.TrimSpace(t.Name), Team: ids[t.Team], NameByLang: maps.Clone(t.NameByLang)})
	}
	r.DefaultTeam = ids[f.DefaultTeam]
	r.PreChat = parley.PreChat{Enabled: f.PreChat, Topic: f.TopicField, Name: f.NameField, Email: f.EmailField}
	if s := strings.TrimSpace(f.RequeueSeconds); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return parley.Routing{}, parley.Errorf(parley.EInvalid, "The requeue grace must be a whole number of seconds.")
		}
		r.RequeueSeconds = n
	}
	hours, err := f.Hours.Hours()
	if err != nil {
		return parley.Routing{}, err
	}
	r.Hours, r.Offline = hours, f.Offline
	return r.Validate(nil, nil)
}

// cloneHours copies a team's hours, so that the form and the site it
// came from share no spans.
func cloneHours(h *parley.Hours) *parley.Hours {
	if h == nil {
		return nil
	}
	c := *h
	for d := range c.Week {
		c.Week[d] = slices.Clone(c.Week[d])
	}
	c.Holidays = slices.Clone(c.Holidays)
	return &c
}
