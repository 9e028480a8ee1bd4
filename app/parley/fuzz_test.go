package parley_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-chat/parley/app/parley"
)

// Fuzz targets for every parser of outside input in the domain package. Their
// seeds run in `make test`; `make fuzz` runs each for a while.

func FuzzParseOriginPattern(f *testing.F) {
	for _, s := range []string{"https://shop.example", "*.example.com", "http://127.0.0.1:8081", "localhost:*", "a.com; script-src *", "", "https://", "*.", "x:0", "HTTPS://A.B/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parley.ParseOriginPattern(s)
		if err != nil {
			if parley.ErrorCode(err) != parley.EInvalid {
				t.Fatalf("ParseOriginPattern(%q): code %q, want invalid", s, parley.ErrorCode(err))
			}
			return
		}
		// A normalised pattern goes into a CSP header as is: it must not be
		// able to end the source list or start another directive.
		if strings.ContainsAny(n, " ;,'\"\r\n\t") {
			t.Fatalf("ParseOriginPattern(%q) = %q: unsafe in a CSP header", s, n)
		}
		again, err := parley.ParseOriginPattern(n)
		if err != nil || again != n {
			t.Fatalf("not idempotent: %q → %q → %q, %v", s, n, again, err)
		}
	})
}

func FuzzOriginAllowed(f *testing.F) {
	f.Add("*.example.com", "https://a.example.com")
	f.Add("https://shop.example", "https://shop.example:443")
	f.Add("http://127.0.0.1:8081", "http://127.0.0.1:8081")
	f.Add("shop.example", "https://shop.example.evil")
	f.Fuzz(func(t *testing.T, pattern, origin string) {
		p, err := parley.ParseOriginPattern(pattern)
		if err != nil || !parley.OriginAllowed([]string{p}, origin) {
			return
		}
		// Whatever is allowed has the pattern's host, or is a subdomain of
		// a "*." pattern's host.
		u, err := url.Parse(origin)
		if err != nil {
			t.Fatalf("OriginAllowed(%q, %q) = true for an unparsable origin", p, origin)
		}
		host := strings.ToLower(u.Hostname())
		want := p
		if i := strings.Index(want, "://"); i >= 0 {
			want = want[i+3:]
		}
		if i := strings.LastIndex(want, ":"); i >= 0 {
			want = want[:i]
		}
		if suffix, ok := strings.CutPrefix(want, "*."); ok {
			if !strings.HasSuffix(host, "."+suffix) {
				t.Fatalf("OriginAllowed(%q, %q) = true: %q is not a subdomain of %q", p, origin, host, suffix)
			}
		} else if host != want {
			t.Fatalf("OriginAllowed(%q, %q) = true: host %q, want %q", p, origin, host, want)
		}
	})
}

func FuzzMatchPage(f *testing.F) {
	f.Add("/products/*", "/products/espresso")
	f.Add("*/a*b*", "/x/aYbZ")
	f.Add("", "/")
	f.Add("***", "")
	f.Fuzz(func(t *testing.T, pattern, path string) {
		got := parley.MatchPage(pattern, path)
		if !strings.Contains(pattern, "*") && pattern != "" && got != (pattern == path) {
			t.Fatalf("MatchPage(%q, %q) = %v without wildcards", pattern, path, got)
		}
		if strings.Contains(pattern, "*") && !strings.Contains(path, "*") && !got {
			// Replacing each '*' with the empty string gives a literal; if
			// the path equals it, the pattern must match.
			if strings.ReplaceAll(pattern, "*", "") == path {
				t.Fatalf("MatchPage(%q, %q) = false; stars may match nothing", pattern, path)
			}
		}
	})
}

func FuzzSiteValidate(f *testing.F) {
	f.Add(`{"id":"s","name":"Shop","allowedOrigins":["https://shop.example"],"color":"#112233","proactive":{"enabled":true,"delaySeconds":5,"pagePattern":"/p/*","message":"Hi"}}`)
	f.Add(`{"name":"","allowedOrigins":["*"]}`)
	f.Add(`{"name":"x","proactive":{"enabled":true,"delaySeconds":-4}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var s parley.Site
		if json.Unmarshal([]byte(body), &s) != nil {
			return
		}
		v, err := s.Validate()
		if err != nil {
			if c := parley.ErrorCode(err); c != parley.EInvalid && c != parley.ETooLarge {
				t.Fatalf("Validate: code %q for %s", c, body)
			}
			return
		}
		for _, o := range v.AllowedOrigins {
			if _, err := parley.ParseOriginPattern(o); err != nil {
				t.Fatalf("Validate kept an invalid origin %q", o)
			}
		}
		if !utf8.ValidString(v.Name) || v.Name == "" {
			t.Fatalf("Validate kept name %q", v.Name)
		}
		if again, err := v.Validate(); err != nil || again.Name != v.Name || len(again.AllowedOrigins) != len(v.AllowedOrigins) {
			t.Fatalf("Validate not idempotent: %v", err)
		}
	})
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add(`{"type":"hello","role":"visitor","site":"demo","token":"x","since":[{"conv":1,"after":2}]}`)
	f.Add(`{"type":"send","id":"a-1","conv":0,"text":"hi","greeted":true}`)
	f.Add(`{"type":"msg","conv":1,"seq":2,"from":{"kind":"agent","id":1,"name":"A"},"text":"x","at":1}`)
	f.Add(`{"type":"send","id":"` + strings.Repeat("a", 70) + `","text":"` + strings.Repeat("é", 10) + `"}`)
	f.Add("{\"type\":\"send\",\"text\":\"\xff\"}")
	f.Add(`{"type":""}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, raw string) {
		fr, err := parley.DecodeFrame([]byte(raw))
		if err != nil {
			if parley.ErrorCode(err) != parley.EInvalid {
				t.Fatalf("DecodeFrame(%q): code %q, want invalid", raw, parley.ErrorCode(err))
			}
			return
		}
		if !utf8.ValidString(raw) || fr.Type == "" {
			t.Fatalf("DecodeFrame accepted %q (type %q)", raw, fr.Type)
		}
		// Whatever decodes must re-encode and decode to the same frame.
		var again parley.Frame
		if err := json.Unmarshal(fr.Encode(), &again); err != nil {
			t.Fatalf("re-decoding %s: %v", fr.Encode(), err)
		}
		if string(again.Encode()) != string(fr.Encode()) {
			t.Fatalf("round trip changed the frame:\n%s\n%s", fr.Encode(), again.Encode())
		}
		if err := parley.CheckClientID(fr.ID); err == nil && len(fr.ID) > parley.ClientIDMaxLen {
			t.Fatalf("CheckClientID accepted %d bytes", len(fr.ID))
		}
		if text, err := parley.DefaultLimits.CheckText(fr.Text); err == nil {
			if !utf8.ValidString(text) || text == "" || utf8.RuneCountInString(text) > parley.DefaultLimits.MaxTextRunes {
				t.Fatalf("CheckText accepted %q", text)
			}
		}
	})
}
