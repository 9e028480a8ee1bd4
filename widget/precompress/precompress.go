// Package precompress makes and picks the compressed forms of a response
// body: gzip and brotli at their best levels, computed once, and the
// negotiation that chooses one by the request's Accept-Encoding. It also
// names the twins the build writes, so that the server finds them. The
// widget loader, the server's assets and the build step all use it.
//
// It imports the standard library and andybalholm/brotli only.
package precompress

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// TwinDir is the directory, inside the build output (assets/dist), where
// the build writes the compressed twins of the files the server serves:
// TwinDir/HashedName(name, content) + ".br" and + ".gz".
const TwinDir = "precompressed"

// HashedName puts sum, the SHA-256 of a file's content, before the
// extension of its name: "widget.css" becomes "widget.aaf25c2cf6.css". The
// server serves a file under its hashed name and looks its twins up by it,
// so a twin left from other bytes is never found, let alone served.
func HashedName(name string, sum [sha256.Size]byte) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
}

// Gzip compresses b at gzip's best level.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	zw.Write(b)                                              // a bytes.Buffer does not fail
	zw.Close()
	return buf.Bytes()
}

// Brotli compresses b at brotli's best quality with the smallest window
// that holds all of b, up to 16 MiB, the largest browsers decode.
func Brotli(b []byte) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: windowBits(len(b))})
	bw.Write(b)
	bw.Close()
	return buf.Bytes()
}

// windowBits is the smallest brotli window, as a power of two, whose reach
// ((1<<bits)-16 bytes) covers n bytes, within brotli's 10 to 24. A wider
// window finds no more matches in n bytes, but at the best quality the
// encoder allocates 8 bytes per window byte up front: 128 MiB at 24 bits,
// even for a 500-byte script. The brotli command-line tool sizes its window
// to the input the same way.
func windowBits(n int) int {
	bits := 10
	for bits < 24 && (1<<bits)-16 < n {
		bits++
	}
	return bits
}

// Accepts reports whether the request's Accept-Encoding allows coding, by
// name or through "*", with a non-zero quality.
func Accepts(r *http.Request, coding string) bool {
	return AcceptsHeader(strings.Join(r.Header.Values("Accept-Encoding"), ","), coding)
}

// AcceptsHeader is Accepts for the value of an Accept-Encoding header. An
// entry naming coding overrides "*", either way; parameter names are
// case-insensitive (RFC 9110), and a quality that is not a positive number
// refuses.
func AcceptsHeader(header, coding string) bool {
	ok := false
	for _, item := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(item, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, val, found := strings.Cut(strings.TrimSpace(p), "="); found && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil {
					f = 0
				}
				q = f
			}
		}
		if name == coding {
			return q > 0
		}
		ok = q > 0
	}
	return ok
}
