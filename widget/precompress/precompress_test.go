package precompress_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/parley-chat/parley/widget/precompress"
)

func TestAcceptsHeader(t *testing.T) {
	tests := []struct {
		header, coding string
		want           bool
	}{
		{"gzip, deflate, br", "br", true},
		{"gzip, deflate, br", "gzip", true},
		{"gzip", "br", false},
		{"", "gzip", false},
		{"br;q=0, gzip", "br", false},
		{"BR;Q=0.5", "br", true},
		{"gzip;Q=0", "gzip", false},
		{"br;level=1;q=0", "br", false},
		{"br;q=NaN", "br", false},
		{"br;q=-1", "br", false},
		{"*", "br", true},
		{"*;q=0", "gzip", false},
		{"*, br;q=0", "br", false},
		{"br;q=0, *", "br", false},
		{"identity", "gzip", false},
	}
	for _, tt := range tests {
		if got := precompress.AcceptsHeader(tt.header, tt.coding); got != tt.want {
			t.Errorf("AcceptsHeader(%q, %q) = %v, want %v", tt.header, tt.coding, got, tt.want)
		}
	}
}

func TestCompressionRoundTrips(t *testing.T) {
	raw := []byte(strings.Repeat("parley precompress ", 500))
	zr, err := gzip.NewReader(bytes.NewReader(precompress.Gzip(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, raw) {
		t.Error("gzip does not round-trip")
	}
	br := precompress.Brotli(raw)
	if got, _ := io.ReadAll(brotli.NewReader(bytes.NewReader(br))); !bytes.Equal(got, raw) {
		t.Error("brotli does not round-trip")
	}
	if len(br) >= len(raw)/10 {
		t.Errorf("brotli of a repetitive %d-byte body is %d bytes", len(raw), len(br))
	}
}

// fuzzCodings are the codings the server asks about.
var fuzzCodings = []string{"br", "gzip"}

func FuzzAcceptsHeader(f *testing.F) {
	for _, h := range []string{"", "gzip", "br", "gzip, deflate, br, zstd", "br;q=0, gzip", "BR;q=0.5", "gzip;q=0.000", "*", "br;level=1;q=0", "gzip;Q=0", ",,;;=", "br;q=NaN", "br;q=-1"} {
		f.Add(h, uint8(0))
		f.Add(h, uint8(1))
	}
	f.Fuzz(func(t *testing.T, header string, which uint8) {
		enc := fuzzCodings[int(which)%len(fuzzCodings)]
		got := precompress.AcceptsHeader(header, enc)
		mentions := strings.Contains(strings.ToLower(header), enc)
		if got && !mentions && !strings.Contains(header, "*") {
			t.Fatalf("AcceptsHeader(%q, %q) = true, but the header names neither it nor *", header, enc)
		}
		if !mentions && !precompress.AcceptsHeader(header+","+enc, enc) {
			t.Fatalf("AcceptsHeader(%q, %q) = false after appending a bare %q", header+","+enc, enc, enc)
		}
		if !mentions {
			for _, zero := range []string{";q=0", "; q=0.0", ";Q=0.000"} {
				if h := enc + zero + "," + header; precompress.AcceptsHeader(h, enc) {
					t.Fatalf("AcceptsHeader(%q, %q) = true despite q=0", h, enc)
				}
			}
		}
	})
}

func TestBrotliWindowFitsTheInput(t *testing.T) {
	// Round trips at the edges of the window sizes, from the smallest
	// window, 10 bits, up.
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 1<<10 - 16, 1<<10 - 15, 1<<16 - 16, 1<<16 - 15} {
		raw := make([]byte, n)
		for i := range raw {
			raw[i] = "parley "[rng.IntN(7)]
		}
		got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(precompress.Brotli(raw))))
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%d bytes: brotli does not round-trip (%v)", n, err)
		}
	}

	// With a 16 MiB window for any input, the encoder allocated 128 MiB for
	// a 500-byte script.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	precompress.Brotli([]byte(strings.Repeat("parley brotli window ", 1000)))
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("brotli of 20 KB allocated %.1f MB, want at most 8 MB", float64(got)/(1<<20))
	}
}

func TestHashedName(t *testing.T) {
	sum := sha256.Sum256([]byte("body{margin:0}"))
	tests := []struct{ name, want string }{
		{"widget.css", "widget." + hex.EncodeToString(sum[:5]) + ".css"},
		{"wasm_exec.js", "wasm_exec." + hex.EncodeToString(sum[:5]) + ".js"},
		{"console.wasm", "console." + hex.EncodeToString(sum[:5]) + ".wasm"},
		{"LICENSE", "LICENSE." + hex.EncodeToString(sum[:5])},
	}
	for _, tt := range tests {
		if got := precompress.HashedName(tt.name, sum); got != tt.want {
			t.Errorf("HashedName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
