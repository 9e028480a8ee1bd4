package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// Proof of work for new visitors while a site is flooded (the client's
// side, and the arithmetic, are in app/parley/pow.go).
//
// A site is flooded while more than powAbove new visitors a minute try to
// join it, and for powHold after. Meanwhile a new visitor's hello is
// refused with EChallenge and a signed seed, and accepted with a proof:
// a nonce that gives SHA-256(seed || nonce) powBits leading zero bits.
// The widget solves it by itself in a fraction of a second; a script that
// makes visitors by the thousand pays that for each one. Returning
// visitors (a known token) and other sites never see a challenge.
//
// Challenges are stateless: the seed carries its expiry and difficulty
// under an HMAC bound to the site, so issuing one stores nothing. Only a
// spent seed is remembered, until it expires, so one solved proof makes
// one visitor.

const (
	// defaultPoWAbove new visitors a minute flood a site (-pow-above-per-minute).
	// The loader opens no socket before the shopper shows intent and the
	// widget keeps its token, so a new visitor is a browser's first chat
	// with the shop: 600 a minute is 36,000 an hour, beyond a big shop's
	// sale, and a fifth of the per-site limit (3,000 a minute), so a flood
	// pays long before it is cut off.
	defaultPoWAbove = 600
	// powBits is the difficulty: 2^18 tries on average. Measured
	// (BenchmarkSolveTry in app/parley, on this project's 2-core Xeon): a
	// try is 89 ns natively with SHA instructions (23 ms a solve), 692 ns
	// as wasm in V8, the browser's engine (node 20; 181 ms a solve). One
	// solve in twenty takes three times the mean: about half a second at
	// worst on a laptop, two on a phone four times slower, well within
	// the 10 s a socket has for its hello. 20 bits would take a slow phone
	// past it now and then; 16 would cost a script 6 ms a visitor.
	powBits = 18
	// powTTL is how long a seed is good: enough for a slow phone to solve
	// it and say hello again, short enough that the spent seeds are few.
	powTTL = 2 * time.Minute
	// powHold is how long a site stays flooded after the rate drops, so
	// that challenges do not come and go with every burst.
	powHold = 2 * time.Minute
	// maxSpentSeeds bounds the spent seeds remembered: 100,000 in two
	// minutes is 800 proved visitors a second on the whole install. Full
	// of unexpired seeds, it refuses proofs (rate_limited) rather than
	// forget one that could then be spent again. About 50 bytes each.
	maxSpentSeeds = 100_000

	// A seed is base64url of: expiry (Unix ms, 8 bytes), bits (1), a
	// random nonce (12), then the first 16 bytes of the HMAC of those and
	// the site: 50 characters.
	powBody    = 8 + 1 + 12
	powSeedLen = powBody + 16
)

var (
	errChallenge      = parley.Errorf(parley.EChallenge, "Many new visitors are arriving right now, so the chat asks your browser to solve a small puzzle first; it does so by itself.")
	errProofForged    = parley.Errorf(parley.EChallenge, "The proof of work answers a challenge this server did not make for this site. Solve the new one.")
	errProofExpired   = parley.Errorf(parley.EChallenge, "The challenge has expired. Solve the new one.")
	errProofWrong     = parley.Errorf(parley.EChallenge, "The proof of work does not solve its challenge. Solve the new one.")
	errProofSpent     = parley.Errorf(parley.EChallenge, "That challenge was solved once already. Solve the new one.")
	errProofMalformed = parley.Errorf(parley.EInvalid, "hello.proof takes a seed of at most %d bytes and a nonce of at most %d.", parley.MaxProofSeed, parley.MaxProofNonce)
)

// challengeError refuses a hello until the visitor proves work: its frame
// carries a fresh challenge (refusal adds it).
type challengeError struct {
	err       *parley.Error
	challenge parley.Challenge
}

func (e *challengeError) Error() string { return e.err.Error() }
func (e *challengeError) Unwrap() error { return e.err }

// powGate is the proof-of-work state; abuse's lock guards it.
type powGate struct {
	// above is the flood threshold in new visitors a minute; 0 is off.
	above int
	bits  int
	// key signs seeds. It is made at start and never stored: the spent
	// seeds are in memory, so a seed from before a restart must not verify
	// after it, when it could be spent a second time.
	key       []byte
	floods    map[string]*floodWatch
	spent     map[[16]byte]time.Time
	maxSpent  int
	ttl, hold time.Duration
}

func newPowGate(above int) powGate {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	return powGate{above: above, bits: powBits, key: key, ttl: powTTL, hold: powHold, maxSpent: maxSpentSeeds,
		floods: make(map[string]*floodWatch), spent: make(map[[16]byte]time.Time)}
}

// floodWatch counts a site's new visitors, in a sliding minute.
type floodWatch struct {
	// window is the start of the current minute; cur its count, prev the
	// one before's.
	window    time.Time
	cur, prev int
	// until is when the site stops being flooded.
	until time.Time
}

func (w *floodWatch) roll(now time.Time) {
	start := now.Truncate(time.Minute)
	switch d := start.Sub(w.window); {
	case d <= 0: // this minute (or the clock stepped back)
		return
	case d == time.Minute:
		w.prev, w.cur = w.cur, 0
	default:
		w.prev, w.cur = 0, 0
	}
	w.window = start
}

// rate is the count over the minute before now: this minute's, and the
// share of the last minute's that falls within it, as if spread evenly.
func (w *floodWatch) rate(now time.Time) float64 {
	frac := min(1, max(0, float64(now.Sub(w.window))/float64(time.Minute)))
	return float64(w.prev)*(1-frac) + float64(w.cur)
}

// note counts one new visitor's attempt.
func (w *floodWatch) note(now time.Time, above int, hold time.Duration) {
	w.roll(now)
	w.cur++
	if w.rate(now) > float64(above) {
		w.until = now.Add(hold)
	}
}

func (w *floodWatch) flooded(now time.Time) bool { return now.Before(w.until) }

// quiet reports whether w is as good as no entry: flooded no more and
// nothing counted in the last minute.
func (w *floodWatch) quiet(now time.Time) bool {
	w.roll(now)
	return !w.flooded(now) && w.rate(now) == 0
}

// watch is site's flood watch, made if need be; the table keeps at most
// maxKeys, dropping the quiet ones first, then those counted longest ago.
func (g *powGate) watch(site string, now time.Time, maxKeys int) *floodWatch {
	w := g.floods[site]
	if w != nil {
		return w
	}
	if len(g.floods) >= maxKeys {
		for k, old := range g.floods {
			if old.quiet(now) {
				delete(g.floods, k)
			}
		}
		evictOldest(g.floods, maxKeys*9/10, func(w *floodWatch) time.Time { return w.window })
	}
	w = &floodWatch{window: now.Truncate(time.Minute)}
	g.floods[site] = w
	return w
}

func (g *powGate) mac(site string, body []byte) []byte {
	h := hmac.New(sha256.New, g.key)
	h.Write([]byte("pow"))
	h.Write(body) // fixed length: the site after it is unambiguous
	h.Write([]byte(site))
	return h.Sum(nil)[:16]
}

var seedEncoding = b64.Strict()

// challenge refuses a new visitor of site with reason and a fresh seed.
func (g *powGate) challenge(site string, now time.Time, reason *parley.Error) *challengeError {
	expires := now.Add(g.ttl).UnixMilli()
	body := make([]byte, powBody, powSeedLen)
	binary.BigEndian.PutUint64(body, uint64(expires))
	body[8] = byte(g.bits)
	rand.Read(body[9:])
	seed := seedEncoding.EncodeToString(append(body, g.mac(site, body)...))
	return &challengeError{err: reason, challenge: parley.Challenge{Seed: seed, Bits: g.bits, Expires: expires}}
}

// spend accepts p for a new visitor of site, once; the error says why not.
func (g *powGate) spend(site string, p parley.Proof, now time.Time) *parley.Error {
	raw, err := seedEncoding.DecodeString(p.Seed)
	if err != nil || len(raw) != powSeedLen || !hmac.Equal(raw[powBody:], g.mac(site, raw[:powBody])) {
		return errProofForged
	}
	expires := time.UnixMilli(int64(binary.BigEndian.Uint64(raw[:8])))
	if !now.Before(expires) {
		return errProofExpired
	}
	// The difficulty is the signed one: a client told fewer bits (by a
	// tampered frame) has not done the work.
	if !p.Meets(int(raw[8])) {
		return errProofWrong
	}
	id := [16]byte(raw[powBody:])
	if _, ok := g.spent[id]; ok {
		return errProofSpent
	}
	if len(g.spent) >= g.maxSpent {
		for k, exp := range g.spent {
			if !now.Before(exp) {
				delete(g.spent, k)
			}
		}
		if len(g.spent) >= g.maxSpent {
			return errSiteVisitors
		}
	}
	g.spent[id] = expires
	return nil
}

// admitNew lets a new visitor of site in, or asks for proof of work: a
// quiet site admits everyone; a flooded one only a hello with a proof
// that has not been spent. Each new visitor counts towards the flood once:
// its first hello, not the one that carries its proof.
func (a *abuse) admitNew(site string, proof *parley.Proof) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	g := &a.pow
	if g.above <= 0 {
		return nil
	}
	now := a.now()
	w := g.watch(site, now, a.maxKeys)
	reason := errChallenge
	if proof != nil && w.flooded(now) {
		reason = g.spend(site, *proof, now)
		if reason == nil {
			return nil
		}
		if reason.Code != parley.EChallenge {
			return reason
		}
	}
	// A proof kept from a flood that has ended is not needed.
	w.note(now, g.above, g.hold)
	if !w.flooded(now) {
		return nil
	}
	return g.challenge(site, now, reason)
}
