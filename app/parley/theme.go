package parley

import (
	"strings"
	"unicode/utf8"
)

// Launcher positions: the corner of the shop page the launcher and the
// chat panel sit in.
const (
	PositionRight = "right"
	PositionLeft  = "left"
)

// Themes of the widget: auto follows the visitor's prefers-color-scheme.
const (
	ThemeAuto  = "auto"
	ThemeLight = "light"
	ThemeDark  = "dark"
)

// MaxLauncherLabel bounds the text beside the launcher's icon: it must fit
// a pill in a phone's corner.
const MaxLauncherLabel = 30

// validateLook checks and normalises the site's launcher position, label
// and theme; empty position and theme become the defaults.
func (s Site) validateLook() (Site, error) {
	s.Position = strings.ToLower(strings.TrimSpace(s.Position))
	switch s.Position {
	case "":
		s.Position = PositionRight
	case PositionRight, PositionLeft:
	default:
		return Site{}, Errorf(EInvalid, "Launcher position %q must be \"right\" or \"left\".", s.Position)
	}
	s.Theme = strings.ToLower(strings.TrimSpace(s.Theme))
	switch s.Theme {
	case "":
		s.Theme = ThemeAuto
	case ThemeAuto, ThemeLight, ThemeDark:
	default:
		return Site{}, Errorf(EInvalid, "Theme %q must be \"auto\", \"light\" or \"dark\".", s.Theme)
	}
	if !utf8.ValidString(s.LauncherLabel) {
		return Site{}, Errorf(EInvalid, "Launcher label is not valid UTF-8.")
	}
	// One line: a label is shown as text, never as markup, but a line
	// break or tab would still break the pill.
	s.LauncherLabel = strings.Join(strings.Fields(s.LauncherLabel), " ")
	if n := utf8.RuneCountInString(s.LauncherLabel); n > MaxLauncherLabel {
		return Site{}, Errorf(ETooLarge, "Launcher label is %d characters long; the limit is %d.", n, MaxLauncherLabel)
	}
	return s, nil
}

// ThemeOf returns s's theme, ThemeAuto for an unset or unknown one (sites
// stored before themes existed).
func (s Site) ThemeOf() string {
	switch s.Theme {
	case ThemeLight, ThemeDark:
		return s.Theme
	}
	return ThemeAuto
}
