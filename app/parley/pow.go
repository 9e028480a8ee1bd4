package parley

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"strconv"
)

// Proof of work for new visitors while a site is flooded: the server
// refuses a new visitor's hello with EChallenge and a Challenge, and the
// client says hello again with a Proof. A shopper's widget pays a fraction
// of a second once per browser; a script that makes visitors by the
// thousand pays that for each one, and no captcha service sees anyone.
//
// A proof is valid when SHA-256(seed || nonce), the strings' bytes, starts
// with Bits zero bits. Only the server can tell whether the seed is its
// own (it is signed): this package knows the arithmetic, not the keys.

// Challenge is what a new visitor must solve before its hello is accepted.
type Challenge struct {
	// Seed is opaque to clients: the server signs in it the site, the
	// difficulty and the expiry.
	Seed string `json:"seed"`
	// Bits is how many leading zero bits the hash must have.
	Bits int `json:"bits"`
	// Expires is when the seed stops being accepted, Unix milliseconds.
	Expires int64 `json:"expires"`
}

// Proof answers a Challenge: its Seed and a Nonce that solves it.
type Proof struct {
	Seed  string `json:"seed"`
	Nonce string `json:"nonce"`
}

// Bounds of a proof; the server refuses a longer seed or nonce unread.
// Nonces are hexadecimal counters, at most 16 digits.
const (
	MaxProofSeed  = 64
	MaxProofNonce = 16
	// MaxChallengeBits is the hardest challenge a client takes on: 2^24
	// hashes are seconds in a browser. A harder one is not the server's
	// doing, or not a reasonable one, and the client gives up on it.
	MaxChallengeBits = 24
)

// Meets reports whether p's hash starts with at least bits zero bits.
func (p Proof) Meets(bits int) bool {
	b := make([]byte, 0, len(p.Seed)+len(p.Nonce))
	b = append(append(b, p.Seed...), p.Nonce...)
	return zeroBits(sha256.Sum256(b)) >= bits
}

// zeroBits counts the leading zero bits of sum, up to 64: no difficulty
// comes near that.
func zeroBits(sum [sha256.Size]byte) int {
	return bits.LeadingZeros64(binary.BigEndian.Uint64(sum[:8]))
}

// Solve tries n nonces from first on and returns the first proof that
// meets c.Bits. Callers that must stay responsive (a browser's only
// thread) solve in rounds and pause between them.
func (c Challenge) Solve(first, n uint64) (Proof, bool) {
	b := make([]byte, len(c.Seed), len(c.Seed)+MaxProofNonce)
	copy(b, c.Seed)
	for i := range n {
		try := strconv.AppendUint(b[:len(c.Seed)], first+i, 16)
		if zeroBits(sha256.Sum256(try)) >= c.Bits {
			return Proof{Seed: c.Seed, Nonce: string(try[len(c.Seed):])}, true
		}
	}
	return Proof{}, false
}

// solveRound is how many nonces SolveChallenge tries between looks at its
// context and pauses: about 7 ms of hashing natively, 40 ms in a browser,
// under what counts as a long task there, and long enough that the pauses
// (a browser waits at least 4 ms) cost little.
const solveRound = 1 << 16

// SolveChallenge solves c, calling pause (if not nil) between rounds of
// tries, until ctx is done. A challenge harder than MaxChallengeBits is
// refused with EInvalid.
func SolveChallenge(ctx context.Context, c Challenge, pause func()) (Proof, error) {
	if c.Bits > MaxChallengeBits || c.Seed == "" || len(c.Seed) > MaxProofSeed {
		return Proof{}, Errorf(EInvalid, "The server asked for a proof of work this client does not make.")
	}
	for first := uint64(0); ; first += solveRound {
		if p, ok := c.Solve(first, solveRound); ok {
			return p, nil
		}
		if err := ctx.Err(); err != nil {
			return Proof{}, err
		}
		if pause != nil {
			pause()
		}
	}
}
