package outbound_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/server/mail/outbound"
)

func TestRenderEscapes(t *testing.T) {
	text, html := outbound.Render(outbound.Page{
		ShopName: `Ala & <b>Kot</b>`,
		Color:    "#B45309",
		Title:    `New messages from "you"`,
		Intro:    "Line one\nline two",
		Lines: []outbound.Line{
			{From: "<img src=x onerror=alert(1)>", Text: "<script>alert(1)</script>\nsecond line", At: time.Date(2025, 3, 1, 10, 5, 0, 0, time.UTC)},
			{From: "Shop", Text: "Hi!", Agent: true},
		},
		LinkURL:  "https://shop.example/chat?c=1&t=2",
		LinkText: "Open the chat",
		Footer:   "Sent by Parley",
	})
	for _, bad := range []string{"<script>", "<img", "<b>Kot"} {
		if strings.Contains(html, bad) {
			t.Errorf("html holds %q", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;<br>second line",
		"&lt;img src=x onerror=alert(1)&gt;",
		"Ala &amp; &lt;b&gt;Kot&lt;/b&gt;",
		"Line one<br>line two",
		`href="https://shop.example/chat?c=1&amp;t=2"`,
		"#b45309",
		"1 Mar 2025 10:05 UTC",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// Text is text: the visitor's words arrive as written.
	for _, want := range []string{
		"Ala & <b>Kot</b>\n",
		"<img src=x onerror=alert(1)>, 1 Mar 2025 10:05 UTC:\n  <script>alert(1)</script>\n  second line\n",
		"Shop:\n  Hi!\n",
		"Open the chat:\nhttps://shop.example/chat?c=1&t=2\n",
		"-- \nSent by Parley\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestRenderColor(t *testing.T) {
	bg := regexp.MustCompile(`background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})`)
	tests := []struct{ color, bg, ink string }{
		{"#b45309", "#b45309", "#ffffff"},
		{"#FDE68A", "#fde68a", "#1d2129"}, // light: dark text
		{"#b5651d", "#ae611c", "#ffffff"}, // neither text reads at 4.5:1: darkened
		{"red", outbound.DefaultColor, "#ffffff"},
		{"#b45309;background:url(https://evil.example/x)", outbound.DefaultColor, "#ffffff"},
		{"", outbound.DefaultColor, "#ffffff"},
	}
	for _, tt := range tests {
		_, html := outbound.Render(outbound.Page{ShopName: "Shop", Color: tt.color})
		m := bg.FindStringSubmatch(html)
		if m == nil || m[1] != tt.bg || m[2] != tt.ink {
			t.Errorf("%q: got %q, want background %s, text %s", tt.color, m, tt.bg, tt.ink)
		}
		if strings.Contains(html, "evil") {
			t.Errorf("%q got into the html", tt.color)
		}
	}
}

func TestRenderDropsUnsafeLink(t *testing.T) {
	for _, link := range []string{"javascript:alert(1)", "data:text/html,x", "//shop.example", "shop.example/chat"} {
		text, html := outbound.Render(outbound.Page{ShopName: "Shop", LinkURL: link, LinkText: "Open"})
		if strings.Contains(html, "<a ") || strings.Contains(text, "Open") {
			t.Errorf("%q: the link was kept", link)
		}
	}
}

func TestMessageIDFor(t *testing.T) {
	install := []byte("install one")
	// Another install (a store made anew) numbers its jobs from 1 again:
	// its ids must differ all the same.
	if a, b := outbound.MessageIDFor(1, "shop.example", install), outbound.MessageIDFor(1, "shop.example", []byte("install two")); a == b {
		t.Errorf("two installs, one id: %q", a)
	}
	a := outbound.MessageIDFor(42, "shop.example", install)
	if b := outbound.MessageIDFor(42, "Shop.Example ", install); a != b {
		t.Errorf("same job, two ids: %q, %q", a, b)
	}
	if !regexp.MustCompile(`^42\.[a-z2-7]{16}@shop\.example$`).MatchString(a) {
		t.Errorf("got %q, want 42.<16 base32>@shop.example", a)
	}
	if b := outbound.MessageIDFor(43, "shop.example", install); a == b {
		t.Errorf("two jobs, one id: %q", a)
	}
	if b := outbound.MessageIDFor(42, "other.example", install); a[:strings.IndexByte(a, '@')] == b[:strings.IndexByte(b, '@')] {
		t.Errorf("two domains share the local part: %q, %q", a, b)
	}
	for _, d := range []string{"", "bad domain", "a@b"} {
		if got := outbound.MessageIDFor(1, d, install); !strings.HasSuffix(got, "@parley.invalid") {
			t.Errorf("domain %q: got %q", d, got)
		}
	}
}
