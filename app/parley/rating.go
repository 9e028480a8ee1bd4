package parley

import (
	"strings"
	"time"
	"unicode/utf8"
)

// TypeRate (visitor): the visitor's answer to the rating request after a
// resolved chat (Kind "" or RatingCSAT, Score 1–5 or 0/1 for thumbs) or to
// the Net Promoter question (Kind RatingNPS, Score 0–10), with an optional
// comment in Text. The answer is a conv frame with the rating.
const TypeRate = "rate"

// Kinds of rating (rate.kind, Rating.Kind).
const (
	RatingCSAT = "csat"
	RatingNPS  = "nps"
)

// Scales of the satisfaction rating (RatingSettings.Scale, Rating.Scale).
const (
	ScaleStars  = "stars"  // 1–5 stars
	ScaleThumbs = "thumbs" // 0 thumbs down, 1 thumbs up
	ScaleNPS    = "nps"    // 0–10, the Net Promoter question
)

// Bounds and defaults of the ratings.
const (
	MaxRatingComment   = 1000
	DefaultNPSEvery    = 3
	MaxNPSEvery        = 20
	DefaultNPSDays     = 90
	MinNPSDays         = 7
	MaxNPSDays         = 365
	maxNPSQuestion     = 200
	DefaultNPSQuestion = "How likely are you to recommend {{site.name}} to a friend?"
	// RatingChangeWindow is how long after answering a visitor may change
	// their answer (a second rate frame replaces the first); later → conflict.
	RatingChangeWindow = 24 * time.Hour
)

// RatingSettings are a site's satisfaction and Net Promoter questions.
type RatingSettings struct {
	// Enabled asks for a rating after a chat is resolved.
	Enabled bool `json:"enabled,omitempty"`
	// Scale is ScaleStars (the default) or ScaleThumbs.
	Scale string `json:"scale,omitempty"`
	// Comment offers an optional comment with the rating.
	Comment bool `json:"comment,omitempty"`
	// NPS asks the Net Promoter question, after every NPSEvery-th
	// resolved chat of a contact, at most once per NPSDays.
	NPS      bool `json:"nps,omitempty"`
	NPSEvery int  `json:"npsEvery,omitempty"`
	NPSDays  int  `json:"npsDays,omitempty"`
	// NPSQuestion is the question; "" is DefaultNPSQuestion, in the
	// visitor's language. {{site.name}} is the site's name.
	NPSQuestion string `json:"npsQuestion,omitempty"`
}

// Every is NPSEvery with its default.
func (r RatingSettings) Every() int {
	if r.NPSEvery == 0 {
		return DefaultNPSEvery
	}
	return r.NPSEvery
}

// Days is NPSDays with its default.
func (r RatingSettings) Days() int {
	if r.NPSDays == 0 {
		return DefaultNPSDays
	}
	return r.NPSDays
}

// ScaleOr is Scale with its default.
func (r RatingSettings) ScaleOr() string {
	if r.Scale == "" {
		return ScaleStars
	}
	return r.Scale
}

// Validate checks rating settings from outside.
func (r RatingSettings) Validate() (RatingSettings, error) {
	if r.Scale != "" && r.Scale != ScaleStars && r.Scale != ScaleThumbs {
		return r, Errorf(EInvalid, "The rating scale must be %q or %q.", ScaleStars, ScaleThumbs)
	}
	if r.NPSEvery != 0 && (r.NPSEvery < 1 || r.NPSEvery > MaxNPSEvery) {
		return r, Errorf(EInvalid, "Ask the NPS question every 1 to %d resolved chats.", MaxNPSEvery)
	}
	if r.NPSDays != 0 && (r.NPSDays < MinNPSDays || r.NPSDays > MaxNPSDays) {
		return r, Errorf(EInvalid, "Ask the NPS question at most once per %d to %d days.", MinNPSDays, MaxNPSDays)
	}
	if !utf8.ValidString(r.NPSQuestion) {
		return r, Errorf(EInvalid, "The NPS question is not valid UTF-8.")
	}
	r.NPSQuestion = strings.TrimSpace(r.NPSQuestion)
	if n := utf8.RuneCountInString(r.NPSQuestion); n > maxNPSQuestion {
		return r, Errorf(ETooLarge, "The NPS question is %d characters long; the limit is %d.", n, maxNPSQuestion)
	}
	if strings.ContainsAny(r.NPSQuestion, "\r\n\t") {
		return r, Errorf(EInvalid, "The NPS question may not hold control characters.")
	}
	return r, nil
}

// AskNPS is the Net Promoter rule: a contact is asked when their count of
// resolved chats (this one included) is a multiple of every, and they were
// last asked more than days ago (never: zero lastAsked).
func AskNPS(every, days, resolved int, lastAsked, now time.Time) bool {
	if every < 1 || resolved < 1 || resolved%every != 0 {
		return false
	}
	return lastAsked.IsZero() || now.Sub(lastAsked) > time.Duration(days)*24*time.Hour
}

// Rating is a visitor's answer: the satisfaction rating of a chat, or the
// Net Promoter score asked after it. It is stored with the conversation,
// its assignee and team, for reports.
type Rating struct {
	// Kind is RatingCSAT or RatingNPS; Scale is ScaleStars, ScaleThumbs
	// or ScaleNPS.
	Kind    string    `json:"kind"`
	Scale   string    `json:"scale"`
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
	// Agent and Team are the conversation's assignee and team when
	// rated (absent in a visitor's copy).
	Agent     uint64 `json:"agent,omitempty"`
	AgentName string `json:"agentName,omitempty"`
	Team      string `json:"team,omitempty"`
}

// CheckRating validates a visitor's answer of kind (RatingCSAT or
// RatingNPS) on a site's scale and returns the comment normalised.
func CheckRating(kind, scale string, score int, comment string) (string, error) {
	switch kind {
	case RatingCSAT:
		lo, hi := 1, 5
		if scale == ScaleThumbs {
			lo, hi = 0, 1
		}
		if score < lo || score > hi {
			return "", Errorf(EInvalid, "The rating must be from %d to %d.", lo, hi)
		}
	case RatingNPS:
		if score < 0 || score > 10 {
			return "", Errorf(EInvalid, "The score must be from 0 to 10.")
		}
	default:
		return "", Errorf(EInvalid, "Unknown rating kind %q.", Truncate(kind, 16))
	}
	if !utf8.ValidString(comment) {
		return "", Errorf(EInvalid, "The comment is not valid UTF-8.")
	}
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxRatingComment {
		return "", Errorf(ETooLarge, "The comment is %d characters long; the limit is %d.", n, MaxRatingComment)
	}
	for _, r := range comment {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return "", Errorf(EInvalid, "The comment may not hold control characters.")
		}
	}
	return comment, nil
}

// RatingText says a rating in a line for agents: "★★★★☆ 4/5", "👍",
// "NPS 9", with the comment quoted.
func RatingText(r Rating) string {
	var s string
	switch r.Scale {
	case ScaleThumbs:
		s = "👎 Thumbs down"
		if r.Score == 1 {
			s = "👍 Thumbs up"
		}
	case ScaleNPS:
		s = "NPS " + itoa(int64(r.Score))
	default:
		n := min(max(r.Score, 0), 5)
		s = strings.Repeat("★", n) + strings.Repeat("☆", 5-n) + " " + itoa(int64(r.Score)) + "/5"
	}
	if r.Comment != "" {
		s += " “" + r.Comment + "”"
	}
	return s
}

// WidgetRatings are the rating settings as the widget shows them.
type WidgetRatings struct {
	// CSAT asks for the satisfaction rating on Scale.
	CSAT    bool   `json:"csat,omitempty"`
	Scale   string `json:"scale,omitempty"`
	Comment bool   `json:"comment,omitempty"`
	// Question is the site's own NPS question with the site's name in
	// it; "" asks the default one, in the visitor's language, naming
	// SiteName.
	Question string `json:"question,omitempty"`
	SiteName string `json:"siteName,omitempty"`
}

// widgetRatings is what the widget shows of r on site s; nil when
// neither question is asked.
func (r RatingSettings) widget(siteName string) *WidgetRatings {
	if !r.Enabled && !r.NPS {
		return nil
	}
	w := &WidgetRatings{CSAT: r.Enabled, Scale: r.ScaleOr(), Comment: r.Comment, SiteName: siteName}
	if r.NPSQuestion != "" {
		w.Question = strings.ReplaceAll(r.NPSQuestion, "{{site.name}}", siteName)
	}
	return w
}

// forVisitor is the visitor's copy of their own answer: without whom it
// was counted for.
func (r *Rating) forVisitor() *Rating {
	if r == nil {
		return nil
	}
	c := *r
	c.Agent, c.AgentName, c.Team = 0, "", ""
	return &c
}
