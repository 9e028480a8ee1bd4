package search

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/internal/corpus"
	"github.com/parley-chat/parley/server/store"
)

// This file weighs bleve, which the index uses, against what one would
// write instead: an inverted index in bbolt (boltIndex), on the same corpus
// (benchEntries) and the same batches. BenchmarkCompare reports both.

// boltIndex is a minimal inverted index in bbolt. Its words are the bleve
// field's (field.Analyze: the plain-ASCII fast path, else the "parley"
// analyzer). A document is a message, id its log position: the log's
// order makes every posting list append-only, which delta coding needs
// (conv:seq would not be: conversations interleave in the log). A
// conversation is a document of its own, id its number, for its contact
// words and its tags, as in bleve (convDoc).
//
// Buckets:
//
//	post  field + term + 0 + first id (8 B BE) → last id (8 B BE), then per
//	      posting uvarint(delta<<1 | tf==1) and, if tf > 1, uvarint(tf);
//	      a block holds up to blockCap bytes, the last one is appended to
//	df    field + term → uvarint(documents holding it), for idf
//	lens  id>>8 (8 B BE) → 256 bytes, the text length of each document
//	      (capped at 255 words), for BM25
//	docs  id (8 B BE) → uvarint conv, seq, day; site: what a hit shows and
//	      filters on
//	meta  "n", "len" → the documents with text and their total length
//
// One batch is one read-write transaction. What it lacks against bleve is
// in the report of BenchmarkCompare: no deletes or edits, no phrase,
// fuzzy or prefix query, no highlighting positions.
type boltIndex struct {
	db    *bolt.DB
	words analysis.Analyzer
	seen  map[uint64]bool // conversations whose document is written
}

var (
	bkPost = []byte("post")
	bkDF   = []byte("df")
	bkLens = []byte("lens")
	bkDocs = []byte("docs")
	bkMeta = []byte("meta")
)

const (
	fText    = "x"
	fContact = "c"
	fTag     = "t"
	// blockCap keeps a block and its key within a 4 KB page.
	blockCap = 3968
)

// openBolt opens the index with the store's options (server/store.Open):
// NoSync, as the search index waits for no fsync either (scorch's
// unsafe_batch); the map freelist, not written at each commit.
func openBolt(path string, words analysis.Analyzer) (*boltIndex, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        time.Second,
		NoSync:         true,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bkPost, bkDF, bkLens, bkDocs, bkMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &boltIndex{db: db, words: words, seen: make(map[uint64]bool)}, nil
}

type posting struct {
	id uint64
	tf uint32
}

type boltDoc struct {
	id, conv, seq, day uint64
	length             int
	site               string
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func appendPosting(dst []byte, delta uint64, tf uint32) []byte {
	if tf == 1 {
		return binary.AppendUvarint(dst, delta<<1|1)
	}
	dst = binary.AppendUvarint(dst, delta<<1)
	return binary.AppendUvarint(dst, uint64(tf))
}

// apply indexes entries in one transaction.
func (bi *boltIndex) apply(entries []entry) error {
	postings := make(map[string][]posting)
	add := func(fld string, id uint64, value string, words analysis.Analyzer) int {
		f := field{value: []byte(value), words: words}
		f.Analyze()
		for t, tf := range f.freqs {
			k := fld + t
			postings[k] = append(postings[k], posting{id, uint32(tf.Frequency())})
		}
		return f.length
	}
	var docs []boltDoc
	for i := range entries {
		e := &entries[i]
		m := &e.m
		if m.Kind != parley.KindMessage && m.Kind != parley.KindNote {
			return fmt.Errorf("entry %d: kind %q: edits and deletes are not implemented", e.pos, m.Kind)
		}
		if m.Deleted || strings.TrimSpace(m.Text) == "" {
			continue
		}
		n := add(fText, e.pos, m.Text, bi.words)
		docs = append(docs, boltDoc{id: e.pos, conv: m.Conv, seq: m.Seq, day: uint64(m.At / 86400000), length: n, site: e.conv.Site})
		if c := &e.conv; c.ID != 0 && !bi.seen[c.ID] {
			bi.seen[c.ID] = true
			add(fContact, c.ID, c.VisitorName+" "+c.Email+" "+strings.Join(c.Tags, " "), bi.words)
			for _, t := range c.Tags {
				add(fTag, c.ID, t, nil)
			}
		}
	}
	terms := make([]string, 0, len(postings))
	for t := range postings {
		terms = append(terms, t)
	}
	slices.Sort(terms) // neighbours in the tree: fewer pages touched per seek
	return bi.db.Update(func(tx *bolt.Tx) error {
		post, dfs := tx.Bucket(bkPost), tx.Bucket(bkDF)
		c := post.Cursor()
		for _, term := range terms {
			if err := appendPostings(post, c, term, postings[term]); err != nil {
				return err
			}
			df, _ := binary.Uvarint(dfs.Get([]byte(term)))
			if err := dfs.Put([]byte(term), binary.AppendUvarint(nil, df+uint64(len(postings[term])))); err != nil {
				return err
			}
		}
		lens, docb := tx.Bucket(bkLens), tx.Bucket(bkDocs)
		// Their keys only grow: full pages, not the half-full ones a split
		// leaves by default.
		lens.FillPercent, docb.FillPercent = 1, 1
		var blk []byte
		var blkNo uint64
		var total uint64
		for i, d := range docs {
			if blk == nil || d.id>>8 != blkNo {
				blkNo = d.id >> 8
				blk = make([]byte, 256)
				copy(blk, lens.Get(be64(blkNo)))
			}
			blk[d.id&255] = byte(min(d.length, 255))
			total += uint64(d.length)
			if i+1 == len(docs) || docs[i+1].id>>8 != blkNo {
				if err := lens.Put(be64(blkNo), blk); err != nil {
					return err
				}
			}
			v := binary.AppendUvarint(nil, d.conv)
			v = binary.AppendUvarint(v, d.seq)
			v = binary.AppendUvarint(v, d.day)
			if err := docb.Put(be64(d.id), append(v, d.site...)); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bkMeta)
		for k, inc := range map[string]uint64{"n": uint64(len(docs)), "len": total} {
			old, _ := binary.Uvarint(meta.Get([]byte(k)))
			if err := meta.Put([]byte(k), binary.AppendUvarint(nil, old+inc)); err != nil {
				return err
			}
		}
		return nil
	})
}

// blockKey is term's key prefix, term + 0, with room for a block's id.
func blockKey(term string) []byte {
	k := make([]byte, 0, len(term)+9)
	k = append(k, term...)
	return append(k, 0)
}

// appendPostings appends ps, in increasing id, to term's last block, and
// to new blocks when it is full.
func appendPostings(post *bolt.Bucket, c *bolt.Cursor, term string, ps []posting) error {
	prefix := blockKey(term)
	var blk []byte // owned: bbolt's values are read-only, and Put keeps them
	var first, last uint64
	k, v := c.Seek(append(prefix[:len(prefix):len(prefix)], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k != nil && len(k) == len(prefix)+8 && bytes.HasPrefix(k, prefix) && len(v) > 8 {
		first = binary.BigEndian.Uint64(k[len(prefix):])
		blk = make([]byte, len(v), blockCap+24)
		copy(blk, v)
		last = binary.BigEndian.Uint64(blk)
	}
	put := func() error {
		binary.BigEndian.PutUint64(blk, last)
		return post.Put(binary.BigEndian.AppendUint64(prefix[:len(prefix):len(prefix)], first), blk)
	}
	for _, p := range ps {
		if blk != nil && p.id <= last {
			return fmt.Errorf("term %q: id %d after %d: postings are append-only", term, p.id, last)
		}
		if blk == nil || len(blk) >= blockCap {
			if blk != nil {
				if err := put(); err != nil {
					return err
				}
			}
			blk = make([]byte, 8, blockCap+24)
			first, last = p.id, p.id
			blk = appendPosting(blk, 0, p.tf)
			continue
		}
		blk = appendPosting(blk, p.id-last, p.tf)
		last = p.id
	}
	return put()
}

// postIter reads one term's posting list, block by block.
type postIter struct {
	c      *bolt.Cursor
	prefix []byte
	df     uint64
	idf    float64

	first, last uint64 // of the decoded block
	ids         []uint64
	tfs         []uint32
	i           int
}

// decode reads block v, whose first id is first.
func (it *postIter) decode(first uint64, v []byte) {
	it.first, it.last = first, binary.BigEndian.Uint64(v)
	it.ids, it.tfs, it.i = it.ids[:0], it.tfs[:0], 0
	id := first
	for p := v[8:]; len(p) > 0; {
		x, n := binary.Uvarint(p)
		p = p[n:]
		tf := uint64(1)
		if x&1 == 0 {
			tf, n = binary.Uvarint(p)
			p = p[n:]
		}
		id += x >> 1
		it.ids = append(it.ids, id)
		it.tfs = append(it.tfs, uint32(tf))
	}
}

func (it *postIter) owns(k []byte) bool {
	return len(k) == len(it.prefix)+8 && bytes.HasPrefix(k, it.prefix)
}

// all calls f with each posting, in order.
func (it *postIter) all(f func(id uint64, tf uint32)) {
	for k, v := it.c.Seek(it.prefix); k != nil && it.owns(k); k, v = it.c.Next() {
		it.decode(binary.BigEndian.Uint64(k[len(it.prefix):]), v)
		for i, id := range it.ids {
			f(id, it.tfs[i])
		}
	}
}

// advance finds target, which never decreases from call to call: it seeks
// in the tree past the decoded block, so a rare term's candidates skip the
// blocks of a common one.
func (it *postIter) advance(target uint64) (uint32, bool) {
	if len(it.ids) == 0 || target > it.last {
		seek := binary.BigEndian.AppendUint64(it.prefix[:len(it.prefix):len(it.prefix)], target)
		k, v := it.c.Seek(seek)
		if k == nil {
			k, v = it.c.Last()
		} else if !bytes.Equal(k, seek) {
			k, v = it.c.Prev()
		}
		if k == nil || !it.owns(k) {
			return 0, false // before the first block
		}
		if first := binary.BigEndian.Uint64(k[len(it.prefix):]); len(it.ids) == 0 || first != it.first {
			it.decode(first, v)
		}
		if target > it.last {
			return 0, false // between two blocks
		}
	}
	for it.i < len(it.ids) && it.ids[it.i] < target {
		it.i++
	}
	if it.i < len(it.ids) && it.ids[it.i] == target {
		return it.tfs[it.i], true
	}
	return 0, false
}

type boltHit struct {
	id, conv, seq uint64
	score         float64
}

// search returns the top k messages holding every word of text, by BM25
// with bleve's idf, k1 and b (scorer.TermQueryScorer), and how many match.
// avgdl is the mean length of a message; bleve's (searcher.bm25ScoreMetrics)
// is instead ceil(distinct terms of the field / documents of the index),
// 1 here, so the two may order the top 20 differently.
func (bi *boltIndex) search(text string, k int) ([]boltHit, int, error) {
	f := field{value: []byte(text), words: bi.words}
	f.Analyze()
	var hits []boltHit
	total := 0
	err := bi.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bkMeta)
		n, _ := binary.Uvarint(meta.Get([]byte("n")))
		sum, _ := binary.Uvarint(meta.Get([]byte("len")))
		if n == 0 || len(f.freqs) == 0 {
			return nil
		}
		avg := float64(sum) / float64(n)
		post, dfs := tx.Bucket(bkPost), tx.Bucket(bkDF)
		var its []*postIter
		for t := range f.freqs {
			df, _ := binary.Uvarint(dfs.Get([]byte(fText + t)))
			if df == 0 {
				return nil
			}
			its = append(its, &postIter{c: post.Cursor(), prefix: blockKey(fText + t), df: df,
				idf: math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))})
		}
		slices.SortFunc(its, func(a, b *postIter) int { return cmp.Compare(a.df, b.df) })
		lens := tx.Bucket(bkLens)
		var lenBlk []byte
		lenNo := uint64(math.MaxUint64)
		bm25 := func(it *postIter, tf uint32, length float64) float64 {
			t := float64(tf)
			return it.idf * (t * bsearch.BM25_k1) / (t + bsearch.BM25_k1*(1-bsearch.BM25_b+bsearch.BM25_b*length/avg))
		}
		tfs := make([]uint32, len(its))
		its[0].all(func(id uint64, tf uint32) {
			tfs[0] = tf
			for j, it := range its[1:] {
				t, ok := it.advance(id)
				if !ok {
					return
				}
				tfs[j+1] = t
			}
			total++
			if id>>8 != lenNo {
				lenNo = id >> 8
				lenBlk = lens.Get(be64(lenNo))
			}
			length := float64(lenBlk[id&255])
			score := 0.0
			for j, it := range its {
				score += bm25(it, tfs[j], length)
			}
			if len(hits) == k && score <= hits[k-1].score {
				return
			}
			at, _ := slices.BinarySearchFunc(hits, score, func(h boltHit, s float64) int {
				if h.score > s {
					return -1
				}
				return 1
			})
			hits = slices.Insert(hits, at, boltHit{id: id, score: score})
			if len(hits) > k {
				hits = hits[:k]
			}
		})
		docs := tx.Bucket(bkDocs)
		for i := range hits {
			v := docs.Get(be64(hits[i].id))
			if v == nil {
				return fmt.Errorf("document %d missing", hits[i].id)
			}
			var n int
			hits[i].conv, n = binary.Uvarint(v)
			hits[i].seq, _ = binary.Uvarint(v[n:])
		}
		return nil
	})
	return hits, total, err
}

// compareDocs is the corpus of BenchmarkCompare.
const compareDocs = 200_000

// compareQueries are the searches of BenchmarkCompare: a rare word (ranks
// 3,000–8,000 of the Zipf), a common one ("delivery", rank 3, about a
// third of the messages) and "delivery" with a word of ranks 10–300.
func compareQueries(vocab []string) map[string][]string {
	r := mrand.New(mrand.NewPCG(7, 7))
	q := map[string][]string{}
	for range 200 {
		q["rare"] = append(q["rare"], vocab[3000+r.IntN(5000)])
		q["common"] = append(q["common"], "delivery")
		q["and"] = append(q["and"], "delivery "+vocab[10+r.IntN(290)])
	}
	return q
}

// compareSeen holds bleve's answers, to check bbolt's against: the same
// count of matches, and how much of the top 20 they share.
var compareSeen = map[string]map[string]bleveAnswer{}

type bleveAnswer struct {
	total uint64
	top   []string
}

// BenchmarkCompare indexes the same 200,000 messages (benchEntries) in
// batches of 500 and 4000 with the real index (Index.apply, bleve) and
// with boltIndex, then runs 200 searches of each kind on the index closed
// and opened again. Per message: the CPU of the whole process (getrusage,
// as BenchmarkIndexBatch; for bleve the Close that waits for scorch's
// persister counts) and the wall time; the bytes on disk after Close
// (bleve's directory; bbolt's file, and the pages in use in it). The
// search latencies are wall time, one search at a time, after a first
// unmeasured pass. Run it with -benchtime 1x.
//
// Measured on 2 shared cores, -count 3, the median of each figure (p99 is
// the 2nd worst of 200, noisy); µs per message, B per message, µs a search:
//
//	              CPU   wall   disk (in use)   rare p50/p99   common p50/p99   and p50/p99
//	bleve  500   27.3   17.7    86                28 / 114     4128 / 5796      821 / 2203
//	bleve 4000   24.3   17.9    89                39 / 409     4334 / 5106      902 / 2611
//	bbolt  500   28.3   21.8   168 (74)           27 /  89     1011 / 1316      610 / 1312
//	bbolt 4000   14.0   11.0   169 (74)           26 / 135     1017 / 1409      619 / 1700
//
// rare: 32 matches on average; common ("delivery"): 70,006, 35 %; and:
// 1,213. Both find the same messages for every search; they share 97, 85
// and 76 % of the top 20 (avgdl above, and ties). bbolt's file is twice
// the pages it uses: copy-on-write needs the old pages until the commit.
func BenchmarkCompare(b *testing.B) {
	vocab := corpus.Vocab()
	corpus := benchEntries(mrand.New(mrand.NewPCG(1, 2)), vocab, 0, compareDocs)
	queries := compareQueries(vocab)
	words := newAnalyzers(indexMapping()).words
	for _, engine := range []string{"bleve", "bbolt"} {
		for _, size := range []int{500, 4000} {
			b.Run(fmt.Sprint(engine, "/", size), func(b *testing.B) {
				var cpu, wall time.Duration
				var search func(string) (uint64, []string, error)
				for range b.N {
					runtime.GC()
					var done func()
					var err error
					if engine == "bleve" {
						search, done, cpu, wall, err = compareBleve(b, corpus, size)
					} else {
						search, done, cpu, wall, err = compareBolt(b, corpus, size, words)
					}
					if err != nil {
						b.Fatal(err)
					}
					defer done()
				}
				b.ReportMetric(cpu.Seconds()*1e6/float64(len(corpus)), "cpu-µs/doc")
				b.ReportMetric(wall.Seconds()*1e6/float64(len(corpus)), "wall-µs/doc")
				key := fmt.Sprint(size)
				if engine == "bleve" {
					compareSeen[key] = map[string]bleveAnswer{}
				}
				for _, kind := range []string{"rare", "common", "and"} {
					qs := queries[kind]
					for _, q := range qs { // warm
						if _, _, err := search(q); err != nil {
							b.Fatal(err)
						}
					}
					lat := make([]time.Duration, len(qs))
					var hits uint64
					shared, of := 0, 0
					for i, q := range qs {
						start := time.Now()
						total, top, err := search(q)
						lat[i] = time.Since(start)
						if err != nil {
							b.Fatal(err)
						}
						hits += total
						if engine == "bleve" {
							compareSeen[key][q] = bleveAnswer{total, top}
						} else if a, ok := compareSeen[key][q]; ok {
							if a.total != total {
								b.Errorf("%q: bleve finds %d, bbolt %d", q, a.total, total)
							}
							for _, id := range top {
								if slices.Contains(a.top, id) {
									shared++
								}
							}
							of += len(a.top)
						}
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), kind+"-p50-µs")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), kind+"-p99-µs")
					msg := fmt.Sprintf("%s: %.0f matches a search on average (%.1f%% of the messages)", kind,
						float64(hits)/float64(len(qs)), 100*float64(hits)/float64(len(qs))/float64(len(corpus)))
					if of > 0 {
						msg += fmt.Sprintf("; top 20 shared with bleve: %.0f%%", 100*float64(shared)/float64(of))
					}
					b.Log(msg)
				}
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// compareBleve indexes docs with the real index, closes it and opens
// its directory again for the searches.
func compareBleve(b *testing.B, docs []entry, size int) (search func(string) (uint64, []string, error), done func(), cpu, wall time.Duration, err error) {
	dir := b.TempDir()
	db, err := store.Open(filepath.Join(dir, "parley.db"), store.Options{NoSync: true})
	if err != nil {
		return nil, nil, 0, 0, err
	}
	defer db.Close()
	ix, err := Open(filepath.Join(dir, "search"), db, nil)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	cpu0, start := cpuTime(), time.Now()
	for i := 0; i < len(docs); i += size {
		if err := ix.apply(docs[i:min(i+size, len(docs))]); err != nil {
			ix.Close()
			return nil, nil, 0, 0, err
		}
	}
	// Scorch's Close does not write what its persister has not yet (with
	// unsafe_batch the log's catch-up does it at the next Open): wait for
	// it, its CPU counts too.
	if err := waitPersisted(ix.idx); err != nil {
		ix.Close()
		return nil, nil, 0, 0, err
	}
	if err := ix.Close(); err != nil {
		return nil, nil, 0, 0, err
	}
	cpu, wall = cpuTime()-cpu0, time.Since(start)
	b.ReportMetric(float64(corpus.DirBytes(filepath.Join(dir, "search")))/float64(len(docs)), "B-disk/doc")
	idx, err := bleve.OpenUsing(filepath.Join(dir, "search"), scorchConfig())
	if err != nil {
		return nil, nil, 0, 0, err
	}
	search = func(text string) (uint64, []string, error) {
		m := query.NewMatchQuery(text)
		m.SetField("text")
		m.SetOperator(query.MatchQueryOperatorAnd)
		res, err := idx.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(m, 20, 0, false))
		if err != nil {
			return 0, nil, err
		}
		var top []string
		for _, h := range res.Hits {
			top = append(top, h.ID)
		}
		return res.Total, top, nil
	}
	return search, func() { idx.Close() }, cpu, wall, nil
}

// waitPersisted waits until scorch has written to disk the root it has
// now, the last batch's.
func waitPersisted(idx bleve.Index) error {
	stat := func(name string) uint64 {
		m, _ := idx.StatsMap()["index"].(map[string]any)
		v, _ := m[name].(uint64)
		return v
	}
	root := stat("CurRootEpoch")
	for deadline := time.Now().Add(2 * time.Minute); stat("LastPersistedEpoch") < root; {
		if time.Now().After(deadline) {
			return fmt.Errorf("scorch has not persisted epoch %d in 2 minutes", root)
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// compareBolt indexes corpus with boltIndex, closes it and opens it again
// for the searches.
func compareBolt(b *testing.B, corpus []entry, size int, words analysis.Analyzer) (search func(string) (uint64, []string, error), done func(), cpu, wall time.Duration, err error) {
	path := filepath.Join(b.TempDir(), "index.db")
	bi, err := openBolt(path, words)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	cpu0, start := cpuTime(), time.Now()
	for i := 0; i < len(corpus); i += size {
		if err := bi.apply(corpus[i:min(i+size, len(corpus))]); err != nil {
			bi.db.Close()
			return nil, nil, 0, 0, err
		}
	}
	if err := bi.db.Close(); err != nil {
		return nil, nil, 0, 0, err
	}
	cpu, wall = cpuTime()-cpu0, time.Since(start)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	b.ReportMetric(float64(fi.Size())/float64(len(corpus)), "B-disk/doc")
	if bi, err = openBolt(path, words); err != nil {
		return nil, nil, 0, 0, err
	}
	// The pages in use: the file less its free pages and the room bbolt
	// grew it by ahead.
	var used int64
	bi.db.View(func(tx *bolt.Tx) error {
		used = tx.Size() - int64(bi.db.Stats().FreePageN*tx.DB().Info().PageSize)
		return nil
	})
	b.ReportMetric(float64(used)/float64(len(corpus)), "B-used/doc")
	search = func(text string) (uint64, []string, error) {
		hits, total, err := bi.search(text, 20)
		var top []string
		for _, h := range hits {
			top = append(top, docID(h.conv, h.seq))
		}
		return uint64(total), top, err
	}
	return search, func() { bi.db.Close() }, cpu, wall, nil
}
