// Package search keeps a full-text index of every conversation's messages
// and notes, and of each conversation's contact (the visitor's name and
// email) and tags, beside the store, and answers agents' searches over it.
//
// The index is a bleve (scorch) index in its own directory, <data>/search.
// It is not the source of truth: the store's log is. The index follows the
// log through the store's commit hook and records, in the same bleve batch
// as the documents, the last log position it reflects; after a restart it
// reads the log from there (store.DB.Entries). A missing or unreadable
// index is rebuilt from the log at Open, so deleting the directory is the
// way to rebuild it.
//
// The commit hook runs on the store's committer, which every writer waits
// for, so it only hands the batch to a bounded queue; a goroutine of this
// package indexes what has queued up in one bleve batch. When the queue is
// full the hook drops the batch and marks the index stale, and the
// goroutine catches up from the log instead: search lags, chat never waits.
//
// Tags, and an email or a name given after the first message, change the
// conversation's record, not the log: server/web reports them with Touch,
// and the conversation's document is written again with the next batch.
// A conversation's document is also written again, if it differs, with
// any entry of the conversation, so a Touch lost in a crash before scorch
// persisted it is repaired by the conversation's next entry, or a rebuild.
//
// It may import app/parley, server/store and bleve; server/web calls it and
// only the server's main creates it.
package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

// layoutVersion names the mapping below; an index of another version is
// rebuilt at Open.
const layoutVersion = "4" // 4: an edited message's text in a field of its own

var (
	keyPos     = []byte("parley.pos")
	keyVersion = []byte("parley.version")
)

const (
	// queueBatches and queueEntries bound the commits waiting for the
	// indexer, in batches and in entries (about 1 KB each): past either,
	// the hook gives up on them and the indexer reads the log instead.
	queueBatches = 4096
	// maxDocs bounds one bleve batch: a batch is built in memory.
	maxDocs = 8192
	// catchUpStep is how many log entries one read transaction takes.
	catchUpStep = 4096
	// batchEvery is the least time between two batches of new commits:
	// commits come in small batches at chat speed, and a bleve batch
	// costs much more per document when it is small.
	batchEvery = 50 * time.Millisecond
)

// queueEntries is a variable for the tests of the overflow.
var queueEntries int64 = 65536

// After a batch that took t, the indexer rests t/restShare: it uses at most
// two thirds of a core, and under a flood the chat keeps the rest, while
// search lags, then catches up from the log.
const restShare = 2

// While more than floodRate entries a second are committed, the chat comes
// first: after a batch that took t the indexer rests t*floodRest, using at
// most a ninth of a core, and the rest waits in the queue or, past it, in
// the log, to be caught up with once the flood is over. Search lags behind
// a flood; the chat's capacity at its peak is not the index's to spend.
const (
	floodRate = 5000
	floodRest = 8
)

// Index is the search index of one store.
type Index struct {
	db  *store.DB
	dir string
	log *slog.Logger

	mu  sync.RWMutex // guards idx against Close
	idx bleve.Index

	queue  chan []store.Committed
	queued atomic.Int64 // entries in queue
	// arrived counts the entries committed since the indexer last looked,
	// at arrivedAt (indexer-owned): the commit rate.
	arrived   atomic.Int64
	arrivedAt time.Time
	wake      chan struct{} // capacity 1: the queue overflowed
	stale     atomic.Bool
	pos       atomic.Uint64 // the log position the index reflects
	err       atomic.Pointer[error]

	// an analyzes the documents' words; printed, the indexer's own, is
	// what the index holds of each conversation it wrote (convPrint).
	an      analyzers
	printed map[uint64]string

	// pending are the conversations Touch reported, for the next batch;
	// touchGen counts the calls, applied is the count the index reflects.
	pendMu   sync.Mutex
	pending  map[uint64]parley.Conversation
	touchGen uint64
	applied  atomic.Uint64
	touched  chan struct{} // capacity 1

	stop chan struct{}
	done chan struct{}
}

// Open opens the index in dir, or builds it from the store if dir is
// missing, unreadable or of another layout, and starts following the
// store's commits. Call it before the store's first Append (the hook must
// see every commit); the catch-up from the log runs in the background.
func Open(dir string, db *store.DB, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ix := &Index{
		db:      db,
		dir:     dir,
		log:     log,
		queue:   make(chan []store.Committed, queueBatches),
		wake:    make(chan struct{}, 1),
		touched: make(chan struct{}, 1),
		printed: make(map[uint64]string),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	idx, pos, err := openIndex(dir)
	if err == nil {
		// A store older than the index (a restored backup) would leave
		// documents the log no longer has.
		if last, lerr := db.LastPos(); lerr != nil {
			idx.Close()
			return nil, lerr
		} else if pos > last {
			idx.Close()
			err = fmt.Errorf("index at log position %d, store at %d", pos, last)
		}
	}
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			log.Warn("search: rebuilding the index from the store", "dir", dir, "err", err)
		}
		if idx, err = createIndex(dir); err != nil {
			return nil, err
		}
		pos = 0
	}
	ix.idx = idx
	ix.an = newAnalyzers(idx.Mapping())
	ix.pos.Store(pos)
	ix.stale.Store(true) // catch up with the log first
	db.OnCommit(ix.enqueue)
	go ix.run()
	return ix, nil
}

func openIndex(dir string) (bleve.Index, uint64, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, 0, err
	}
	idx, err := bleve.OpenUsing(dir, scorchConfig())
	if err != nil {
		return nil, 0, err
	}
	v, err := idx.GetInternal(keyVersion)
	if err != nil || string(v) != layoutVersion {
		idx.Close()
		return nil, 0, fmt.Errorf("index layout %q, want %q (%v)", v, layoutVersion, err)
	}
	p, err := idx.GetInternal(keyPos)
	if err != nil || (p != nil && len(p) != 8) {
		idx.Close()
		return nil, 0, fmt.Errorf("index position %x: %v", p, err)
	}
	var pos uint64
	if p != nil {
		pos = binary.BigEndian.Uint64(p)
	}
	return idx, pos, nil
}

func createIndex(dir string) (bleve.Index, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("search: removing %s: %w", dir, err)
	}
	idx, err := bleve.NewUsing(dir, indexMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("search: creating %s: %w", dir, err)
	}
	if err := idx.SetInternal(keyVersion, []byte(layoutVersion)); err != nil {
		idx.Close()
		return nil, fmt.Errorf("search: creating %s: %w", dir, err)
	}
	return idx, nil
}

// scorchConfig makes a batch return once it is searchable, without waiting
// for scorch to write and fsync it: scorch then persists several batches
// at a time, in the background. Waiting made every batch an fsync that
// queued behind, and delayed, the store's own on the same disk. A crash
// may lose the last batches of the index, never make it wrong: the log
// position is in the batch it belongs to, and the catch-up at the next
// start indexes the rest again.
func scorchConfig() map[string]any {
	return map[string]any{"unsafe_batch": true}
}

// indexMapping says how the fields are analyzed: the queries look their
// analyzers up here. The documents themselves are built by hand
// (messageDoc, convDoc) and indexed with IndexAdvanced, without reflection
// over a struct and without bleve's composite _all field.
//
// Text is split on Unicode word boundaries and lowercased, with no
// stemming and no stop words: one install serves shops in many languages,
// and a language's stemmer would mangle the others (bleve ships analyzers
// for pl, ro and 30 more, to choose per site later). Ranking is BM25.
func indexMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	if err := im.AddCustomAnalyzer("parley", map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		panic(err) // a constant mapping
	}
	im.DefaultAnalyzer = "parley"
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false

	words := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = "parley"
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
		return f
	}
	keyword := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = false, false, false, false
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"text", "name", "email", "tags"} {
		dm.AddFieldMappingsAt(f, words())
	}
	for _, f := range []string{"site", "day", "tag"} {
		dm.AddFieldMappingsAt(f, keyword())
	}
	im.DefaultMapping = dm
	return im
}

// The documents. Measured with BenchmarkIndexBatch (-benchtime 40x, 2
// shared cores; batches of 500 and 4000 of the bench's messages, 6-20
// words drawn Zipf from 8,000, 20 to a conversation; CPU and allocations
// of the whole process, scorch's background merges included):
//
//	                        CPU/message   allocs/message   index/message
//	layout 2, batches 500       81 µs          480             398 B
//	layout 2, batches 4000      88 µs          396             382 B
//	layout 3, batches 500       26 µs          152             119 B
//	layout 3, batches 4000      26 µs          114              92 B
//
// Layout 2 was one struct per message mapped by reflection: the text and
// the author stored, the name and the email indexed again in every
// message, site, kind and authorKind keywords, the time a numeric (16
// prefix terms a value). What remains is mostly bleve's own: building a
// segment per batch (40 %), merging segments (9 %), the analysis (20 %,
// less with the plain ASCII path of field); a message's site and day
// keywords cost about 2.5 µs of the 26.
//
// parley-bench -only search (1,000,000 messages built from the log; the
// layout 2 figures from docs/benchmarks.md, the layout 3 ones beside
// other work taking 74 % of a core): indexing 104.1 µs of server CPU per
// message, 10,625 messages/s → 45.1 µs, 16,689 messages/s (the log's
// read and decoding included); the index 265 MB, 278 B a message → 70 MB,
// 73 B; searches p50 / p99 77.2 / 195.5 ms → 73.3 / 216.4 ms.
//
// A message or a note is a document of three fields, id conv:seq:
//
//   - text, its words, indexed, not stored: a hit's snippet is made from
//     the store's copy (a page reads 20 entries by conv:seq from bbolt).
//     An edited message has a fourth field, edited, its new text stored
//     and not indexed, the log's original being the old one;
//   - site, a keyword, to scope the query (the hit is checked against the
//     conversation's record as well);
//   - day, a keyword YYYYMMDD (UTC) instead of bleve's numeric, which
//     indexes 16 prefix terms per value, most of them unique: the date
//     filter is a term range over days, then the exact time of the entry
//     read from the store.
//
// Its author, kind and time are read from the store too. The contact is
// not repeated in every message: a conversation is a document of its own,
// id conv (no colon): the visitor's name and email and the tags as words,
// each tag as a keyword (tag), and the site. It is written when the
// conversation is first indexed and again only when one of those changes.
func dayOf(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("20060102")
}

// analyzers holds the analyzer of the documents' words, looked up once;
// a keyword is its own one term (field).
type analyzers struct {
	words analysis.Analyzer
}

func newAnalyzers(im mapping.IndexMapping) analyzers {
	a := analyzers{words: im.AnalyzerNamed("parley")}
	if a.words == nil {
		panic("search: the mapping lacks its analyzer")
	}
	return a
}

func (a analyzers) messageDoc(id, text, site string, at int64, edited bool) *document.Document {
	d := document.NewDocument(id)
	d.AddField(&field{name: "text", value: []byte(text), opts: index.IndexField, words: a.words})
	d.AddField(&field{name: "site", value: []byte(site), opts: index.IndexField})
	d.AddField(&field{name: "day", value: []byte(dayOf(at)), opts: index.IndexField})
	if edited {
		// A field of its own, only stored: a field stored in some
		// documents and not in others lost its value in some of bleve's
		// merges (zapx v16, TestEditedTextSurvivesMerges).
		d.AddField(&field{name: "edited", value: []byte(text), opts: index.StoreField})
	}
	return d
}

func (a analyzers) convDoc(c *parley.Conversation) *document.Document {
	d := document.NewDocument(convDocID(c.ID))
	add := func(name, v string, words analysis.Analyzer) {
		if v != "" {
			d.AddField(&field{name: name, value: []byte(v), opts: index.IndexField, words: words})
		}
	}
	add("name", c.VisitorName, a.words)
	add("email", c.Email, a.words)
	add("tags", strings.Join(c.Tags, " "), a.words)
	for _, t := range c.Tags {
		add("tag", t, nil)
	}
	add("site", c.Site, nil)
	return d
}

// convPrint is what a conversation's document holds: it is written again
// only when this changes.
func convPrint(c *parley.Conversation) string {
	return c.Site + "\x00" + c.VisitorName + "\x00" + c.Email + "\x00" + strings.Join(c.Tags, "\x00")
}

func docID(conv, seq uint64) string {
	return strconv.FormatUint(conv, 36) + ":" + strconv.FormatUint(seq, 36)
}

func convDocID(conv uint64) string { return strconv.FormatUint(conv, 36) }

// parseDocID reads a message's id conv:seq, or a conversation's conv
// (seq 0).
func parseDocID(id string) (conv, seq uint64, ok bool) {
	a, b, found := strings.Cut(id, ":")
	conv, err1 := strconv.ParseUint(a, 36, 64)
	if !found {
		return conv, 0, err1 == nil && conv != 0
	}
	seq, err2 := strconv.ParseUint(b, 36, 64)
	return conv, seq, err1 == nil && err2 == nil && seq != 0
}

// enqueue is the store's commit hook: it must not block.
func (ix *Index) enqueue(batch []store.Committed) {
	ix.arrived.Add(int64(len(batch)))
	if ix.stale.Load() {
		return // the catch-up reads these from the log
	}
	if ix.queued.Add(int64(len(batch))) > queueEntries {
		ix.queued.Add(-int64(len(batch)))
		ix.overflow()
		return
	}
	select {
	case ix.queue <- batch:
	default:
		ix.queued.Add(-int64(len(batch)))
		ix.overflow()
	}
}

// overflow marks the index stale and wakes the indexer to read the log.
func (ix *Index) overflow() {
	ix.stale.Store(true)
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// run indexes queued commits, and catches up from the log when the index is
// stale, until Close.
func (ix *Index) run() {
	defer close(ix.done)
	for {
		if ix.stale.Load() {
			if err := ix.catchUp(); err != nil {
				ix.fail(err)
				select {
				case <-ix.stop:
					return
				case <-time.After(time.Second):
				}
				continue
			}
		}
		var entries []entry
		select {
		case <-ix.stop:
			return
		case <-ix.wake:
			continue
		case <-ix.touched:
			// Conversations changed outside the log: a batch of their
			// own, or with the commits queued meanwhile.
		case b := <-ix.queue:
			ix.queued.Add(-int64(len(b)))
			entries = ix.fromCommits(entries, b)
		}
	more:
		for len(entries) < maxDocs {
			select {
			case b := <-ix.queue:
				ix.queued.Add(-int64(len(b)))
				entries = ix.fromCommits(entries, b)
			default:
				break more
			}
		}
		start := time.Now()
		if err := ix.apply(entries); err != nil {
			ix.fail(err)
			ix.stale.Store(true)
		}
		took := time.Since(start)
		if !ix.rest(max(ix.restAfter(took), batchEvery-took)) {
			return
		}
	}
}

// restAfter is how long the indexer rests after work that took took: a
// third of it, or eight times it while the store commits a flood.
func (ix *Index) restAfter(took time.Duration) time.Duration {
	now := time.Now()
	n := ix.arrived.Swap(0)
	elapsed := now.Sub(ix.arrivedAt)
	ix.arrivedAt = now
	if elapsed > 0 && float64(n)/elapsed.Seconds() > floodRate {
		return took * floodRest
	}
	return took / restShare
}

// rest waits d, or until Close: then it returns false.
func (ix *Index) rest(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ix.stop:
		return false
	case <-t.C:
		return true
	}
}

func (ix *Index) fail(err error) {
	ix.log.Error("search: indexing", "err", err)
	ix.err.Store(&err)
}

// entry is a log entry with the conversation it belongs to, as the index
// needs it.
type entry struct {
	pos  uint64
	m    parley.Message
	conv parley.Conversation
}

func (ix *Index) fromCommits(dst []entry, batch []store.Committed) []entry {
	for i := range batch {
		c := &batch[i]
		dst = append(dst, entry{pos: c.Pos, m: c.Message, conv: c.Conv})
	}
	return dst
}

// catchUp indexes the log from the index's position to its end.
func (ix *Index) catchUp() error {
	// Cleared first: a commit hook that overflows from now on marks it
	// again, and the loop comes back.
	ix.stale.Store(false)
	convs := make(map[uint64]parley.Conversation)
	for {
		select {
		case <-ix.stop:
			return nil
		default:
		}
		from := ix.pos.Load()
		var entries []entry
		last, err := ix.db.Entries(from, catchUpStep, func(e store.Entry) error {
			c, ok := convs[e.Message.Conv]
			if !ok {
				var err error
				if c, err = ix.db.Conversation(e.Message.Conv); err != nil {
					return err
				}
				if len(convs) > 10000 {
					clear(convs)
				}
				convs[c.ID] = c
			}
			entries = append(entries, entry{pos: e.Pos, m: e.Message, conv: c})
			return nil
		})
		if err != nil {
			return fmt.Errorf("search: reading the log after %d: %w", from, err)
		}
		if last == from {
			return nil
		}
		start := time.Now()
		if err := ix.applyTo(entries, last); err != nil {
			return err
		}
		if !ix.rest(ix.restAfter(time.Since(start))) {
			return nil
		}
	}
}

func (ix *Index) apply(entries []entry) error {
	var last uint64
	for _, e := range entries {
		last = max(last, e.pos)
	}
	return ix.applyTo(entries, last)
}

// maxPrinted bounds the conversations whose indexed contact the indexer
// remembers; past it, it forgets them all and writes each again once.
const maxPrinted = 100000

// applyTo indexes entries in one bleve batch, with the index's new position
// last: the documents and the position are committed together. The
// conversations touched since the last batch, and those of the entries
// whose contact or tags changed, are written in the same batch.
func (ix *Index) applyTo(entries []entry, last uint64) error {
	from := ix.pos.Load()
	ix.pendMu.Lock()
	pending, gen := ix.pending, ix.touchGen
	ix.pending = nil
	ix.pendMu.Unlock()
	if last <= from && len(pending) == 0 {
		ix.applied.Store(gen)
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.idx == nil {
		return errors.New("search: closed")
	}
	b := ix.idx.NewBatch()
	convs := make(map[uint64]*parley.Conversation)
	for i := range entries {
		e := &entries[i]
		if e.pos <= from {
			continue // already indexed: a commit the catch-up read
		}
		convs[e.conv.ID] = &e.conv // the newest state wins
		m := &e.m
		switch m.Kind {
		case parley.KindMessage, parley.KindNote, parley.KindEdit:
			seq := m.Seq
			if m.Kind == parley.KindEdit {
				seq = m.Ref
			}
			if m.Deleted || strings.TrimSpace(m.Text) == "" {
				b.Delete(docID(m.Conv, seq))
				continue
			}
			d := ix.an.messageDoc(docID(m.Conv, seq), m.Text, e.conv.Site, m.At, m.Kind == parley.KindEdit)
			if err := b.IndexAdvanced(d); err != nil {
				return fmt.Errorf("search: indexing %d/%d: %w", m.Conv, seq, err)
			}
		case parley.KindDelete:
			b.Delete(docID(m.Conv, m.Ref))
		}
	}
	for id, c := range pending {
		convs[id] = &c
	}
	if len(ix.printed) > maxPrinted {
		clear(ix.printed)
	}
	printed := make(map[uint64]string)
	for id, c := range convs {
		if c.ID == 0 || ix.printed[id] == convPrint(c) {
			continue
		}
		// Changed, or not written since the start: written as the store
		// has it now. A commit's copy may be older than a Touch the index
		// already has.
		if now, err := ix.db.Conversation(id); err == nil {
			c = &now
		}
		p := convPrint(c)
		if ix.printed[id] == p {
			continue
		}
		if err := b.IndexAdvanced(ix.an.convDoc(c)); err != nil {
			return fmt.Errorf("search: indexing conversation %d: %w", id, err)
		}
		printed[id] = p
	}
	if last > from {
		var p [8]byte
		binary.BigEndian.PutUint64(p[:], last)
		b.SetInternal(keyPos, p[:])
	} else if b.Size() == 0 {
		ix.applied.Store(gen) // touched, but nothing the index holds changed
		return nil
	}
	if err := ix.idx.Batch(b); err != nil {
		ix.pendMu.Lock()
		for id, c := range pending {
			if _, newer := ix.pending[id]; !newer {
				if ix.pending == nil {
					ix.pending = make(map[uint64]parley.Conversation)
				}
				ix.pending[id] = c
			}
		}
		ix.pendMu.Unlock()
		return fmt.Errorf("search: writing a batch to %d: %w", last, err)
	}
	maps.Copy(ix.printed, printed)
	if last > from {
		ix.pos.Store(last)
	}
	ix.applied.Store(gen)
	return nil
}

// Touch tells the index that conversation c changed outside the log: its
// tags, or its visitor's name or email. It does not block; the indexer
// writes the conversation's document with its next batch, when those
// changed. After a crash a change not yet persisted by the index is
// written again with the conversation's next entry, or by a rebuild.
func (ix *Index) Touch(c parley.Conversation) {
	if c.ID == 0 {
		return
	}
	ix.pendMu.Lock()
	if ix.pending == nil {
		ix.pending = make(map[uint64]parley.Conversation)
	}
	ix.pending[c.ID] = c
	ix.touchGen++
	ix.pendMu.Unlock()
	select {
	case ix.touched <- struct{}{}:
	default:
	}
}

// Flush waits until the index reflects every entry committed before the
// call, or ctx ends: for tests, benchmarks and a rebuild's caller.
func (ix *Index) Flush(ctx context.Context) error {
	target, err := ix.db.LastPos()
	if err != nil {
		return err
	}
	ix.pendMu.Lock()
	gen := ix.touchGen
	ix.pendMu.Unlock()
	for ix.pos.Load() < target || ix.applied.Load() < gen {
		select {
		case <-ctx.Done():
			return fmt.Errorf("search: flushing to %d, at %d: %w", target, ix.pos.Load(), ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	return nil
}

// Pos is the log position the index reflects.
func (ix *Index) Pos() uint64 { return ix.pos.Load() }

// Close stops following the store and closes the index. Commits after it
// are not indexed: the next Open catches up from the log.
func (ix *Index) Close() error {
	select {
	case <-ix.stop:
		return nil
	default:
	}
	ix.stale.Store(true) // the hook drops everything from now on
	close(ix.stop)
	<-ix.done
	ix.mu.Lock()
	defer ix.mu.Unlock()
	err := ix.idx.Close()
	ix.idx = nil
	return err
}
