package main

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/server/outbox"
)

// TestMailWorkersFlag: how many mails go out at once is configurable, by
// flag or environment, from 1 to 64; anything else stops the start.
func TestMailWorkersFlag(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      []string
		env       map[string]string
		want      int
		wantError bool
	}{
		{"default", nil, nil, outbox.DefaultConcurrency, false},
		{"flag", []string{"-mail-workers", "16"}, nil, 16, false},
		{"environment", nil, map[string]string{"PARLEY_MAIL_WORKERS": "8"}, 8, false},
		{"flag over environment", []string{"-mail-workers", "2"}, map[string]string{"PARLEY_MAIL_WORKERS": "8"}, 2, false},
		{"one", []string{"-mail-workers", "1"}, nil, 1, false},
		{"the most", []string{"-mail-workers", "64"}, nil, 64, false},
		{"zero", []string{"-mail-workers", "0"}, nil, 0, true},
		{"negative", []string{"-mail-workers", "-4"}, nil, 0, true},
		{"too many", []string{"-mail-workers", "65"}, nil, 0, true},
		{"not a number", nil, map[string]string{"PARLEY_MAIL_WORKERS": "many"}, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(t, tt.args, tt.env)
			if tt.wantError {
				if err == nil || !strings.Contains(err.Error(), "-mail-workers (PARLEY_MAIL_WORKERS) must be a whole number from 1 to 64") {
					t.Errorf("got %d, %v; want an error naming -mail-workers and its range", c.MailWorkers, err)
				}
				return
			}
			if err != nil || c.MailWorkers != tt.want {
				t.Errorf("got %d, %v; want %d", c.MailWorkers, err, tt.want)
			}
		})
	}
}

// TestMailWorkersReachOutbox: the outbox runs as many mails at once as
// configured, and Close closes the SMTP sender's pool.
func TestMailWorkersReachOutbox(t *testing.T) {
	m := startMain(t, Config{SMTPURL: "smtp://shop:pw@127.0.0.1:2587", MailFrom: "chat@shop.test", MailWorkers: 7})
	if got := m.outbox.Concurrency; got != 7 {
		t.Errorf("outbox concurrency %d, want 7", got)
	}
	if m.smtp == nil {
		t.Fatal("no SMTP sender kept for Close")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if m.smtp != nil {
		t.Error("Close left the SMTP sender")
	}
}
