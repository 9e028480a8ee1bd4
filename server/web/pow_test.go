package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// powAbove is the tests' flood threshold: more than 5 new visitors a
// minute flood a site. powTestBits keeps the solving quick under -race.
const (
	powAbove    = 5
	powTestBits = 8
)

// newPoWEnv is newAbuseEnv with a low flood threshold and an easy puzzle.
func newPoWEnv(t *testing.T, ttl time.Duration) (*sockEnv, *testClock) {
	t.Helper()
	env, clock := newAbuseEnv(t)
	web.SetPoW(env.srv, powAbove, powTestBits, ttl)
	return env, clock
}

// visitorHello connects from addr and says hello as a visitor of site
// with token and proof; it returns the client and the answer.
func powHello(t *testing.T, env *sockEnv, name, addr, site, token string, proof *parley.Proof) (*sockClient, parley.Frame) {
	t.Helper()
	c := env.dial(t, name, fromAddr(addr))
	return c, c.helloAgain(site, token, proof)
}

// helloAgain says hello on c, which was refused before.
func (c *sockClient) helloAgain(site, token string, proof *parley.Proof) parley.Frame {
	c.tb.Helper()
	c.sendFrame(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: site, Token: token, Proof: proof})
	return c.next()
}

// floodSite makes site flooded: powAbove new visitors from as many
// addresses are welcomed, and the next is challenged. It returns the
// welcomed visitors' tokens and the challenged client with its refusal.
func floodSite(t *testing.T, env *sockEnv, site string) (tokens []string, c *sockClient, refusal parley.Frame) {
	t.Helper()
	for i := range powAbove {
		_, w := powHello(t, env, fmt.Sprint(site, " visitor ", i), fmt.Sprintf("198.51.100.%d", i+1), site, "", nil)
		if w.Type != parley.TypeWelcome || w.Token == "" {
			t.Fatalf("new visitor %d of %s, under the threshold: got %+v, want a welcome", i+1, site, w)
		}
		tokens = append(tokens, w.Token)
	}
	c, refusal = powHello(t, env, site+" challenged", "203.0.113.1", site, "", nil)
	checkChallenge(t, refusal, "puzzle")
	return tokens, c, refusal
}

// checkChallenge fails unless f refuses a hello with a challenge and a
// message that says want.
func checkChallenge(t *testing.T, f parley.Frame, want string) {
	t.Helper()
	if f.Type != parley.TypeError || f.Code != parley.EChallenge || !strings.Contains(f.Message, want) {
		t.Fatalf("got %+v, want an error %q saying %q", f, parley.EChallenge, want)
	}
	if ch := f.Challenge; ch == nil || len(ch.Seed) != 50 || ch.Bits != powTestBits || ch.Expires == 0 {
		t.Fatalf("refusal %+v carries challenge %+v, want a 50-character seed of %d bits with an expiry", f, f.Challenge, powTestBits)
	}
}

func solve(t *testing.T, ch *parley.Challenge) *parley.Proof {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	p, err := parley.SolveChallenge(ctx, *ch, nil)
	if err != nil {
		t.Fatalf("solving %+v: %v", ch, err)
	}
	return &p
}

// TestPoWOnlyWhileFlooded: while a site is quiet new visitors are welcomed
// at once; past the threshold a new visitor is challenged and welcomed
// with a proof, returning visitors are welcomed without one, and another
// site stays quiet.
func TestPoWOnlyWhileFlooded(t *testing.T) {
	env, clock := newPoWEnv(t, 0)
	// A proof sent to a quiet site is not needed, and does no harm.
	if _, w := powHello(t, env, "early", "192.0.2.1", env.site.ID, "", &parley.Proof{Seed: "x", Nonce: "0"}); w.Type != parley.TypeWelcome {
		t.Fatalf("a new visitor of a quiet site: got %+v, want a welcome", w)
	}
	clock.Advance(3 * time.Minute) // forget it

	tokens, c, refusal := floodSite(t, env, env.site.ID)
	if want := clock.Now().Add(2 * time.Minute).UnixMilli(); refusal.Challenge.Expires != want {
		t.Errorf("the challenge expires at %d, want %d (two minutes)", refusal.Challenge.Expires, want)
	}
	w := c.helloAgain(env.site.ID, "", solve(t, refusal.Challenge))
	if w.Type != parley.TypeWelcome || w.Token == "" || w.Visitor == nil {
		t.Fatalf("the hello with a proof: got %+v, want a new visitor's welcome", w)
	}
	// It makes a visitor like any other: it can chat.
	c.author = &parley.Author{Kind: parley.AuthorVisitor, ID: w.Visitor.ID, Name: w.Visitor.Name}
	if ack := c.say(0, "p1", "hello after the puzzle"); ack.Conv == 0 {
		t.Errorf("the proved visitor's first message: %+v", ack)
	}

	for i, tok := range tokens {
		if _, w := powHello(t, env, "returning", "198.51.100.200", env.site.ID, tok, nil); w.Type != parley.TypeWelcome || w.Token != "" {
			t.Errorf("returning visitor %d while flooded: got %+v, want its welcome", i, w)
		}
	}
	if _, w := powHello(t, env, "other site", "203.0.113.1", env.other.ID, "", nil); w.Type != parley.TypeWelcome {
		t.Errorf("a new visitor of another site: got %+v, want a welcome", w)
	}
	// Another new visitor of the flooded site is asked again.
	if _, f := powHello(t, env, "next", "203.0.113.2", env.site.ID, "", nil); f.Code != parley.EChallenge {
		t.Errorf("the next new visitor: got %+v, want a challenge", f)
	}
}

// TestPoWHoldDown: a flooded site asks for proof of work for two minutes
// after its last minute above the threshold, then no more.
func TestPoWHoldDown(t *testing.T) {
	env, clock := newPoWEnv(t, 0)
	floodSite(t, env, env.site.ID) // at 10:00:00: flooded until 10:02:00
	clock.Advance(time.Minute + 59*time.Second)
	// The rate is down to one in the last minute, but the hold holds.
	if _, f := powHello(t, env, "within the hold", "192.0.2.10", env.site.ID, "", nil); f.Code != parley.EChallenge {
		t.Fatalf("1m59s after the flood: got %+v, want a challenge", f)
	}
	clock.Advance(2 * time.Second)
	if _, w := powHello(t, env, "after the hold", "192.0.2.11", env.site.ID, "", nil); w.Type != parley.TypeWelcome {
		t.Fatalf("2m01s after the flood: got %+v, want a welcome", w)
	}
}

// TestPoWBadProofs: each wrong proof is refused with a message that says
// what is wrong and a fresh challenge, nothing is made, and the server
// serves the others meanwhile.
func TestPoWBadProofs(t *testing.T) {
	env, clock := newPoWEnv(t, 10*time.Second)
	tokens, c, refusal := floodSite(t, env, env.site.ID)
	_, _, otherRefusal := floodSite(t, env, env.other.ID)
	ch := refusal.Challenge

	raw, err := base64.RawURLEncoding.DecodeString(ch.Seed)
	if err != nil {
		t.Fatal(err)
	}
	reseed := func(edit func([]byte)) string {
		b := append([]byte(nil), raw...)
		edit(b)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	// notMeeting is a nonce for ch whose hash has at least low zero bits
	// but fewer than the challenge's.
	notMeeting := func(low int) string {
		for n := uint64(0); ; n++ {
			p := parley.Proof{Seed: ch.Seed, Nonce: strconv.FormatUint(n, 16)}
			if p.Meets(low) && !p.Meets(powTestBits) {
				return p.Nonce
			}
		}
	}
	solved := func(seed string) *parley.Proof {
		return solve(t, &parley.Challenge{Seed: seed, Bits: powTestBits})
	}
	tests := []struct {
		name  string
		proof *parley.Proof
		want  string
	}{
		{"a wrong nonce", &parley.Proof{Seed: ch.Seed, Nonce: notMeeting(0)}, "does not solve"},
		{"fewer bits than asked", &parley.Proof{Seed: ch.Seed, Nonce: notMeeting(1)}, "does not solve"},
		{"an altered MAC", solved(reseed(func(b []byte) { b[len(b)-1] ^= 1 })), "did not make for this site"},
		{"the difficulty lowered in the seed", solved(reseed(func(b []byte) { b[8] = 1 })), "did not make for this site"},
		{"a later expiry in the seed", solved(reseed(func(b []byte) { b[0]++ })), "did not make for this site"},
		{"another site's seed", solve(t, otherRefusal.Challenge), "did not make for this site"},
		{"no seed at all", &parley.Proof{Nonce: "1"}, "did not make for this site"},
		{"a seed that is not base64", &parley.Proof{Seed: strings.Repeat("!", 50), Nonce: "1"}, "did not make for this site"},
	}
	if empty := (parley.Proof{Seed: ch.Seed}); !empty.Meets(powTestBits) {
		// One seed in 256 solves itself: then an empty nonce is right.
		tests = append(tests, struct {
			name  string
			proof *parley.Proof
			want  string
		}{"an empty nonce", &empty, "does not solve"})
	}
	for _, tt := range tests {
		f := c.helloAgain(env.site.ID, "", tt.proof)
		checkChallenge(t, f, tt.want)
		if f.Challenge.Seed == ch.Seed {
			t.Errorf("%s: the refusal repeats the old seed; want a fresh one", tt.name)
		}
	}

	// Too long a seed or nonce is refused unread, without a challenge.
	for _, p := range []parley.Proof{
		{Seed: strings.Repeat("a", parley.MaxProofSeed+1), Nonce: "1"},
		{Seed: ch.Seed, Nonce: strings.Repeat("1", parley.MaxProofNonce+1)},
	} {
		f := c.helloAgain(env.site.ID, "", &p)
		if f.Type != parley.TypeError || f.Code != parley.EInvalid || !strings.Contains(f.Message, "hello.proof") || f.Challenge != nil {
			t.Errorf("a proof of %d and %d bytes: got %+v, want invalid naming hello.proof", len(p.Seed), len(p.Nonce), f)
		}
	}

	// A good proof is good once.
	good := solve(t, ch)
	if w := c.helloAgain(env.site.ID, "", good); w.Type != parley.TypeWelcome {
		t.Fatalf("the right proof after the wrong ones: got %+v, want a welcome", w)
	}
	_, f := powHello(t, env, "replay", "203.0.113.50", env.site.ID, "", good)
	checkChallenge(t, f, "solved once already")

	// An expired one is refused; the site is still flooded (its hold is
	// two minutes, the seeds' life ten seconds here).
	stale := solve(t, f.Challenge)
	clock.Advance(10 * time.Second)
	_, f = powHello(t, env, "slow", "203.0.113.51", env.site.ID, "", stale)
	checkChallenge(t, f, "expired")

	// Meanwhile everyone else is served.
	if _, w := powHello(t, env, "returning", "198.51.100.77", env.site.ID, tokens[0], nil); w.Type != parley.TypeWelcome {
		t.Errorf("a returning visitor after the bad proofs: got %+v", w)
	}
	c2, f := powHello(t, env, "honest", "203.0.113.52", env.site.ID, "", nil)
	checkChallenge(t, f, "puzzle")
	if w := c2.helloAgain(env.site.ID, "", solve(t, f.Challenge)); w.Type != parley.TypeWelcome {
		t.Errorf("an honest new visitor after the bad proofs: got %+v", w)
	}
}

// TestPoWTablesBounded: the spent seeds and the sites watched are bounded;
// a full table of spent seeds refuses proofs rather than forget one.
func TestPoWTablesBounded(t *testing.T) {
	env, clock := newPoWEnv(t, 10*time.Second)
	web.SetSpentSeedCap(env.srv, 2)
	_, c, refusal := floodSite(t, env, env.site.ID)
	challenges := []*parley.Challenge{refusal.Challenge}
	for i := range 2 {
		_, f := powHello(t, env, "more", fmt.Sprintf("203.0.113.%d", 60+i), env.site.ID, "", nil)
		checkChallenge(t, f, "puzzle")
		challenges = append(challenges, f.Challenge)
	}
	if w := c.helloAgain(env.site.ID, "", solve(t, challenges[0])); w.Type != parley.TypeWelcome {
		t.Fatalf("proof 1: got %+v", w)
	}
	if _, w := powHello(t, env, "second", "203.0.113.70", env.site.ID, "", solve(t, challenges[1])); w.Type != parley.TypeWelcome {
		t.Fatalf("proof 2: got %+v", w)
	}
	third := solve(t, challenges[2])
	if _, f := powHello(t, env, "third", "203.0.113.71", env.site.ID, "", third); f.Code != parley.ERateLimited || !strings.Contains(f.Message, "Too many new visitors") {
		t.Fatalf("a proof with the spent seeds full: got %+v, want rate_limited", f)
	}
	// The spent ones expire; then there is room again (for a fresh
	// challenge: the third's expired with them).
	clock.Advance(10 * time.Second)
	c4, f := powHello(t, env, "fourth", "203.0.113.72", env.site.ID, "", third)
	checkChallenge(t, f, "expired")
	if w := c4.helloAgain(env.site.ID, "", solve(t, f.Challenge)); w.Type != parley.TypeWelcome {
		t.Errorf("a proof once the spent seeds expired: got %+v", w)
	}

	web.SetRateKeyCap(env.srv, 1)
	powHello(t, env, "other", "192.0.2.99", env.other.ID, "", nil)
	if n := web.FloodWatches(env.srv); n > 1 {
		t.Errorf("sites watched: got %d, want at most 1", n)
	}
}
