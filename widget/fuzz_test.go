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
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/andybalholm/brotli"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/widget"
	"github.com/parley-chat/parley/widget/internal/minify"
)

// Fuzz targets for what the loader serves from a site's settings: whatever
// an admin typed, the script a shop page runs must stay one well-formed
// call that carries exactly that config. Seeds run in `make test`; `make
// fuzz` runs the target for a while.

var fuzzLoaderJS = sync.OnceValues(func() ([]byte, error) {
	src, err := os.ReadFile("loader.js")
	if err != nil {
		return nil, err
	}
	return minify.Loader(src)
})

// fuzzMaxSettings bounds the bytes of settings one fuzz input may carry.
const fuzzMaxSettings = 8 << 10

var fuzzColorRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}){1,2}$`)

func FuzzConfigForServe(f *testing.F) {
	js, err := fuzzLoaderJS()
	if err != nil {
		f.Fatalf("minifying loader.js: %v", err)
	}
	l := widget.NewLoader(js)
	prefix := append(bytes.TrimRight(js, "; \t\r\n"), '(')

	type seed struct {
		id, name, title, color, origin1, origin2, pattern, message string
		enabled                                                    bool
		delay                                                      int
		base, acceptEncoding, ifNoneMatch                          string
	}
	for _, s := range []seed{
		{"demo", "Demo Shop", "Questions?", "#0f766e", "https://shop.example", "*.shop.example", "/products/*", "Need help?", true, 20, "https://chat.example.com", "br", ""},
		{"x", "</script><script>alert(1)</script>", "\u2028\u2029<!--", "red", "javascript:alert(1)", "https://a.example; script-src *", "*", "</SCRIPT >", true, -5, "https://chat.example.com/", "gzip;q=0.5, br;q=0", `"nope"`},
		{"", "", "", "#FFF", "", "http://127.0.0.1:8081", "", "   ", true, 1 << 40, "", "*", "*"},
		{"s", "\xff\xfe", "é", "#12345", "HTTPS://SHOP.EXAMPLE/", "localhost:*", "/a*b", "hi", false, 3, "http://localhost:8080", "identity, *;q=0", `W/"x", "y"`},
	} {
		f.Add(s.id, s.name, s.title, s.color, s.origin1, s.origin2, s.pattern, s.message, s.enabled, s.delay, s.base, s.acceptEncoding, s.ifNoneMatch)
	}
	f.Fuzz(func(t *testing.T, id, name, title, color, origin1, origin2, pattern, message string, enabled bool, delay int, base, acceptEncoding, ifNoneMatch string) {
		// Brotli at its best level is slow on large inputs, and settings
		// are bounded by Site.Validate anyway: keep the fuzzer's inputs to
		// what an admin could save.
		if len(id+name+title+color+origin1+origin2+pattern+message+base) > fuzzMaxSettings {
			return
		}
		site := parley.Site{
			ID: id, Name: name, Title: title, Color: color,
			AllowedOrigins: []string{origin1, origin2},
			Proactive:      parley.Proactive{Enabled: enabled, DelaySeconds: delay, PagePattern: pattern, Message: message},
		}
		cfg := widget.ConfigFor(site, base)

		if strings.HasSuffix(cfg.Base, "/") {
			t.Errorf("Base %q ends with a slash", cfg.Base)
		}
		for _, a := range cfg.Allowed {
			// Allowed origins go into CSP frame-ancestors as they are.
			if a == "" || strings.ContainsAny(a, " ;,'\"\r\n\t") {
				t.Errorf("allowed origin %q is unsafe in a CSP source list", a)
			}
		}
		if cfg.Color != "" && !fuzzColorRE.MatchString(cfg.Color) {
			t.Errorf("color %q kept", cfg.Color)
		}
		if cfg.Proactive.DelaySeconds < 0 {
			t.Errorf("proactive delay %d", cfg.Proactive.DelaySeconds)
		}
		if (cfg.Proactive.Enabled || cfg.Proactive.Message != "" || cfg.Proactive.PagePattern != "" || cfg.Proactive.DelaySeconds != 0) && (!cfg.Proactive.Enabled || strings.TrimSpace(cfg.Proactive.Message) == "") {
			t.Errorf("a rule that cannot fire was kept: %+v", cfg.Proactive)
		}

		// The identity body: "(function(c){…})(" + config + ");".
		raw := fuzzServe(t, l, cfg, "", "")
		if raw.Code != http.StatusOK {
			t.Fatalf("status %d, want 200", raw.Code)
		}
		body := raw.Body.Bytes()
		if !bytes.HasPrefix(body, prefix) || !bytes.HasSuffix(body, []byte(");")) {
			t.Fatalf("body is not the loader called with a config: %.60q…", body)
		}
		lower := bytes.ToLower(body)
		for _, bad := range []string{"</script", "<!--", "\u2028", "\u2029"} {
			if bytes.Contains(lower, []byte(bad)) {
				t.Errorf("body contains %q: a shop that inlines the loader would break", bad)
			}
		}
		var got widget.Config
		if err := json.Unmarshal(body[len(prefix):len(body)-2], &got); err != nil {
			t.Fatalf("config does not decode: %v", err)
		}
		want := cfg
		if want.Allowed == nil {
			want.Allowed = []string{}
		}
		// encoding/json replaces invalid UTF-8 with U+FFFD: only valid
		// strings can round-trip.
		if fuzzValidUTF8(id, name, title, color, origin1, origin2, pattern, message, base) && !reflect.DeepEqual(got, want) {
			t.Errorf("config round trip:\ngot  %+v\nwant %+v", got, want)
		}
		tag := raw.Header().Get("ETag")
		if len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
			t.Errorf("ETag %q is not a quoted strong tag", tag)
		}

		// The same config under the fuzzed request headers.
		res := fuzzServe(t, l, cfg, acceptEncoding, ifNoneMatch)
		switch res.Code {
		case http.StatusNotModified:
			if ifNoneMatch == "" || res.Body.Len() != 0 {
				t.Errorf("304 for If-None-Match %q with %d body bytes", ifNoneMatch, res.Body.Len())
			}
			if etag := res.Header().Get("ETag"); !strings.Contains(ifNoneMatch, strings.Trim(etag, `"`)) && !strings.Contains(ifNoneMatch, "*") {
				t.Errorf("304 with ETag %s for If-None-Match %q", etag, ifNoneMatch)
			}
			return
		case http.StatusOK:
		default:
			t.Fatalf("status %d", res.Code)
		}
		enc := res.Header().Get("Content-Encoding")
		ae := strings.ToLower(acceptEncoding)
		switch enc {
		case "":
		case "br", "gzip":
			if !strings.Contains(ae, enc) && !strings.Contains(ae, "*") {
				t.Errorf("Content-Encoding %s for Accept-Encoding %q", enc, acceptEncoding)
			}
		default:
			t.Fatalf("Content-Encoding %q", enc)
		}
		if dec := fuzzDecode(t, enc, res.Body.Bytes()); !bytes.Equal(dec, body) {
			t.Errorf("the %q body decodes to other bytes than the identity body", enc)
		}
	})
}

func fuzzServe(t *testing.T, l *widget.Loader, cfg widget.Config, acceptEncoding, ifNoneMatch string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/s/x/widget.js", nil)
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if ifNoneMatch != "" {
		r.Header.Set("If-None-Match", ifNoneMatch)
	}
	w := httptest.NewRecorder()
	l.Serve(w, r, cfg)
	return w
}

func fuzzDecode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var rd io.Reader = bytes.NewReader(b)
	switch enc {
	case "br":
		rd = brotli.NewReader(rd)
	case "gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		rd = zr
	}
	out, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("decoding %s: %v", enc, err)
	}
	return out
}

func fuzzValidUTF8(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
