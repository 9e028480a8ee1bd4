// Command parley-build prepares the build output the server embeds: it
// minifies widget/loader.js into loader.min.js, and compresses every .wasm in
// the output and the static styles and scripts (assets/style/*.css,
// assets/js/*.js) with brotli and gzip into dist/precompressed, each twin
// named after the content it was made from (precompress.HashedName). So the
// server links no minifier and compresses nothing at start.
//
//	go run ./widget/cmd/parley-build -dist assets/dist -assets assets
//
// It may import widget/internal/minify, the standard library, esbuild (through
// minify) and andybalholm/brotli.
package main

import (
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/parley-chat/parley/widget/internal/minify"
	"github.com/parley-chat/parley/widget/precompress"
)

func main() {
	dist := flag.String("dist", "assets/dist", "build output directory")
	assetsDir := flag.String("assets", "assets", "the assets package, whose style/*.css and js/*.js are compressed too")
	loader := flag.String("loader", "widget/loader.js", "loader source")
	flag.Parse()
	if err := run(*loader, *assetsDir, *dist, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "parley-build:", err)
		os.Exit(1)
	}
}

// staticFiles are the files of the assets package the server serves as
// they are, under their own base name. Icons are PNG, which compresses no
// further; the shop page is a template filled per request.
var staticFiles = []string{"style/*.css", "js/*.js"}

func run(loaderPath, assetsDir, dist string, out io.Writer) error {
	if err := os.MkdirAll(filepath.Join(dist, precompress.TwinDir), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dist, err)
	}
	src, err := os.ReadFile(loaderPath)
	if err != nil {
		return fmt.Errorf("reading loader: %w", err)
	}
	js, err := minify.Loader(src)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dist, "loader.min.js"), js); err != nil {
		return err
	}
	// The server compresses the loader per site; these sizes, without a
	// config, are a floor for what a shop page pays.
	report(out, "loader.min.js", len(js), len(precompress.Gzip(js)), len(precompress.Brotli(js)), "")

	paths, err := filepath.Glob(filepath.Join(dist, "*.wasm"))
	if err != nil {
		return fmt.Errorf("listing wasm: %w", err)
	}
	for _, pattern := range staticFiles {
		more, err := filepath.Glob(filepath.Join(assetsDir, pattern))
		if err != nil {
			return fmt.Errorf("listing %s: %w", pattern, err)
		}
		paths = append(paths, more...)
	}
	var twins []string
	for _, path := range paths {
		name, err := compressFile(path, filepath.Join(dist, precompress.TwinDir), out)
		if err != nil {
			return err
		}
		twins = append(twins, name+".br", name+".gz")
	}
	return removeStale(dist, twins)
}

// compressFile writes the twins of the file at path into dir, as
// HashedName.br and HashedName.gz, unless they are there already: brotli at
// quality 11 takes tens of seconds on a 7 MB wasm, and builds run often. It
// returns the hashed name.
func compressFile(path, dir string, out io.Writer) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("precompressing: %w", err)
	}
	name := precompress.HashedName(filepath.Base(path), sha256.Sum256(raw))
	twin := filepath.Join(dir, name)
	br, brErr := os.Stat(twin + ".br")
	gz, gzErr := os.Stat(twin + ".gz")
	if brErr == nil && gzErr == nil {
		report(out, filepath.Base(path), len(raw), int(gz.Size()), int(br.Size()), " (up to date)")
		return name, nil
	}

	// The two encoders are independent and brotli dominates: run gzip
	// beside it.
	var gzBytes []byte
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		gzBytes = precompress.Gzip(raw)
	}()
	brBytes := precompress.Brotli(raw)
	wg.Wait()

	if err := errors.Join(writeFile(twin+".br", brBytes), writeFile(twin+".gz", gzBytes)); err != nil {
		return "", err
	}
	report(out, filepath.Base(path), len(raw), len(gzBytes), len(brBytes), "")
	return name, nil
}

// removeStale deletes the twins in dist/precompressed that this build did
// not name, and the wasm twins older builds wrote beside the wasm: dist/ is
// embedded whole, and stale twins would only make the binary bigger.
func removeStale(dist string, keep []string) error {
	dir := filepath.Join(dist, precompress.TwinDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", dir, err)
	}
	brs, _ := filepath.Glob(filepath.Join(dist, "*.wasm.br")) // the patterns are valid
	gzs, _ := filepath.Glob(filepath.Join(dist, "*.wasm.gz"))
	stale := append(brs, gzs...)
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			stale = append(stale, filepath.Join(dir, e.Name()))
		}
	}
	for _, path := range stale {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("removing stale twin: %w", err)
		}
	}
	return nil
}

func report(out io.Writer, name string, raw, gz, br int, note string) {
	fmt.Fprintf(out, "%-24s raw %10d  gzip %10d  brotli %10d%s\n", name, raw, gz, br, note)
}

// writeFile replaces path atomically, so that an interrupted build leaves no
// truncated file that looks newer than its source.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
