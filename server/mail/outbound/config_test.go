package outbound_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/server/mail/outbound"
)

func TestParseSMTPURL(t *testing.T) {
	good := []struct {
		raw, scheme, host, user, pass string
	}{
		{"smtp://shop:s3cr3t@mail.example.com", "smtp", "mail.example.com:587", "shop", "s3cr3t"},
		{"smtps://shop:s3cr3t@mail.example.com", "smtps", "mail.example.com:465", "shop", "s3cr3t"},
		{"smtp://mail.example.com:2525", "smtp", "mail.example.com:2525", "", ""},
		{"SMTPS://shop:s3cr3t@mail.example.com:465/", "smtps", "mail.example.com:465", "shop", "s3cr3t"},
		{"smtp://shop%40example.com:p%40ss%3Aw%2Frd@[::1]:587", "smtp", "[::1]:587", "shop@example.com", "p@ss:w/rd"},
	}
	for _, tt := range good {
		u, err := outbound.ParseSMTPURL(tt.raw)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		pass, _ := u.User.Password()
		if u.Scheme != tt.scheme || u.Host != tt.host || u.User.Username() != tt.user || pass != tt.pass {
			t.Errorf("%s: got %s %s %q %q, want %s %s %q %q", tt.raw,
				u.Scheme, u.Host, u.User.Username(), pass, tt.scheme, tt.host, tt.user, tt.pass)
		}
	}

	bad := []string{
		"",
		"mail.example.com:587",
		"shop:s3cr3t@mail.example.com",
		"http://shop:s3cr3t@mail.example.com",
		"smtp:shop:s3cr3t@mail.example.com",
		"smtp://",
		"smtp://shop:s3cr3t@",
		"smtp://shop:s3cr3t@:587",
		"smtp://shop:s3cr3t@mail.example.com:0",
		"smtp://shop:s3cr3t@mail.example.com:99999",
		"smtp://shop:s3cr3t@mail.example.com:smtp",
		"smtp://shop:s3cr3t@mail.example.com/inbox",
		"smtp://shop:s3cr3t@mail.example.com?tls=off",
		"smtp://shop:s3cr3t@mail.example.com?",
		"smtp://shop:s3cr3t@mail.example.com#x",
		"smtp://shop@mail.example.com",
		"smtp://shop:@mail.example.com",
		"smtp://:s3cr3t@mail.example.com",
		"smtp://shop:s3cr3t%zz@mail.example.com",
		"smtp://shop:s3cr3t@mail.example.com\x7f",
	}
	for _, raw := range bad {
		_, err := outbound.ParseSMTPURL(raw)
		if err == nil {
			t.Errorf("%q: accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%q: the error shows the password: %v", raw, err)
		}
	}
}
