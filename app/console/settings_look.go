package console

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/app/parley"
)

// renderLook is the launcher's corner and label and the widget's theme,
// under the colour in the "Widget" section.
func (s *Settings) renderLook(ro bool) app.UI {
	f := s.form
	choice := func(id, label, current string, set func(string), opts ...[2]string) app.UI {
		return field(id, label, app.Select().ID(id).Disabled(ro).
			OnChange(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("value").String()) }).
			Body(app.Range(opts).Slice(func(i int) app.UI {
				return app.Option().Value(opts[i][0]).Selected(opts[i][0] == current).Text(opts[i][1])
			})))
	}
	return app.Div().Class("site-look").Body(
		choice("site-position", "Launcher position", f.Position, func(v string) { s.form.Position = v },
			[2]string{parley.PositionRight, "Bottom right"}, [2]string{parley.PositionLeft, "Bottom left"}),
		field("site-launcher-label", "Launcher label (optional, like “Chat with us”; empty for the icon alone)",
			app.Input().ID("site-launcher-label").Type("text").MaxLength(parley.MaxLauncherLabel).
				Value(f.LauncherLabel).ReadOnly(ro).OnInput(s.set(func(v string) { s.form.LauncherLabel = v }))),
		choice("site-theme", "Theme", f.Theme, func(v string) { s.form.Theme = v },
			[2]string{parley.ThemeAuto, "Follow the visitor's light or dark setting"},
			[2]string{parley.ThemeLight, "Light"}, [2]string{parley.ThemeDark, "Dark"}),
	)
}
