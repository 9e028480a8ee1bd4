package web_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"path"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"github.com/parley-chat/parley/assets"
	"github.com/parley-chat/parley/server/web"
	"github.com/parley-chat/parley/widget/precompress"
)

// allocated returns the bytes f allocates on the heap, garbage included:
// what a fresh server holds until its second GC.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// stylesheet returns about n bytes of CSS that compress like a real one.
func stylesheet(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	props := []string{"color", "background", "margin", "padding", "border-radius", "font-size", "gap"}
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, ".c%d{%s:#%06x;%s:%dpx %dpx}\n", i, props[rng.IntN(len(props))], rng.IntN(1<<24),
			props[rng.IntN(len(props))], rng.IntN(64), rng.IntN(64))
	}
	return b.Bytes()
}

// brotliAtQuality1 compresses b differently from precompress.Brotli, so a
// test can tell the build's twin from one made by the server.
func brotliAtQuality1(b []byte) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriterLevel(&buf, 1)
	bw.Write(b)
	bw.Close()
	return buf.Bytes()
}

// fetchAsset gets path with Accept-Encoding enc and returns the response
// and its body as sent.
func fetchAsset(tb testing.TB, env *httpEnv, path, enc string) (*http.Response, []byte) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.url+path, nil)
	req.Header.Set("Accept-Encoding", enc)
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, b
}

// assetURLs returns the /assets/ URLs a page references.
func assetURLs(tb testing.TB, env *httpEnv, page string) []string {
	tb.Helper()
	resp, body := fetchAsset(tb, env, page, "")
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d\n%s", page, resp.StatusCode, body)
	}
	var urls []string
	for _, f := range strings.Split(string(body), `"`) {
		if strings.HasPrefix(f, "/assets/") {
			urls = append(urls, f)
		}
	}
	return urls
}

func TestLoadAssetsCompressesNothing(t *testing.T) {
	// A 1 MiB stylesheet without build twins. Compressing it at start
	// allocates over 100 MB; 1.1 GB with the 16 MiB brotli window
	// precompress once used for every file.
	fsys := testFS(t)
	css := stylesheet(1 << 20)
	fsys["style/widget.css"] = &fstest.MapFile{Data: css}

	var err error
	got := allocated(func() { _, err = web.LoadAssets(fsys) })
	if err != nil {
		t.Fatalf("LoadAssets: %v", err)
	}
	t.Logf("LoadAssets allocated %.1f MB", float64(got)/(1<<20))
	// Reading the stylesheet costs its size; go-app's generated files and
	// the templates about 1 MB.
	if limit := uint64(len(css)) + 5<<20; got > limit {
		t.Errorf("LoadAssets allocated %.1f MB with a %d-byte stylesheet, want at most %.1f MB: does it compress at start?",
			float64(got)/(1<<20), len(css), float64(limit)/(1<<20))
	}
}

func TestAssetsServeTheBuildsTwinsOfTheSameBytes(t *testing.T) {
	fsys := testFS(t)
	widgetCSS := stylesheet(8 << 10)
	consoleCSS := stylesheet(9 << 10)
	fsys["style/widget.css"] = &fstest.MapFile{Data: widgetCSS}
	fsys["style/console.css"] = &fstest.MapFile{Data: consoleCSS}
	twin := func(name string, content []byte) string {
		return path.Join("dist", precompress.TwinDir, precompress.HashedName(name, sha256.Sum256(content)))
	}
	// The build's twins of widget.css, and stale ones for console.css:
	// made from other bytes, they must never be served.
	brWidget, gzWidget := brotliAtQuality1(widgetCSS), precompress.Gzip(widgetCSS)
	fsys[twin("widget.css", widgetCSS)+".br"] = &fstest.MapFile{Data: brWidget}
	fsys[twin("widget.css", widgetCSS)+".gz"] = &fstest.MapFile{Data: gzWidget}
	stale := stylesheet(7 << 10)
	fsys[twin("console.css", stale)+".br"] = &fstest.MapFile{Data: brotliAtQuality1(stale)}
	fsys[twin("console.css", stale)+".gz"] = &fstest.MapFile{Data: precompress.Gzip(stale)}

	a, err := web.LoadAssets(fsys)
	if err != nil {
		t.Fatalf("LoadAssets: %v", err)
	}
	env := newHTTPEnvWith(t, a)
	urls := append(assetURLs(t, env, "/chat/shop?origin=https%3A%2F%2Fshop.example"), assetURLs(t, env, "/console")...)
	urls = append(urls, web.InlinedAssetURLs(a)...)
	var widgetURL, consoleURL string
	for _, u := range urls {
		switch {
		case strings.HasPrefix(u, "/assets/widget.") && strings.HasSuffix(u, ".css"):
			widgetURL = u
		case strings.HasPrefix(u, "/assets/console.") && strings.HasSuffix(u, ".css"):
			consoleURL = u
		}
	}

	if resp, body := fetchAsset(t, env, widgetURL, "br"); resp.Header.Get("Content-Encoding") != "br" || !bytes.Equal(body, brWidget) {
		t.Errorf("%s with br: Content-Encoding %q, the build's twin: %v", widgetURL, resp.Header.Get("Content-Encoding"), bytes.Equal(body, brWidget))
	}
	if resp, body := fetchAsset(t, env, widgetURL, "gzip"); resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, gzWidget) {
		t.Errorf("%s with gzip: Content-Encoding %q, the build's twin: %v", widgetURL, resp.Header.Get("Content-Encoding"), bytes.Equal(body, gzWidget))
	}
	resp, body := fetchAsset(t, env, consoleURL, "gzip")
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s with gzip: Content-Encoding %q, %v", consoleURL, resp.Header.Get("Content-Encoding"), err)
	}
	if dec, _ := io.ReadAll(zr); !bytes.Equal(dec, consoleCSS) {
		t.Errorf("%s: served a twin of other bytes", consoleURL)
	}
}

// TestEmbeddedAssets checks the real build output: make build wrote twins
// for every compressible file it knows, under the names the server looks
// for, and loading it all copies and compresses nothing.
func TestEmbeddedAssets(t *testing.T) {
	if _, err := fs.Stat(assets.FS, "dist/widget.wasm"); err != nil {
		t.Skip("assets/dist is not built: run make build")
	}
	var a *web.Assets
	var err error
	got := allocated(func() { a, err = web.LoadAssets(assets.FS) })
	if err != nil {
		t.Fatalf("LoadAssets: %v", err)
	}
	// The wasm and its twins are 23 MB; copying them to the heap, or
	// compressing anything at start (0.9 GB, once), would exceed this.
	t.Logf("LoadAssets(assets.FS) allocated %.1f MB", float64(got)/(1<<20))
	if got > 16<<20 {
		t.Errorf("LoadAssets(assets.FS) allocated %.1f MB, want at most 16 MB", float64(got)/(1<<20))
	}

	env := newHTTPEnvWith(t, a)
	urls := append(assetURLs(t, env, "/chat/shop?origin=https%3A%2F%2Fshop.example"), assetURLs(t, env, "/console")...)
	urls = append(urls, web.InlinedAssetURLs(a)...)
	built := 0
	for _, u := range urls {
		name := path.Base(u)
		ext := path.Ext(name)
		if strings.Contains(name, "-app.") || strings.HasPrefix(name, "goapp.") || strings.HasPrefix(name, "wasm_exec.") ||
			(ext != ".wasm" && ext != ".css" && ext != ".js") {
			continue // made by go-app at start, compressed on first request; or an icon
		}
		want, err := fs.ReadFile(assets.FS, path.Join("dist", precompress.TwinDir, name+".br"))
		if err != nil {
			t.Errorf("%s: no twin from the build: %v", u, err)
			continue
		}
		resp, body := fetchAsset(t, env, u, "br")
		if resp.Header.Get("Content-Encoding") != "br" || !bytes.Equal(body, want) {
			t.Errorf("%s: Content-Encoding %q, the build's twin: %v", u, resp.Header.Get("Content-Encoding"), bytes.Equal(body, want))
		}
		built++
	}
	if built < 5 { // widget.wasm, console.wasm, widget.css, console.css, storage.js
		t.Errorf("checked %d files from the build in %q, want 5", built, urls)
	}
}
