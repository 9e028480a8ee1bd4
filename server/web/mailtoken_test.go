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
	l, ok := s.ResumeLink(rt)
	if !ok || l.Conv != 7 || l.Visitor != 9 || !l.Expires.Equal(exp) || len(l.MAC) != 16 {
		t.Fatalf("ResumeLink = %+v, %v", l, ok)
	}
	if len(rt) > maxResumeToken {
		t.Errorf("resume token %q: longer than maxResumeToken %d", rt, maxResumeToken)
	}
	if l2, _ := s.ResumeLink(s.ResumeToken(7, 9, exp.Add(time.Second))); string(l2.MAC) == string(l.MAC) {
		t.Error("two expiries share a MAC")
	}
	if _, ok := other.ResumeLink(rt); ok {
		t.Error("another install's key accepts the resume token")
	}
	if _, ok := s.ResumeLink(tok); ok {
		t.Error("a reply token passes as a resume token")
	}
}
