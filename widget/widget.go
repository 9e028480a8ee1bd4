// Package widget serves the script-tag side of Parley: the loader a shop page
// fetches from /s/{site}/widget.js, with that site's settings (allowed
// origins, colour, proactive rule) inlined so that the page makes no other
// request to Parley until the visitor shows intent.
//
// The loader's source is widget/loader.js; widget/cmd/parley-build minifies
// it at build time, and the server hands the result to NewLoader. This
// package never links esbuild (see widget/internal/minify).
//
// It may import app/parley, widget/precompress and the standard library.
package widget

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/widget/precompress"
)

// Config is what the loader needs of one site. It is public: every shop page
// that embeds the site receives it.
type Config struct {
	Site string `json:"site"`
	// Words are the launcher's name and the word before its unread count,
	// "Otwórz czat|nieprzeczytane", in the language the server picked from
	// the request's Accept-Language (i18n.LauncherWords); empty for
	// English. The chat tells the loader its own once it runs.
	Words string `json:"words,omitempty"`
	// Base is Parley's public URL, "https://chat.example.com", without a
	// trailing slash; the iframe loads Base + "/chat/" + Site.
	Base string `json:"base"`
	// Allowed are the site's allowed origins as normalised CSP host sources.
	Allowed []string `json:"allowed"`
	Title   string   `json:"title"`
	// Color is "#rgb" or "#rrggbb", or empty for the loader's default.
	Color     string           `json:"color"`
	Proactive parley.Proactive `json:"proactive"`
	// Left puts the launcher and the panel in the page's bottom-left
	// corner; Label is text beside the launcher's icon (a pill); Theme is
	// "auto", "light" or "dark", for the loader's own loading panel.
	Left  bool   `json:"left,omitempty"`
	Label string `json:"label,omitempty"`
	Theme string `json:"theme,omitempty"`
	// Hide says the site hides the launcher while it does not answer
	// chat (offline mode "hide"): the loader then asks Base +
	// "/s/" + Site + "/open" before it shows the launcher, and every
	// minute after.
	Hide bool `json:"hide,omitempty"`
	// Teasers are the announcements to show beside the launcher that
	// have not ended: the loader compares their windows with the
	// browser's clock, since this config is cached for minutes.
	Teasers []Teaser `json:"teasers,omitempty"`
	// Contact is what the loader offers when the chat cannot load: the
	// site's email and phone as [href, text] pairs, mailto: and tel:.
	Contact [][2]string `json:"contact,omitempty"`
}

// Teaser is an announcement as the loader shows it: id (for a dismissal),
// text, window in Unix milliseconds (0: open) and page pattern.
type Teaser struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Start int64  `json:"start,omitempty"`
	End   int64  `json:"end,omitempty"`
	Page  string `json:"page,omitempty"`
}

var colorRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}){1,2}$`)

// ConfigFor returns the loader config of site, served from base (Parley's
// public URL). Invalid allowed origins are dropped rather than refused: the
// admin API validates them, and a bad entry must not widen what is allowed.
func ConfigFor(site parley.Site, base string) Config { return ConfigIn(site, base, "") }

// ConfigIn is ConfigFor with the teasers in language lang where they have
// it ("": their texts).
func ConfigIn(site parley.Site, base, lang string) Config {
	cfg := Config{
		Site:    site.ID,
		Base:    strings.TrimRight(base, "/"),
		Allowed: []string{},
		Title:   site.Title,
	}
	if cfg.Title == "" {
		cfg.Title = site.Name
	}
	for _, p := range site.AllowedOrigins {
		if n, err := parley.ParseOriginPattern(p); err == nil {
			// ParseOriginPattern accepts "https://shop.example/" but keeps
			// the slash, which no origin would then match.
			cfg.Allowed = append(cfg.Allowed, strings.TrimSuffix(n, "/"))
		}
	}
	if colorRE.MatchString(site.Color) {
		cfg.Color = site.Color
	}
	// A disabled rule is not worth its bytes on every page view.
	if p := site.Proactive; p.Enabled && strings.TrimSpace(p.Message) != "" {
		cfg.Proactive = p
		cfg.Proactive.DelaySeconds = max(0, p.DelaySeconds)
		// The widget shows the greeting in its visitor's language
		// (WidgetSettings.GreetingByLang): not the loader's bytes.
		cfg.Proactive.MessageByLang = nil
	}
	cfg.Hide = site.Routing.WhenClosed() == parley.OfflineHide
	cfg.Teasers = TeasersIn(site, lang, time.Now())
	// Validated when saved; checked again, as they become links.
	if c := site.Contact.Email; c != "" && parley.LooksLikeEmail(c) {
		cfg.Contact = append(cfg.Contact, [2]string{"mailto:" + c, c})
	}
	if tel := parley.TelURI(site.Contact.Phone); tel != "" {
		cfg.Contact = append(cfg.Contact, [2]string{tel, site.Contact.Phone})
	}
	cfg.Left = site.Position == parley.PositionLeft
	cfg.Label = site.LauncherLabel
	if t := site.ThemeOf(); t != parley.ThemeAuto {
		cfg.Theme = t
	}
	return cfg
}

// maxTeasers and maxTeaserRunes bound what every page view of a site
// pays for teasers: the first two that have not ended, each cut to a
// bubble's worth of text (the open chat's banner has it all).
const (
	maxTeasers     = 2
	maxTeaserRunes = 120
	// teaserHorizon is how far ahead a teaser's end is sent: a page open
	// longer than this may show a teaser after its end.
	teaserHorizon = 24 * time.Hour
)

// TeasersIn are site's announcements shown as teasers that have not ended
// at now, in the site's zone (UTC when unknown here), each in language
// lang when it has that translation ("": the text).
func TeasersIn(site parley.Site, lang string, now time.Time) []Teaser {
	loc, err := time.LoadLocation(site.Zone())
	if err != nil {
		loc = time.UTC
	}
	var out []Teaser
	for _, v := range site.AnnouncementViews(now, loc) {
		if v.Teaser && len(out) < maxTeasers {
			text := v.TextIn(lang)
			if cut := parley.Truncate(text, maxTeaserRunes-1); cut != text {
				text = strings.TrimSpace(cut) + "…"
			}
			t := Teaser{ID: v.ID, Text: text, Start: v.Start, End: v.End, Page: v.Page}
			// A window's ends are bytes on every page view: a start
			// passed, or an end further than a page stays open, is left
			// out (the loader reads none as open).
			if t.Start <= now.UnixMilli() {
				t.Start = 0
			}
			if t.End > now.Add(teaserHorizon).UnixMilli() {
				t.End = 0
			}
			out = append(out, t)
		}
	}
	return out
}

// maxVariants bounds the per-site cache; past it the cache starts over,
// which costs one compression per site and needs no eviction bookkeeping.
const maxVariants = 1000

// Loader serves the minified loader with a site's config appended. It
// compresses each distinct config once and keeps the result.
type Loader struct {
	js []byte

	mu       sync.Mutex
	variants map[[sha256.Size]byte]*variant
}

// variant is the served script for one config, in each encoding.
type variant struct {
	raw, gz, br []byte
	// tag is the hash of raw; each encoding gets its own ETag
	// ("tag", "tag-gz", "tag-br") because they are different bytes.
	tag string
}

// NewLoader returns a Loader for the minified loader, the function expression
// "(function(c){…})" that widget/cmd/parley-build writes to loader.min.js.
func NewLoader(minifiedJS []byte) *Loader {
	js := bytes.TrimRight(minifiedJS, "; \t\r\n")
	return &Loader{js: bytes.Clone(js), variants: make(map[[sha256.Size]byte]*variant)}
}

// Serve writes the loader for cfg. It honours If-None-Match and serves
// brotli, gzip or identity, in that order of preference.
func (l *Loader) Serve(w http.ResponseWriter, r *http.Request, cfg Config) {
	v := l.variant(cfg)
	body, enc, etag := v.raw, "", `"`+v.tag+`"`
	switch {
	case precompress.Accepts(r, "br"):
		body, enc, etag = v.br, "br", `"`+v.tag+`-br"`
	case precompress.Accepts(r, "gzip"):
		body, enc, etag = v.gz, "gzip", `"`+v.tag+`-gz"`
	}

	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Vary", "Accept-Encoding, Accept-Language")
	h.Set("X-Content-Type-Options", "nosniff")
	// Shop pages load this cross-origin, some with COEP require-corp.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if tag, ok := v.matches(r.Header.Get("If-None-Match")); ok {
		// Answer with the validator the client holds: its cached bytes
		// are still right, whichever encoding it negotiates now.
		h.Set("ETag", tag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("ETag", etag)
	if enc != "" {
		h.Set("Content-Encoding", enc)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func (l *Loader) variant(cfg Config) *variant {
	if cfg.Allowed == nil {
		cfg.Allowed = []string{} // the loader reads an array
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		// Config holds only strings, numbers and booleans.
		panic("widget: encoding config: " + err.Error())
	}
	key := sha256.Sum256(js)

	l.mu.Lock()
	v := l.variants[key]
	l.mu.Unlock()
	if v != nil {
		return v
	}

	// Compress outside the lock: two requests racing for a new site
	// compress twice, which is cheaper than making every site wait.
	v = l.build(js)
	// The teasers are the one part of a config whose size the owner
	// chooses freely (two of 120 characters in any script): past the
	// budget, the loader carries fewer of them, then a shorter one, then
	// none. The banner in the open chat still has them all.
	for shortened := false; len(v.br) > Budget && len(cfg.Teasers) > 0; {
		last := &cfg.Teasers[len(cfg.Teasers)-1]
		if cut := parley.Truncate(last.Text, minTeaserRunes-1); len(cfg.Teasers) == 1 && !shortened && cut != last.Text {
			last.Text, shortened = strings.TrimSpace(cut)+"…", true
		} else if cfg.Teasers = cfg.Teasers[:len(cfg.Teasers)-1]; len(cfg.Teasers) == 0 {
			cfg.Teasers = nil
		}
		trimmed, err := json.Marshal(cfg)
		if err != nil {
			panic("widget: encoding config: " + err.Error())
		}
		v = l.build(trimmed)
	}

	l.mu.Lock()
	if len(l.variants) >= maxVariants {
		l.variants = make(map[[sha256.Size]byte]*variant)
	}
	l.variants[key] = v
	l.mu.Unlock()
	return v
}

// Budget is the most bytes the loader may be as served, brotli, with its
// config: the shop page's whole cost of Parley before the visitor acts.
const Budget = 5 << 10

// minTeaserRunes is what a teaser is cut to, to fit the Budget, before it
// is dropped.
const minTeaserRunes = 60

// build makes the served script for a config's JSON in each encoding.
// json.Marshal escapes <, >, & and U+2028/9, so a site's title cannot end
// the script or the statement.
func (l *Loader) build(js []byte) *variant {
	raw := make([]byte, 0, len(l.js)+len(js)+3)
	raw = append(append(append(append(raw, l.js...), '('), js...), ");"...)
	sum := sha256.Sum256(raw)
	return &variant{raw: raw, gz: precompress.Gzip(raw), br: precompress.Brotli(raw), tag: hex.EncodeToString(sum[:12])}
}

// matches reports whether an If-None-Match header names one of v's ETags,
// and which. The comparison is weak, as RFC 9110 asks for If-None-Match.
func (v *variant) matches(header string) (string, bool) {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		switch t {
		case "*":
			return `"` + v.tag + `"`, true
		case `"` + v.tag + `"`, `"` + v.tag + `-gz"`, `"` + v.tag + `-br"`:
			return t, true
		}
	}
	return "", false
}
