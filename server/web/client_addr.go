package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses a comma-separated list of CIDRs, IPv4 or
// IPv6 ("10.0.0.0/8, fd00::/8"); a bare address stands for itself alone.
// Empty means none. Host bits are dropped: 10.1.2.3/8 is 10.0.0.0/8.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip, err := netip.ParseAddr(f)
			if err != nil || ip.Zone() != "" {
				return nil, fmt.Errorf("trusted proxy %q is neither a CIDR (10.0.0.0/8, fd00::/8) nor an IP address", f)
			}
			ip = ip.Unmap()
			out = append(out, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not a CIDR such as 10.0.0.0/8 or fd00::/8", f)
		}
		if p.Addr().Is4In6() { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
			if p.Bits() < 96 {
				return nil, fmt.Errorf("trusted proxy %q: an IPv4-mapped prefix needs at least 96 bits", f)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientAddr is the address a request comes from. It is the TCP peer's,
// unless the peer is a trusted proxy: then it is the right-most address of
// X-Forwarded-For (or, when there is none, of Forwarded's for=) that is not
// itself a trusted proxy. Addresses to its left were written by the client
// and prove nothing. If the chain holds something that is not an address
// (garbage, "unknown", an obfuscated node) before an untrusted address is
// found, the request is put on the last trusted hop: never on an address
// the client may have made up.
//
// The proxy must append to X-Forwarded-For or overwrite it; a proxy that
// sets only Forwarded must drop the X-Forwarded-For its clients send, since
// X-Forwarded-For is read first.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if !isTrusted(peer, trusted) {
		return peer
	}
	hops := forwardedChain(r.Header)
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		ip, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = ip
		if !isTrusted(ip, trusted) {
			return ip
		}
	}
	return client
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// remoteAddr parses http.Request.RemoteAddr; something else than ip:port
// (a unix socket, a test) gives the zero Addr, which is one throttle key.
func remoteAddr(s string) netip.Addr {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		ip, _ := netip.ParseAddr(s)
		return ip.Unmap()
	}
	return ap.Addr().Unmap()
}

// forwardedChain is the hops of X-Forwarded-For, every header line in
// order, or when there is none the for= values of Forwarded, client first.
func forwardedChain(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for _, hop := range strings.Split(line, ",") {
				hops = append(hops, strings.TrimSpace(hop))
			}
		}
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range splitOutsideQuotes(line, ',') {
			forValue := "" // an element without for= is a hop we cannot place
			for _, pair := range splitOutsideQuotes(elem, ';') {
				name, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
				if strings.EqualFold(strings.TrimSpace(name), "for") {
					forValue = unquote(strings.TrimSpace(value))
				}
			}
			hops = append(hops, forValue)
		}
	}
	return hops
}

// parseHop parses one forwarded address: 192.0.2.1, 192.0.2.1:4711,
// 2001:db8::1, [2001:db8::1] or [2001:db8::1]:4711.
func parseHop(s string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		return ip.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if ip, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && ip.Is6() && ip.Zone() == "" {
			return ip.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// splitOutsideQuotes splits s at sep where sep is not inside a quoted string.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == sep && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unquote undoes RFC 7230 quoting; a value that is not quoted is returned as is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '\\' && i+1 < len(s)-1 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
