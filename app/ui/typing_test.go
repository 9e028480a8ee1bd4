package ui_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/ui"
)

func TestTyping(t *testing.T) {
	t0 := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	type step struct {
		at   time.Duration
		name string
		on   bool
	}
	tests := []struct {
		name  string
		steps []step
		at    time.Duration
		want  []string
	}{
		{"nobody", nil, 0, nil},
		{"one typer", []step{{0, "Ann", true}}, time.Second, []string{"Ann"}},
		{"stopped", []step{{0, "Ann", true}, {time.Second, "Ann", false}}, 2 * time.Second, nil},
		{"expired", []step{{0, "Ann", true}}, ui.TypingExpiry, nil},
		{"refreshed", []step{{0, "Ann", true}, {5 * time.Second, "Ann", true}}, 10 * time.Second, []string{"Ann"}},
		{"two sorted", []step{{0, "Bob", true}, {0, "Ann", true}}, time.Second, []string{"Ann", "Bob"}},
		{"one of two expired", []step{{0, "Bob", true}, {4 * time.Second, "Ann", true}}, 7 * time.Second, []string{"Ann"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ty ui.Typing
			for _, s := range tt.steps {
				ty.Set(s.name, s.on, t0.Add(s.at))
			}
			if got := ty.Names(t0.Add(tt.at)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Names = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTypingText(t *testing.T) {
	tests := []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"Ann"}, "Ann is typing…"},
		{[]string{"Ann", "Bob"}, "Ann and Bob are typing…"},
		{[]string{"Ann", "Bob", "Cy"}, "Several people are typing…"},
	}
	for _, tt := range tests {
		if got := ui.TypingText(tt.names); got != tt.want {
			t.Errorf("TypingText(%v) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

func TestTypingSignal(t *testing.T) {
	t0 := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	type event struct {
		kind string // "input", "idle", "stop"
		at   time.Duration
		want bool // whether a frame must be sent
	}
	tests := []struct {
		name   string
		events []event
	}{
		{"first key sends on", []event{{"input", 0, true}}},
		{"keys within repeat are quiet", []event{{"input", 0, true}, {"input", time.Second, false}, {"input", 2 * time.Second, false}}},
		{"on repeated after 3 s", []event{{"input", 0, true}, {"input", ui.TypingRepeat, true}}},
		{"idle too early", []event{{"input", 0, true}, {"input", 2 * time.Second, false}, {"idle", 4 * time.Second, false}}},
		{"idle after 4 s sends off once", []event{{"input", 0, true}, {"idle", ui.TypingIdle, true}, {"idle", 10 * time.Second, false}}},
		{"typing again after off sends on", []event{{"input", 0, true}, {"idle", 5 * time.Second, true}, {"input", 6 * time.Second, true}}},
		{"send stops", []event{{"input", 0, true}, {"stop", time.Second, true}, {"stop", time.Second, false}, {"idle", time.Minute, false}}},
		{"stop without typing", []event{{"stop", 0, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s ui.TypingSignal
			for i, e := range tt.events {
				var got bool
				switch e.kind {
				case "input":
					got = s.Input(t0.Add(e.at))
				case "idle":
					got = s.Idle(t0.Add(e.at))
				case "stop":
					got = s.Stop()
				}
				if got != e.want {
					t.Errorf("event %d (%s at %v) = %v, want %v", i, e.kind, e.at, got, e.want)
				}
			}
		})
	}
}
