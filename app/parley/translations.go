package parley

import (
	"strings"
	"unicode/utf8"
)

// SiteLanguages are the languages a site's own texts (welcome, greeting,
// away and busy messages, topics) may be translated into: the widget's
// (app/i18n.Supported). The default text is in whatever language the shop
// writes; the widget shows the visitor's language's text, else the
// default.
var SiteLanguages = []string{"en", "pl", "ro", "sl", "de", "fr", "es"}

// MaxTranslations bounds the translations of one text.
const MaxTranslations = 7

// Translations are a site text in other languages, by language code
// (SiteLanguages): {"pl": "Dzień dobry!"}. Nil or empty: the default text
// only.
type Translations map[string]string

// In is the text in language lang, else def.
func (t Translations) In(lang, def string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	return def
}

// siteLanguage says whether lang is one of SiteLanguages.
func siteLanguage(lang string) bool {
	for _, l := range SiteLanguages {
		if l == lang {
			return true
		}
	}
	return false
}

// Validate checks the translations of the text called name, each at most
// max characters: known languages, valid UTF-8, trimmed; empty ones are
// dropped, and none at all is nil.
func (t Translations) Validate(name string, max int) (Translations, error) {
	if len(t) > MaxTranslations {
		return nil, Errorf(ETooLarge, "%s has %d translations; there are %d languages.", name, len(t), MaxTranslations)
	}
	var out Translations
	for lang, s := range t {
		if !siteLanguage(lang) {
			return nil, Errorf(EInvalid, "%s: unknown language %q; the widget speaks %s.", name, Truncate(lang, 10), strings.Join(SiteLanguages, ", "))
		}
		if !utf8.ValidString(s) {
			return nil, Errorf(EInvalid, "%s in %s is not valid UTF-8.", name, lang)
		}
		s = strings.TrimSpace(s)
		if n := utf8.RuneCountInString(s); n > max {
			return nil, Errorf(ETooLarge, "%s in %s is %d characters long; the limit is %d.", name, lang, n, max)
		}
		if s == "" {
			continue
		}
		if out == nil {
			out = Translations{}
		}
		out[lang] = s
	}
	return out, nil
}
