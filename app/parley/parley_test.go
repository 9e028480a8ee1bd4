package parley_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestParseOriginPattern(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://Shop.Example.com", "https://shop.example.com", true},
		{"shop.example.com", "shop.example.com", true},
		{"*.example.com", "*.example.com", true},
		{"http://127.0.0.1:8081", "http://127.0.0.1:8081", true},
		{"https://shop.example.com/", "https://shop.example.com", true},
		{"localhost:*", "localhost:*", true},
		{"", "", false},
		{"ftp://shop.example.com", "", false},
		{"https://shop.example.com/path", "", false},
		{"https://*", "", false},
		{"*", "", false},
		{"shop.*.com", "", false},
		{"shop.example.com:99999", "", false},
		{"shop.example.com:abc", "", false},
		{"'self'", "", false},
		{"a.com; script-src *", "", false},
		{"exa mple.com", "", false},
		{"user@example.com", "", false},
	}
	for _, tt := range tests {
		got, err := parley.ParseOriginPattern(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseOriginPattern(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && parley.ErrorCode(err) != parley.EInvalid {
			t.Errorf("ParseOriginPattern(%q) code = %q, want invalid", tt.in, parley.ErrorCode(err))
		}
	}
}

func TestOriginAllowed(t *testing.T) {
	patterns := []string{"https://shop.example", "*.brand.example", "http://127.0.0.1:8081", "plain.example", "dev.example:*"}
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://shop.example", true},
		{"https://shop.example:443", true},
		{"http://shop.example", false},       // scheme given in the pattern
		{"https://shop.example:8443", false}, // no port in pattern: default only
		{"https://a.brand.example", true},
		{"https://a.b.brand.example", true},
		{"https://brand.example", false}, // *. matches subdomains only
		{"https://evilbrand.example", false},
		{"http://127.0.0.1:8081", true},
		{"http://127.0.0.1:8082", false},
		{"http://plain.example", true},
		{"https://plain.example", true},
		{"https://plain.example.evil.com", false},
		{"http://dev.example:3000", true},
		{"null", false},
		{"", false},
		{"javascript:alert(1)", false},
	}
	for _, tt := range tests {
		if got := parley.OriginAllowed(patterns, tt.origin); got != tt.want {
			t.Errorf("OriginAllowed(%q) = %v, want %v", tt.origin, got, tt.want)
		}
	}
	if parley.OriginAllowed(nil, "https://shop.example") {
		t.Error("OriginAllowed with no patterns = true, want false")
	}
}

func TestMatchPage(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"", "/anything", true},
		{"/products/*", "/products/espresso", true},
		{"/products/*", "/products/", true},
		{"/products/*", "/product", false},
		{"/products/*", "/a/products/x", false},
		{"*/products/*", "/demo/products/espresso", true},
		{"/checkout", "/checkout", true},
		{"/checkout", "/checkout/done", false},
		{"*.html", "/a/b.html", true},
		{"*.html", "/a/b.htm", false},
		{"/a*b*c", "/aXbYc", true},
		{"/a*b*c", "/aXcYb", false},
		{"*", "/", true},
		{"/x/*/y", "/x/1/2/y", true},
	}
	for _, tt := range tests {
		if got := parley.MatchPage(tt.pattern, tt.path); got != tt.want {
			t.Errorf("MatchPage(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestCheckText(t *testing.T) {
	l := parley.DefaultLimits
	tests := []struct {
		in, want, code string
	}{
		{"  hello  ", "hello", ""},
		{"", "", parley.EInvalid},
		{" \n\t ", "", parley.EInvalid},
		{"bad \xff utf8", "", parley.EInvalid},
		{"line one\r\nline two\ttab", "line one\nline two\ttab", ""},
		{"bell \a here", "", parley.EInvalid},
		{"nul \x00 here", "", parley.EInvalid},
		{"del \x7f here", "", parley.EInvalid},
		{strings.Repeat("é", l.MaxTextRunes), strings.Repeat("é", l.MaxTextRunes), ""},
		{strings.Repeat("é", l.MaxTextRunes+1), "", parley.ETooLarge},
	}
	for _, tt := range tests {
		got, err := l.CheckText(tt.in)
		if got != tt.want || parley.ErrorCode(err) != tt.code {
			t.Errorf("CheckText(%.20q) = %.20q, code %q; want %.20q, code %q", tt.in, got, parley.ErrorCode(err), tt.want, tt.code)
		}
	}
}

func TestCheckClientID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"4b1c9e0a-7d2f-4e1a-9c3b-2f1e0d9c8b7a", true},
		{"abc_DEF-123", true},
		{"", false},
		{strings.Repeat("a", parley.ClientIDMaxLen), true},
		{strings.Repeat("a", parley.ClientIDMaxLen+1), false},
		{"has space", false},
		{"semi;colon", false},
		{"ünïcode", false},
	}
	for _, tt := range tests {
		if err := parley.CheckClientID(tt.id); (err == nil) != tt.ok {
			t.Errorf("CheckClientID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
	}
}

func TestSiteValidate(t *testing.T) {
	base := parley.Site{ID: "s", Name: " Shop ", AllowedOrigins: []string{"HTTPS://Shop.Example", " "}}
	got, err := base.Validate()
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got.Name != "Shop" || len(got.AllowedOrigins) != 1 || got.AllowedOrigins[0] != "https://shop.example" || got.Color != "#4f46e5" {
		t.Errorf("Validate = %+v; want trimmed name, one normalised origin, default colour", got)
	}

	bad := map[string]func(*parley.Site){
		"no name":        func(s *parley.Site) { s.Name = "" },
		"bad origin":     func(s *parley.Site) { s.AllowedOrigins = []string{"https://x.example/path"} },
		"bad colour":     func(s *parley.Site) { s.Color = "red" },
		"long title":     func(s *parley.Site) { s.Title = strings.Repeat("x", 101) },
		"bad utf8":       func(s *parley.Site) { s.Welcome = "\xff" },
		"empty greeting": func(s *parley.Site) { s.Proactive = parley.Proactive{Enabled: true, DelaySeconds: 5} },
		"negative delay": func(s *parley.Site) { s.Proactive = parley.Proactive{Enabled: true, DelaySeconds: -1, Message: "hi"} },
		"too many origins": func(s *parley.Site) {
			for i := 0; i < 51; i++ {
				s.AllowedOrigins = append(s.AllowedOrigins, fmt.Sprintf("s%d.example", i))
			}
		},
	}
	for name, mutate := range bad {
		s := base
		s.AllowedOrigins = append([]string(nil), base.AllowedOrigins...)
		mutate(&s)
		if _, err := s.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, s)
		}
	}
}

func TestErrors(t *testing.T) {
	e := parley.Errorf(parley.ENotFound, "No conversation %d.", 7)
	wrapped := fmt.Errorf("store: get: %w", e)
	if got := parley.ErrorCode(wrapped); got != parley.ENotFound {
		t.Errorf("ErrorCode(wrapped) = %q, want not_found", got)
	}
	if got := parley.ErrorMessage(wrapped); got != "No conversation 7." {
		t.Errorf("ErrorMessage(wrapped) = %q", got)
	}
	internal := errors.New("disk on fire at /secret/path")
	if got := parley.ErrorCode(internal); got != parley.EInternal {
		t.Errorf("ErrorCode(plain) = %q, want internal", got)
	}
	if got := parley.ErrorMessage(internal); strings.Contains(got, "secret") {
		t.Errorf("ErrorMessage(plain) leaks details: %q", got)
	}
	f := parley.ErrorFrame(wrapped, "id1")
	if f.Type != parley.TypeError || f.Code != parley.ENotFound || f.ID != "id1" {
		t.Errorf("ErrorFrame = %+v", f)
	}
}

func TestMessageFrameRoundTrip(t *testing.T) {
	m := parley.Message{Conv: 3, Seq: 9, ID: "abc", From: parley.Author{Kind: parley.AuthorAgent, ID: 2, Name: "Ann"}, Text: "<b>hi</b>", At: 1700000000000}
	got := parley.MessageFrame(m).ToMessage()
	if !reflect.DeepEqual(got, m) {
		t.Errorf("round trip = %+v, want %+v", got, m)
	}
	if b := parley.MessageFrame(m).Encode(); strings.Contains(string(b), "<b>") {
		t.Errorf("encoded frame holds raw HTML: %s", b)
	}
}

// The longest valid message must fit in a frame whatever it holds:
// encoding/json writes '<', '>', '&' and control characters as six bytes.
func TestLongestMessageFitsInAFrame(t *testing.T) {
	l := parley.DefaultLimits
	for _, r := range []string{"<", "&", "\x01", "\u2028", "😀", "é"} {
		text := strings.Repeat(r, l.MaxTextRunes)
		f := parley.Frame{Type: parley.TypeSend, ID: strings.Repeat("a", parley.ClientIDMaxLen), Conv: 1 << 62, Text: text, Greeted: true}
		if n := len(f.Encode()); n > l.MaxFrameBytes {
			t.Errorf("a send frame of %d × %q is %d bytes, over the %d-byte frame limit", l.MaxTextRunes, r, n, l.MaxFrameBytes)
		}
	}
}
