package web_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/search"
	"github.com/parley-chat/parley/server/store"
	"github.com/parley-chat/parley/server/web"
)

// newSearchEnv is a server with a search index over a store that holds a
// message on each site, both with the word "parcel".
func newSearchEnv(tb testing.TB) (*sockEnv, *search.Index) {
	tb.Helper()
	env := newSockEnv(tb, parley.Limits{})
	ix, err := search.Open(filepath.Join(tb.TempDir(), "search"), env.db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	web.SetSearch(env.srv, ix)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	for _, st := range []struct{ site, text string }{
		{"shop", "Where is my parcel? <script>alert(1)</script>"},
		{"other", "My parcel is late"},
	} {
		v, err := env.db.CreateVisitor(st.site, []byte(rand.Text()))
		if err != nil {
			tb.Fatal(err)
		}
		_, err = env.db.Append(ctx, store.Append{Site: st.site, Visitor: v.ID, From: parley.Author{Kind: parley.AuthorVisitor, ID: v.ID}, ID: rand.Text(), Text: st.text})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := ix.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	return env, ix
}

// searchGet calls GET /api/search?q with the headers hdr (nil: no session).
func searchGet(tb testing.TB, env *sockEnv, hdr http.Header, q url.Values) (int, parley.SearchPage, apiErr) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", env.url+"/api/search?"+q.Encode(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	if hdr != nil {
		req.Header = hdr.Clone()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var page parley.SearchPage
	var e apiErr
	into := any(&page)
	if resp.StatusCode != http.StatusOK {
		into = &e
	}
	if err := json.Unmarshal(body, into); err != nil {
		tb.Fatalf("GET /api/search?%s: %d %q: %v", q.Encode(), resp.StatusCode, body, err)
	}
	return resp.StatusCode, page, e
}

func sitesOf(p parley.SearchPage) []string {
	var out []string
	for _, h := range p.Hits {
		out = append(out, h.Site)
	}
	return out
}

// TestSearchScope: an agent finds the messages of their sites only; a site
// they are not a member of is answered like a missing one, even named.
func TestSearchScope(t *testing.T) {
	env, _ := newSearchEnv(t)
	ann := loginAgent(t, env, "ann@shop.example")
	cy := loginAgent(t, env, "cy@other.example")

	if code, p, _ := searchGet(t, env, ann, url.Values{"q": {"parcel"}}); code != 200 || len(p.Hits) != 2 {
		t.Errorf("Ann, member of both: %d %v", code, sitesOf(p))
	}
	if code, p, _ := searchGet(t, env, ann, url.Values{"q": {"parcel"}, "site": {"shop"}}); code != 200 || strings.Join(sitesOf(p), ",") != "shop" {
		t.Errorf("Ann, site=shop: %d %v", code, sitesOf(p))
	}
	code, p, _ := searchGet(t, env, cy, url.Values{"q": {"parcel"}})
	if code != 200 || strings.Join(sitesOf(p), ",") != "other" {
		t.Errorf("Cy, member of other only: %d %v", code, sitesOf(p))
	}
	for _, site := range []string{"shop", "nowhere"} {
		if code, p, e := searchGet(t, env, cy, url.Values{"q": {"parcel"}, "site": {site}}); code != http.StatusNotFound || e.Code != parley.ENotFound || len(p.Hits) != 0 {
			t.Errorf("Cy, site=%s: %d %+v %v", site, code, e, sitesOf(p))
		}
	}
	if code, _, _ := searchGet(t, env, nil, url.Values{"q": {"parcel"}}); code != http.StatusUnauthorized {
		t.Errorf("no session: %d", code)
	}
	// Visitor text stays text: escaped, marks only around the match.
	_, p, _ = searchGet(t, env, ann, url.Values{"q": {"parcel script"}, "site": {"shop"}})
	if len(p.Hits) != 1 || p.Hits[0].Snippet != "Where is my <mark>parcel</mark>? &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" {
		t.Errorf("snippet: %+v", p.Hits)
	}
}

func TestSearchBadInput(t *testing.T) {
	env, _ := newSearchEnv(t)
	ann := loginAgent(t, env, "ann@shop.example")
	for _, tc := range []struct {
		name string
		q    url.Values
	}{
		{"no q", url.Values{}},
		{"blank q", url.Values{"q": {"   "}}},
		{"q too long", url.Values{"q": {strings.Repeat("ż", parley.MaxSearchQuery+1)}}},
		{"limit 0", url.Values{"q": {"parcel"}, "limit": {"0"}}},
		{"limit 51", url.Values{"q": {"parcel"}, "limit": {"51"}}},
		{"limit x", url.Values{"q": {"parcel"}, "limit": {"x"}}},
		{"bad from", url.Values{"q": {"parcel"}, "from": {"yesterday"}}},
		{"bad to", url.Values{"q": {"parcel"}, "to": {"2026-13-01"}}},
		{"from after to", url.Values{"q": {"parcel"}, "from": {"2026-02-01"}, "to": {"2026-01-01"}}},
		{"bad status", url.Values{"q": {"parcel"}, "status": {"spam"}}},
		{"bad cursor", url.Values{"q": {"parcel"}, "cursor": {"-1"}}},
		{"long team", url.Values{"q": {"parcel"}, "team": {strings.Repeat("t", 65)}}},
		{"bad tag", url.Values{"q": {"parcel"}, "tag": {"no<tags>"}}},
		{"long tag", url.Values{"q": {"parcel"}, "tag": {strings.Repeat("t", parley.MaxTagRunes+1)}}},
		{"bad tag in q", url.Values{"q": {"parcel tag:no!"}}},
		{"long tag in q", url.Values{"q": {"parcel tag:" + strings.Repeat("t", parley.MaxTagRunes+1)}}},
	} {
		code, _, e := searchGet(t, env, ann, tc.q)
		if code != http.StatusBadRequest || e.Code != parley.EInvalid || e.Message == "" {
			t.Errorf("%s: %d %+v", tc.name, code, e)
		}
	}
	// At the bounds: accepted.
	if code, _, e := searchGet(t, env, ann, url.Values{"q": {strings.Repeat("ż", parley.MaxSearchQuery)}, "limit": {"50"}, "from": {"2020-01-01"}, "to": {"2999-01-01T00:00:00Z"}, "status": {"open"}}); code != 200 {
		t.Errorf("at the bounds: %d %+v", code, e)
	}
	// Dates filter: a day long past has nothing.
	if code, p, _ := searchGet(t, env, ann, url.Values{"q": {"parcel"}, "from": {"2001-01-01"}, "to": {"2001-01-01"}}); code != 200 || len(p.Hits) != 0 {
		t.Errorf("2001: %d %v", code, sitesOf(p))
	}
}

// TestSearchOff: a server without an index says so.
func TestSearchOff(t *testing.T) {
	env := newSockEnv(t, parley.Limits{})
	ann := loginAgent(t, env, "ann@shop.example")
	if code, _, e := searchGet(t, env, ann, url.Values{"q": {"parcel"}}); code != http.StatusServiceUnavailable || e.Code != parley.EUnavailable {
		t.Errorf("%d %+v", code, e)
	}
}

// TestSearchTagsAndContact: tags and an email left in the chat reach the
// index (they change outside the log); an agent of the site finds the
// conversation by them, and by the tag filter; another site's agent never
// does; a removed tag is no longer found.
func TestSearchTagsAndContact(t *testing.T) {
	env, ix := newSearchEnv(t)
	annSock, _ := env.newAgent(t, "ann", 0)
	v, _ := env.newVisitor(t, "visitor")
	conv := v.say(0, "v-1", "My order never came").Conv
	v.sendFrame(parley.Frame{Type: parley.TypeContact, ID: "c-1", Conv: conv, Email: "zofia.search@example.pl"})
	annSock.until("the email", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == conv && f.Conversation.Email == "zofia.search@example.pl"
	})
	tagged := func(id string, add, remove []string, want string) {
		t.Helper()
		annSock.sendFrame(parley.Frame{Type: parley.TypeTag, ID: id, Conv: conv, Add: add, Remove: remove})
		annSock.until("tags "+want, func(f parley.Frame) bool {
			return f.Type == parley.TypeConv && f.Conversation != nil && f.Conversation.ID == conv && strings.Join(f.Conversation.Tags, ",") == want
		})
		ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
		defer cancel()
		if err := ix.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tagged("t-1", []string{"Refund", "late parcel"}, nil, "late parcel,refund")

	ann := loginAgent(t, env, "ann@shop.example")
	cy := loginAgent(t, env, "cy@other.example")
	convHit := func(hdr http.Header, q url.Values) (int, []parley.SearchHit) {
		t.Helper()
		code, p, e := searchGet(t, env, hdr, q)
		if code != 200 {
			t.Errorf("%v: %d %+v", q, code, e)
		}
		var of []parley.SearchHit
		for _, h := range p.Hits {
			if h.Conv == conv {
				of = append(of, h)
			}
		}
		return len(p.Hits), of
	}
	for _, q := range []url.Values{
		{"q": {"tag:refund"}},
		{"q": {"refund"}},
		{"q": {"zofia.search@example.pl"}},
		{"q": {"order"}, "tag": {"late parcel"}},
		{"q": {"order"}, "tag": {"REFUND"}, "site": {"shop"}},
	} {
		if n, of := convHit(ann, q); n != 1 || len(of) != 1 || of[0].Site != "shop" {
			t.Errorf("Ann, %v: %d hits, %+v", q, n, of)
		} else if _, tagOnly := q["tag"]; !tagOnly && (of[0].Kind != parley.SearchConversation || of[0].Email != "zofia.search@example.pl") {
			t.Errorf("Ann, %v: %+v", q, of[0])
		}
	}
	// Cy, an agent of the other site only, finds nothing of it.
	for _, q := range []url.Values{
		{"q": {"tag:refund"}},
		{"q": {"refund"}},
		{"q": {"zofia.search@example.pl"}},
		{"q": {"order"}, "tag": {"refund"}},
	} {
		if n, of := convHit(cy, q); n != 0 || len(of) != 0 {
			t.Errorf("Cy, %v: %d hits, %+v", q, n, of)
		}
	}
	// The filter drops what lacks the tag.
	if n, _ := convHit(ann, url.Values{"q": {"script"}}); n != 1 {
		t.Errorf("script: %d hits", n)
	}
	if n, _ := convHit(ann, url.Values{"q": {"script"}, "tag": {"refund"}}); n != 0 {
		t.Errorf("script, tag refund: %d hits", n)
	}

	tagged("t-2", nil, []string{"refund"}, "late parcel")
	for _, q := range []url.Values{{"q": {"tag:refund"}}, {"q": {"refund"}}, {"q": {"order"}, "tag": {"refund"}}} {
		if n, of := convHit(ann, q); n != 0 || len(of) != 0 {
			t.Errorf("Ann, %v after its removal: %d hits, %+v", q, n, of)
		}
	}
	if _, of := convHit(ann, url.Values{"q": {"tag:late"}}); len(of) != 0 {
		t.Errorf("tag:late is not the tag late parcel: %+v", of)
	}
}
