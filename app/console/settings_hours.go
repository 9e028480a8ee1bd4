package console

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/parley"
)

// browserZone is the browser's IANA time zone, "" outside one. Go's own
// time.Local in the browser is a fixed offset without a name.
func browserZone() string {
	if !app.IsClient {
		return ""
	}
	intl := app.Window().Get("Intl")
	if !intl.Truthy() {
		return ""
	}
	zone := intl.Call("DateTimeFormat").Call("resolvedOptions").Get("timeZone")
	if zone.Type() != app.TypeString {
		return ""
	}
	return zone.String()
}

// renderHours is the "Business hours" section of the site form.
func (s *Settings) renderHours(ro bool, site SiteInfo) app.UI {
	f := &s.form.Routing.Hours
	off := ro || !f.Enabled
	var state app.UI = app.Span().Class("open-state-none")
	if label := OpenLabel(site.Open, time.Now()); label != "" {
		state = app.P().ID("hours-state").Class(openClass(site.Open)).Text(label)
	}
	days := app.Div().Class("hours-week").Role("group").Aria("label", "Opening times").Body(
		app.Range(FormWeek[:]).Slice(func(i int) app.UI {
			wd := FormWeek[i]
			d := f.Days[wd]
			name := wd.String()
			id := "hours-" + strconv.Itoa(int(wd))
			var more app.UI = app.Span().Class("hours-more-none")
			if n := d.More(); n > 0 && d.Open {
				more = app.Span().Class("hint").Text("+ " + strconv.Itoa(n) + " more open times, kept as they are")
			}
			return app.Div().Class("hours-day").DataSet("day", int(wd)).Body(
				app.Label().Class("check").Body(
					app.Input().ID(id+"-open").Type("checkbox").Checked(d.Open).Disabled(off).
						OnChange(func(ctx app.Context, e app.Event) {
							day := &s.form.Routing.Hours.Days[wd]
							day.Open = ctx.JSSrc().Get("checked").Truthy()
							if day.Open && day.From == "" && day.To == "" {
								day.From, day.To = "09:00", "17:00"
							}
							s.touched()
						}),
					app.Span().Class("hours-day-name").Text(name),
				),
				app.Input().ID(id+"-from").Type("time").Value(d.From).Disabled(off || !d.Open).
					Aria("label", name+" opens at").
					OnInput(s.set(func(v string) { s.form.Routing.Hours.Days[wd].From = v })),
				app.Span().Class("hours-to").Text("–"),
				app.Input().ID(id+"-to").Type("time").Value(d.To).Disabled(off || !d.Open).
					Aria("label", name+" closes at").
					OnInput(s.set(func(v string) { s.form.Routing.Hours.Days[wd].To = v })),
				more,
			)
		}),
	)
	mode := parley.Routing{Offline: s.form.Routing.Offline}.WhenClosed()
	offline := app.Div().Class("offline-modes").Role("radiogroup").Aria("labelledby", "offline-title").Body(
		app.Range(OfflineModes).Slice(func(i int) app.UI {
			m := OfflineModes[i]
			return app.Label().Class("check").Body(
				app.Input().ID("offline-"+string(m.Mode)).Type("radio").Name("offline").Value(string(m.Mode)).
					Checked(mode == m.Mode).Disabled(ro).
					OnChange(s.set(func(v string) { s.form.Routing.Offline = parley.OfflineMode(v) })),
				app.Span().Text(m.Label),
			)
		}),
	)
	return app.Section().ID("hours").Class("hours").Body(
		app.H3().Text("Business hours"),
		state,
		app.Label().Class("check").Body(
			app.Input().ID("hours-enabled").Type("checkbox").Checked(f.Enabled).Disabled(ro).
				OnChange(func(ctx app.Context, e app.Event) {
					s.form.Routing.Hours.Enabled = ctx.JSSrc().Get("checked").Truthy()
					s.touched()
				}),
			app.Span().Text("Answer chats only at set times"),
		),
		field("hours-zone", "Time zone", app.Input().ID("hours-zone").Type("text").List("zones").
			Value(f.Zone).ReadOnly(off).Placeholder("Europe/Warsaw").Spellcheck(false).
			OnInput(s.set(func(v string) { s.form.Routing.Hours.Zone = v }))),
		app.DataList().ID("zones").Body(
			app.Range(CommonZones).Slice(func(i int) app.UI { return app.Option().Value(CommonZones[i]) }),
		),
		days,
		field("hours-holidays", "Holidays, closed all day (one date a line, like 2026-12-24)",
			app.Textarea().ID("hours-holidays").Rows(3).Spellcheck(false).Text(f.Holidays).ReadOnly(off).
				OnInput(s.set(func(v string) { s.form.Routing.Hours.Holidays = v }))),
		app.H3().ID("offline-title").Text("When nobody can answer"),
		app.P().Class("hint").Text("Outside business hours, or when no member of the chosen team is online:"),
		offline,
	)
}

func openClass(st *parley.OpenState) string {
	if st != nil && st.Open {
		return "open-state open-now"
	}
	return "open-state closed-now"
}

// renderOpenStates shows in the header whether the agent's sites are open.
func renderOpenStates(labels []SiteOpenLabel) app.UI {
	if len(labels) == 0 {
		return app.Span().Class("open-states-none")
	}
	return app.Span().ID("open-states").Class("open-states").Role("status").Body(
		app.Range(labels).Slice(func(i int) app.UI {
			l := labels[i]
			class := "open-state closed-now"
			if l.Open {
				class = "open-state open-now"
			}
			text := l.Label
			if l.Site != "" {
				text = l.Site + ": " + text
			}
			return app.Span().Class(class).Text(text)
		}),
	)
}
