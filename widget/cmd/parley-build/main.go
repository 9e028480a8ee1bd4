// Command parley-build prepares the build output the server embeds: it
// minifies widget/loader.js into loader.min.js and precompresses every .wasm
// with brotli and gzip, so that the server links no minifier and compresses
// nothing large at run time.
//
//	go run ./widget/cmd/parley-build -dist assets/dist
//
// It may import widget/internal/minify, the standard library, esbuild (through
// minify) and andybalholm/brotli.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/parley-chat/parley/widget/internal/minify"
	"github.com/parley-chat/parley/widget/precompress"
)

func main() {
	dist := flag.String("dist", "assets/dist", "build output directory")
	loader := flag.String("loader", "widget/loader.js", "loader source")
	flag.Parse()
	if err := run(*loader, *dist, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "parley-build:", err)
		os.Exit(1)
	}
}

func run(loaderPath, dist string, out io.Writer) error {
	if err := os.MkdirAll(dist, 0o755); err != nil {
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

	wasms, err := filepath.Glob(filepath.Join(dist, "*.wasm"))
	if err != nil {
		return fmt.Errorf("listing wasm: %w", err)
	}
	for _, path := range wasms {
		if err := compressFile(path, out); err != nil {
			return err
		}
	}
	return nil
}

// compressFile writes path.br and path.gz unless both are newer than path:
// brotli at quality 11 takes tens of seconds on a 7 MB wasm, and builds run
// often.
func compressFile(path string, out io.Writer) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("precompressing: %w", err)
	}
	name := filepath.Base(path)
	br, brErr := os.Stat(path + ".br")
	gz, gzErr := os.Stat(path + ".gz")
	if brErr == nil && gzErr == nil && br.ModTime().After(info.ModTime()) && gz.ModTime().After(info.ModTime()) {
		report(out, name, int(info.Size()), int(gz.Size()), int(br.Size()), " (up to date)")
		return nil
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("precompressing: %w", err)
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
	// 24 is brotli's largest standard window; browsers decode nothing larger.
	brBytes := precompress.Brotli(raw)
	wg.Wait()

	if err := errors.Join(writeFile(path+".br", brBytes), writeFile(path+".gz", gzBytes)); err != nil {
		return err
	}
	report(out, name, len(raw), len(gzBytes), len(brBytes), "")
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
