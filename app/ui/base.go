package ui

import (
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/parley-chat/parley/app/parley"
)

// basePath is read once: the page's meta tag does not change.
var basePath = sync.OnceValue(func() string {
	if !app.IsClient {
		return ""
	}
	m := app.Window().Get("document").Call("querySelector", `meta[name="`+parley.BasePathMeta+`"]`)
	if !m.Truthy() {
		return ""
	}
	return CleanBasePath(m.Get("content").String())
})

// BasePath is the path Parley is served under on its origin: "" at the
// root, "/chat" behind a shop's reverse proxy (shop.example/chat/). The
// server writes it into both apps' pages; every URL the apps make (API,
// websocket, files, console links) starts with it.
func BasePath() string { return basePath() }

// Path is p, an absolute path on Parley ("/api/sites"), under BasePath.
func Path(p string) string { return BasePath() + p }

// CleanBasePath is p as BasePath gives it: "" or "/a/b", without a
// trailing slash; anything but a plain absolute path is "".
func CleanBasePath(p string) string {
	p = strings.TrimRight(p, "/")
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "?#\\") {
		return ""
	}
	return p
}
