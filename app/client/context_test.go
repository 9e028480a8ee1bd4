//go:build !js

package client_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
)

// TestContextAfterWelcome: a context asked for before Run, and the
// device's clock, go out after the welcome; a refused one is no error the
// chat shows (its id is the client's own).
func TestContextAfterWelcome(t *testing.T) {
	ts := newServer(t)
	rec := newRecorder()
	c := client.New(rec.options(ts.wsURL(), visitorHello()))
	c.Device(parley.Device{TimeZone: "Europe/Berlin", UTCOffset: 60})
	c.Context(parley.Frame{Attributes: map[string]string{"plan": "gold"}})
	c.Context(parley.Frame{Cart: &parley.Cart{Items: []parley.CartItem{{Name: "x", Qty: -1}}}})
	run(t, c)
	rec.wait(t, "the welcome", func() bool { return rec.countType(parley.TypeWelcome) == 1 })
	vid := rec.welcomes()[0].Visitor.ID
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, cx, err := ts.db.VisitorWithContext(vid)
		if err == nil && cx.Attributes["plan"] == "gold" && cx.TimeZone == "Europe/Berlin" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored context %+v, %v", cx, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	rec.wait(t, "the refusal", func() bool { return rec.countType(parley.TypeError) == 1 })
	for _, f := range rec.snapshot() {
		if f.Type == parley.TypeError && (f.ID == "" || f.Code != parley.EInvalid) {
			t.Errorf("refusal %+v, want invalid with the frame's id", f)
		}
	}
}
