package ui

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Segment is a run of message text: plain text, or a link when URL is set
// (Text is then the link as the author wrote it).
type Segment struct {
	Text string
	URL  string
}

// Linkify splits s into plain runs and http(s) links. Only absolute http and
// https URLs with a host become links, so no other scheme (javascript:, data:)
// can ever reach an href. Trailing punctuation that usually closes a sentence
// stays outside the link.
func Linkify(s string) []Segment {
	var segs []Segment
	plain := func(t string) {
		if t == "" {
			return
		}
		if n := len(segs); n > 0 && segs[n-1].URL == "" {
			segs[n-1].Text += t
			return
		}
		segs = append(segs, Segment{Text: t})
	}

	rest := s
	for rest != "" {
		start := linkStart(rest)
		if start < 0 {
			plain(rest)
			break
		}
		end := start + linkEnd(rest[start:])
		candidate := trimLinkTail(rest[start:end])
		if u, ok := SafeHref(candidate); ok {
			plain(rest[:start])
			segs = append(segs, Segment{Text: candidate, URL: u})
			rest = rest[start+len(candidate):]
			continue
		}
		// Not a usable link: keep the scheme as text and look further on.
		skip := start + len("http")
		plain(rest[:skip])
		rest = rest[skip:]
	}
	return segs
}

// linkStart returns the index of the first "http://" or "https://" (any case)
// that does not continue a word, or -1.
func linkStart(s string) int {
	lower := strings.ToLower(s)
	offset := 0
	for {
		i := strings.Index(lower[offset:], "http")
		if i < 0 {
			return -1
		}
		i += offset
		tail := lower[i:]
		if strings.HasPrefix(tail, "http://") || strings.HasPrefix(tail, "https://") {
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			if i == 0 || !(unicode.IsLetter(prev) || unicode.IsDigit(prev)) {
				return i
			}
		}
		offset = i + len("http")
	}
}

// linkEnd returns the length of the URL-ish run at the start of s: up to
// white space, a control character or a character that never appears
// unescaped in a URL people paste.
func linkEnd(s string) int {
	for i, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>\"`{}|\\^", r) {
			return i
		}
	}
	return len(s)
}

// trimLinkTail drops sentence punctuation after a link, and closing brackets
// that do not close a bracket inside it ("(see https://x.example/a_(b))").
func trimLinkTail(s string) string {
	for s != "" {
		last := s[len(s)-1]
		switch {
		case strings.IndexByte(".,;:!?'*", last) >= 0:
			s = s[:len(s)-1]
		case last == ')' && strings.Count(s, "(") < strings.Count(s, ")"):
			s = s[:len(s)-1]
		case last == ']' && strings.Count(s, "[") < strings.Count(s, "]"):
			s = s[:len(s)-1]
		default:
			return s
		}
	}
	return s
}

// SafeHref reports whether s may be an href: an absolute http(s) URL with a
// host and no user info (which only serves to disguise where a link goes).
func SafeHref(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Host == "" || u.Hostname() == "" {
		return "", false
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return "", false
	}
	return s, true
}

// RichText renders message text: plain runs as text nodes (go-app escapes
// them) and links opening in a new tab, without referrer or opener.
func RichText(s string) []app.UI {
	segs := Linkify(s)
	nodes := make([]app.UI, 0, len(segs))
	for _, seg := range segs {
		if seg.URL == "" {
			nodes = append(nodes, app.Text(seg.Text))
			continue
		}
		nodes = append(nodes, LinkTo(seg.URL, seg.Text))
	}
	return nodes
}

// LinkTo is the anchor RichText renders for a link.
func LinkTo(href, text string) app.HTMLA {
	return app.A().Href(href).Target("_blank").Rel("noopener noreferrer nofollow").Text(text)
}
