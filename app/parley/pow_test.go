package parley_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// seed is a seed of the shape the server makes: 50 base64url characters.
func seed(i int) string {
	return fmt.Sprintf("%050d", i)
}

func TestProofMeets(t *testing.T) {
	// The hashes of these were worked out once, by hand from sha256sum:
	// SHA-256("abc") starts ba78…, 8 = 1000 in binary: no leading zero.
	tests := []struct {
		p    parley.Proof
		bits int
		want bool
	}{
		{parley.Proof{Seed: "ab", Nonce: "c"}, 0, true},
		{parley.Proof{Seed: "ab", Nonce: "c"}, 1, false},
		{parley.Proof{Seed: "a", Nonce: "bc"}, 0, true},
	}
	for _, tt := range tests {
		if got := tt.p.Meets(tt.bits); got != tt.want {
			t.Errorf("%+v.Meets(%d) = %v, want %v", tt.p, tt.bits, got, tt.want)
		}
	}
	// A proof meets its difficulty and every lower one, and not one above
	// what its hash has.
	for i := range 20 {
		c := parley.Challenge{Seed: seed(i), Bits: 8}
		p, ok := c.Solve(0, 1<<20)
		if !ok {
			t.Fatalf("no 8-bit proof within 2^20 tries for %q", c.Seed)
		}
		sum := sha256.Sum256([]byte(p.Seed + p.Nonce))
		zeros := 0
		for _, b := range sum {
			if b != 0 {
				for b&0x80 == 0 {
					zeros++
					b <<= 1
				}
				break
			}
			zeros += 8
		}
		for bits := 0; bits <= zeros; bits++ {
			if !p.Meets(bits) {
				t.Errorf("%+v has %d zero bits: Meets(%d) is false", p, zeros, bits)
			}
		}
		if p.Meets(zeros + 1) {
			t.Errorf("%+v has %d zero bits: Meets(%d) is true", p, zeros, zeros+1)
		}
		if p.Seed != c.Seed || len(p.Nonce) == 0 || len(p.Nonce) > parley.MaxProofNonce {
			t.Errorf("proof %+v for seed %q: want the seed and a nonce of 1–%d bytes", p, c.Seed, parley.MaxProofNonce)
		}
		if _, err := strconv.ParseUint(p.Nonce, 16, 64); err != nil {
			t.Errorf("nonce %q is not a hexadecimal counter: %v", p.Nonce, err)
		}
		if other := (parley.Proof{Seed: seed(i + 100), Nonce: p.Nonce}); other.Meets(zeros) && zeros > 12 {
			t.Errorf("the nonce of %q also solves %q", p.Seed, other.Seed)
		}
	}
}

func TestSolveChallenge(t *testing.T) {
	ctx := context.Background()
	c := parley.Challenge{Seed: seed(1), Bits: 12, Expires: 1}
	pauses := 0
	p, err := parley.SolveChallenge(ctx, c, func() { pauses++ })
	if err != nil || !p.Meets(12) || p.Seed != c.Seed {
		t.Fatalf("SolveChallenge = %+v, %v; want a proof of 12 bits for %q", p, err, c.Seed)
	}
	if again, _ := parley.SolveChallenge(ctx, c, nil); again != p {
		t.Errorf("solving twice: %+v then %+v; want the same first nonce", p, again)
	}

	for _, bad := range []parley.Challenge{
		{Seed: seed(1), Bits: parley.MaxChallengeBits + 1},
		{Seed: "", Bits: 8},
		{Seed: seed(1) + "12345678901234567890", Bits: 8},
	} {
		if _, err := parley.SolveChallenge(ctx, bad, nil); parley.ErrorCode(err) != parley.EInvalid {
			t.Errorf("SolveChallenge(%+v): got %v, want invalid", bad, err)
		}
	}

	// Cancelled, it stops at the end of a round.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := parley.SolveChallenge(cctx, parley.Challenge{Seed: seed(2), Bits: parley.MaxChallengeBits}, nil); err != context.Canceled {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

// BenchmarkSolveChallenge is the time a client takes for one challenge,
// averaged over many seeds (the number of tries is geometric: the mean is
// 2^bits, one in twenty takes three times that). Run it with GOOS=js
// GOARCH=wasm and -exec go_js_wasm_exec for the browser's figure.
func BenchmarkSolveChallenge(b *testing.B) {
	for _, bits := range []int{14, 16, 18} {
		b.Run(fmt.Sprintf("bits=%d", bits), func(b *testing.B) {
			ctx := context.Background()
			i := 0
			for b.Loop() {
				if _, err := parley.SolveChallenge(ctx, parley.Challenge{Seed: seed(i), Bits: bits}, nil); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkProofMeets is the server's cost to check one proof.
func BenchmarkProofMeets(b *testing.B) {
	p := parley.Proof{Seed: seed(1), Nonce: "1f2e3d4c"}
	for b.Loop() {
		p.Meets(18)
	}
}

// BenchmarkSolveTry is the cost of one try, without the luck of the draw:
// a challenge of b bits takes 2^b of them on average.
func BenchmarkSolveTry(b *testing.B) {
	c := parley.Challenge{Seed: seed(1), Bits: 64} // never met
	const tries = 1 << 12
	for b.Loop() {
		c.Solve(0, tries)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tries), "ns/try")
}
