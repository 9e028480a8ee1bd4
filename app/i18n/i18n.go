// Package i18n translates what Parley says to visitors: the widget and the
// emails, in English, Polish, Romanian, Slovenian, German, French and
// Spanish.
//
// A message's key is its English text, gettext-style: code reads as it
// shows (lang.T("We're away right now")), and a text nobody translated yet
// falls back to English instead of showing a key. Translations live in
// catalog_*.go files, one per part of the product, each adding its entries
// in an init function; the tests check that every text given to T or N in
// the widget and the mail has every language.
//
// Plurals follow the CLDR rules of each language (one, few, many, other):
// Polish says "1 wiadomość", "3 wiadomości", "5 wiadomości"; Slovenian has
// a dual. N takes the English singular and plural and the count.
//
// Standard library only: the widget is WebAssembly, and this package costs
// it the catalog's bytes and little else (see the README for the figures).
package i18n

import (
	"fmt"
	"strings"
	"sync"
)

// Lang is a supported language, by its BCP 47 primary tag.
type Lang string

// The languages Parley speaks. English is the default and the source.
const (
	EN Lang = "en"
	PL Lang = "pl"
	RO Lang = "ro"
	SL Lang = "sl"
	DE Lang = "de"
	FR Lang = "fr"
	ES Lang = "es"
)

// Supported lists the languages, English first.
var Supported = []Lang{EN, PL, RO, SL, DE, FR, ES}

// Names are the languages' own names, for the console's pickers.
var Names = map[Lang]string{
	EN: "English", PL: "Polski", RO: "Română", SL: "Slovenščina",
	DE: "Deutsch", FR: "Français", ES: "Español",
}

// Category is a CLDR plural category.
type Category uint8

const (
	One Category = iota
	Two
	Few
	Many
	Other
)

// Forms are a text's plural forms in one language, by category: every
// category of Categories(l), and no other.
type Forms map[Category]string

var (
	mu      sync.RWMutex
	texts   = map[string]map[Lang]string{}
	plurals = map[string]map[Lang]Forms{}
)

// Add registers translations of texts: English text → language → text.
// Catalog files call it from init. A second translation of the same text
// into the same language panics unless it says the same: two catalogs
// disagree.
func Add(m map[string]map[Lang]string) {
	mu.Lock()
	defer mu.Unlock()
	for en, tr := range m {
		have := texts[en]
		if have == nil {
			have = make(map[Lang]string, len(tr))
			texts[en] = have
		}
		for l, s := range tr {
			if old, dup := have[l]; dup && old != s {
				panic(fmt.Sprintf("i18n: %q translated into %s twice, as %q and %q", en, l, old, s))
			}
			have[l] = s
		}
	}
}

// AddPlural registers the plural forms of a text, keyed by its English
// singular and plural as given to N.
func AddPlural(one, other string, m map[Lang]Forms) {
	mu.Lock()
	defer mu.Unlock()
	key := one + "\x00" + other
	have := plurals[key]
	if have == nil {
		have = make(map[Lang]Forms, len(m))
		plurals[key] = have
	}
	for l, f := range m {
		if _, dup := have[l]; dup {
			panic(fmt.Sprintf("i18n: %q translated into %s twice", other, l))
		}
		for _, c := range Categories(l) {
			if _, ok := f[c]; !ok {
				panic(fmt.Sprintf("i18n: %q in %s lacks the form for category %d", other, l, c))
			}
		}
		have[l] = f
	}
}

// FormSep separates plural forms in a table (AddTable).
const FormSep = " ¦ "

// AddTable registers translations written as text, one entry after the
// other: the English line, then one tab-indented line per language, its
// code, a space and the translation. A counted text's English line is
// its singular and plural, and each language's line its forms in the
// order of Categories, all separated by FormSep:
//
//	Write a message…
//		pl Napisz wiadomość…
//	%d unread ¦ %d unread
//		pl %d nieprzeczytana ¦ %d nieprzeczytane ¦ %d nieprzeczytanych
//
// It says what Add and AddPlural say, for far fewer bytes of WebAssembly:
// a map literal compiles to code for each of its entries, some 2.5 KB
// per text in seven languages, where a string costs its own bytes. A
// malformed table panics, at init.
func AddTable(table string) {
	texts := map[string]map[Lang]string{}
	type plural struct {
		one, other string
		forms      map[Lang]Forms
	}
	var plurals []plural
	var key string
	for n, line := range strings.Split(table, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !strings.HasPrefix(line, "\t") {
			key = line
			if one, other, ok := strings.Cut(key, FormSep); ok {
				plurals = append(plurals, plural{one, other, map[Lang]Forms{}})
				continue
			}
			if _, dup := texts[key]; dup {
				panic(fmt.Sprintf("i18n: %q twice in a table", key))
			}
			texts[key] = map[Lang]string{}
			continue
		}
		code, tr, ok := strings.Cut(line[1:], " ")
		l := Lang(code)
		if !ok || key == "" || !supported(l) || l == EN {
			panic(fmt.Sprintf("i18n: table line %d: want a tab, a language and its text: %q", n+1, line))
		}
		if strings.Contains(key, FormSep) {
			p := plurals[len(plurals)-1]
			forms := strings.Split(tr, FormSep)
			cats := Categories(l)
			if len(forms) != len(cats) {
				panic(fmt.Sprintf("i18n: table line %d: %s needs %d forms, has %d", n+1, l, len(cats), len(forms)))
			}
			f := make(Forms, len(cats))
			for i, c := range cats {
				f[c] = forms[i]
			}
			p.forms[l] = f
			continue
		}
		if _, dup := texts[key][l]; dup {
			panic(fmt.Sprintf("i18n: %q translated into %s twice", key, l))
		}
		texts[key][l] = tr
	}
	Add(texts)
	for _, p := range plurals {
		AddPlural(p.one, p.other, p.forms)
	}
}

func supported(l Lang) bool {
	for _, s := range Supported {
		if s == l {
			return true
		}
	}
	return false
}

// T is the English text en in language l, formatted with args (fmt verbs,
// as in the English text) when there are any. A text without a
// translation into l is English.
func (l Lang) T(en string, args ...any) string {
	s := en
	if l != EN {
		mu.RLock()
		if tr, ok := texts[en][l]; ok {
			s = tr
		}
		mu.RUnlock()
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// N is the form of a counted text for n in language l: one and other are
// the English singular and plural, each with the verbs args fill (n is
// not passed for you: "%d messages" needs n among args).
func (l Lang) N(n int, one, other string, args ...any) string {
	var s string
	if l != EN {
		mu.RLock()
		forms, ok := plurals[one+"\x00"+other][l]
		mu.RUnlock()
		if ok {
			if f, ok := forms[PluralOf(l, n)]; ok {
				s = f
			} else {
				s = forms[Other]
			}
		}
	}
	if s == "" {
		s = other
		if n == 1 {
			s = one
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether en has a translation into l (English always has).
func Has(l Lang, en string) bool {
	if l == EN {
		return true
	}
	mu.RLock()
	defer mu.RUnlock()
	_, ok := texts[en][l]
	return ok
}

// HasPlural reports whether the counted text one/other has forms in l.
func HasPlural(l Lang, one, other string) bool {
	if l == EN {
		return true
	}
	mu.RLock()
	defer mu.RUnlock()
	_, ok := plurals[one+"\x00"+other][l]
	return ok
}

// Categories are the plural categories language l uses for whole numbers.
func Categories(l Lang) []Category {
	switch l {
	case PL:
		return []Category{One, Few, Many}
	case RO:
		return []Category{One, Few, Other}
	case SL:
		return []Category{One, Two, Few, Other}
	case FR, ES:
		return []Category{One, Many, Other}
	}
	return []Category{One, Other}
}

// PluralOf is the CLDR plural category of the integer n in language l.
func PluralOf(l Lang, n int) Category {
	if n < 0 {
		n = -n
	}
	i10, i100 := n%10, n%100
	switch l {
	case PL:
		// one: 1; few: 2–4, 12–14 excluded; many: the rest.
		switch {
		case n == 1:
			return One
		case i10 >= 2 && i10 <= 4 && (i100 < 12 || i100 > 14):
			return Few
		default:
			return Many
		}
	case RO:
		// one: 1; few: 0, and …01–…19 but 1; other: the rest.
		switch {
		case n == 1:
			return One
		case n == 0 || (i100 >= 1 && i100 <= 19):
			return Few
		default:
			return Other
		}
	case SL:
		// one: …01; two: …02; few: …03–…04; other: the rest.
		switch i100 {
		case 1:
			return One
		case 2:
			return Two
		case 3, 4:
			return Few
		default:
			return Other
		}
	case FR:
		// one: 0 and 1; many: millions (1000000, …); other: the rest.
		switch {
		case n == 0 || n == 1:
			return One
		case n != 0 && n%1000000 == 0:
			return Many
		default:
			return Other
		}
	case ES:
		// one: 1; many: millions; other: the rest.
		switch {
		case n == 1:
			return One
		case n != 0 && n%1000000 == 0:
			return Many
		default:
			return Other
		}
	default: // en, de
		if n == 1 {
			return One
		}
		return Other
	}
}

// Parse is the supported language of a BCP 47 tag ("pl-PL", "sl", "de-AT",
// "pt-BR"), and false when its primary language is not one of Parley's.
func Parse(tag string) (Lang, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	for _, l := range Supported {
		if string(l) == tag {
			return l, true
		}
	}
	return EN, false
}

// Match is the first supported language among tags, in the order of the
// visitor's preference (navigator.languages, or Accept-Language without
// its weights), and English when none is.
func Match(tags ...string) Lang {
	for _, t := range tags {
		if l, ok := Parse(t); ok {
			return l
		}
	}
	return EN
}

// MatchAcceptLanguage is Match over an Accept-Language header, by weight.
func MatchAcceptLanguage(header string) Lang {
	best, bestQ := EN, -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		if l, ok := Parse(tag); ok && q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}
