package web_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

func TestParsePublicURL(t *testing.T) {
	good := []struct{ in, want, base string }{
		{"https://chat.example.com", "https://chat.example.com", ""},
		{"https://chat.example.com/", "https://chat.example.com", ""},
		{"https://shop.example/chat", "https://shop.example/chat", "/chat"},
		{" https://shop.example/chat/ ", "https://shop.example/chat", "/chat"},
		{"http://127.0.0.1:8080/support/live-chat", "http://127.0.0.1:8080/support/live-chat", "/support/live-chat"},
	}
	for _, tc := range good {
		got, err := web.ParsePublicURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if b := web.BasePath(got); b != tc.base {
			t.Errorf("BasePath(%q) = %q, want %q", got, b, tc.base)
		}
	}
	bad := []struct{ in, why string }{
		{"chat.example.com", "http:// or https://"},
		{"ftp://chat.example.com", "http:// or https://"},
		{"https://", "no host"},
		{"https://user:pw@chat.example.com", "user"},
		{"https://shop.example/chat?x=1", "query"},
		{"https://shop.example/chat#top", "fragment"},
		{"https://shop.example/ch%20at", "plain path"},
		{"https://shop.example/a/../b", "plain path"},
		{"https://shop.example//chat", "plain path"},
		{"https://shop.example/<b>", "plain path"},
	}
	for _, tc := range bad {
		_, err := web.ParsePublicURL(tc.in)
		if err == nil || !strings.Contains(parley.ErrorMessage(err), tc.why) {
			t.Errorf("ParsePublicURL(%q) error %v; want one saying %q", tc.in, err, tc.why)
		}
	}
}
