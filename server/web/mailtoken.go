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

// ResumeTarget reads a resume token: its conversation, visitor and
// expiry; ok is false for a forged or malformed one (an expired one is
// ok, with its expiry in the past: the caller says it expired).
func (s tokenSigner) ResumeTarget(token string) (conv, visitor uint64, expires time.Time, ok bool) {
	b, err := b64.DecodeString(token)
	if err != nil || len(b) != 24+16 || !hmac.Equal(b[24:], s.mac("resume", b[:24])) {
		return 0, 0, time.Time{}, false
	}
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16]), time.Unix(int64(binary.BigEndian.Uint64(b[16:24])), 0), true
}
