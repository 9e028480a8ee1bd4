package parley

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on a site's FAQ entries.
const (
	MaxFAQEntries    = 200
	MaxFAQQuestion   = 200  // characters
	MaxFAQAnswer     = 2000 // characters
	MaxFAQKeywords   = 20
	MaxFAQKeyword    = 40 // characters
	MaxFAQQuery      = 200
	MaxFAQResults    = 3
	maxFAQID         = 24
	faqMinTokenRunes = 3
)

// FAQThreshold is the score an entry needs to be suggested or answered
// with: one keyword hit, two words of the question, or one word of the
// question that few entries share. Text that shares no word with an entry
// scores 0.
const FAQThreshold = 2.0

// FAQLangs are the languages an entry may be written in; "" is for all.
var FAQLangs = []string{"en", "pl", "ro", "sl", "de", "fr", "es"}

// FAQEntry is one of a site's ready answers (GET and PUT
// /api/sites/{id}/faq): suggested in the widget as the visitor types, and
// answered by the site's bot while a visitor waits for a person. Lang is
// the visitor language it is for; "" is every language.
type FAQEntry struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answer   string   `json:"answer"`
	Keywords []string `json:"keywords,omitempty"`
	Lang     string   `json:"lang,omitempty"`
}

// FAQResult is an entry that matches a visitor's text: what the faq frame
// carries to the widget (Score only on the server's side of it).
type FAQResult struct {
	Entry    string  `json:"entry"`
	Question string  `json:"question"`
	Answer   string  `json:"answer"`
	Score    float64 `json:"-"`
}

// FAQStat counts what visitors did with an entry over the recent days the
// store keeps: Shown to a visitor (once per entry per visit, as a
// suggestion or as the bot's answer), Helpful ("That helped", "That
// answers it"), and Asked: the visitor wrote to a person after it anyway.
type FAQStat struct {
	Entry   string `json:"entry"`
	Shown   int    `json:"shown"`
	Helpful int    `json:"helpful"`
	Asked   int    `json:"asked"`
}

// FAQList is the body of GET and PUT /api/sites/{id}/faq: the site's
// entries and (GET only) their counters over the days the store keeps.
type FAQList struct {
	FAQ   []FAQEntry `json:"faq"`
	Stats []FAQStat  `json:"stats,omitempty"`
}

// CheckFAQ validates a site's FAQ entries and returns them normalised:
// texts trimmed, keywords trimmed, deduplicated and without empty ones,
// lang lowercase; an entry without an id gets a new one.
func CheckFAQ(list []FAQEntry) ([]FAQEntry, error) {
	if len(list) > MaxFAQEntries {
		return nil, Errorf(ETooLarge, "At most %d FAQ entries per site.", MaxFAQEntries)
	}
	out := make([]FAQEntry, 0, len(list))
	seen := make(map[string]bool, len(list))
	for i, e := range list {
		n := i + 1
		if !utf8.ValidString(e.Question) || !utf8.ValidString(e.Answer) || !utf8.ValidString(e.ID) || !utf8.ValidString(e.Lang) {
			return nil, Errorf(EInvalid, "FAQ entry %d is not valid UTF-8.", n)
		}
		e.ID = strings.TrimSpace(e.ID)
		if e.ID == "" {
			e.ID = newFAQID()
		} else if err := checkFAQID(e.ID); err != nil {
			return nil, err
		}
		if seen[e.ID] {
			return nil, Errorf(EInvalid, "Two FAQ entries have the id %q.", e.ID)
		}
		seen[e.ID] = true
		e.Question = strings.TrimSpace(e.Question)
		e.Answer = strings.TrimSpace(e.Answer)
		if e.Question == "" {
			return nil, Errorf(EInvalid, "FAQ entry %d needs a question.", n)
		}
		if e.Answer == "" {
			return nil, Errorf(EInvalid, "The FAQ entry %q needs an answer.", Truncate(e.Question, 40))
		}
		if c := utf8.RuneCountInString(e.Question); c > MaxFAQQuestion {
			return nil, Errorf(ETooLarge, "The question of FAQ entry %d is %d characters long; the limit is %d.", n, c, MaxFAQQuestion)
		}
		if c := utf8.RuneCountInString(e.Answer); c > MaxFAQAnswer {
			return nil, Errorf(ETooLarge, "The answer to %q is %d characters long; the limit is %d.", Truncate(e.Question, 40), c, MaxFAQAnswer)
		}
		if len(e.Keywords) > MaxFAQKeywords {
			return nil, Errorf(ETooLarge, "The FAQ entry %q has %d keywords; the limit is %d.", Truncate(e.Question, 40), len(e.Keywords), MaxFAQKeywords)
		}
		kws := make([]string, 0, len(e.Keywords))
		kwSeen := make(map[string]bool, len(e.Keywords))
		for _, k := range e.Keywords {
			if !utf8.ValidString(k) {
				return nil, Errorf(EInvalid, "A keyword of FAQ entry %d is not valid UTF-8.", n)
			}
			k = strings.TrimSpace(k)
			if k == "" {
				continue
			}
			if c := utf8.RuneCountInString(k); c > MaxFAQKeyword {
				return nil, Errorf(ETooLarge, "The keyword %q is longer than %d characters.", Truncate(k, MaxFAQKeyword), MaxFAQKeyword)
			}
			if key := strings.ToLower(k); !kwSeen[key] {
				kwSeen[key] = true
				kws = append(kws, k)
			}
		}
		e.Keywords = kws
		if len(e.Keywords) == 0 {
			e.Keywords = nil
		}
		e.Lang = strings.ToLower(strings.TrimSpace(e.Lang))
		if e.Lang != "" && !isFAQLang(e.Lang) {
			return nil, Errorf(EInvalid, "The FAQ entry %q is in language %q; use one of %s, or none for all languages.", Truncate(e.Question, 40), Truncate(e.Lang, 10), strings.Join(FAQLangs, ", "))
		}
		out = append(out, e)
	}
	return out, nil
}

func isFAQLang(l string) bool {
	for _, x := range FAQLangs {
		if x == l {
			return true
		}
	}
	return false
}

func checkFAQID(id string) error {
	if len(id) > maxFAQID {
		return Errorf(EInvalid, "The FAQ entry id %q is longer than %d characters.", Truncate(id, maxFAQID), maxFAQID)
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return Errorf(EInvalid, "The FAQ entry id %q may hold only a-z, 0-9 and -.", Truncate(id, maxFAQID))
		}
	}
	return nil
}

func newFAQID() string {
	var b [6]byte
	rand.Read(b[:])
	return "f" + hex.EncodeToString(b[:])
}

// FAQFor returns the entries a visitor speaking lang is offered: those in
// lang and those for all languages. lang is a BCP 47 tag ("pl-PL"); only
// its primary language counts.
func FAQFor(list []FAQEntry, lang string) []FAQEntry {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	var out []FAQEntry
	for _, e := range list {
		if e.Lang == "" || e.Lang == lang {
			out = append(out, e)
		}
	}
	return out
}

// MatchFAQ returns up to MaxFAQResults entries of list that answer text,
// best first, each scoring at least FAQThreshold. Pass the entries the
// visitor is offered (FAQFor).
//
// Text and entries are compared as words, lowercase and without
// diacritics (ą→a, ł→l, ș→s, č→c, ß→ss), words shorter than three letters
// and the commonest question words left out. A word of the text counts
// once, for its best hit in an entry: a keyword weighs twice a word of
// the question, and rarer words across the site's entries weigh more
// (1+ln(N/df), IDF-like). A word of four letters or more also matches the
// entry words it starts ("retur" → "returns", "zwrot" → "zwrotu"), at 0.8
// of the weight, and an entry word that starts it ("returning" →
// "return"), so the word being typed and inflected forms both count.
func MatchFAQ(list []FAQEntry, text string) []FAQResult {
	query := dedupe(FAQTokens(text))
	if len(query) == 0 || len(list) == 0 {
		return nil
	}
	type words struct{ kw, q []string }
	ws := make([]words, len(list))
	df := make(map[string]int)
	for i, e := range list {
		var kw []string
		for _, k := range e.Keywords {
			kw = append(kw, FAQTokens(k)...)
		}
		ws[i] = words{dedupe(kw), dedupe(FAQTokens(e.Question))}
		all := dedupe(append(append([]string(nil), ws[i].kw...), ws[i].q...))
		for _, w := range all {
			df[w]++
		}
	}
	n := float64(len(list))
	idf := func(w string) float64 { return 1 + math.Log(n/float64(max(df[w], 1))) }
	var out []FAQResult
	for i, e := range list {
		score := 0.0
		for _, t := range query {
			best := 0.0
			for _, w := range ws[i].kw {
				if m := tokenMatch(t, w); m > 0 {
					best = max(best, 2*m*idf(w))
				}
			}
			for _, w := range ws[i].q {
				if m := tokenMatch(t, w); m > 0 {
					best = max(best, m*idf(w))
				}
			}
			score += best
		}
		if score >= FAQThreshold {
			out = append(out, FAQResult{Entry: e.ID, Question: e.Question, Answer: e.Answer, Score: score})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	if len(out) > MaxFAQResults {
		out = out[:MaxFAQResults]
	}
	return out
}

// tokenMatch is how well query word t matches entry word w: 1 for the
// same word, 0.8 when one starts the other and the shorter has four
// letters or more, else 0.
func tokenMatch(t, w string) float64 {
	if t == w {
		return 1
	}
	if len(t) >= 4 && strings.HasPrefix(w, t) || len(w) >= 4 && strings.HasPrefix(t, w) {
		return 0.8
	}
	return 0
}

func dedupe(ts []string) []string {
	seen := make(map[string]bool, len(ts))
	out := ts[:0:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// FAQTokens splits s into the words matching compares: lowercase,
// diacritics removed, split at anything that is neither a letter nor a
// digit, words shorter than three characters and common question words
// left out.
func FAQTokens(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(FoldText(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if utf8.RuneCountInString(f) < faqMinTokenRunes || faqStopwords[f] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// FoldText is s lowercase without diacritics, for matching only.
func FoldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if f, ok := foldRunes[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var foldRunes = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ł': "l"}
	for base, rs := range map[string]string{
		"a": "àáâãäåąăā",
		"c": "çćčĉ",
		"d": "ď",
		"e": "èéêëęěē",
		"i": "ìíîïī",
		"l": "ľĺ",
		"n": "ñńň",
		"o": "òóôõöőō",
		"r": "řŕ",
		"s": "śšșşŝ",
		"t": "țţť",
		"u": "ùúûüůűū",
		"y": "ýÿ",
		"z": "źżž",
	} {
		for _, r := range rs {
			m[r] = base
		}
	}
	return m
}()

// faqStopwords are words of three letters or more that say nothing about
// which answer is wanted, folded like FAQTokens' output.
var faqStopwords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`the and how what when where why who does did can could you your are was were
		for with this that have has from will would there their about into any our not please hello thanks thank
		jak jaki jaka jakie czy sie nie moj moja moje jest dla mam mozna kiedy gdzie prosze dzien dobry
		cum care este pentru sunt unde cand
		kako kdaj kje ali lahko
		wie was wann wo ich ist sind der die das und fur mit kann
		comment quand est les des pour une que qui
		como cuando donde que los las para una por`) {
		m[w] = true
	}
	return m
}()
