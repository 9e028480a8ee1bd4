package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTrustedProxiesFlag(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      []string
		env       map[string]string
		want      string
		wantError bool
	}{
		{"default none", nil, nil, "", false},
		{"flag", []string{"-trusted-proxies", "10.0.0.0/8,fd00::/8"}, nil, "10.0.0.0/8,fd00::/8", false},
		{"environment", nil, map[string]string{"PARLEY_TRUSTED_PROXIES": "192.168.0.0/16"}, "192.168.0.0/16", false},
		{"flag over environment", []string{"-trusted-proxies", "127.0.0.1"}, map[string]string{"PARLEY_TRUSTED_PROXIES": "192.168.0.0/16"}, "127.0.0.1", false},
		{"prefix too long", []string{"-trusted-proxies", "10.0.0.0/33"}, nil, "", true},
		{"not an address", []string{"-trusted-proxies", "proxy.internal"}, nil, "", true},
		{"one bad of two", nil, map[string]string{"PARLEY_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::/200"}, "", true},
		{"semicolons", []string{"-trusted-proxies", "10.0.0.0/8;fd00::/8"}, nil, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(t, tt.args, tt.env)
			if tt.wantError {
				if err == nil || !strings.Contains(err.Error(), "-trusted-proxies") {
					t.Errorf("got %q, %v; want an error naming -trusted-proxies", c.TrustedProxies, err)
				}
				return
			}
			if err != nil || c.TrustedProxies != tt.want {
				t.Errorf("got %q, %v; want %q", c.TrustedProxies, err, tt.want)
			}
		})
	}
}

// TestRunRefusesBadTrustedProxies: parley does not start with a list it
// cannot read, and says why.
func TestRunRefusesBadTrustedProxies(t *testing.T) {
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-trusted-proxies", "10.0.0.0/8,not-a-cidr"}, strings.NewReader(""), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), `"not-a-cidr"`) {
		t.Fatalf("run = %v, want an error naming the bad entry", err)
	}
}

// TestTrustedProxiesReachLogin: with the flag set, clients behind the
// proxy are throttled by their forwarded address, one apart from another.
func TestTrustedProxiesReachLogin(t *testing.T) {
	const pw = "trusted-proxy-test"
	m := startMain(t, Config{Demo: true, DemoPassword: pw, TrustedProxies: "127.0.0.0/8, ::1"})
	login := func(password, xff string) int {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"email": "demo@parley.local", "password": password})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", m.Server.URL()+"/api/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 6; i++ {
		if got := login(fmt.Sprintf("wrong %d", i), "203.0.113.1"); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, got)
		}
	}
	if got := login(pw, "203.0.113.1"); got != http.StatusTooManyRequests {
		t.Errorf("the guesser: %d, want 429", got)
	}
	if got := login(pw, "203.0.113.2"); got != http.StatusOK {
		t.Errorf("another client behind the proxy: %d, want 200", got)
	}
}
