package ui_test

import (
	"net/url"
	"testing"

	"github.com/parley-chat/parley/app/ui"
)

func TestCleanBasePath(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "/": "", "/chat": "/chat", "/chat/": "/chat", "/a/b": "/a/b",
		"chat": "", "//evil.example": "", "/chat?x": "", "/chat#x": "", `/\evil`: "",
	} {
		if got := ui.CleanBasePath(in); got != want {
			t.Errorf("CleanBasePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSocketURLOutsideBrowser(t *testing.T) {
	// Outside a browser there is no page to read a base from: the root.
	u, _ := url.Parse("https://chat.example.com/console")
	if got := ui.SocketURL(u); got != "wss://chat.example.com/ws" {
		t.Errorf("SocketURL = %q", got)
	}
}
