package widget_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/parley-chat/parley/app/i18n"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/widget"
	"github.com/parley-chat/parley/widget/internal/minify"
)

// maxServed is the budget for what a shop page pays before intent, as
// browsers get it: brotli (every current browser over HTTPS).
const maxServed = 5 * 1024

// maxServedGzip bounds the gzip fallback, for clients without brotli
// (plain-HTTP installs): gzip is about 15 % larger on this file.
const maxServedGzip = 6 * 1024

var minified = sync.OnceValues(func() ([]byte, error) {
	src, err := os.ReadFile("loader.js")
	if err != nil {
		return nil, err
	}
	return minify.Loader(src)
})

// newLoader returns a Loader for loader.js, minified the way the build does.
func newLoader(tb testing.TB) *widget.Loader {
	tb.Helper()
	js, err := minified()
	if err != nil {
		tb.Fatalf("minifying loader.js: %v", err)
	}
	return widget.NewLoader(js)
}

// shopSite is a site with every setting the loader inlines filled in.
func shopSite(id string) parley.Site {
	return parley.Site{
		ID:             id,
		Name:           "Demo Shop",
		AllowedOrigins: []string{"https://shop.example", "*.shop.example", "http://127.0.0.1:8081"},
		Title:          "Questions? We're here.",
		Welcome:        "Hi! Ask us anything about sizes, shipping or returns.",
		Color:          "#0f766e",
		Proactive: parley.Proactive{
			Enabled:      true,
			DelaySeconds: 20,
			PagePattern:  "/products/*",
			Message:      "Need help choosing a size? We usually answer within a minute.",
		},
		Announcements: []parley.Announcement{{
			Text: "Free shipping on every order until Sunday — ask us about sizes!", Link: "https://shop.example/shipping",
			From: "2026-01-01", Until: "2099-12-31", PagePattern: "/products/*", Teaser: true,
		}},
		Contact: parley.Contact{Email: "help@shop.example", Phone: "+48 123 456 789"},
	}
}

// get serves one request for cfg with the given request headers.
func get(tb testing.TB, l *widget.Loader, cfg widget.Config, header ...string) *http.Response {
	tb.Helper()
	r := httptest.NewRequest(http.MethodGet, "/s/"+cfg.Site+"/widget.js", nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	l.Serve(w, r, cfg)
	return w.Result()
}

// decoded returns the response body with its Content-Encoding undone.
func decoded(tb testing.TB, res *http.Response) []byte {
	tb.Helper()
	var rd io.Reader = res.Body
	switch enc := res.Header.Get("Content-Encoding"); enc {
	case "br":
		rd = brotli.NewReader(res.Body)
	case "gzip":
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			tb.Fatalf("gzip body: %v", err)
		}
		rd = zr
	case "":
	default:
		tb.Fatalf("unexpected Content-Encoding %q", enc)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		tb.Fatalf("reading %q body: %v", res.Header.Get("Content-Encoding"), err)
	}
	return b
}

func body(tb testing.TB, res *http.Response) []byte {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("reading body: %v", err)
	}
	return b
}

func TestServedSizeWithinBudget(t *testing.T) {
	l := newLoader(t)
	cfg := widget.ConfigFor(shopSite("demo"), "https://chat.example.com")
	raw := len(body(t, get(t, l, cfg)))
	gz := len(body(t, get(t, l, cfg, "Accept-Encoding", "gzip")))
	br := len(body(t, get(t, l, cfg, "Accept-Encoding", "br")))
	t.Logf("served loader: raw %d B, gzip %d B, brotli %d B", raw, gz, br)
	if br > maxServed {
		t.Errorf("brotli: got %d bytes, want at most %d", br, maxServed)
	}
	if gz > maxServedGzip {
		t.Errorf("gzip: got %d bytes, want at most %d", gz, maxServedGzip)
	}
	if br >= gz || gz >= raw {
		t.Errorf("got raw %d, gzip %d, brotli %d; want each encoding smaller than the last", raw, gz, br)
	}
}

func TestServeHeadersAndEncodings(t *testing.T) {
	l := newLoader(t)
	cfg := widget.ConfigFor(shopSite("demo"), "https://chat.example.com")
	identity := body(t, get(t, l, cfg))
	if !bytes.HasPrefix(identity, []byte("(function(")) || !bytes.HasSuffix(identity, []byte(");")) {
		t.Fatalf("served body %.30q…%q is not (function(c){…})(config);", identity, identity[max(0, len(identity)-30):])
	}

	tests := []struct {
		accept string
		want   string
	}{
		{"", ""},
		{"identity", ""},
		{"gzip", "gzip"},
		{"gzip, deflate, br, zstd", "br"},
		{"br;q=0.1, gzip;q=1.0", "br"},
		{"br;q=0, gzip", "gzip"},
		{"BR", "br"},
		{"*", "br"},
		{"*, br;q=0", "gzip"},
		{"*;q=0", ""},
		{"deflate, gzip;q=0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			res := get(t, l, cfg, "Accept-Encoding", tt.accept)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status: got %d, want 200", res.StatusCode)
			}
			if got := res.Header.Get("Content-Encoding"); got != tt.want {
				t.Errorf("Content-Encoding: got %q, want %q", got, tt.want)
			}
			for name, want := range map[string]string{
				"Content-Type":           "text/javascript; charset=utf-8",
				"Cache-Control":          "public, max-age=300",
				"Vary":                   "Accept-Encoding, Accept-Language",
				"X-Content-Type-Options": "nosniff",
			} {
				if got := res.Header.Get(name); got != want {
					t.Errorf("%s: got %q, want %q", name, got, want)
				}
			}
			if res.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
			if got := decoded(t, res); !bytes.Equal(got, identity) {
				t.Errorf("decoded body differs from the identity body (%d vs %d bytes)", len(got), len(identity))
			}
		})
	}
}

func TestServeNotModified(t *testing.T) {
	l := newLoader(t)
	cfg := widget.ConfigFor(shopSite("demo"), "https://chat.example.com")
	first := get(t, l, cfg, "Accept-Encoding", "br")
	etag := first.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) {
		t.Fatalf("ETag: got %q, want a quoted strong tag", etag)
	}
	gzTag := get(t, l, cfg, "Accept-Encoding", "gzip").Header.Get("ETag")
	if gzTag == etag {
		t.Errorf("gzip and brotli bodies share ETag %q; different bytes need different tags", etag)
	}
	other := get(t, l, widget.ConfigFor(shopSite("other"), "https://chat.example.com")).Header.Get("ETag")

	tests := []struct {
		name        string
		ifNoneMatch string
		want        int
	}{
		{"same tag", etag, http.StatusNotModified},
		{"weak form", "W/" + etag, http.StatusNotModified},
		{"in a list", `"nope", ` + etag, http.StatusNotModified},
		{"other encoding's tag", gzTag, http.StatusNotModified},
		{"star", "*", http.StatusNotModified},
		{"another site's tag", other, http.StatusOK},
		{"unquoted", strings.Trim(etag, `"`), http.StatusOK},
		{"none", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, l, cfg, "Accept-Encoding", "br", "If-None-Match", tt.ifNoneMatch)
			if res.StatusCode != tt.want {
				t.Fatalf("status: got %d, want %d", res.StatusCode, tt.want)
			}
			if tt.want != http.StatusNotModified {
				return
			}
			if b := body(t, res); len(b) != 0 {
				t.Errorf("304 body: got %d bytes, want none", len(b))
			}
			if got := res.Header.Get("Cache-Control"); got != "public, max-age=300" {
				t.Errorf("304 Cache-Control: got %q, want public, max-age=300", got)
			}
			if res.Header.Get("ETag") == "" {
				t.Error("304 without ETag")
			}
		})
	}
}

func TestServeHead(t *testing.T) {
	l := newLoader(t)
	cfg := widget.ConfigFor(shopSite("demo"), "https://chat.example.com")
	r := httptest.NewRequest(http.MethodHead, "/s/demo/widget.js", nil)
	w := httptest.NewRecorder()
	l.Serve(w, r, cfg)
	if got := w.Body.Len(); got != 0 {
		t.Errorf("HEAD body: got %d bytes, want none", got)
	}
	if got, want := w.Header().Get("Content-Length"), strconv.Itoa(len(body(t, get(t, l, cfg)))); got != want {
		t.Errorf("HEAD Content-Length: got %s, want %s", got, want)
	}
}

func TestConfigCannotBreakOut(t *testing.T) {
	l := newLoader(t)
	site := shopSite("demo")
	site.Title = "</script><script>alert(1)</script> <!-- \u2028\u2029 & 'quotes' \"dq\" \\"
	site.Proactive.Message = "</SCRIPT>\u2028hi"
	cfg := widget.ConfigFor(site, "https://chat.example.com")
	raw := body(t, get(t, l, cfg))

	for _, bad := range []string{"</script", "</SCRIPT", "<!--", "\u2028", "\u2029"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("served body contains %q", bad)
		}
	}

	js, err := minified()
	if err != nil {
		t.Fatal(err)
	}
	arg, ok := bytes.CutPrefix(raw, append(bytes.Clone(js), '('))
	if !ok {
		t.Fatal("served body does not start with the minified loader and '('")
	}
	arg, ok = bytes.CutSuffix(arg, []byte(");"))
	if !ok {
		t.Fatal("served body does not end with ');'")
	}
	var got widget.Config
	if err := json.Unmarshal(arg, &got); err != nil {
		t.Fatalf("the call's argument is not JSON: %v", err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Errorf("inlined config:\n got %+v\nwant %+v", got, cfg)
	}
}

func TestSitesGetTheirOwnScript(t *testing.T) {
	l := newLoader(t)
	a := widget.ConfigFor(shopSite("a"), "https://chat.example.com")
	b := widget.ConfigFor(shopSite("b"), "https://chat.example.com")
	resA, resB := get(t, l, a, "Accept-Encoding", "br"), get(t, l, b, "Accept-Encoding", "br")
	if resA.Header.Get("ETag") == resB.Header.Get("ETag") {
		t.Errorf("sites a and b share ETag %s", resA.Header.Get("ETag"))
	}
	bodyA, bodyB := decoded(t, resA), decoded(t, resB)
	if bytes.Equal(bodyA, bodyB) {
		t.Error("sites a and b get the same script")
	}
	if !bytes.Contains(bodyA, []byte(`"site":"a"`)) || !bytes.Contains(bodyB, []byte(`"site":"b"`)) {
		t.Error("a site's script does not name the site")
	}
	again := get(t, l, a, "Accept-Encoding", "br")
	if got, want := again.Header.Get("ETag"), resA.Header.Get("ETag"); got != want {
		t.Errorf("same site again: ETag %s, want %s", got, want)
	}

	// A new build of the loader must change the ETag even for an unchanged site.
	js, err := minified()
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := widget.NewLoader(append(bytes.Clone(js[:len(js)-1]), []byte(";0})")...))
	if got := get(t, rebuilt, a, "Accept-Encoding", "br").Header.Get("ETag"); got == resA.Header.Get("ETag") {
		t.Errorf("another loader build kept ETag %s", got)
	}
}

func TestServeConcurrentSites(t *testing.T) {
	l := newLoader(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 6 {
				id := string(rune('a'+(i+j)%4)) + string(rune('a'+j%2))
				res := get(t, l, widget.ConfigFor(shopSite(id), "https://chat.example.com"), "Accept-Encoding", "gzip")
				if !bytes.Contains(decoded(t, res), []byte(`"site":"`+id+`"`)) {
					t.Errorf("site %s got another site's script", id)
				}
			}
		}()
	}
	wg.Wait()
}

func TestConfigFor(t *testing.T) {
	proactive := parley.Proactive{Enabled: true, DelaySeconds: 5, PagePattern: "/p/*", Message: "Hi!"}
	tests := []struct {
		name string
		site parley.Site
		base string
		want widget.Config
	}{
		{
			name: "everything",
			site: parley.Site{ID: "s1", Name: "Shop", Title: "Chat with us", Color: "#AbCdEf",
				AllowedOrigins: []string{"https://Shop.Example", " *.shop.example ", "http://localhost:8080/"},
				Proactive:      proactive},
			base: "https://chat.example.com/",
			want: widget.Config{Site: "s1", Base: "https://chat.example.com", Title: "Chat with us", Color: "#AbCdEf",
				Allowed:   []string{"https://shop.example", "*.shop.example", "http://localhost:8080"},
				Proactive: proactive},
		},
		{
			name: "bad origins dropped, bad colour and empty title replaced",
			site: parley.Site{ID: "s2", Name: "Shop Two", Color: "red;background:url(x)",
				AllowedOrigins: []string{"ftp://shop.example", "shop.example/path", "", "*", "shop.example"}},
			base: "http://localhost:8080",
			want: widget.Config{Site: "s2", Base: "http://localhost:8080", Title: "Shop Two",
				Allowed: []string{"shop.example"}},
		},
		{
			name: "disabled or empty greeting is not sent",
			site: parley.Site{ID: "s3", Title: "T", Proactive: parley.Proactive{DelaySeconds: 3, Message: "Hi"}},
			base: "http://x",
			want: widget.Config{Site: "s3", Base: "http://x", Title: "T", Allowed: []string{}},
		},
		{
			name: "greeting without text",
			site: parley.Site{ID: "s4", Title: "T", Proactive: parley.Proactive{Enabled: true, Message: "  "}},
			base: "http://x",
			want: widget.Config{Site: "s4", Base: "http://x", Title: "T", Allowed: []string{}},
		},
		{
			name: "negative delay",
			site: parley.Site{ID: "s5", Title: "T", Color: "#abc", Proactive: parley.Proactive{Enabled: true, DelaySeconds: -4, Message: "Hi"}},
			base: "http://x",
			want: widget.Config{Site: "s5", Base: "http://x", Title: "T", Color: "#abc", Allowed: []string{},
				Proactive: parley.Proactive{Enabled: true, Message: "Hi"}},
		},
		{
			name: "offline mode hide",
			site: parley.Site{ID: "s6", Title: "T", Routing: parley.Routing{Offline: parley.OfflineHide}},
			base: "http://x",
			want: widget.Config{Site: "s6", Base: "http://x", Title: "T", Allowed: []string{}, Hide: true},
		},
		{
			name: "left, a label, dark",
			site: parley.Site{ID: "s7", Title: "T", Position: parley.PositionLeft, LauncherLabel: "Chat with us", Theme: parley.ThemeDark},
			base: "https://shop.example/chat/",
			want: widget.Config{Site: "s7", Base: "https://shop.example/chat", Title: "T", Allowed: []string{},
				Left: true, Label: "Chat with us", Theme: "dark"},
		},
		{
			name: "right and auto are the defaults, not sent",
			site: parley.Site{ID: "s8", Title: "T", Position: parley.PositionRight, Theme: parley.ThemeAuto},
			base: "http://x",
			want: widget.Config{Site: "s8", Base: "http://x", Title: "T", Allowed: []string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := widget.ConfigFor(tt.site, tt.base)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestConfigForTeasersAndContact(t *testing.T) {
	site := parley.Site{ID: "s", Title: "T", Routing: parley.Routing{Hours: parley.Hours{Zone: "Europe/Warsaw"}},
		Announcements: []parley.Announcement{
			{Text: "Ended", Until: "2001-01-01", Teaser: true},
			{Text: "Banner only", From: "2026-01-01"},
			{Text: "Winter sale", From: "2098-12-01", Until: "2099-12-24", PagePattern: "/p/*", Teaser: true, Link: "https://shop.example/x"},
		},
		Contact: parley.Contact{Email: "help@shop.example", Phone: "+48 (12) 345-67-89"},
	}
	cfg := widget.ConfigFor(site, "http://x")
	if len(cfg.Teasers) != 1 {
		t.Fatalf("teasers %+v, want only the one not ended that is a teaser", cfg.Teasers)
	}
	got := cfg.Teasers[0]
	// 2098-12-01 00:00 in Warsaw is 2098-11-30 23:00 UTC; an end years
	// away is left out (the loader reads none as open).
	start := time.Date(2098, 11, 30, 23, 0, 0, 0, time.UTC).UnixMilli()
	if got.Text != "Winter sale" || got.Page != "/p/*" || got.Start != start || got.End != 0 || got.ID == "" {
		t.Errorf("teaser %+v", got)
	}
	// Seen from inside its window: a start passed is left out, an end
	// within a day is kept.
	inside := time.Date(2099, 12, 24, 12, 0, 0, 0, time.UTC)
	if got := widget.TeasersIn(site, "", inside); len(got) != 1 || got[0].Start != 0 || got[0].End != time.Date(2099, 12, 24, 23, 0, 0, 0, time.UTC).UnixMilli() {
		t.Errorf("teaser seen on its last day: %+v", got)
	}
	want := [][2]string{{"mailto:help@shop.example", "help@shop.example"}, {"tel:+48123456789", "+48 (12) 345-67-89"}}
	if !reflect.DeepEqual(cfg.Contact, want) {
		t.Errorf("contact %+v, want %+v", cfg.Contact, want)
	}
	long := parley.Site{ID: "s", Announcements: []parley.Announcement{{Text: strings.Repeat("a", 280), Teaser: true}}}
	if got := []rune(widget.ConfigFor(long, "http://x").Teasers[0].Text); len(got) != 120 || got[119] != '…' {
		t.Errorf("a long teaser is %d runes, ending %q; want 120 ending with …", len(got), got[len(got)-1])
	}
	// In a language with a translation, its text; in others, the text.
	site.Announcements[2].Texts = map[string]string{"pl": "Zimowa wyprzedaż"}
	if got := widget.TeasersIn(site, "pl", time.Now()); len(got) != 1 || got[0].Text != "Zimowa wyprzedaż" || got[0].ID != cfg.Teasers[0].ID {
		t.Errorf("teasers in Polish: %+v", got)
	}
	if got := widget.TeasersIn(site, "de", time.Now()); len(got) != 1 || got[0].Text != "Winter sale" {
		t.Errorf("teasers in German, without a translation: %+v", got)
	}
	if cfg := widget.ConfigFor(parley.Site{ID: "s"}, "http://x"); cfg.Contact != nil || cfg.Teasers != nil {
		t.Errorf("a site without them: %+v", cfg)
	}
}

// The longest teasers a site can have still fit the budget as brotli,
// which every browser that runs the loader accepts.
func TestServedSizeWithLongestTeasers(t *testing.T) {
	l := newLoader(t)
	site := shopSite("demo")
	site.Announcements = nil
	for i := range 5 {
		site.Announcements = append(site.Announcements, parley.Announcement{
			Text: strings.Repeat("Free shipping on orders over 50 € until Sunday, and a gift with each! "[i:], 5),
			From: "2026-01-01T09:00", Until: "2099-12-31T18:00", PagePattern: "/collections/winter-sale/*?utm_campaign=*", Teaser: true,
		})
	}
	br := len(body(t, get(t, l, widget.ConfigFor(site, "https://chat.example.com"), "Accept-Encoding", "br")))
	t.Logf("served loader with the longest teasers: brotli %d B", br)
	if br > maxServed {
		t.Errorf("brotli: got %d bytes, want at most %d", br, maxServed)
	}
	// The same in Polish: the launcher's words, and teasers of two-byte
	// letters.
	pl := []string{
		"Darmowa dostawa wszystkich zamówień powyżej 50 zł aż do niedzieli, a do każdej paczki dorzucamy mały prezent od nas!",
		"Zimowa wyprzedaż: kurtki, swetry i buty do −40%. Sprawdź rozmiary w tabeli i napisz do nas, jeśli masz pytania o zwroty.",
	}
	for i := range site.Announcements {
		site.Announcements[i].Texts = map[string]string{"pl": pl[i%2]}
	}
	cfg := widget.ConfigFor(site, "https://chat.example.com")
	cfg.Words = i18n.LauncherWords(i18n.PL)
	cfg.Teasers = widget.TeasersIn(site, "pl", time.Now())
	br = len(body(t, get(t, l, cfg, "Accept-Encoding", "br")))
	t.Logf("served loader with the longest teasers, in Polish: brotli %d B", br)
	if br > maxServed {
		t.Errorf("brotli, in Polish: got %d bytes, want at most %d", br, maxServed)
	}
	// It fits by carrying the first teaser only.
	if raw := string(body(t, get(t, l, cfg))); !strings.Contains(raw, `"text":"Darmowa dostawa`) || strings.Contains(raw, "Zimowa") {
		t.Errorf("in Polish, the loader carries %s; want the first teaser and not the second", raw[strings.LastIndex(raw, "(")+1:])
	}
}

// Whatever the teasers, the served loader fits the budget: past it, the
// last teaser goes, then the one left is cut short, then it goes too.
func TestServedTeasersFitTheBudget(t *testing.T) {
	l := newLoader(t)
	site := shopSite("demo")
	site.Announcements = nil
	// Text that compresses badly: 120 characters of three bytes each.
	var b strings.Builder
	for i := range 120 {
		b.WriteRune(rune(0x4e00 + i*97%20000))
	}
	for range 2 {
		site.Announcements = append(site.Announcements, parley.Announcement{Text: b.String(), Teaser: true})
	}
	cfg := widget.ConfigFor(site, "https://chat.example.com")
	cfg.Words = i18n.LauncherWords(i18n.PL)
	if len(cfg.Teasers) != 2 {
		t.Fatalf("teasers %+v", cfg.Teasers)
	}
	br := len(body(t, get(t, l, cfg, "Accept-Encoding", "br")))
	raw := string(body(t, get(t, l, cfg)))
	t.Logf("served with two teasers of 120 CJK characters: brotli %d B, carrying %s", br, raw[strings.LastIndex(raw, "(")+1:])
	if br > maxServed {
		t.Errorf("brotli: got %d bytes, want at most %d", br, maxServed)
	}
	if n := strings.Count(raw, `"id":`); n > 1 {
		t.Errorf("it carries %d teasers, want at most one", n)
	}
	// The same config again: the same bytes, from the cache.
	if again := string(body(t, get(t, l, cfg))); again != raw {
		t.Error("the same config served other bytes")
	}
	// A site whose teasers fit carries them whole.
	small := shopSite("demo")
	if raw := string(body(t, get(t, l, widget.ConfigFor(small, "https://chat.example.com")))); !strings.Contains(raw, small.Announcements[0].Text) {
		t.Errorf("the demo's teaser is not carried whole: %s", raw[strings.LastIndex(raw, "(")+1:])
	}
}
