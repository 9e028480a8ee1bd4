package console_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/console"
	"github.com/parley-chat/parley/app/parley"
)

func TestDeskPresence(t *testing.T) {
	d := console.NewDesk()
	me := parley.Agent{ID: 1, Name: "Ann"}
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Agents: []parley.Agent{
		{ID: 2, Name: "bob", Status: parley.StatusOffline, Capacity: 3},
		{ID: 1, Name: "Ann", Status: parley.StatusOnline, Capacity: 3},
	}}, t0)
	want := []parley.Agent{
		{ID: 1, Name: "Ann", Status: parley.StatusOnline, Capacity: 3},
		{ID: 2, Name: "bob", Status: parley.StatusOffline, Capacity: 3},
	}
	if got := d.Colleagues(); !reflect.DeepEqual(got, want) {
		t.Errorf("after the welcome: %+v, want %+v", got, want)
	}

	// A change of status, of capacity, and an agent who joined a shared site.
	d.Apply(parley.Frame{Type: parley.TypePresence, Agent: &parley.Agent{ID: 2, Name: "bob", Status: parley.StatusAway, Capacity: 3}}, t0)
	d.Apply(parley.Frame{Type: parley.TypePresence, Agent: &parley.Agent{ID: 1, Name: "Ann", Status: parley.StatusOnline, Capacity: 7}}, t0)
	d.Apply(parley.Frame{Type: parley.TypePresence, Agent: &parley.Agent{ID: 3, Name: "<b>Cy</b>", Status: parley.StatusOnline, Capacity: 1, Email: "cy@x"}}, t0)
	d.Apply(parley.Frame{Type: parley.TypePresence}, t0) // nothing to apply
	want = []parley.Agent{
		{ID: 3, Name: "<b>Cy</b>", Status: parley.StatusOnline, Capacity: 1},
		{ID: 1, Name: "Ann", Status: parley.StatusOnline, Capacity: 7},
		{ID: 2, Name: "bob", Status: parley.StatusAway, Capacity: 3},
	}
	if got := d.Colleagues(); !reflect.DeepEqual(got, want) {
		t.Errorf("after presence frames: %+v, want %+v", got, want)
	}

	// A new welcome lists everyone again: Cy left the shared sites.
	d.Apply(parley.Frame{Type: parley.TypeWelcome, Agent: &me, Agents: []parley.Agent{
		{ID: 1, Name: "Ann", Status: parley.StatusOnline, Capacity: 7},
		{ID: 2, Name: "bob", Status: parley.StatusOffline, Capacity: 3},
	}}, t0)
	if got := d.Colleagues(); len(got) != 2 {
		t.Errorf("after a new welcome: %+v, want Ann and bob", got)
	}
	if a, ok := d.Colleague(2); !ok || a.Status != parley.StatusOffline {
		t.Errorf("bob after the new welcome: %+v", a)
	}
}

func TestPresenceIdle(t *testing.T) {
	var p console.Presence
	step := func(what string, status string, changed bool, wantStatus string, wantChanged bool) {
		t.Helper()
		if status != wantStatus || changed != wantChanged {
			t.Errorf("%s: %s %v, want %s %v", what, status, changed, wantStatus, wantChanged)
		}
	}
	s, ch := p.Tick(t0)
	step("first tick", s, ch, parley.StatusOnline, false)
	s, ch = p.Input(t0.Add(time.Minute))
	step("input", s, ch, parley.StatusOnline, false)
	s, ch = p.Tick(t0.Add(time.Minute + parley.IdleAway - time.Second))
	step("just before idle", s, ch, parley.StatusOnline, false)
	s, ch = p.Tick(t0.Add(time.Minute + parley.IdleAway))
	step("idle", s, ch, parley.StatusAway, true)
	s, ch = p.Tick(t0.Add(time.Hour))
	step("still idle", s, ch, parley.StatusAway, false)
	s, ch = p.Input(t0.Add(time.Minute)) // an input already counted
	step("old input", s, ch, parley.StatusAway, false)
	s, ch = p.Input(t0.Add(time.Hour))
	step("back", s, ch, parley.StatusOnline, true)

	// Away by hand: input and idleness change nothing until the toggle.
	if got := p.Toggle(t0.Add(time.Hour)); got != parley.StatusAway {
		t.Errorf("toggle: %s, want away", got)
	}
	s, ch = p.Tick(t0.Add(2 * time.Hour))
	step("idle while away by hand", s, ch, parley.StatusAway, false)
	s, ch = p.Input(t0.Add(3 * time.Hour))
	step("input while away by hand", s, ch, parley.StatusAway, false)
	if got := p.Toggle(t0.Add(3 * time.Hour)); got != parley.StatusOnline {
		t.Errorf("toggle back: %s, want online", got)
	}
	// Idle, then the toggle: online again.
	p.Tick(t0.Add(4 * time.Hour))
	if got := p.Toggle(t0.Add(4 * time.Hour)); got != parley.StatusOnline || p.Idle() {
		t.Errorf("toggle from idle: %s (idle %v), want online", got, p.Idle())
	}
}

// TestPresenceIdleConfigured: the server's idle time (the welcome's
// limits.idleAwaySeconds) replaces the default.
func TestPresenceIdleConfigured(t *testing.T) {
	p := console.Presence{After: 2 * time.Minute}
	p.Tick(t0)
	if s, ch := p.Tick(t0.Add(2*time.Minute - time.Second)); s != parley.StatusOnline || ch {
		t.Errorf("before the configured idle time: %s %v", s, ch)
	}
	if s, ch := p.Tick(t0.Add(2 * time.Minute)); s != parley.StatusAway || !ch {
		t.Errorf("at the configured idle time: %s %v, want away, changed", s, ch)
	}
}

func TestTeamList(t *testing.T) {
	l := &console.TeamList{Me: 1, Agents: []parley.Agent{
		{ID: 3, Name: "<b>Cy</b>", Status: parley.StatusAway, Capacity: 1},
		{ID: 1, Name: "Ann", Status: parley.StatusOnline, Capacity: 3},
	}}
	load(t, l)
	// Names are text, never markup.
	match(t, app.Text("<b>Cy</b>"), l, 0, 1, 0, 1, 0)
	match(t, app.Text("Away"), l, 0, 1, 0, 2, 0)
	match(t, app.Text("1 chat"), l, 0, 1, 0, 3, 0)
	match(t, app.Text("Ann (you)"), l, 0, 1, 1, 1, 0)
	match(t, app.Text("3 chats"), l, 0, 1, 1, 3, 0)
}
