package search

import (
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestPlainWords: wherever the fast path takes a text, it finds the words
// the analyzer finds, in random ASCII text rich in the characters that
// the Unicode word boundaries treat specially, and in sentences.
func TestPlainWords(t *testing.T) {
	an := indexMapping().AnalyzerNamed("parley")
	analyzed := func(s string) []string {
		var out []string
		for _, tok := range an.Analyze([]byte(s)) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	fast := func(s string) ([]string, bool) {
		lower, ok := plainWords([]byte(s))
		if !ok {
			return nil, false
		}
		var out []string
		for _, w := range splitWords(lower, nil) {
			out = append(out, string(w))
		}
		return out, true
	}
	r := mrand.New(mrand.NewPCG(7, 7))
	const alphabet = "aZ9 .':,;_\"-!?@/#()\t\n\r\x00\x7f&=+*"
	taken := 0
	for i := range 200000 {
		n := 1 + r.IntN(12)
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		got, ok := fast(s)
		if !ok {
			continue
		}
		taken++
		if want := analyzed(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("%d: %q: fast %q, analyzer %q", i, s, got, want)
		}
	}
	if taken < 50000 {
		t.Errorf("the fast path took %d texts of 200000", taken)
	}
	for _, s := range []string{
		"Where is my parcel? The tracking number does not work.",
		"I want the <b>RED</b> shoes in size 40 & a bag",
		"Order #12345 (2 items) -- shipped 3 days ago!!",
	} {
		got, ok := fast(s)
		if want := analyzed(s); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: fast %q (%v), analyzer %q", s, got, ok, want)
		}
	}
	for _, s := range []string{"don't", "zofia@example.pl", "3,50 zł", "snake_case", "żółw"} {
		if _, ok := fast(s); ok {
			t.Errorf("%q: taken by the fast path", s)
		}
	}
}
