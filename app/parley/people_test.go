package parley_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestSiteIDFromName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"Tea House", "tea-house"},
		{"  Northwind Coffee & Co. ", "northwind-coffee-co"},
		{"Café Ünïcode 2", "caf-n-code-2"},
		{"☕☕", ""},
		{strings.Repeat("ab ", 50), strings.Repeat("ab-", 21) + "a"}, // 64 bytes at most
	} {
		got := parley.SiteIDFromName(tt.name)
		if got != tt.want {
			t.Errorf("SiteIDFromName(%q) = %q, want %q", tt.name, got, tt.want)
		}
		if got != "" {
			if err := parley.CheckSiteID(got); err != nil {
				t.Errorf("SiteIDFromName(%q) = %q, which CheckSiteID refuses: %v", tt.name, got, err)
			}
		}
	}
}

func TestCheckNewAgent(t *testing.T) {
	for _, tt := range []struct {
		email, name string
		want        string // error code, "" for none
	}{
		{" Eve@Shop.Example ", " Eve ", ""},
		{"", "Eve", parley.EInvalid},
		{"eve", "Eve", parley.EInvalid},
		{"eve@", "Eve", parley.EInvalid},
		{"e ve@shop", "Eve", parley.EInvalid},
		{"a@b@c", "Eve", parley.EInvalid},
		{"eve@shop", "", parley.EInvalid},
		{"eve@shop", "Eve\x00", parley.EInvalid},
		{"eve@shop", strings.Repeat("é", 101), parley.ETooLarge},
		{strings.Repeat("e", 250) + "@shop", "Eve", parley.ETooLarge},
		{"eve@shop", "\xff", parley.EInvalid},
	} {
		email, name, err := parley.CheckNewAgent(tt.email, tt.name)
		if parley.ErrorCode(err) != tt.want && !(tt.want == "" && err == nil) {
			t.Errorf("CheckNewAgent(%q, %q) = %v, want %q", tt.email, tt.name, err, tt.want)
		}
		if tt.want == "" && (email != "eve@shop.example" || name != "Eve") {
			t.Errorf("CheckNewAgent(%q, %q) = %q, %q", tt.email, tt.name, email, name)
		}
	}
}
