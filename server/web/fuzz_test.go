package web

// Fuzz targets for the server's parsers of outside input: request headers,
// the login request, the visitor's page, the snippet an admin pastes, and
// the stored password hashes. They are an internal test because the
// parsers are unexported. Seeds run in `make test`; `make fuzz` runs each
// target for a while.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/relay"
	"github.com/parley-chat/parley/server/store"
)

func FuzzCheckPassword(f *testing.F) {
	good, err := HashPassword("correct horse")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(good), "correct horse")
	f.Add(string(good), "wrong horse")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "pw")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$$", "pw")
	f.Add("$argon2id$v=19$m=x,t=2,p=1$c2FsdA$aGFzaA", "pw")
	f.Add("$bcrypt$", "")
	// Found by this target: argon2 panics on t=0 or p=0.
	f.Add("$argon2id$$m=0,t=0,p=0$$00", "0")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "0")
	f.Add("$argon2id$v=19$m=4294967295,t=4294967295,p=255$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "0")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		// A hash names its own cost; checkPassword bounds it (64 MiB, 10
		// passes). Keep the fuzzer to the cheap end of that range so it
		// spends its time looking for everything else.
		parts := strings.Split(hash, "$")
		if len(parts) == 6 {
			var m, tm uint32
			var p uint8
			if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &tm, &p); err == nil && (m > 64<<10 || tm > 4 || p > 8 || len(parts[5]) > 1<<10) {
				return
			}
		}
		ok := checkPassword([]byte(hash), pw)
		if ok && hash == string(good) && pw != "correct horse" {
			t.Fatalf("checkPassword accepted %q for the hash of another password", pw)
		}
		if hash == string(good) && pw == "correct horse" && !ok {
			t.Fatal("checkPassword refused the right password")
		}
	})
}

func FuzzLogin(f *testing.F) {
	const email, password = "ann@shop.example", "correct horse"
	db, err := store.Open(filepath.Join(f.TempDir(), "parley.db"), store.Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	hash, err := HashPassword(password)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := db.CreateAgent(parley.Agent{Email: email, Name: "Ann", Role: parley.AgentRoleAdmin}, hash); err != nil {
		f.Fatal(err)
	}
	s := NewServer(Config{PublicURL: "https://chat.example"}, db, relay.NewHub(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	// The fuzzer would trip the login limiter at once; it is tested
	// elsewhere, and here it would hide everything behind a 429.
	s.logins.perAddress.free = 1 << 30
	s.logins.perAccount.free = 1 << 30
	h := s.routes()

	f.Add(`{"email":"ann@shop.example","password":"correct horse"}`, "", "")
	f.Add(`{"email":" ANN@shop.example ","password":"correct horse"}`, "https://chat.example", "")
	f.Add(`{"email":"ann@shop.example","password":"correct horse"}`, "https://evil.example", "")
	f.Add(`{"email":"ann@shop.example","password":"nope"}`, "", "cross-site")
	f.Add(`{"email":1}`, "null", "")
	f.Add(`{"email":"a","password":"`+strings.Repeat("x", 5000)+`"}`, "", "")
	f.Add("\xff", "http://[::1", "same-origin")
	f.Fuzz(func(t *testing.T, body, origin, fetchSite string) {
		r := httptest.NewRequest(http.MethodPost, "http://parley.internal/api/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", fetchSite)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for body %q, Origin %q: %s", w.Code, body, origin, w.Body.Bytes())
		}
		cookie := w.Header().Get("Set-Cookie")
		if w.Code != http.StatusOK {
			var e struct{ Code, Message string }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("status %d with body %q: want {code, message}", w.Code, w.Body.Bytes())
			}
			if cookie != "" {
				t.Fatalf("status %d sets a cookie", w.Code)
			}
			return
		}
		// Logged in: only with the right password, from an allowed origin.
		var req loginRequest
		if err := json.NewDecoder(strings.NewReader(body)).Decode(&req); err != nil || req.Password != password || strings.ToLower(strings.TrimSpace(req.Email)) != email {
			t.Fatalf("logged in with body %q", body)
		}
		if origin != "" {
			u, err := url.Parse(origin)
			if err != nil || (!strings.EqualFold(u.Host, r.Host) && !(strings.EqualFold(u.Host, "chat.example") && u.Scheme == "https")) {
				t.Fatalf("logged in from Origin %q", origin)
			}
		} else if fetchSite != "" && fetchSite != "same-origin" && fetchSite != "none" {
			t.Fatalf("logged in with Sec-Fetch-Site %q", fetchSite)
		}
		if !strings.Contains(cookie, sessionCookie+"=") || !strings.Contains(cookie, "HttpOnly") {
			t.Fatalf("login cookie %q", cookie)
		}
	})
}

func FuzzCheckPage(f *testing.F) {
	f.Add("https://shop.example/products/espresso?x=1", "Espresso")
	f.Add("javascript:alert(1)", "x")
	f.Add("http://", "")
	f.Add("HTTPS://SHOP.EXAMPLE", "  padded  ")
	f.Add("https://shop.example/"+strings.Repeat("%41", 1000), strings.Repeat("é", 300))
	f.Add("https://a.example/"+strings.Repeat("é", 1100), "")
	f.Add("https://"+strings.Repeat("a", 3000)+"/x", "")
	f.Add("https://a.example/p?"+strings.Repeat("q=1&", 600)+"#frag", "")
	f.Fuzz(func(t *testing.T, rawURL, title string) {
		// Frames are refused unless they are valid UTF-8, so fields are too.
		if !utf8.ValidString(rawURL) || !utf8.ValidString(title) {
			return
		}
		p, err := checkPage(parley.Page{URL: rawURL, Title: title})
		if err != nil {
			if parley.ErrorCode(err) != parley.EInvalid {
				t.Fatalf("checkPage(%q): code %q", rawURL, parley.ErrorCode(err))
			}
			return
		}
		if len(p.URL) > maxPageURLBytes || !utf8.ValidString(p.URL) || (len(rawURL) <= maxPageURLBytes && p.URL != rawURL) {
			t.Fatalf("checkPage(%q) kept URL %q", rawURL, p.URL)
		}
		if utf8.RuneCountInString(p.Title) > maxPageTitleRunes || !utf8.ValidString(p.Title) {
			t.Fatalf("checkPage kept title %q", p.Title)
		}
		// Agents see the URL as a link: whatever is kept is still an
		// http(s) URL with a host.
		u, err := url.Parse(p.URL)
		if err != nil {
			t.Fatalf("checkPage(%q) kept the unparsable %q: %v", rawURL, p.URL, err)
		}
		orig, _ := url.Parse(rawURL)
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Host != orig.Host {
			t.Fatalf("checkPage(%q) kept %q: scheme %q, host %q", rawURL, p.URL, u.Scheme, u.Host)
		}
	})
}

func FuzzSnippet(f *testing.F) {
	f.Add("https://chat.example.com", "demo")
	f.Add("http://localhost:8080", `a"b<c>d&e'f`)
	f.Add(`https://x.example/"><script>alert(1)</script>`, "</script>")
	f.Add("", "")
	f.Add("https://chat.example.com", "\x00\xff é /?#%")
	f.Fuzz(func(t *testing.T, publicURL, siteID string) {
		s := Snippet(publicURL, siteID)
		const open, close = `<script src="`, `" async></script>`
		if !strings.HasPrefix(s, open) || !strings.HasSuffix(s, close) {
			t.Fatalf("Snippet(%q, %q) = %q: not one script tag", publicURL, siteID, s)
		}
		// Exactly two attribute values, each free of quotes and angle
		// brackets, then the closing tag.
		inner := strings.TrimSuffix(strings.TrimPrefix(s, open), close)
		src, site, ok := strings.Cut(inner, `" data-site="`)
		if !ok {
			t.Fatalf("Snippet(%q, %q) = %q: no data-site attribute", publicURL, siteID, s)
		}
		for _, v := range []string{src, site} {
			if strings.ContainsAny(v, "\"<>'") {
				t.Fatalf("Snippet(%q, %q) = %q: attribute value %q is not escaped", publicURL, siteID, s, v)
			}
		}
		if strings.Count(strings.ToLower(s), "<script") != 1 || strings.Count(strings.ToLower(s), "</script") != 1 {
			t.Fatalf("Snippet(%q, %q) = %q: more than one tag", publicURL, siteID, s)
		}
		// The attributes carry the site id and the loader's URL.
		if utf8.ValidString(siteID) && !strings.ContainsRune(siteID, 0) {
			if got := html.UnescapeString(site); got != siteID {
				t.Fatalf("data-site unescapes to %q, want %q", got, siteID)
			}
			want := publicURL + "/s/" + url.PathEscape(siteID) + "/widget.js"
			if utf8.ValidString(publicURL) && !strings.ContainsRune(publicURL, 0) && html.UnescapeString(src) != want {
				t.Fatalf("src unescapes to %q, want %q", html.UnescapeString(src), want)
			}
		}
	})
}

// FuzzDecodeLoginBody is the login body decoder on its own, much faster
// than FuzzLogin, which pays for an argon2 check per input.
func FuzzDecodeLoginBody(f *testing.F) {
	f.Add([]byte(`{"email":"a@b.c","password":"x"}`))
	f.Add([]byte(`{"email":"a@b.c"} trailing`))
	f.Add(bytes.Repeat([]byte("["), 5000))
	f.Add([]byte(`{"password":"` + strings.Repeat("\\u0000", 1000) + `"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/login", bytes.NewReader(body))
		w := httptest.NewRecorder()
		var req loginRequest
		err := decodeJSON(w, r, &req, 4<<10)
		if err == nil {
			return
		}
		switch parley.ErrorCode(err) {
		case parley.EInvalid:
		case parley.ETooLarge:
			if len(body) <= 4<<10 {
				t.Fatalf("decodeJSON: too_large for %d bytes", len(body))
			}
		default:
			t.Fatalf("decodeJSON(%q): code %q", body, parley.ErrorCode(err))
		}
		if msg := parley.ErrorMessage(err); !utf8.ValidString(msg) || msg == "" {
			t.Fatalf("decodeJSON: message %q", msg)
		}
	})
}
