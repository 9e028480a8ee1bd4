package web

import (
	"net/url"
	"strings"

	"github.com/parley-chat/parley/app/parley"
)

// ParsePublicURL checks Parley's public URL, how browsers reach it, and
// returns it without a trailing slash: "https://chat.example.com", or with
// a path when a shop's reverse proxy serves Parley under its own domain,
// "https://shop.example/chat". Parley keeps serving its routes at the root
// of its own listener (the proxy strips the path); every URL it makes for
// browsers and mail starts with the public URL.
func ParsePublicURL(raw string) (string, error) {
	bad := func(why string) (string, error) {
		return "", parley.Errorf(parley.EInvalid, "The public URL %q %s; want something like https://chat.example.com or https://shop.example/chat.", raw, why)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return bad("does not parse")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("must start with http:// or https://")
	case u.Host == "" || u.Hostname() == "":
		return bad("has no host")
	case u.User != nil:
		return bad("may not hold a user or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return bad("may not have a query or a fragment")
	case u.RawPath != "" || strings.ContainsAny(u.Path, "%\\") || strings.Contains(u.Path, "//") ||
		strings.Contains(u.Path+"/", "/./") || strings.Contains(u.Path+"/", "/../"):
		return bad("must have a plain path (letters, digits, dashes), if any")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	for _, seg := range strings.Split(strings.TrimPrefix(u.Path, "/"), "/") {
		for _, c := range seg {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~", c)) {
				return bad("must have a plain path (letters, digits, dashes), if any")
			}
		}
	}
	return u.Scheme + "://" + u.Host + u.Path, nil
}

// BasePath is the path of a public URL, "" or "/chat": what every URL
// Parley writes into its pages, redirects and mail starts with.
func BasePath(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// base is the path Parley is served under, from its public URL.
func (s *Server) base() string { return BasePath(s.cfg.PublicURL) }

// publicOrigin is the origin of the public URL: the browser's Origin
// header never carries the path.
func (s *Server) publicOrigin() string {
	u, err := url.Parse(s.cfg.PublicURL)
	if err != nil {
		return s.cfg.PublicURL
	}
	return u.Scheme + "://" + u.Host
}
