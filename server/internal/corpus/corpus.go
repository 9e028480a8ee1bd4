// Package corpus is the made-up chat text the search benchmarks index:
// parley-bench's search scenario and the benchmarks of server/search draw
// the same words the same way, so that their figures compare.
package corpus

import (
	"io/fs"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
)

// Vocab is the words messages are made of, most frequent first: 8,000
// made-up words with a few shop words at known ranks. Drawn with a Zipf
// distribution (Texts), as the words of real text are, the queries' words
// have known frequencies: "order" is in 85 % of the messages, "espresso"
// in a few hundred of a million.
func Vocab() []string {
	syl := []string{"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "go", "hu", "ji", "be", "fa", "ze", "wu", "ci", "xo", "yl"}
	v := make([]string, 0, len(syl)*len(syl)*len(syl))
	for _, a := range syl {
		for _, b := range syl {
			for _, c := range syl {
				v = append(v, a+b+c)
			}
		}
	}
	for rank, w := range map[int]string{0: "order", 3: "delivery", 10: "parcel", 30: "refund", 100: "voucher", 1000: "burgundy", 5000: "espresso"} {
		v[rank] = w
	}
	return v
}

// Names are the visitors' first names.
var Names = []string{"Zofia", "Ana", "Jan", "Maria", "Ion", "Elena", "Piotr", "Anna", "Mihai", "Kasia", "Tom", "Lea", "Omar", "Yuki", "Sven", "Ola"}

// Texts draws messages of 6 to 20 words of vocab from r, Zipf with s = 1.1.
type Texts struct {
	r     *mrand.Rand
	zipf  *mrand.Zipf
	vocab []string
}

// NewTexts draws from r.
func NewTexts(r *mrand.Rand, vocab []string) *Texts {
	return &Texts{r: r, zipf: mrand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1)), vocab: vocab}
}

// Next is a new message's text.
func (t *Texts) Next() string {
	var b strings.Builder
	for i := range 6 + t.r.IntN(15) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.vocab[t.zipf.Uint64()])
	}
	return b.String()
}

// DirBytes is the bytes of the files under dir: an index's size on disk.
func DirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
