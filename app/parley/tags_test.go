package parley_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestApplyTags(t *testing.T) {
	for _, tt := range []struct {
		tags, add, remove []string
		want              string
		code              string
	}{
		{nil, []string{"VIP", " refund   Request ", "vip"}, nil, "[refund request vip]", ""},
		{[]string{"late", "vip"}, []string{"b2b"}, []string{"VIP", "unknown"}, "[b2b late]", ""},
		{[]string{"vip"}, nil, []string{"vip"}, "[]", ""},
		{nil, []string{"under_score-dash 42"}, nil, "[under_score-dash 42]", ""},
		{nil, []string{"vip!"}, nil, "", parley.EInvalid},
		{nil, []string{"émigré"}, nil, "", parley.EInvalid},
		{nil, []string{""}, nil, "", parley.EInvalid},
		{nil, nil, []string{"  "}, "", parley.EInvalid},
		{nil, []string{strings.Repeat("a", parley.MaxTagRunes)}, nil, "[" + strings.Repeat("a", parley.MaxTagRunes) + "]", ""},
		{nil, []string{strings.Repeat("a", parley.MaxTagRunes+1)}, nil, "", parley.ETooLarge},
	} {
		got, err := parley.ApplyTags(tt.tags, tt.add, tt.remove)
		if parley.ErrorCode(err) != tt.code || (err == nil && fmt.Sprint(got) != tt.want) {
			t.Errorf("ApplyTags(%q, +%q, -%q) = %q, %v; want %s %s", tt.tags, tt.add, tt.remove, got, err, tt.want, tt.code)
		}
	}
	full := make([]string, parley.MaxTags)
	for i := range full {
		full[i] = fmt.Sprint("t", i)
	}
	if _, err := parley.ApplyTags(full, []string{"one-more"}, nil); parley.ErrorCode(err) != parley.ETooLarge {
		t.Errorf("a 21st tag: %v", err)
	}
	if got, err := parley.ApplyTags(full, []string{"one-more"}, []string{"t0"}); err != nil || len(got) != parley.MaxTags {
		t.Errorf("a swap at the bound: %v, %v", got, err)
	}
	// A visitor's copy carries none.
	c := parley.Conversation{Tags: []string{"vip"}}
	if v := c.ForVisitor(); v.Tags != nil || !c.HasTag("vip") {
		t.Errorf("ForVisitor: %+v", v)
	}
}
