package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Signed tokens for mail: a reply address names its conversation
// (reply+TOKEN@domain), a resume link its conversation and visitor until
// an expiry. Both are HMAC-SHA256 under the install's secret, so they
// cannot be guessed or altered, and need no table.

// tokenSigner signs and checks tokens.
type tokenSigner struct{ key []byte }

func (s tokenSigner) mac(kind string, body []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(kind))
	h.Write(body)
	return h.Sum(nil)[:16]
}

var b64 = base64.RawURLEncoding

// ReplyToken is the token of conv's reply address.
func (s tokenSigner) ReplyToken(conv uint64) string {
	body := binary.BigEndian.AppendUint64(nil, conv)
	return b64.EncodeToString(append(body, s.mac("reply", body)...))
}

// ReplyConv is the conversation of a reply token, false for a forged or
// malformed one.
func (s tokenSigner) ReplyConv(token string) (uint64, bool) {
	b, err := b64.DecodeString(token)
	if err != nil || len(b) != 8+16 || !hmac.Equal(b[8:], s.mac("reply", b[:8])) {
		return 0, false
	}
	return binary.BigEndian.Uint64(b[:8]), true
}

// ResumeToken is the token of a resume link to conv for visitor, good
// until expires.
func (s tokenSigner) ResumeToken(conv, visitor uint64, expires time.Time) string {
	body := binary.BigEndian.AppendUint64(nil, conv)
	body = binary.BigEndian.AppendUint64(body, visitor)
	body = binary.BigEndian.AppendUint64(body, uint64(expires.Unix()))
	return b64.EncodeToString(append(body, s.mac("resume", body)...))
}

// resumeLink is what a resume token says.
type resumeLink struct {
	Conv, Visitor uint64
	Expires       time.Time
	// MAC is its signature: what tells this link from every other one.
	MAC []byte
}

// ResumeLink reads a resume token; ok is false for a forged or malformed
// one (an expired one is ok, with its expiry in the past: the caller
// says it expired).
func (s tokenSigner) ResumeLink(token string) (link resumeLink, ok bool) {
	b, err := b64.DecodeString(token)
	if err != nil || len(b) != 24+16 || !hmac.Equal(b[24:], s.mac("resume", b[:24])) {
		return resumeLink{}, false
	}
	return resumeLink{
		Conv:    binary.BigEndian.Uint64(b[:8]),
		Visitor: binary.BigEndian.Uint64(b[8:16]),
		Expires: time.Unix(int64(binary.BigEndian.Uint64(b[16:24])), 0),
		MAC:     b[24:],
	}, true
}
