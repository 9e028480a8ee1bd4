package parley

import (
	"net/url"
	"strconv"
	"strings"
)

// ParseOriginPattern validates one allowed-origin entry of a site and returns
// it normalised. An entry is a CSP host source: an optional "http://" or
// "https://", a host that may start with "*." and an optional ":port" (or
// ":*"). No path, no query. The result can be put into a CSP header as is.
func ParseOriginPattern(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	bad := func(why string) (string, error) {
		return "", Errorf(EInvalid, "Allowed origin %q: %s.", s, why)
	}
	if s == "" {
		return bad("it is empty")
	}
	rest, prefix := s, ""
	if i := strings.Index(rest, "://"); i >= 0 {
		if scheme := rest[:i]; scheme != "http" && scheme != "https" {
			return bad("only http and https are allowed")
		}
		rest, prefix = rest[i+3:], rest[:i+3]
	}
	rest = strings.TrimSuffix(rest, "/")
	if strings.ContainsAny(rest, "/?#@ \t;,'\"") {
		return bad("give a host, like shop.example.com, without a path")
	}
	host, port := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		host, port = rest[:i], rest[i+1:]
		if port != "*" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return bad("the port must be a number from 1 to 65535 or *")
			}
		}
	}
	name := strings.TrimPrefix(host, "*.")
	if name == "" || strings.Contains(name, "*") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return bad("the host is not a valid name")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return bad("the host is not a valid name")
		}
	}
	return prefix + rest, nil
}

// OriginAllowed reports whether origin ("https://shop.example:8443") matches
// one of the patterns, with the semantics of CSP host sources: a pattern
// without a scheme matches http and https, "*.example.com" matches subdomains
// only, and a pattern without a port matches only the scheme's default port.
func OriginAllowed(patterns []string, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	for _, p := range patterns {
		if originMatches(p, u.Scheme, strings.ToLower(host), port) {
			return true
		}
	}
	return false
}

func originMatches(pattern, scheme, host, port string) bool {
	pScheme, rest := "", pattern
	if i := strings.Index(rest, "://"); i >= 0 {
		pScheme, rest = rest[:i], rest[i+3:]
	}
	if pScheme != "" && pScheme != scheme {
		return false
	}
	pHost, pPort := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		pHost, pPort = rest[:i], rest[i+1:]
	}
	switch {
	case pPort == "":
		if port != defaultPort(scheme) {
			return false
		}
	case pPort != "*" && pPort != port:
		return false
	}
	if suffix, ok := strings.CutPrefix(pHost, "*."); ok {
		return strings.HasSuffix(host, "."+suffix)
	}
	return pHost == host
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// MatchPage reports whether a page path matches a proactive page pattern,
// '*' matching any run of characters. An empty pattern matches every page.
func MatchPage(pattern, path string) bool {
	if pattern == "" {
		return true
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	path = path[len(parts[0]):]
	last := len(parts) - 1
	for i := 1; i < last; i++ {
		j := strings.Index(path, parts[i])
		if j < 0 {
			return false
		}
		path = path[j+len(parts[i]):]
	}
	if last == 0 {
		return path == ""
	}
	return strings.HasSuffix(path, parts[last])
}
