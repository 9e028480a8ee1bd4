package parley

import (
	"strings"
	"testing"
)

func TestTranslationsValidate(t *testing.T) {
	got, err := Translations{"pl": " Cześć ", "de": "  ", "en": "Hi"}.Validate("Welcome text", 10)
	if err != nil || len(got) != 2 || got["pl"] != "Cześć" || got["en"] != "Hi" {
		t.Errorf("Validate = %v, %v; want trimmed, the empty one dropped", got, err)
	}
	if got, err := (Translations{"pl": ""}).Validate("x", 10); err != nil || got != nil {
		t.Errorf("only empty ones: %v, %v; want nil", got, err)
	}
	for _, bad := range []struct {
		t    Translations
		code string
	}{
		{Translations{"xx": "a"}, EInvalid},
		{Translations{"PL": "a"}, EInvalid},
		{Translations{"pl": strings.Repeat("ą", 11)}, ETooLarge},
		{Translations{"pl": "\xff"}, EInvalid},
	} {
		if _, err := bad.t.Validate("Welcome text", 10); ErrorCode(err) != bad.code || !strings.Contains(ErrorMessage(err), "Welcome text") {
			t.Errorf("%q: %v, want %s naming the text", bad.t, err, bad.code)
		}
	}
	if s := (Translations{"pl": "Cześć"}).In("pl", "Hi"); s != "Cześć" {
		t.Errorf("In(pl) = %q", s)
	}
	if s := (Translations(nil)).In("pl", "Hi"); s != "Hi" {
		t.Errorf("In(nil) = %q", s)
	}
}
