package parley_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestTranslationsValidate(t *testing.T) {
	got, err := parley.Translations{"pl": " Cześć ", "de": "  ", "en": "Hi"}.Validate("Welcome text", 10)
	if err != nil || len(got) != 2 || got["pl"] != "Cześć" || got["en"] != "Hi" {
		t.Errorf("Validate = %v, %v; want trimmed, the empty one dropped", got, err)
	}
	if got, err := (parley.Translations{"pl": ""}).Validate("x", 10); err != nil || got != nil {
		t.Errorf("only empty ones: %v, %v; want nil", got, err)
	}
	for _, bad := range []struct {
		t    parley.Translations
		code string
	}{
		{parley.Translations{"xx": "a"}, parley.EInvalid},
		{parley.Translations{"PL": "a"}, parley.EInvalid},
		{parley.Translations{"pl": strings.Repeat("ą", 11)}, parley.ETooLarge},
		{parley.Translations{"pl": "\xff"}, parley.EInvalid},
	} {
		if _, err := bad.t.Validate("Welcome text", 10); parley.ErrorCode(err) != bad.code || !strings.Contains(parley.ErrorMessage(err), "Welcome text") {
			t.Errorf("%q: %v, want %s naming the text", bad.t, err, bad.code)
		}
	}
	if s := (parley.Translations{"pl": "Cześć"}).In("pl", "Hi"); s != "Cześć" {
		t.Errorf("In(pl) = %q", s)
	}
	if s := (parley.Translations(nil)).In("pl", "Hi"); s != "Hi" {
		t.Errorf("In(nil) = %q", s)
	}
}
