package parley

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// TypeTag (agent): change a conversation's tags,
// {"type":"tag","id","conv","add":[...],"remove":[...]}. The answer is a
// conv frame to the site's agents; a refusal is an error with the id.
const TypeTag = "tag"

// Bounds on tags.
const (
	MaxTags     = 20 // per conversation
	MaxTagRunes = 32
)

// NormalizeTag returns tag as conversations keep it: trimmed, lowercase,
// inner runs of spaces made one; letters a-z, digits, '-', '_' and spaces.
func NormalizeTag(tag string) (string, error) {
	t := strings.Join(strings.Fields(strings.ToLower(tag)), " ")
	if t == "" {
		return "", Errorf(EInvalid, "A tag needs at least one letter or digit.")
	}
	if n := utf8.RuneCountInString(t); n > MaxTagRunes {
		return "", Errorf(ETooLarge, "The tag %q is %d characters long; the limit is %d.", Truncate(t, MaxTagRunes), n, MaxTagRunes)
	}
	for _, r := range t {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' && r != ' ' {
			return "", Errorf(EInvalid, "The tag %q may hold only a-z, 0-9, '-', '_' and spaces.", Truncate(t, MaxTagRunes))
		}
	}
	return t, nil
}

// ApplyTags returns tags with add added and remove removed, normalised,
// sorted and without duplicates: at most MaxTags. Removing a tag that is
// not there, or adding one that is, changes nothing.
func ApplyTags(tags, add, remove []string) ([]string, error) {
	if len(add) > MaxTags || len(remove) > MaxTags {
		return nil, Errorf(ETooLarge, "At most %d tags per conversation.", MaxTags)
	}
	out := slices.Clone(tags)
	for _, r := range remove {
		t, err := NormalizeTag(r)
		if err != nil {
			return nil, err
		}
		out = slices.DeleteFunc(out, func(s string) bool { return s == t })
	}
	for _, a := range add {
		t, err := NormalizeTag(a)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, Errorf(ETooLarge, "At most %d tags per conversation: remove one first.", MaxTags)
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// HasTag says whether c carries tag (normalised).
func (c Conversation) HasTag(tag string) bool { return slices.Contains(c.Tags, tag) }
