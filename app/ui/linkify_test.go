package ui_test

import (
	"reflect"
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/parley-chat/parley/app/ui"
)

func TestLinkify(t *testing.T) {
	txt := func(s string) ui.Segment { return ui.Segment{Text: s} }
	link := func(s string) ui.Segment { return ui.Segment{Text: s, URL: s} }
	tests := []struct {
		name string
		in   string
		want []ui.Segment
	}{
		{"empty", "", nil},
		{"plain", "hello there", []ui.Segment{txt("hello there")}},
		{"only link", "https://shop.example/a?b=1#c", []ui.Segment{link("https://shop.example/a?b=1#c")}},
		{"link in sentence", "see http://x.example/p, thanks",
			[]ui.Segment{txt("see "), link("http://x.example/p"), txt(", thanks")}},
		{"trailing period", "Go to https://x.example.", []ui.Segment{txt("Go to "), link("https://x.example"), txt(".")}},
		{"trailing question", "https://x.example/?q=1?", []ui.Segment{link("https://x.example/?q=1"), txt("?")}},
		{"parenthesised", "(https://x.example/a)", []ui.Segment{txt("("), link("https://x.example/a"), txt(")")}},
		{"balanced parens kept", "https://en.wikipedia.org/wiki/Go_(language)",
			[]ui.Segment{link("https://en.wikipedia.org/wiki/Go_(language)")}},
		{"two links", "https://a.example https://b.example",
			[]ui.Segment{link("https://a.example"), txt(" "), link("https://b.example")}},
		{"newline ends link", "https://a.example\nnext", []ui.Segment{link("https://a.example"), txt("\nnext")}},
		{"upper case scheme", "HTTPS://A.EXAMPLE/X", []ui.Segment{link("HTTPS://A.EXAMPLE/X")}},
		{"javascript scheme", "javascript:alert(1)", []ui.Segment{txt("javascript:alert(1)")}},
		{"javascript wrapping http", "javascript://https://x.example", []ui.Segment{txt("javascript://"), link("https://x.example")}},
		{"data scheme", "data:text/html,<b>x</b>", []ui.Segment{txt("data:text/html,<b>x</b>")}},
		{"no host", "http:// and https:///path", []ui.Segment{txt("http:// and https:///path")}},
		{"inside a word", "xhttps://x.example", []ui.Segment{txt("xhttps://x.example")}},
		{"user info refused", "https://shop.example@evil.example/", []ui.Segment{txt("https://shop.example@evil.example/")}},
		{"angle brackets end link", "<https://x.example>", []ui.Segment{txt("<"), link("https://x.example"), txt(">")}},
		{"quote ends link", `"https://x.example/a"`, []ui.Segment{txt(`"`), link("https://x.example/a"), txt(`"`)}},
		{"markup stays text", `<a href="javascript:x">hi</a>`, []ui.Segment{txt(`<a href="javascript:x">hi</a>`)}},
		{"unicode around", "é https://x.example/ü ok", []ui.Segment{txt("é "), link("https://x.example/ü"), txt(" ok")}},
		{"port", "http://127.0.0.1:8081/demo/", []ui.Segment{link("http://127.0.0.1:8081/demo/")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ui.Linkify(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Linkify(%q) = %q, want %q", tt.in, got, tt.want)
			}
			var joined string
			for _, s := range got {
				joined += s.Text
			}
			if joined != tt.in {
				t.Errorf("segments join to %q, want the input %q", joined, tt.in)
			}
		})
	}
}

func TestRichText(t *testing.T) {
	nodes := ui.RichText("<b>hi</b> https://x.example/a")
	if got, want := len(nodes), 2; got != want {
		t.Fatalf("got %d nodes, want %d", got, want)
	}
	if err := app.Match(app.Text("<b>hi</b> "), nodes[0]); err != nil {
		t.Errorf("text node: %v", err)
	}
	want := app.A().Href("https://x.example/a").Target("_blank").Rel("noopener noreferrer nofollow")
	if err := app.Match(want, nodes[1]); err != nil {
		t.Errorf("link node: %v", err)
	}
	if err := app.Match(app.Text("https://x.example/a"), nodes[1], 0); err != nil {
		t.Errorf("link text: %v", err)
	}
}

func TestSafeHref(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://shop.example/p?q=1", true},
		{"http://127.0.0.1:8081/", true},
		{"HTTPS://SHOP.EXAMPLE", true},
		{"javascript:alert(1)", false},
		{"JavaScript://%0aalert(1)", false},
		{"data:text/html,x", false},
		{"//shop.example/p", false},
		{"/relative", false},
		{"https://", false},
		{"https://user:pw@shop.example/", false},
		{"mailto:a@b.example", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, got := ui.SafeHref(tt.in); got != tt.want {
			t.Errorf("SafeHref(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
