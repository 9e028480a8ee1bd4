package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// identify sends an identify frame and returns the answer: identified, or
// the error about it.
func (c *sockClient) identify(externalID, name, email, signature string) parley.Frame {
	c.tb.Helper()
	c.sendFrame(parley.Frame{Type: parley.TypeIdentify, ID: "who-" + time.Now().Format("150405.000000000"),
		ExternalID: externalID, Name: name, Email: email, Signature: signature})
	return c.until("identified or error", func(f parley.Frame) bool {
		return f.Type == parley.TypeIdentified || f.Type == parley.TypeError
	})
}

func setIdentitySecret(t *testing.T, env *sockEnv, secret string) {
	t.Helper()
	if err := env.db.SetIdentitySecret(env.site.ID, secret); err != nil {
		t.Fatal(err)
	}
}

// TestIdentifyVerifiedMergesDevices: a signed identify makes the first
// device the contact (agents see the name and "verified"); a second
// device signed as the same customer becomes one more device of that
// contact, with a new token, and sees the whole history; the same
// identify again changes nothing.
func TestIdentifyVerifiedMergesDevices(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	setIdentitySecret(t, env, "shop secret")
	sig := web.IdentitySignature("shop secret", "cust-42")
	bob, _ := env.newAgent(t, "bob", 1)
	laptop, _, conv := chatOn(t, env, "laptop", env.site.ID, "https://shop.example/")
	bob.say(conv.ID, "b1", "We ship on Mondays.")
	laptop.msgs(conv.ID, 3)

	got := laptop.identify("cust-42", "Ada Lovelace", "ada@example.com", sig)
	if got.Type != parley.TypeIdentified || got.Code != "" || got.Token != "" || got.Visitor == nil ||
		got.Visitor.ID != conv.Visitor || got.Visitor.Identity != parley.IdentityVerified || got.Visitor.Name != "Ada Lovelace" {
		t.Fatalf("laptop identify: %+v; want identified, verified, the same visitor, no new token", got)
	}
	seen := bob.until("the conversation as verified", func(f parley.Frame) bool {
		return f.Type == parley.TypeConv && f.Conversation.ID == conv.ID && f.Conversation.Identity == parley.IdentityVerified
	})
	if c := seen.Conversation; c.VisitorName != "Ada Lovelace" || c.Email != "ada@example.com" {
		t.Errorf("agents see %q <%s>, want Ada Lovelace <ada@example.com>", c.VisitorName, c.Email)
	}
	if again := laptop.identify("cust-42", "Ada Lovelace", "ada@example.com", sig); again.Type != parley.TypeIdentified || again.Token != "" || again.Visitor.ID != conv.Visitor {
		t.Errorf("the same identify again: %+v; want no change", again)
	}

	// Another browser: a new visitor, until the shop signs them in.
	phone, w := env.newVisitor(t, "phone")
	if len(w.Conversations) != 0 {
		t.Fatalf("a new device's welcome lists %+v", w.Conversations)
	}
	got = phone.identify("cust-42", "", "", sig)
	if got.Type != parley.TypeIdentified || got.Token == "" || got.Token == w.Token || got.Visitor.ID != conv.Visitor {
		t.Fatalf("phone identify: %+v; want the contact %d with a new token", got, conv.Visitor)
	}
	phone.wantClosed(stepTimeout, websocket.StatusServiceRestart, "identified")

	phone = env.dial(t, "phone again", nil)
	w = phone.visitorHello(env.site.ID, got.Token)
	if w.Visitor.ID != conv.Visitor || w.Token != "" || len(w.Conversations) != 1 || w.Conversations[0].ID != conv.ID {
		t.Fatalf("the phone's welcome as the contact: %+v", w)
	}
	phone.sendFrame(parley.Frame{Type: parley.TypeResume, Conv: conv.ID})
	if msgs := phone.msgs(conv.ID, 3); msgs[2].Text != "We ship on Mondays." {
		t.Errorf("the phone's history: %+v", msgs)
	}
	// Signed in again on the merged device: nothing changes.
	if again := phone.identify("cust-42", "", "", sig); again.Type != parley.TypeIdentified || again.Token != "" || again.Visitor.ID != conv.Visitor {
		t.Errorf("identify on the merged device: %+v", again)
	}
	// A message from the phone reaches the laptop: one person.
	phone.author = laptop.author
	phone.say(conv.ID, "p1", "Thanks!")
	laptop.until("the phone's message", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.Text == "Thanks!" })
}

// TestIdentifyUnverifiedNeverMerges: an unsigned identify, a wrong
// signature, a signature of another id and one made with a rotated-out
// secret are display data only: the visitor stays themselves, marked
// unverified, and never sees the contact's history.
func TestIdentifyUnverifiedNeverMerges(t *testing.T) {
	env := newPeopleEnv(t)
	var rotated struct{ Secret string }
	if status, _ := env.api(t, env.ann, "POST", "/api/sites/shop/identity-secret", nil, &rotated); status != http.StatusOK || len(rotated.Secret) != 64 {
		t.Fatalf("rotate: %d %+v", status, rotated)
	}
	old := rotated.Secret
	ada, _, conv := chatOn(t, env.sockEnv, "ada", env.site.ID, "")
	if got := ada.identify("cust-1", "Ada", "", web.IdentitySignature(old, "cust-1")); got.Visitor == nil || got.Visitor.Identity != parley.IdentityVerified {
		t.Fatalf("ada: %+v", got)
	}

	eve, w := env.newVisitor(t, "eve")
	for name, sig := range map[string]string{
		"no signature":              "",
		"wrong signature":           strings.Repeat("ab", 32),
		"not hex":                   "zz",
		"another id's":              web.IdentitySignature(old, "cust-2"),
		"another secret's":          web.IdentitySignature("guess", "cust-1"),
		"another secret, uppercase": strings.ToUpper(web.IdentitySignature("guess", "cust-1")),
	} {
		got := eve.identify("cust-1", "Ada", "ada@example.com", sig)
		if got.Type != parley.TypeIdentified || got.Token != "" || got.Visitor == nil || got.Visitor.ID != w.Visitor.ID ||
			got.Visitor.Identity != parley.IdentityUnverified || got.Visitor.ExternalID != "" || got.Visitor.Name != "Ada" {
			t.Errorf("%s: %+v; want eve herself, unverified", name, got)
		}
		if wantCode := sig != ""; (got.Code == parley.EForbidden) != wantCode {
			t.Errorf("%s: code %q, want forbidden only when a signature was given", name, got.Code)
		}
	}
	// Still eve, on the same socket: the contact's conversation is not hers.
	eve.sendFrame(parley.Frame{Type: parley.TypeResume, Conv: conv.ID})
	if e := eve.untilError(); e.Code != parley.ENotFound {
		t.Errorf("eve resuming ada's conversation: %+v", e)
	}
	eve = env.dial(t, "eve again", nil)
	if w2 := eve.visitorHello(env.site.ID, w.Token); w2.Visitor.ID != w.Visitor.ID || len(w2.Conversations) != 0 {
		t.Errorf("eve's welcome: %+v; want herself, no conversations", w2)
	}
	for _, f := range eve.seen {
		if f.Type == parley.TypeMsg {
			t.Errorf("eve received %+v", f)
		}
	}

	// Rotated: the old secret's signature no longer verifies, the new one's does.
	if status, _ := env.api(t, env.dee, "POST", "/api/sites/shop/identity-secret", nil, &rotated); status != http.StatusOK || rotated.Secret == old {
		t.Fatalf("rotate again: %d %+v", status, rotated)
	}
	phone, _ := env.newVisitor(t, "ada's phone")
	if got := phone.identify("cust-1", "", "", web.IdentitySignature(old, "cust-1")); got.Token != "" || got.Visitor.Identity != parley.IdentityUnverified || got.Code != parley.EForbidden {
		t.Errorf("the rotated-out secret's signature: %+v; want unverified", got)
	}
	// Unverified first does not stand in the way of a signed identify later.
	if got := phone.identify("cust-1", "", "", web.IdentitySignature(rotated.Secret, "cust-1")); got.Token == "" || got.Visitor.ID != conv.Visitor {
		t.Errorf("the new secret's signature after an unverified identify: %+v; want the contact", got)
	}
	fresh, _ := env.newVisitor(t, "ada's tablet")
	if got := fresh.identify("cust-1", "", "", web.IdentitySignature(rotated.Secret, "cust-1")); got.Token == "" || got.Visitor.ID != conv.Visitor {
		t.Errorf("the new secret's signature: %+v; want the contact", got)
	}
}

// TestIdentifyRefusals: malformed identifies get a clear error; agents
// cannot identify; the secret is for the site's owners and admins.
func TestIdentifyRefusals(t *testing.T) {
	env := newPeopleEnv(t)
	v, _ := env.newVisitor(t, "kim")
	for name, tc := range map[string]struct {
		id, name, email string
		code            string
	}{
		"no id":        {"", "Kim", "", parley.EInvalid},
		"long id":      {strings.Repeat("x", 129), "", "", parley.ETooLarge},
		"long name":    {"c1", strings.Repeat("n", 81), "", parley.ETooLarge},
		"bad email":    {"c1", "", "kim at example", parley.EInvalid},
		"control char": {"c1\n", "K\x07im", "", parley.EInvalid},
	} {
		if got := v.identify(tc.id, tc.name, tc.email, ""); got.Type != parley.TypeError || got.Code != tc.code || got.Message == "" {
			t.Errorf("%s: %+v, want error %q", name, got, tc.code)
		}
	}
	bob, _ := env.newAgent(t, "bob", 1)
	if got := bob.identify("c1", "", "", ""); got.Type != parley.TypeError || got.Code != parley.EForbidden {
		t.Errorf("an agent's identify: %+v, want forbidden", got)
	}

	path := "/api/sites/shop/identity-secret"
	env.run(t, []apiCase{
		{name: "owner reads", as: env.ann, method: "GET", path: path, status: http.StatusOK},
		{name: "admin rotates", as: env.dee, method: "POST", path: path, status: http.StatusOK},
		{name: "agent reads", as: env.bob, method: "GET", path: path, status: http.StatusForbidden, code: parley.EForbidden},
		{name: "agent rotates", as: env.bob, method: "POST", path: path, status: http.StatusForbidden, code: parley.EForbidden},
	})
	env.sameAsMissing(t, env.cy, "GET", path, "/api/sites/nosuch/identity-secret", nil)
	env.sameAsMissing(t, env.cy, "POST", path, "/api/sites/nosuch/identity-secret", nil)
	var s struct{ Secret string }
	if status, _ := env.api(t, env.ann, "GET", path, nil, &s); status != http.StatusOK || len(s.Secret) != 64 {
		t.Errorf("the secret after a rotation: %d %+v", status, s)
	}
}
