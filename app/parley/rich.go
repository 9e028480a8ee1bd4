package parley

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Rich messages: an agent's message may carry a product card (an image, a
// title, a price, a link) and quick replies, buttons the visitor taps to
// answer with their text. Both are data, never markup: the widget renders
// them as text, a link and an image it loads from the shop's own origins
// (the widget's CSP allows only those).

// Card is a product card.
type Card struct {
	Title string `json:"title"`
	// Price is shown as given: "€14.90", "14,90 zł".
	Price string `json:"price,omitempty"`
	// URL is the product page; Image a picture of it. http or https.
	URL   string `json:"url,omitempty"`
	Image string `json:"image,omitempty"`
}

// Bounds on rich messages.
const (
	MaxCardTitle    = 200
	MaxCardPrice    = 40
	MaxCardURL      = 2048
	MaxQuickReplies = 5
	MaxQuickReply   = 40
)

// CheckRich validates a message's card and quick replies, returning them
// trimmed.
func CheckRich(card *Card, replies []string) (*Card, []string, error) {
	if card != nil {
		c := *card
		c.Title, c.Price = strings.TrimSpace(c.Title), strings.TrimSpace(c.Price)
		if c.Title == "" {
			return nil, nil, Errorf(EInvalid, "A product card needs a title.")
		}
		for _, f := range []struct {
			name, v string
			max     int
		}{{"The card's title", c.Title, MaxCardTitle}, {"The card's price", c.Price, MaxCardPrice}} {
			if err := checkLine(f.name, f.v, f.max); err != nil {
				return nil, nil, err
			}
		}
		for _, f := range []struct{ name, v string }{{"The card's link", c.URL}, {"The card's image", c.Image}} {
			if f.v == "" {
				continue
			}
			if len(f.v) > MaxCardURL {
				return nil, nil, Errorf(ETooLarge, "%s is longer than %d bytes.", f.name, MaxCardURL)
			}
			if u, err := url.Parse(f.v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
				return nil, nil, Errorf(EInvalid, "%s must be an http or https URL.", f.name)
			}
		}
		card = &c
	}
	if len(replies) > MaxQuickReplies {
		return nil, nil, Errorf(ETooLarge, "At most %d quick replies.", MaxQuickReplies)
	}
	var out []string
	for _, r := range replies {
		r = strings.TrimSpace(r)
		if err := checkLine("A quick reply", r, MaxQuickReply); err != nil {
			return nil, nil, err
		}
		if r == "" {
			return nil, nil, Errorf(EInvalid, "A quick reply is empty.")
		}
		out = append(out, r)
	}
	return card, out, nil
}

// checkLine refuses text that is not valid UTF-8, holds a control
// character, or is over max characters.
func checkLine(name, s string, max int) error {
	if !utf8.ValidString(s) {
		return Errorf(EInvalid, "%s is not valid UTF-8.", name)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return Errorf(EInvalid, "%s holds a control character.", name)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(ETooLarge, "%s is %d characters long; the limit is %d.", name, n, max)
	}
	return nil
}
