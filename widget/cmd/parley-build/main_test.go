package main

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/parley-chat/parley/widget/precompress"
)

func writeTestFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestRunWritesTwinsNamedByContent(t *testing.T) {
	assetsDir, dist := t.TempDir(), t.TempDir()
	sources := map[string][]byte{
		filepath.Join(dist, "widget.wasm"):             bytes.Repeat([]byte("\x00asm widget stand-in "), 2000),
		filepath.Join(assetsDir, "style/widget.css"):   []byte(strings.Repeat(".launcher{color:#0f766e} ", 100)),
		filepath.Join(assetsDir, "js/storage.js"):      []byte(strings.Repeat("window.parley=1;", 100)),
		filepath.Join(assetsDir, "shop/index.html"):    []byte("<!DOCTYPE html><title>{{.Title}}</title>"),
		filepath.Join(assetsDir, "icons/icon-192.png"): {0x89, 'P', 'N', 'G'},
	}
	for path, data := range sources {
		writeTestFile(t, path, data)
	}
	// A twin of bytes no longer built, and one where older builds put them.
	writeTestFile(t, filepath.Join(dist, precompress.TwinDir, "widget.0123456789.css.br"), []byte("stale"))
	writeTestFile(t, filepath.Join(dist, "widget.wasm.br"), []byte("stale"))

	var out bytes.Buffer
	if err := run("../../loader.js", assetsDir, dist, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}

	var want []string
	for _, path := range []string{"widget.wasm", "style/widget.css", "js/storage.js"} {
		src := filepath.Join(assetsDir, path)
		if path == "widget.wasm" {
			src = filepath.Join(dist, path)
		}
		raw := sources[src]
		name := precompress.HashedName(filepath.Base(path), sha256.Sum256(raw))
		want = append(want, name+".br", name+".gz")
		br, err := os.ReadFile(filepath.Join(dist, precompress.TwinDir, name+".br"))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br))); err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%s: the brotli twin does not decode to the file (%v)", path, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dist, precompress.TwinDir))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("twins: got %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dist, "widget.wasm.br")); !os.IsNotExist(err) {
		t.Errorf("the wasm twin of an older build is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dist, "loader.min.js")); err != nil {
		t.Errorf("loader: %v", err)
	}

	out.Reset()
	if err := run("../../loader.js", assetsDir, dist, &out); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if n := strings.Count(out.String(), "(up to date)"); n != 3 {
		t.Errorf("second run compressed again:\n%s", out.String())
	}
}
