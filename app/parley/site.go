package parley

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on site settings.
const (
	maxSiteName       = 100
	maxSiteTitle      = 100
	maxSiteWelcome    = 500
	maxAllowedOrigins = 50
	maxPagePattern    = 200
	maxGreeting       = 1000
	maxDelaySeconds   = 3600
)

// Validate checks site settings that come from outside and returns them
// normalised: trimmed texts, normalised origins, a default colour.
func (s Site) Validate() (Site, error) {
	texts := []struct {
		field *string
		name  string
		max   int
	}{
		{&s.Name, "Name", maxSiteName},
		{&s.Title, "Title", maxSiteTitle},
		{&s.Welcome, "Welcome text", maxSiteWelcome},
		{&s.AwayMessage, "Away message", maxSiteWelcome},
		{&s.BusyMessage, "Busy message", maxSiteWelcome},
		{&s.Proactive.PagePattern, "Page pattern", maxPagePattern},
		{&s.Proactive.Message, "Greeting", maxGreeting},
	}
	for _, t := range texts {
		if !utf8.ValidString(*t.field) {
			return Site{}, Errorf(EInvalid, "%s is not valid UTF-8.", t.name)
		}
		*t.field = strings.TrimSpace(*t.field)
		if n := utf8.RuneCountInString(*t.field); n > t.max {
			return Site{}, Errorf(ETooLarge, "%s is %d characters long; the limit is %d.", t.name, n, t.max)
		}
	}
	if s.Name == "" {
		return Site{}, Errorf(EInvalid, "The site needs a name.")
	}
	welcomes, err := s.WelcomeByLang.Validate("Welcome text", maxSiteWelcome)
	if err != nil {
		return Site{}, err
	}
	greetings, err := s.Proactive.MessageByLang.Validate("Greeting", maxGreeting)
	if err != nil {
		return Site{}, err
	}
	aways, err := s.AwayMessageByLang.Validate("Away message", maxSiteWelcome)
	if err != nil {
		return Site{}, err
	}
	busies, err := s.BusyMessageByLang.Validate("Busy message", maxSiteWelcome)
	if err != nil {
		return Site{}, err
	}
	s.WelcomeByLang, s.Proactive.MessageByLang = welcomes, greetings
	s.AwayMessageByLang, s.BusyMessageByLang = aways, busies
	if len(s.AllowedOrigins) > maxAllowedOrigins {
		return Site{}, Errorf(ETooLarge, "At most %d allowed origins.", maxAllowedOrigins)
	}
	origins := make([]string, 0, len(s.AllowedOrigins))
	for _, o := range s.AllowedOrigins {
		if strings.TrimSpace(o) == "" {
			continue
		}
		n, err := ParseOriginPattern(o)
		if err != nil {
			return Site{}, err
		}
		origins = append(origins, n)
	}
	s.AllowedOrigins = origins
	if s.Color == "" {
		s.Color = "#4f46e5"
	}
	if !validColor(s.Color) {
		return Site{}, Errorf(EInvalid, "Colour %q is not of the form #rrggbb.", s.Color)
	}
	look, err := s.validateLook()
	if err != nil {
		return Site{}, err
	}
	s = look
	if s.EditMinutes < -1 || s.EditMinutes > MaxEditMinutes {
		return Site{}, Errorf(EInvalid, "The edit window must be from 1 to %d minutes, 0 for the default (%d) or -1 for never.", MaxEditMinutes, DefaultEditMinutes)
	}
	mail, err := s.Mail.Validate()
	if err != nil {
		return Site{}, err
	}
	s.Mail = mail
	files, err := s.Files.Validate()
	if err != nil {
		return Site{}, err
	}
	s.Files = files
	ratings, err := s.Ratings.Validate()
	if err != nil {
		return Site{}, err
	}
	s.Ratings = ratings
	if s.Announcements, err = validateAnnouncements(s.Announcements); err != nil {
		return Site{}, err
	}
	if s.Contact, err = s.Contact.Validate(); err != nil {
		return Site{}, err
	}
	if p := s.Proactive; p.Enabled {
		if p.DelaySeconds < 0 || p.DelaySeconds > maxDelaySeconds {
			return Site{}, Errorf(EInvalid, "The greeting delay must be from 0 to %d seconds.", maxDelaySeconds)
		}
		if p.Message == "" {
			return Site{}, Errorf(EInvalid, "The proactive greeting needs a message.")
		}
		if strings.ContainsAny(p.PagePattern, "\r\n\t") {
			return Site{}, Errorf(EInvalid, "The page pattern may not hold control characters.")
		}
	}
	return s, nil
}

func validColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c[i])) {
			return false
		}
	}
	return true
}

// WidgetSettings are the site settings the visitor widget shows. They are
// public: the widget page carries them in a meta tag.
type WidgetSettings struct {
	Title   string `json:"title"`
	Welcome string `json:"welcome"`
	Color   string `json:"color"`
	// Theme is the site's ThemeAuto, ThemeLight or ThemeDark.
	Theme string `json:"theme,omitempty"`
	// WelcomeByLang and GreetingByLang are the welcome and the proactive
	// greeting in other languages: the widget shows its visitor's.
	WelcomeByLang  Translations `json:"welcomeByLang,omitempty"`
	GreetingByLang Translations `json:"greetingByLang,omitempty"`
	// AwayMessage is the shop's own line while the header says it is
	// closed or away; BusyMessage its own line under the busy offer. Each
	// has its translations; empty: the widget's texts only.
	AwayMessage       string       `json:"awayMessage,omitempty"`
	AwayMessageByLang Translations `json:"awayMessageByLang,omitempty"`
	BusyMessage       string       `json:"busyMessage,omitempty"`
	BusyMessageByLang Translations `json:"busyMessageByLang,omitempty"`
	// PreChat is the pre-chat form, nil when the site has none.
	PreChat *WidgetPreChat `json:"preChat,omitempty"`
	// Open is whether the site is open as the page was served, nil
	// without business hours; Offline is what the widget does while it
	// is closed. The server sets both: they need zone data, which the
	// wasm apps do not carry.
	Open    *OpenState  `json:"open,omitempty"`
	Offline OfflineMode `json:"offline,omitempty"`
	// Mail says the site can send email (a transcript, a reply): the
	// server sets it.
	Mail bool `json:"mail,omitempty"`
	// BusyMinutes is the surge threshold (Routing.BusyMinutes): past that
	// estimated wait the widget offers to answer by email. 0 is off.
	BusyMinutes int `json:"busyMinutes,omitempty"`
	// EditMinutes is how long the visitor may edit or delete a message
	// of theirs (Site.EditWindow); 0: never.
	EditMinutes int `json:"editMinutes,omitempty"`
	// TypingPreview: agents see the visitor's draft; the widget says so.
	TypingPreview bool `json:"typingPreview,omitempty"`
	// Files are the site's limits on attachments, which the widget
	// checks before it uploads.
	Files FileSettings `json:"files,omitzero"`
	// Ratings are the questions asked after a resolved chat, nil when
	// none is.
	Ratings *WidgetRatings `json:"ratings,omitempty"`
	// Announcements are the site's announcements that have not ended,
	// their windows in instants: the server sets them (zone data).
	Announcements []AnnouncementView `json:"announcements,omitempty"`
}

// WidgetPreChat is the pre-chat form as the widget shows it: each field's
// mode (FieldOff, FieldOptional, FieldRequired) and the topics to choose
// from, id and name only.
type WidgetPreChat struct {
	Topic  string  `json:"topic,omitempty"`
	Name   string  `json:"name,omitempty"`
	Email  string  `json:"email,omitempty"`
	Topics []Topic `json:"topics,omitempty"`
}

// WidgetSettings returns what the widget shows of s.
func (s Site) WidgetSettings() WidgetSettings {
	w := WidgetSettings{Title: s.Title, Welcome: s.Welcome, WelcomeByLang: s.WelcomeByLang, Color: s.Color, BusyMinutes: s.Routing.BusyMinutes,
		AwayMessage: s.AwayMessage, AwayMessageByLang: s.AwayMessageByLang,
		BusyMessage: s.BusyMessage, BusyMessageByLang: s.BusyMessageByLang,
		EditMinutes: int(s.EditWindow() / time.Minute), TypingPreview: s.TypingPreview, Files: s.Files,
		Ratings: s.Ratings.widget(s.Name), Theme: s.ThemeOf()}
	if w.Title == "" {
		w.Title = s.Name
	}
	if s.Proactive.Enabled {
		w.GreetingByLang = s.Proactive.MessageByLang
	}
	if !validColor(w.Color) {
		w.Color = ""
	}
	if f := s.Routing.PreChat; f.Enabled {
		p := &WidgetPreChat{Name: f.Name, Email: f.Email}
		if f.Topic != FieldOff {
			p.Topic = f.Topic
			for _, t := range s.Routing.Topics {
				// The team too: the widget applies the state of the
				// chosen topic's team (OpenState.Teams).
				p.Topics = append(p.Topics, Topic{ID: t.ID, Name: t.Name, Team: t.Team, NameByLang: t.NameByLang})
			}
		}
		w.PreChat = p
	}
	return w
}

// WidgetSettingsMeta is the name of the widget page's meta tag that holds
// the JSON of the site's WidgetSettings.
const WidgetSettingsMeta = "parley-site"

// BasePathMeta is the name of both app pages' meta tag that holds the path
// Parley is served under: "" at the root of its origin, "/chat" when a
// shop's reverse proxy serves it at shop.example/chat/.
const BasePathMeta = "parley-base"
