package search

import (
	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
)

// field is a document's field as bleve indexes it (document.Field),
// analyzed with less garbage than document.TextField: the term
// frequencies of a field are one slice, not one allocation per term, and
// plain ASCII text (most chat) is split and lowercased in one pass that
// gives the words the "parley" analyzer gives (TestPlainWords compares
// them); other text goes through the analyzer.
type field struct {
	name  string
	value []byte
	opts  index.FieldIndexingOptions
	// words is the analyzer of a text field; nil for a keyword, whose
	// value is its one term.
	words analysis.Analyzer

	length int
	freqs  index.TokenFrequencies
}

func (f *field) Name() string                                     { return f.name }
func (f *field) ArrayPositions() []uint64                         { return nil }
func (f *field) Options() index.FieldIndexingOptions              { return f.opts }
func (f *field) Value() []byte                                    { return f.value }
func (f *field) Text() string                                     { return string(f.value) }
func (f *field) NumPlainTextBytes() uint64                        { return uint64(len(f.value)) }
func (f *field) Size() int                                        { return 96 + len(f.name) + len(f.value) }
func (f *field) EncodedFieldType() byte                           { return 't' }
func (f *field) AnalyzedLength() int                              { return f.length }
func (f *field) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *field) Analyze() {
	if f.words == nil {
		tf := &index.TokenFreq{Term: f.value}
		tf.SetFrequency(1)
		f.length, f.freqs = 1, index.TokenFrequencies{string(f.value): tf}
		return
	}
	var terms [][]byte
	if lower, ok := plainWords(f.value); ok {
		terms = splitWords(lower, make([][]byte, 0, len(f.value)/4+1))
	} else {
		tokens := f.words.Analyze(f.value)
		terms = make([][]byte, len(tokens))
		for i, t := range tokens {
			terms[i] = t.Term
		}
	}
	f.length = len(terms)
	f.freqs = make(index.TokenFrequencies, len(terms))
	slab := make([]index.TokenFreq, 0, len(terms)) // never grows: the map points into it
	for _, t := range terms {
		tf, ok := f.freqs[string(t)]
		if !ok {
			slab = append(slab, index.TokenFreq{Term: t})
			tf = &slab[len(slab)-1]
			f.freqs[string(t)] = tf
		}
		tf.SetFrequency(tf.Frequency() + 1)
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// plainWords returns s lowercased if it is ASCII text whose words, by the
// Unicode word boundaries (UAX #29) the analyzer follows, are exactly its
// runs of letters and digits: no '_' (which joins), and no '.', '\”, ':',
// ',' or ';' between two letters or digits ("don't", "example.pl",
// "3,50", which may join). Otherwise it returns false.
func plainWords(s []byte) ([]byte, bool) {
	for i, c := range s {
		switch {
		case c >= 0x80 || c == '_':
			return nil, false
		case c == '.' || c == '\'' || c == ':' || c == ',' || c == ';':
			if i > 0 && i+1 < len(s) && isAlnum(s[i-1]) && isAlnum(s[i+1]) {
				return nil, false
			}
		}
	}
	lower := make([]byte, len(s))
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return lower, true
}

// splitWords appends the runs of letters and digits of s to dst.
func splitWords(s []byte, dst [][]byte) [][]byte {
	start := -1
	for i, c := range s {
		if isAlnum(c) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			dst = append(dst, s[start:i:i])
			start = -1
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:len(s):len(s)])
	}
	return dst
}
