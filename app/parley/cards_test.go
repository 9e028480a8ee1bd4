package parley_test

import (
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestMaskCards(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"4111111111111111", "••••••••••••1111"},
		{"my card is 4111 1111 1111 1111, thanks", "my card is •••• •••• •••• 1111, thanks"},
		{"4111-1111-1111-1111", "••••-••••-••••-1111"},
		{"amex 3782 822463 10005 exp 12/27", "amex •••• •••••• •0005 exp 12/27"},
		{"two: 5555555555554444 and 4012888888881881.", "two: ••••••••••••4444 and ••••••••••••1881."},
		{"19 digits 6011000000000000001", "19 digits •••••••••••••••0001"},
		// Not cards: the Luhn check fails, too short, too long, part of a
		// longer run, split by more than one separator.
		{"4111111111111112", "4111111111111112"},
		{"order 123456789012", "order 123456789012"},
		{"41111111111111111111111", "41111111111111111111111"},
		{"x4111111111111111", "x••••••••••••1111"}, // glued to a word: still a card
		{"4111  1111 1111 1111", "4111  1111 1111 1111"},
		{"call 4111 1111 1111 1111 5", "call 4111 1111 1111 1111 5"},
		{"", ""},
		{"żółć 4111 1111 1111 1111 ✓", "żółć •••• •••• •••• 1111 ✓"},
	} {
		if got := parley.MaskCards(tc.in); got != tc.want {
			t.Errorf("MaskCards(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCheckTextMasksCards: every message text goes through CheckText, on
// the client and on the server, so a card never reaches the store.
func TestCheckTextMasksCards(t *testing.T) {
	got, err := parley.DefaultLimits.CheckText("  card 4111 1111 1111 1111  ")
	if err != nil || got != "card •••• •••• •••• 1111" {
		t.Errorf("CheckText = %q, %v", got, err)
	}
}

func FuzzMaskCards(f *testing.F) {
	f.Add("4111 1111 1111 1111")
	f.Add("a1-2 3")
	f.Fuzz(func(t *testing.T, s string) {
		got := parley.MaskCards(s)
		if parley.MaskCards(got) != got {
			t.Errorf("masking %q twice changes it: %q", s, got)
		}
	})
}
