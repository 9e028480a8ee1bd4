package ui_test

import (
	"testing"

	"github.com/parley-chat/parley/app/ui"
)

func TestCompletionQuery(t *testing.T) {
	for _, tt := range []struct {
		text, query string
		ok          bool
	}{
		{"/", "", true},
		{"/ret", "ret", true},
		{"/return-policy", "return-policy", true},
		{"", "", false},
		{"ret", "", false},
		{" /ret", "", false},
		{"/ret ", "", false},
		{"/ret\n", "", false},
		{"hello /ret", "", false},
	} {
		q, ok := ui.CompletionQuery(tt.text)
		if q != tt.query || ok != tt.ok {
			t.Errorf("CompletionQuery(%q) = %q, %v; want %q, %v", tt.text, q, ok, tt.query, tt.ok)
		}
	}
}
