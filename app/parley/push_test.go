package parley_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestPushSubscriptionCheck(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	point := append([]byte{4}, make([]byte, 64)...)
	ok := parley.PushSubscription{Endpoint: "https://fcm.googleapis.com/fcm/send/abc",
		Keys: parley.PushKeys{P256dh: b64(point), Auth: b64(make([]byte, 16))}}
	for _, tc := range []struct {
		name     string
		edit     func(*parley.PushSubscription)
		loopback bool
		want     string // "" for valid, else the error code
	}{
		{"valid", func(*parley.PushSubscription) {}, false, ""},
		{"padded base64", func(s *parley.PushSubscription) { s.Keys.Auth = base64.URLEncoding.EncodeToString(make([]byte, 16)) }, false, ""},
		{"http loopback allowed", func(s *parley.PushSubscription) { s.Endpoint = "http://127.0.0.1:8080/p" }, true, ""},
		{"http loopback by default", func(s *parley.PushSubscription) { s.Endpoint = "http://127.0.0.1:8080/p" }, false, parley.EInvalid},
		{"http elsewhere", func(s *parley.PushSubscription) { s.Endpoint = "http://push.example/p" }, true, parley.EInvalid},
		{"no endpoint", func(s *parley.PushSubscription) { s.Endpoint = "" }, false, parley.EInvalid},
		{"no host", func(s *parley.PushSubscription) { s.Endpoint = "https:///p" }, false, parley.EInvalid},
		{"credentials", func(s *parley.PushSubscription) { s.Endpoint = "https://u:p@push.example/p" }, false, parley.EInvalid},
		{"too long", func(s *parley.PushSubscription) {
			s.Endpoint = "https://push.example/" + strings.Repeat("a", parley.MaxPushEndpoint)
		}, false, parley.ETooLarge},
		{"compressed point", func(s *parley.PushSubscription) { s.Keys.P256dh = b64(append([]byte{2}, make([]byte, 32)...)) }, false, parley.EInvalid},
		{"auth of 8 bytes", func(s *parley.PushSubscription) { s.Keys.Auth = b64(make([]byte, 8)) }, false, parley.EInvalid},
		{"standard base64", func(s *parley.PushSubscription) { s.Keys.P256dh = "+/" + s.Keys.P256dh[2:] }, false, parley.EInvalid},
	} {
		s := ok
		tc.edit(&s)
		err := s.Check(tc.loopback)
		if got := parley.ErrorCode(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("%s: got %v (%q), want %q", tc.name, err, got, tc.want)
		}
	}
}
