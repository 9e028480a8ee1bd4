package store_test

import (
	"path/filepath"
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

func identify(site string, v uint64, externalID, name string, verified bool, token []byte) store.IdentifyRequest {
	return store.IdentifyRequest{Site: site, Visitor: v, Verified: verified, TokenHash: token,
		Identify: parley.Identify{ExternalID: externalID, Name: name, Email: externalID + "@example.com"}}
}

// TestIdentifyVerified: the first verified identify makes the visitor the
// contact; one from another device adds that device's token to the
// contact; the same identify again changes nothing; all after a reopen.
func TestIdentifyVerified(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	d, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCreateSite(t, d, "shop")
	mustCreateSite(t, d, "other")
	laptop := mustCreateVisitor(t, d, "shop")
	conv := mustAppend(t, d, visitorSend(laptop, 0, "c1", "Where is my order?")).Conv

	res, err := d.Identify(testContext(t), identify("shop", laptop.ID, "cust-1", "Ada", true, randomHash(t)))
	if err != nil || res.Moved || res.Visitor.ID != laptop.ID {
		t.Fatalf("first identify: %+v, %v; want the same visitor, not moved", res, err)
	}
	if v := res.Visitor; v.ExternalID != "cust-1" || v.Identity != parley.IdentityVerified || v.Name != "Ada" || v.Email != "cust-1@example.com" {
		t.Errorf("contact: %+v", v)
	}
	if len(res.Changed) != 1 || res.Changed[0].ID != conv.ID || res.Changed[0].Identity != parley.IdentityVerified || res.Changed[0].VisitorName != "Ada" {
		t.Errorf("changed conversations: %+v; want %d verified, named Ada", res.Changed, conv.ID)
	}
	again, err := d.Identify(testContext(t), identify("shop", laptop.ID, "cust-1", "Ada", true, randomHash(t)))
	if err != nil || again.Moved || again.Visitor != res.Visitor || len(again.Changed) != 0 {
		t.Errorf("the same identify again: %+v, %v; want no change", again, err)
	}

	// Another device of the same person.
	phone := mustCreateVisitor(t, d, "shop")
	phoneToken := randomHash(t)
	moved, err := d.Identify(testContext(t), identify("shop", phone.ID, "cust-1", "", true, phoneToken))
	if err != nil || !moved.Moved || moved.Visitor.ID != laptop.ID || moved.Visitor.Name != "Ada" {
		t.Fatalf("identify from the phone: %+v, %v; want moved to %d", moved, err, laptop.ID)
	}
	// The same external id on another site is another person.
	stranger := mustCreateVisitor(t, d, "other")
	if res, err := d.Identify(testContext(t), identify("other", stranger.ID, "cust-1", "", true, randomHash(t))); err != nil || res.Moved || res.Visitor.ID != stranger.ID {
		t.Errorf("the id on another site: %+v, %v; want its own visitor", res, err)
	}
	// A visitor of another site is not found.
	_, err = d.Identify(testContext(t), identify("other", phone.ID, "cust-1", "", true, randomHash(t)))
	wantCode(t, err, parley.ENotFound)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d = openTestDBAt(t, path, store.Options{})
	if got, err := d.VisitorByToken("shop", phoneToken); err != nil || got.ID != laptop.ID || got.Identity != parley.IdentityVerified {
		t.Errorf("the phone's token after a reopen: %+v, %v; want contact %d", got, err, laptop.ID)
	}
	if got, err := d.ContactByExternalID("shop", "cust-1"); err != nil || got.ID != laptop.ID {
		t.Errorf("contact by external id: %+v, %v", got, err)
	}
	convs, err := d.VisitorConversations(laptop.ID)
	if err != nil || len(convs) != 1 || convs[0].ID != conv.ID {
		t.Errorf("the contact's conversations: %+v, %v", convs, err)
	}
}

// TestIdentifyUnverified: an unsigned identify is display data only: no
// contact, no token, and a verified visitor is not changed by one.
func TestIdentifyUnverified(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	owner := mustCreateVisitor(t, d, "shop")
	if _, err := d.Identify(testContext(t), identify("shop", owner.ID, "cust-1", "Ada", true, randomHash(t))); err != nil {
		t.Fatal(err)
	}
	impostor := mustCreateVisitor(t, d, "shop")
	token := randomHash(t)
	res, err := d.Identify(testContext(t), identify("shop", impostor.ID, "cust-1", "Ada", false, token))
	if err != nil || res.Moved || res.Visitor.ID != impostor.ID {
		t.Fatalf("unverified identify: %+v, %v; want the same visitor", res, err)
	}
	if v := res.Visitor; v.Identity != parley.IdentityUnverified || v.ExternalID != "" || v.Name != "Ada" {
		t.Errorf("unverified visitor: %+v", v)
	}
	if _, err := d.VisitorByToken("shop", token); parley.ErrorCode(err) != parley.ENotFound {
		t.Errorf("an unverified identify indexed a token: %v", err)
	}
	_, err = d.Identify(testContext(t), identify("shop", owner.ID, "cust-2", "Eve", false, nil))
	wantCode(t, err, parley.EForbidden)
	if v, _ := d.Visitor(owner.ID); v.Name != "Ada" || v.ExternalID != "cust-1" {
		t.Errorf("a verified visitor after an unsigned identify: %+v", v)
	}
}

// TestIdentifyAnotherContact: a device verified as one person and then as
// another (a shared computer) becomes a new visitor, not a merge of both.
func TestIdentifyAnotherContact(t *testing.T) {
	d := openTestDB(t)
	mustCreateSite(t, d, "shop")
	v := mustCreateVisitor(t, d, "shop")
	if _, err := d.Identify(testContext(t), identify("shop", v.ID, "cust-1", "Ada", true, randomHash(t))); err != nil {
		t.Fatal(err)
	}
	res, err := d.Identify(testContext(t), identify("shop", v.ID, "cust-2", "Bob", true, randomHash(t)))
	if err != nil || !res.Moved || res.Visitor.ID == v.ID || res.Visitor.ExternalID != "cust-2" {
		t.Fatalf("identify as another: %+v, %v; want a new visitor", res, err)
	}
	if got, _ := d.Visitor(v.ID); got.ExternalID != "cust-1" {
		t.Errorf("the first contact: %+v", got)
	}
}
