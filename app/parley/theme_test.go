package parley_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestSiteValidateLook(t *testing.T) {
	base := parley.Site{ID: "s", Name: "Shop"}
	got, err := base.Validate()
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got.Position != parley.PositionRight || got.Theme != parley.ThemeAuto || got.LauncherLabel != "" {
		t.Errorf("defaults = %q, %q, %q; want right, auto, no label", got.Position, got.Theme, got.LauncherLabel)
	}

	s := base
	s.Position, s.Theme, s.LauncherLabel = " Left ", "DARK", "  Chat \n with   us "
	got, err = s.Validate()
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got.Position != "left" || got.Theme != "dark" || got.LauncherLabel != "Chat with us" {
		t.Errorf("got %q, %q, %q; want left, dark, %q", got.Position, got.Theme, got.LauncherLabel, "Chat with us")
	}
	s.LauncherLabel = strings.Repeat("ż", parley.MaxLauncherLabel)
	if _, err := s.Validate(); err != nil {
		t.Errorf("a label of %d characters: %v", parley.MaxLauncherLabel, err)
	}

	bad := []struct {
		name   string
		mutate func(*parley.Site)
		want   string
	}{
		{"position", func(s *parley.Site) { s.Position = "top" }, "must be \"right\" or \"left\""},
		{"theme", func(s *parley.Site) { s.Theme = "sepia" }, "must be \"auto\", \"light\" or \"dark\""},
		{"long label", func(s *parley.Site) { s.LauncherLabel = strings.Repeat("x", parley.MaxLauncherLabel+1) }, "the limit is 30"},
		{"bad utf8", func(s *parley.Site) { s.LauncherLabel = "\xff" }, "not valid UTF-8"},
	}
	for _, tc := range bad {
		s := base
		tc.mutate(&s)
		_, err := s.Validate()
		if err == nil || !strings.Contains(parley.ErrorMessage(err), tc.want) {
			t.Errorf("%s: Validate error = %v; want one saying %q", tc.name, err, tc.want)
		}
	}
}

func TestWidgetSettingsTheme(t *testing.T) {
	for stored, want := range map[string]string{"": "auto", "dark": "dark", "light": "light", "neon": "auto"} {
		if got := (parley.Site{Name: "Shop", Theme: stored}).WidgetSettings().Theme; got != want {
			t.Errorf("theme %q: WidgetSettings().Theme = %q, want %q", stored, got, want)
		}
	}
}
