//go:build !js

package client_test

import (
	"testing"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// TestIdentifyMovesToContact: an identify asked for before Run goes out
// after the welcome; a signed one that makes the device the contact gives
// it the contact's token, and the client comes back as the contact, with
// their conversation.
func TestIdentifyMovesToContact(t *testing.T) {
	ts := newServer(t)
	if err := ts.db.SetIdentitySecret(testSite, "secret"); err != nil {
		t.Fatal(err)
	}
	who := parley.Identify{ExternalID: "cust-7", Name: "Grace", Signature: web.IdentitySignature("secret", "cust-7")}

	laptopRec := newRecorder()
	laptop := client.New(laptopRec.options(ts.wsURL(), visitorHello()))
	run(t, laptop)
	id := laptop.Send(0, "Is the grinder back in stock?", false)
	laptopRec.wait(t, "the laptop's msg", func() bool { return laptopRec.hasMsg(id) })
	laptop.Identify(who)
	laptopRec.wait(t, "identified", func() bool { return laptopRec.countType(parley.TypeIdentified) == 1 })

	rec := newRecorder()
	phone := client.New(rec.options(ts.wsURL(), visitorHello()))
	phone.Identify(who)
	run(t, phone)
	rec.wait(t, "the laptop's message on the phone", func() bool { return rec.hasMsg(id) })
	var token string
	for _, f := range rec.snapshot() {
		if f.Type == parley.TypeIdentified {
			token = f.Token
		}
	}
	if token == "" || phone.Token() != token {
		t.Errorf("phone token %q, identified token %q; want the new one", phone.Token(), token)
	}
	if w := rec.welcomes(); len(w) != 2 || w[1].Visitor.ID == w[0].Visitor.ID || w[1].Visitor.Name != "Grace" {
		t.Errorf("welcomes: %s", describe(w))
	}
	if n := rec.countType(parley.TypeIdentified); n != 1 {
		t.Errorf("%d identified frames, want 1: answered once, not said again", n)
	}
}
