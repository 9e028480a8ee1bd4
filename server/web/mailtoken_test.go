package web

import (
	"testing"
	"time"
)

func TestMailTokens(t *testing.T) {
	s := tokenSigner{key: []byte("0123456789abcdef0123456789abcdef")}
	other := tokenSigner{key: []byte("another key, another install....")}
	tok := s.ReplyToken(42)
	if conv, ok := s.ReplyConv(tok); !ok || conv != 42 {
		t.Fatalf("ReplyConv(%q) = %d, %v", tok, conv, ok)
	}
	if len(tok) < 16 || len(tok) > 100 {
		t.Errorf("token %q: want 16–100 characters for the reply address", tok)
	}
	for _, bad := range []string{"", "x", tok[:len(tok)-1], tok + "A", other.ReplyToken(42), s.ReplyToken(43)[:11] + tok[11:]} {
		if conv, ok := s.ReplyConv(bad); ok && bad != tok {
			t.Errorf("forged reply token %q accepted as %d", bad, conv)
		}
	}
	exp := time.Unix(1796000000, 0)
	rt := s.ResumeToken(7, 9, exp)
	if c, v, e, ok := s.ResumeTarget(rt); !ok || c != 7 || v != 9 || !e.Equal(exp) {
		t.Fatalf("ResumeTarget = %d %d %v %v", c, v, e, ok)
	}
	if _, _, _, ok := other.ResumeTarget(rt); ok {
		t.Error("another install's key accepts the resume token")
	}
	if _, _, _, ok := s.ResumeTarget(tok); ok {
		t.Error("a reply token passes as a resume token")
	}
}
