package search_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/search"
	"github.com/parley-chat/parley/server/store"
)

type fixture struct {
	db         *store.DB
	dir        string
	ix         *search.Index
	parcel     uint64 // shop: Zofia's parcel conversation
	shoes      uint64 // shop: the shoes conversation
	otherConv  uint64 // other: a conversation of another site
	parcelNote uint64 // seq of the note in parcel
}

func testContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

func openIndex(tb testing.TB, f *fixture) {
	tb.Helper()
	ix, err := search.Open(f.dir, f.db, nil)
	if err != nil {
		tb.Fatalf("search.Open: %v", err)
	}
	f.ix = ix
	tb.Cleanup(func() { ix.Close() })
}

func (f *fixture) send(tb testing.TB, a store.Append) store.Appended {
	tb.Helper()
	if a.ID == "" && a.Kind != parley.KindEvent {
		a.ID = rand.Text()
	}
	res, err := f.db.Append(testContext(tb), a)
	if err != nil {
		tb.Fatalf("Append %q: %v", a.Text, err)
	}
	return res
}

func (f *fixture) visitor(tb testing.TB, site string) parley.Visitor {
	tb.Helper()
	v, err := f.db.CreateVisitor(site, []byte(rand.Text()))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func fromVisitor(v parley.Visitor, conv uint64, text string) store.Append {
	return store.Append{Site: v.Site, Conv: conv, Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}, Text: text}
}

func fromAgent(conv uint64, text string) store.Append {
	return store.Append{Conv: conv, From: parley.Author{Kind: parley.AuthorAgent, ID: 7, Name: "Ann"}, Text: text}
}

// newFixture is a store with two sites and a small corpus, and its index
// in a temporary directory, caught up.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	dir := tb.TempDir()
	db, err := store.Open(filepath.Join(dir, "parley.db"), store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	f := &fixture{db: db, dir: filepath.Join(dir, "search")}
	openIndex(tb, f)
	for _, s := range []string{"shop", "other"} {
		if err := db.CreateSite(parley.Site{ID: s, Name: s, AllowedOrigins: []string{"https://" + s + ".example"}}); err != nil {
			tb.Fatal(err)
		}
	}
	zofia := f.visitor(tb, "shop")
	first := fromVisitor(zofia, 0, "Where is my parcel? The tracking number does not work.")
	first.Name, first.Email = "Zofia Nowak", "zofia@example.pl"
	f.parcel = f.send(tb, first).Conv.ID
	f.send(tb, fromAgent(f.parcel, "Your parcel ships tomorrow."))
	note := fromAgent(f.parcel, "Customer upset about the delay, offer a voucher.")
	note.Kind = parley.KindNote
	f.parcelNote = f.send(tb, note).Message.Seq

	bob := f.visitor(tb, "shop")
	f.shoes = f.send(tb, fromVisitor(bob, 0, "Do you sell red shoes?")).Conv.ID
	f.send(tb, fromVisitor(bob, f.shoes, "I want the <b>red</b> shoes in size 40 & a bag"))
	f.send(tb, fromVisitor(bob, f.shoes, "Also socks, any colour."))

	eve := f.visitor(tb, "other")
	f.otherConv = f.send(tb, fromVisitor(eve, 0, "My parcel with red shoes never came, tracking is dead")).Conv.ID
	f.flush(tb)
	return f
}

func (f *fixture) flush(tb testing.TB) {
	tb.Helper()
	if err := f.ix.Flush(testContext(tb)); err != nil {
		tb.Fatal(err)
	}
}

func (f *fixture) search(tb testing.TB, q search.Query) parley.SearchPage {
	tb.Helper()
	if q.Sites == nil {
		q.Sites = []string{"shop"}
	}
	p, err := f.ix.Search(testContext(tb), q)
	if err != nil {
		tb.Fatalf("Search(%+v): %v", q, err)
	}
	return p
}

// keys lists hits as conv/seq, best first.
type key struct{ conv, seq uint64 }

func keys(p parley.SearchPage) []key {
	var out []key
	for _, h := range p.Hits {
		out = append(out, key{h.Conv, h.Seq})
	}
	return out
}

func TestRanking(t *testing.T) {
	f := newFixture(t)
	p := f.search(t, search.Query{Text: "parcel tracking"})
	got := keys(p)
	// Both words beat one; the other site's message matching both is
	// out of scope.
	want := []key{{f.parcel, 1}, {f.parcel, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parcel tracking: got %v, want %v (%+v)", got, want, p.Hits)
	}
	if p.Hits[0].Score <= p.Hits[1].Score {
		t.Errorf("scores %v, %v: the message with both words must score higher", p.Hits[0].Score, p.Hits[1].Score)
	}
	h := p.Hits[0]
	if h.Site != "shop" || h.From.Kind != parley.AuthorVisitor || h.Status == "" || h.VisitorName != "Zofia Nowak" || h.Email != "zofia@example.pl" || h.At == 0 {
		t.Errorf("hit: %+v", h)
	}
	if want := "Where is my <mark>parcel</mark>? The <mark>tracking</mark> number does not work."; h.Snippet != want {
		t.Errorf("snippet %q, want %q", h.Snippet, want)
	}

	// Case does not matter; three words over two messages.
	got = keys(f.search(t, search.Query{Text: "RED Shoes size"}))
	if want := []key{{f.shoes, 2}, {f.shoes, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("red shoes size: got %v, want %v", got, want)
	}
}

func TestHighlightEscapes(t *testing.T) {
	f := newFixture(t)
	p := f.search(t, search.Query{Text: "red"})
	var snip string
	for _, h := range p.Hits {
		if h.Seq == 2 {
			snip = h.Snippet
		}
	}
	if want := "I want the &lt;b&gt;<mark>red</mark>&lt;/b&gt; shoes in size 40 &amp; a bag"; snip != want {
		t.Errorf("snippet %q, want %q", snip, want)
	}
	parts := parley.SplitMarks(snip)
	if len(parts) != 3 || parts[0].Text != "I want the <b>" || !parts[1].Mark || parts[1].Text != "red" {
		t.Errorf("SplitMarks: %+v", parts)
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("lorem ipsum ", 30) + "żółw <needle> " + strings.Repeat("dolor sit ", 30)
	i := strings.Index(long, "żółw")
	for _, tc := range []struct {
		name    string
		text    string
		matches [][2]int
		want    func(string) bool
	}{
		{"no match: the start", "a < b", nil, func(s string) bool { return s == "a &lt; b" }},
		{"a match far in: cut around it, on a word", long, [][2]int{{i, i + len("żółw")}}, func(s string) bool {
			return strings.HasPrefix(s, "…") && strings.HasSuffix(s, "…") && strings.Contains(s, "<mark>żółw</mark> &lt;needle&gt;") && len(s) < 260
		}},
		{"overlapping and bad spans are dropped", "abc def", [][2]int{{0, 3}, {1, 2}, {5, 99}, {4, 4}}, func(s string) bool { return s == "<mark>abc</mark> def" }},
	} {
		if got := search.Snippet(tc.text, tc.matches); !tc.want(got) {
			t.Errorf("%s: %q", tc.name, got)
		}
	}
}

func TestContactAndNotes(t *testing.T) {
	f := newFixture(t)
	// The contact is the conversation's: one hit, on its newest entry.
	for _, q := range []string{"zofia", "zofia@example.pl", "NOWAK"} {
		p := f.search(t, search.Query{Text: q})
		if len(p.Hits) != 1 {
			t.Fatalf("%s: her conversation once, got %v", q, keys(p))
		}
		h := p.Hits[0]
		if h.Conv != f.parcel || h.Kind != parley.SearchConversation || h.Seq != f.parcelNote || h.VisitorName != "Zofia Nowak" || h.Email != "zofia@example.pl" || h.At == 0 {
			t.Errorf("%s: %+v", q, h)
		}
		if !strings.Contains(h.Snippet, "<mark>") {
			t.Errorf("%s: snippet %q marks nothing", q, h.Snippet)
		}
	}
	if p := f.search(t, search.Query{Text: "zofia"}); p.Hits[0].Snippet != "<mark>Zofia</mark> Nowak · <mark>zofia</mark>@example.pl" {
		t.Errorf("zofia: snippet %q", p.Hits[0].Snippet)
	}
	// A message's words and the contact: the message ranks first.
	if got := keys(f.search(t, search.Query{Text: "zofia voucher"})); len(got) != 2 || got[0] != (key{f.parcel, f.parcelNote}) {
		t.Errorf("zofia voucher: %v", got)
	}
	p := f.search(t, search.Query{Text: "voucher"})
	if len(p.Hits) != 1 || p.Hits[0].Seq != f.parcelNote || p.Hits[0].Kind != parley.KindNote || !p.Hits[0].Internal {
		t.Errorf("a note is found, flagged as internal: %+v", p.Hits)
	}
}

func TestFilters(t *testing.T) {
	f := newFixture(t)
	if _, err := f.db.SetStatus(f.shoes, parley.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if got := keys(f.search(t, search.Query{Text: "shoes socks parcel", Status: parley.StatusResolved})); len(got) != 3 || got[0].conv != f.shoes {
		t.Errorf("resolved: got %v, want the 3 shoes messages", got)
	}
	for _, h := range f.search(t, search.Query{Text: "shoes socks parcel", Status: parley.StatusOpen}).Hits {
		if h.Conv == f.shoes {
			t.Errorf("open: got the resolved %v", h)
		}
	}
	if got := f.search(t, search.Query{Text: "parcel", Team: "sales"}); len(got.Hits) != 0 {
		t.Errorf("team sales: %v", keys(got))
	}
	if got := f.search(t, search.Query{Text: "parcel", From: time.Now().Add(time.Hour)}); len(got.Hits) != 0 {
		t.Errorf("from the future: %v", keys(got))
	}
	if got := f.search(t, search.Query{Text: "parcel", From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}); len(got.Hits) != 2 {
		t.Errorf("from an hour ago to an hour on: %v", keys(got))
	}
	// Pages: one hit each, then the rest.
	p1 := f.search(t, search.Query{Text: "shoes socks parcel", Limit: 1})
	p2 := f.search(t, search.Query{Text: "shoes socks parcel", Limit: 10, Cursor: p1.Next})
	all := f.search(t, search.Query{Text: "shoes socks parcel", Limit: 10})
	if p1.Next == "" || len(p1.Hits) != 1 || !reflect.DeepEqual(append(keys(p1), keys(p2)...), keys(all)) || p2.Next != "" {
		t.Errorf("pages %v + %v (next %q), all %v", keys(p1), keys(p2), p2.Next, keys(all))
	}
}

// TestScope: nothing outside the sites asked for, whatever the words.
func TestScope(t *testing.T) {
	f := newFixture(t)
	got := keys(f.search(t, search.Query{Text: "parcel red shoes tracking", Sites: []string{"other"}}))
	if want := []key{{f.otherConv, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("other: got %v, want %v", got, want)
	}
	if p, err := f.ix.Search(testContext(t), search.Query{Text: "parcel"}); err != nil || len(p.Hits) != 0 {
		t.Errorf("no sites: %v, %v", keys(p), err)
	}
	for _, h := range f.search(t, search.Query{Text: "parcel red shoes tracking"}).Hits {
		if h.Site != "shop" {
			t.Errorf("shop: got %+v", h)
		}
	}
}

func TestEditsAndDeletions(t *testing.T) {
	f := newFixture(t)
	ed := fromAgent(f.parcel, "Your parcel ships on Monday.")
	ed.Kind, ed.Ref = parley.KindEdit, 2
	f.send(t, ed)
	del := store.Append{Conv: f.parcel, From: parley.Author{Kind: parley.AuthorAgent, ID: 7, Name: "Ann"}, Kind: parley.KindDelete, Ref: 1}
	f.send(t, del)
	f.flush(t)
	if got := keys(f.search(t, search.Query{Text: "tracking"})); len(got) != 0 {
		t.Errorf("a deleted message is gone: %v", got)
	}
	if got := keys(f.search(t, search.Query{Text: "tomorrow"})); len(got) != 0 {
		t.Errorf("an edited message's old words are gone: %v", got)
	}
	p := f.search(t, search.Query{Text: "monday"})
	if got := keys(p); !reflect.DeepEqual(got, []key{{f.parcel, 2}}) {
		t.Fatalf("an edited message's new words: %v", got)
	}
	// The snippet shows the new text (the store's entry 2 keeps the old).
	if h := p.Hits[0]; h.Snippet != "Your parcel ships on <mark>Monday</mark>." || h.From.Name != "Ann" || h.Kind != parley.KindMessage || h.Internal {
		t.Errorf("an edited message's hit: %+v", h)
	}
}

// TestRebuild: an index deleted while the server is down is rebuilt from
// the store at the next start, with the same results; one left behind
// catches up with what was written meanwhile.
func TestRebuild(t *testing.T) {
	f := newFixture(t)
	q := search.Query{Text: "parcel shoes zofia voucher"}
	before := f.search(t, q)
	if len(before.Hits) < 5 {
		t.Fatalf("corpus: %v", keys(before))
	}
	if err := f.ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(f.dir); err != nil {
		t.Fatal(err)
	}
	openIndex(t, f)
	f.flush(t)
	if after := f.search(t, q); !reflect.DeepEqual(keys(after), keys(before)) {
		t.Errorf("rebuilt: %v, before: %v", keys(after), keys(before))
	}

	// Behind: written while the index is closed.
	f.ix.Close()
	f.send(t, fromAgent(f.shoes, "The shoes come in burgundy too."))
	openIndex(t, f)
	f.flush(t)
	if got := keys(f.search(t, search.Query{Text: "burgundy"})); len(got) != 1 {
		t.Errorf("caught up: %v", got)
	}

	// Corrupt: a file that is not an index.
	f.ix.Close()
	os.RemoveAll(f.dir)
	os.WriteFile(f.dir, []byte("junk"), 0o600)
	openIndex(t, f)
	f.flush(t)
	if got := keys(f.search(t, search.Query{Text: "burgundy"})); len(got) != 1 {
		t.Errorf("rebuilt over junk: %v", got)
	}
}

// TestOverflow: with a queue of one entry, nearly every commit overflows
// it; the indexer reads them all from the log instead.
func TestOverflow(t *testing.T) {
	search.SetQueueEntries(t, 1)
	f := newFixture(t)
	v := f.visitor(t, "shop")
	conv := f.send(t, fromVisitor(v, 0, "start")).Conv.ID
	ctx := testContext(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 100 {
				a := fromVisitor(v, conv, "overflowing "+rand.Text()[:6])
				a.ID = rand.Text()
				if _, err := f.db.Append(ctx, a); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	f.flush(t)
	if p := f.search(t, search.Query{Text: "overflowing"}); p.Total != 400 {
		t.Errorf("overflowing: %d hits, want 400", p.Total)
	}
}

// TestManyCommits: commits faster than the indexer keeps up are all indexed,
// from the queue or, once it overflowed, from the log.
func TestManyCommits(t *testing.T) {
	f := newFixture(t)
	v := f.visitor(t, "shop")
	conv := f.send(t, fromVisitor(v, 0, "start")).Conv.ID
	ctx := testContext(t)
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for i := range 250 {
				a := fromVisitor(v, conv, "bulk message word"+string(rune('a'+w))+" n"+rand.Text()[:4])
				a.ID = rand.Text()
				if _, err := f.db.Append(ctx, a); err != nil {
					errs <- err
					return
				}
				_ = i
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	f.flush(t)
	if p := f.search(t, search.Query{Text: "bulk"}); p.Total != 2000 {
		t.Errorf("bulk: %d hits, want 2000", p.Total)
	}
}

// TestTagsAndContactChanges: tags and a contact's email change outside the
// log; Touch brings them to the index, and takes old ones out.
func TestTagsAndContactChanges(t *testing.T) {
	f := newFixture(t)
	ctx := testContext(t)
	c, changed, err := f.db.SetTags(ctx, f.shoes, []string{"refund", "VIP client"}, nil)
	if err != nil || !changed {
		t.Fatalf("SetTags: %v %v", changed, err)
	}
	f.ix.Touch(c)
	f.flush(t)
	for _, tc := range []struct {
		q    search.Query
		want []key // seq 0: the conversation
	}{
		{search.Query{Text: "refund"}, []key{{f.shoes, 0}}},
		{search.Query{Text: "tag:refund"}, []key{{f.shoes, 0}}},
		{search.Query{Text: "Tag:Refund"}, []key{{f.shoes, 0}}},
		{search.Query{Text: "client"}, []key{{f.shoes, 0}}},
		{search.Query{Text: "tag:refund tag:nope"}, nil},
		{search.Query{Text: "socks", Tag: "refund"}, []key{{f.shoes, 3}}},
		{search.Query{Text: "red", Tag: "VIP client"}, []key{{f.shoes, 1}, {f.shoes, 2}}}, // the shorter first (BM25)
	} {
		p := f.search(t, tc.q)
		var got []key
		for _, h := range p.Hits {
			k := key{h.Conv, h.Seq}
			if h.Kind == parley.SearchConversation {
				k.seq = 0
			}
			got = append(got, k)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q tag %q: %v, want %v", tc.q.Text, tc.q.Tag, got, tc.want)
		}
	}
	if p := f.search(t, search.Query{Text: "tag:refund"}); len(p.Hits) == 1 && !strings.HasSuffix(p.Hits[0].Snippet, " · tags: <mark>refund</mark>, vip client") {
		t.Errorf("tag:refund: snippet %q", p.Hits[0].Snippet)
	}
	// Another site's agent never sees them.
	for _, q := range []string{"refund", "tag:refund", "client"} {
		if p := f.search(t, search.Query{Text: q, Sites: []string{"other"}}); len(p.Hits) != 0 {
			t.Errorf("%s from other: %v", q, keys(p))
		}
	}
	// A tag filter drops the conversations without it.
	if got := keys(f.search(t, search.Query{Text: "parcel", Tag: "refund"})); len(got) != 0 {
		t.Errorf("parcel, tag refund: %v", got)
	}
	if _, err := f.ix.Search(ctx, search.Query{Text: "tag:NOT!ok", Sites: []string{"shop"}}); parley.ErrorCode(err) != parley.EInvalid {
		t.Errorf("a bad tag: %v", err)
	}

	// Removed: no longer found.
	c, _, err = f.db.SetTags(ctx, f.shoes, nil, []string{"refund"})
	if err != nil {
		t.Fatal(err)
	}
	f.ix.Touch(c)
	f.flush(t)
	for _, q := range []string{"refund", "tag:refund"} {
		if got := keys(f.search(t, search.Query{Text: q})); len(got) != 0 {
			t.Errorf("%s after its removal: %v", q, got)
		}
	}
	if got := keys(f.search(t, search.Query{Text: "client", Tag: "vip client"})); len(got) != 1 {
		t.Errorf("the other tag stays: %v", got)
	}

	// The email left later, outside the log.
	c, err = f.db.SetEmail(ctx, f.shoes, "bob.builder@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.ix.Touch(c)
	f.flush(t)
	if p := f.search(t, search.Query{Text: "bob.builder@example.com"}); len(p.Hits) != 1 || p.Hits[0].Conv != f.shoes || p.Hits[0].Kind != parley.SearchConversation {
		t.Errorf("the new email: %+v", p.Hits)
	}
	if p := f.search(t, search.Query{Text: "bob.builder@example.com", Sites: []string{"other"}}); len(p.Hits) != 0 {
		t.Errorf("the new email from other: %v", keys(p))
	}

	// A rebuild finds what Touch wrote.
	f.ix.Close()
	os.RemoveAll(f.dir)
	openIndex(t, f)
	f.flush(t)
	if got := keys(f.search(t, search.Query{Text: "bob.builder@example.com", Tag: "vip client"})); len(got) != 1 {
		t.Errorf("rebuilt: %v", got)
	}
}

// TestEditedTextSurvivesMerges edits many messages in many small batches,
// between unedited ones, and checks every edited hit's snippet while the
// index merges its segments: an edited message's text once lived in a
// field that other documents had unstored, and bleve dropped it in some
// merges (found by TestEditsAndDeletions about once in 50 runs).
func TestEditedTextSurvivesMerges(t *testing.T) {
	f := newFixture(t)
	const n = 50 // a page's most
	seqs := make([]uint64, n)
	for i := range n {
		seqs[i] = f.send(t, fromAgent(f.parcel, fmt.Sprintf("plain words number %d", i))).Message.Seq
		if i%3 == 0 {
			f.flush(t)
		}
	}
	for i := range n {
		ed := fromAgent(f.parcel, fmt.Sprintf("zebra now %d", i))
		ed.Kind, ed.Ref = parley.KindEdit, seqs[i]
		f.send(t, ed)
		f.send(t, fromAgent(f.parcel, fmt.Sprintf("other words %d", i)))
		if i%2 == 0 {
			f.flush(t)
		}
	}
	f.flush(t)
	// Merges and persisting run in the background: look for a while.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		p := f.search(t, search.Query{Text: "zebra", Limit: 100})
		if len(p.Hits) != n {
			t.Fatalf("zebra: %d hits, want %d", len(p.Hits), n)
		}
		for _, h := range p.Hits {
			if !strings.Contains(h.Snippet, "<mark>zebra</mark> now") {
				t.Fatalf("an edited message's snippet shows its old text: %+v", h)
			}
		}
	}
}
