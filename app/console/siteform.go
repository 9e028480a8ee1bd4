package console

import (
	"maps"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/app/parley"
)

// SiteForm is the settings form as the agent edits it: text fields, turned
// into a Site only when saved.
type SiteForm struct {
	Name    string
	Title   string
	Welcome string
	// Away and Busy are the shop's own away and busy messages.
	Away  string
	Busy  string
	Color string
	// Position, LauncherLabel and Theme are the launcher's corner and
	// text and the widget's theme (parley.Site).
	Position, LauncherLabel, Theme string
	AllowedOrigins                 string // one per line
	Proactive                      bool
	DelaySeconds                   string
	PagePattern                    string
	Greeting                       string
	// WelcomeByLang, GreetingByLang, AwayByLang and BusyByLang are those
	// texts in other languages; TextLang is the language the Translations
	// section edits.
	WelcomeByLang  parley.Translations
	GreetingByLang parley.Translations
	AwayByLang     parley.Translations
	BusyByLang     parley.Translations
	TextLang       string
	// Routing is the "Teams & routing" section.
	Routing RoutingForm
	// EditMinutes ("" the default, "0" never) and TypingPreview are the
	// "Messages" section.
	EditMinutes   string
	TypingPreview bool
	// Files is the "Attachments" section.
	Files FilesForm
	// Ratings is the "Ratings" section.
	Ratings RatingsForm
	// Announcements and the contact details are their sections
	// (settings_announce.go).
	Announcements              []AnnouncementForm
	ContactEmail, ContactPhone string
}

// NewSiteForm fills the form from a site. zone is the browser's time
// zone, for business hours without one.
func NewSiteForm(s parley.Site, zone string) SiteForm {
	return SiteForm{
		Name:           s.Name,
		Title:          s.Title,
		Welcome:        s.Welcome,
		Away:           s.AwayMessage,
		Busy:           s.BusyMessage,
		Color:          s.Color,
		Position:       s.Position,
		LauncherLabel:  s.LauncherLabel,
		Theme:          s.Theme,
		AllowedOrigins: strings.Join(s.AllowedOrigins, "\n"),
		Proactive:      s.Proactive.Enabled,
		DelaySeconds:   strconv.Itoa(s.Proactive.DelaySeconds),
		PagePattern:    s.Proactive.PagePattern,
		Greeting:       s.Proactive.Message,
		WelcomeByLang:  maps.Clone(s.WelcomeByLang),
		GreetingByLang: maps.Clone(s.Proactive.MessageByLang),
		AwayByLang:     maps.Clone(s.AwayMessageByLang),
		BusyByLang:     maps.Clone(s.BusyMessageByLang),
		Routing:        NewRoutingForm(s.Routing, zone),
		EditMinutes:    editMinutesText(s.EditMinutes),
		TypingPreview:  s.TypingPreview,
		Files:          NewFilesForm(s.Files),
		Ratings:        NewRatingsForm(s.Ratings),
		Announcements:  NewAnnouncementForms(s.Announcements),
		ContactEmail:   s.Contact.Email,
		ContactPhone:   s.Contact.Phone,
	}
}

// editMinutesText shows a site's edit window as typed: the minutes, "0"
// for never, "" for the default.
func editMinutesText(n int) string {
	switch {
	case n < 0:
		return "0"
	case n == 0:
		return ""
	}
	return strconv.Itoa(n)
}

// Site applies the form to base. It checks only what the form itself can
// get wrong (a delay that is not a number, a colour picker value); the
// server validates the rest and its messages are shown as they come.
func (f SiteForm) Site(base parley.Site) (parley.Site, error) {
	s := base
	s.Name = strings.TrimSpace(f.Name)
	s.Title = strings.TrimSpace(f.Title)
	s.Welcome = strings.TrimSpace(f.Welcome)
	s.WelcomeByLang = maps.Clone(f.WelcomeByLang)
	s.AwayMessage, s.AwayMessageByLang = strings.TrimSpace(f.Away), maps.Clone(f.AwayByLang)
	s.BusyMessage, s.BusyMessageByLang = strings.TrimSpace(f.Busy), maps.Clone(f.BusyByLang)
	s.Color = strings.TrimSpace(f.Color)
	s.Position, s.Theme = f.Position, f.Theme
	s.LauncherLabel = strings.TrimSpace(f.LauncherLabel)
	s.AllowedOrigins = []string{}
	for _, line := range strings.Split(f.AllowedOrigins, "\n") {
		if o := strings.TrimSpace(line); o != "" {
			s.AllowedOrigins = append(s.AllowedOrigins, o)
		}
	}
	delay := strings.TrimSpace(f.DelaySeconds)
	if delay == "" {
		delay = "0"
	}
	n, err := strconv.Atoi(delay)
	if err != nil || n < 0 {
		return parley.Site{}, parley.Errorf(parley.EInvalid, "The delay must be a whole number of seconds.")
	}
	s.Proactive = parley.Proactive{
		Enabled:      f.Proactive,
		DelaySeconds: n,
		PagePattern:  strings.TrimSpace(f.PagePattern),
		Message:      strings.TrimSpace(f.Greeting),
		// The server trims them and drops the empty ones.
		MessageByLang: maps.Clone(f.GreetingByLang),
	}
	if s.Proactive.Enabled && s.Proactive.Message == "" {
		return parley.Site{}, parley.Errorf(parley.EInvalid, "Write the greeting the proactive chat opens with.")
	}
	if s.Routing, err = f.Routing.Routing(); err != nil {
		return parley.Site{}, err
	}
	switch m := strings.TrimSpace(f.EditMinutes); m {
	case "":
		s.EditMinutes = 0
	case "0":
		s.EditMinutes = -1
	default:
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > parley.MaxEditMinutes {
			return parley.Site{}, parley.Errorf(parley.EInvalid, "Messages can be edited for 1 to %d minutes, or 0 for never.", parley.MaxEditMinutes)
		}
		s.EditMinutes = n
	}
	s.TypingPreview = f.TypingPreview
	if s.Files, err = f.Files.Settings(); err != nil {
		return parley.Site{}, err
	}
	if s.Ratings, err = f.Ratings.Settings(); err != nil {
		return parley.Site{}, err
	}
	s.Announcements = Announcements(f.Announcements)
	s.Contact = parley.Contact{Email: strings.TrimSpace(f.ContactEmail), Phone: strings.TrimSpace(f.ContactPhone)}
	return s, nil
}
