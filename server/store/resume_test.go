package store_test

import (
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func randomMAC(tb testing.TB) []byte {
	tb.Helper()
	mac := make([]byte, 16)
	rand.Read(mac)
	return mac
}

// TestUseResume: a resume link makes a new device token of its visitor,
// once: a second use is refused and changes nothing, after a reopen too.
func TestUseResume(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreateSite(t, d, "shop")
	mustCreateSite(t, d, "other")
	v := mustCreateVisitor(t, d, "shop")
	mac, exp := randomMAC(t), time.Now().Add(7*24*time.Hour).Truncate(time.Second)
	if used, err := d.ResumeUsed(mac, exp); err != nil || used {
		t.Fatalf("ResumeUsed before any use: %v, %v", used, err)
	}

	// Not the site's visitor: refused, and the link stays unused.
	_, err = d.UseResume(testContext(t), store.ResumeUse{MAC: mac, Expires: exp, Site: "other", Visitor: v.ID, TokenHash: randomHash(t)})
	wantCode(t, err, parley.ENotFound)
	_, err = d.UseResume(testContext(t), store.ResumeUse{MAC: mac, Expires: exp, Site: "shop", Visitor: 999, TokenHash: randomHash(t)})
	wantCode(t, err, parley.ENotFound)
	if used, _ := d.ResumeUsed(mac, exp); used {
		t.Fatal("a refused use marked the link used")
	}

	device := randomHash(t)
	got, err := d.UseResume(testContext(t), store.ResumeUse{MAC: mac, Expires: exp, Site: "shop", Visitor: v.ID, TokenHash: device})
	if err != nil || got != v {
		t.Fatalf("UseResume: %+v, %v; want %+v", got, err, v)
	}
	if got, err := d.VisitorByToken("shop", device); err != nil || got != v {
		t.Errorf("the new device's token: %+v, %v; want %+v", got, err, v)
	}
	again := randomHash(t)
	_, err = d.UseResume(testContext(t), store.ResumeUse{MAC: mac, Expires: exp, Site: "shop", Visitor: v.ID, TokenHash: again})
	wantCode(t, err, parley.EConflict)
	if _, err := d.VisitorByToken("shop", again); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("a second use's token: %v, want not found", err)
	}
	// The same MAC with another expiry is another (forged) link: the
	// signature check refuses it before the store; the store keys both.
	if used, _ := d.ResumeUsed(mac, exp.Add(time.Second)); used {
		t.Error("another expiry counts as the used link")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d = openTestDBAt(t, path, store.Options{})
	if used, err := d.ResumeUsed(mac, exp); err != nil || !used {
		t.Errorf("after a reopen, ResumeUsed: %v, %v; want used", used, err)
	}
	_, err = d.UseResume(testContext(t), store.ResumeUse{MAC: mac, Expires: exp, Site: "shop", Visitor: v.ID, TokenHash: randomHash(t)})
	wantCode(t, err, parley.EConflict)
	if got, err := d.VisitorByToken("shop", device); err != nil || got != v {
		t.Errorf("after a reopen, the device's token: %+v, %v; want %+v", got, err, v)
	}
}

// TestUseResumeForgetsExpired: a used link past its expiry is forgotten
// at a later use (its signature's date refuses it anyway); one still
// valid is kept.
func TestUseResumeForgetsExpired(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	old, oldExp := randomMAC(t), time.Now().Add(-time.Hour)
	live, liveExp := randomMAC(t), time.Now().Add(time.Hour)
	for _, u := range []store.ResumeUse{
		{MAC: old, Expires: oldExp, Site: "shop", Visitor: v.ID, TokenHash: randomHash(t)},
		{MAC: live, Expires: liveExp, Site: "shop", Visitor: v.ID, TokenHash: randomHash(t)},
		{MAC: randomMAC(t), Expires: liveExp, Site: "shop", Visitor: v.ID, TokenHash: randomHash(t)},
	} {
		if _, err := d.UseResume(testContext(t), u); err != nil {
			t.Fatal(err)
		}
	}
	if used, _ := d.ResumeUsed(old, oldExp); used {
		t.Error("a used link past its expiry is still kept")
	}
	if used, _ := d.ResumeUsed(live, liveExp); !used {
		t.Error("a used link still valid was forgotten")
	}
	_, err := d.UseResume(testContext(t), store.ResumeUse{Site: "shop", Visitor: v.ID, TokenHash: randomHash(t)})
	wantCode(t, err, parley.EInvalid)
}
