package web_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

// TestCardNumbersMaskedBothWays: a card number sent by a client that does
// not mask (this raw socket) is masked by the server before it is stored
// or relayed, from a visitor and from an agent alike.
func TestCardNumbersMaskedBothWays(t *testing.T) {
	env := newSockEnv(t, fastLimits)
	ann, _ := env.newAgent(t, "ann", 0)
	v, _ := env.newVisitor(t, "shopper")
	conv := v.say(0, "v1", "Pay with 4111 1111 1111 1111 please").Conv
	got := ann.until("the visitor's message", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "v1" })
	if got.Text != "Pay with •••• •••• •••• 1111 please" {
		t.Errorf("the agent got %q", got.Text)
	}
	ann.say(conv, "a1", "Is it 5555-5555-5555-4444?")
	if got := v.until("the agent's message", func(f parley.Frame) bool { return f.Type == parley.TypeMsg && f.ID == "a1" }); got.Text != "Is it ••••-••••-••••-4444?" {
		t.Errorf("the visitor got %q", got.Text)
	}
	for _, m := range env.stored(t, conv) {
		if strings.Contains(m.Text, "4111") && !strings.Contains(m.Text, "•") || strings.Contains(m.Text, "5555") {
			t.Errorf("stored in the clear: %q", m.Text)
		}
	}
}
