package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// startMain runs a Parley with cfg on loopback, closed at cleanup.
func startMain(tb testing.TB, cfg Config) *Main {
	tb.Helper()
	m := NewMain()
	m.Stdout = io.Discard
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = tb.TempDir()
	cfg.NoSync = true
	m.Config = cfg
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatalf("Run: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return m
}

// get fetches url and returns its status and body.
func get(tb testing.TB, url string) (int, []byte, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func TestDebugListener(t *testing.T) {
	if m := startMain(t, Config{}); m.DebugURL != "" {
		t.Errorf("debug listener on %s without -debug-addr: want it off by default", m.DebugURL)
	}

	m := startMain(t, Config{DebugAddr: "127.0.0.1:0"})
	if m.DebugURL == "" || m.DebugURL == m.Server.URL() {
		t.Fatalf("DebugURL %q, Parley at %q: want a listener of its own", m.DebugURL, m.Server.URL())
	}
	status, body, err := get(t, m.DebugURL+"/debug/stats?gc=1")
	if err != nil || status != http.StatusOK {
		t.Fatalf("/debug/stats: %d %v", status, err)
	}
	var st map[string]float64
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("/debug/stats: %v: %s", err, body)
	}
	if st["goroutines"] == 0 || st["heapAlloc"] == 0 || st["numGC"] == 0 {
		t.Errorf("/debug/stats = %s: want the runtime's figures, after a collection", body)
	}
	if status, _, err := get(t, m.DebugURL+"/debug/pprof/goroutine?debug=1"); err != nil || status != http.StatusOK {
		t.Errorf("/debug/pprof/goroutine: %d %v", status, err)
	}
	if status, _, err := get(t, m.Server.URL()+"/debug/stats"); err != nil || status != http.StatusNotFound {
		t.Errorf("public /debug/stats: %d %v, want %d", status, err, http.StatusNotFound)
	}

	url := m.DebugURL
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := get(t, url+"/debug/stats"); err == nil {
		t.Error("the debug listener still answers after Close")
	}
}

func TestSendLimitFlags(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      []string
		env       map[string]string
		rate      float64
		burst     int
		wantError bool
	}{
		{"defaults", nil, nil, parley.DefaultLimits.SendPerSecond, parley.DefaultLimits.SendBurst, false},
		{"flags", []string{"-send-rate", "2.5", "-send-burst", "7"}, nil, 2.5, 7, false},
		{"environment", nil, map[string]string{"PARLEY_SEND_RATE": "1000", "PARLEY_SEND_BURST": "500"}, 1000, 500, false},
		{"flag over environment", []string{"-send-rate", "3"}, map[string]string{"PARLEY_SEND_RATE": "1000"}, 3, parley.DefaultLimits.SendBurst, false},
		{"zero rate", []string{"-send-rate", "0"}, nil, 0, 0, true},
		{"negative burst", []string{"-send-burst", "-1"}, nil, 0, 0, true},
		{"infinite rate", []string{"-send-rate", "+Inf"}, nil, 0, 0, true},
		{"rate not a number", nil, map[string]string{"PARLEY_SEND_RATE": "fast"}, 0, 0, true},
		{"burst not a number", nil, map[string]string{"PARLEY_SEND_BURST": "lots"}, 0, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(t, tt.args, tt.env)
			if tt.wantError {
				if err == nil {
					t.Errorf("got rate %v burst %d, want an error", c.SendRate, c.SendBurst)
				}
				return
			}
			if err != nil || c.SendRate != tt.rate || c.SendBurst != tt.burst {
				t.Errorf("got rate %v burst %d (%v), want %v and %d", c.SendRate, c.SendBurst, err, tt.rate, tt.burst)
			}
		})
	}
}

// TestSendLimitsReachClients: the configured rate is what the server
// announces and enforces; the other limits keep their defaults.
func TestSendLimitsReachClients(t *testing.T) {
	m := startMain(t, Config{Demo: true, SendRate: 0.01, SendBurst: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(m.Server.URL(), "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	write := func(f parley.Frame) {
		t.Helper()
		if err := ws.Write(ctx, websocket.MessageText, f.Encode()); err != nil {
			t.Fatal(err)
		}
	}
	read := func() parley.Frame {
		t.Helper()
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parley.DecodeFrame(b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	write(parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: "demo"})
	w := read()
	want := parley.DefaultLimits
	want.SendPerSecond, want.SendBurst = 0.01, 2
	if w.Type != parley.TypeWelcome || w.Limits == nil || *w.Limits != want {
		t.Fatalf("welcome %+v with limits %+v, want limits %+v", w, w.Limits, want)
	}
	// Three sends at once: the burst of two passes, the third is refused.
	for _, id := range []string{"m-1", "m-2", "m-3"} {
		// The demo's pre-chat form asks for a topic.
		write(parley.Frame{Type: parley.TypeSend, ID: id, Text: "hello", Topic: "product-question"})
	}
	acked, limited := 0, 0
	for acked+limited < 3 {
		switch f := read(); {
		case f.Type == parley.TypeAck:
			acked++
		case f.Type == parley.TypeError && f.Code == parley.ERateLimited:
			limited++
		case f.Type == parley.TypeError:
			t.Fatalf("unexpected error %+v", f)
		}
	}
	if acked != 2 || limited != 1 {
		t.Errorf("acked %d, rate limited %d: want 2 and 1", acked, limited)
	}
}

// parseConfig parses args with env set, as main does, and checks the flags.
func parseConfig(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var c Config
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	err := fs.Parse(args)
	if err == nil {
		err = c.checkFlags()
	}
	return c, err
}

// TestPresenceFlags: the presence grace and the idle time are configurable,
// by flag or environment, and nonsense stops the start.
func TestPresenceFlags(t *testing.T) {
	c, err := parseConfig(t, []string{"-presence-grace", "45s"}, map[string]string{"PARLEY_IDLE_AWAY": "10m"})
	if err != nil || c.PresenceGrace != 45*time.Second || c.IdleAway != 10*time.Minute {
		t.Fatalf("got grace %v idle %v, %v", c.PresenceGrace, c.IdleAway, err)
	}
	if l, err := c.limits(); err != nil || l.IdleAwaySeconds != 600 {
		t.Errorf("limits: %+v, %v; want idleAwaySeconds 600 for the consoles", l, err)
	}
	for _, args := range [][]string{{"-presence-grace", "0s"}, {"-presence-grace", "2h"}, {"-idle-away", "10s"}} {
		if _, err := parseConfig(t, args, nil); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	if _, err := parseConfig(t, nil, map[string]string{"PARLEY_IDLE_AWAY": "soon"}); err == nil {
		t.Errorf("PARLEY_IDLE_AWAY=soon accepted")
	}
}

// TestPoWFlag: proof of work starts at 600 new visitors a minute unless
// told otherwise; 0 turns it off, by flag or environment; nonsense stops
// the start.
func TestPoWFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want int
	}{
		{nil, nil, 600},
		{[]string{"-pow-above-per-minute", "120"}, nil, 120},
		{[]string{"-pow-above-per-minute", "0"}, nil, -1},
		{nil, map[string]string{"PARLEY_POW_ABOVE_PER_MINUTE": "0"}, -1},
		{[]string{"-pow-above-per-minute", "900"}, map[string]string{"PARLEY_POW_ABOVE_PER_MINUTE": "0"}, 900},
	} {
		c, err := parseConfig(t, tt.args, tt.env)
		if err != nil || c.PoWAbovePerMinute != tt.want {
			t.Errorf("%v %v: got %d, %v; want %d", tt.args, tt.env, c.PoWAbovePerMinute, err, tt.want)
		}
	}
	for _, tt := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"-pow-above-per-minute", "-5"}, nil},
		{[]string{"-pow-above-per-minute", "lots"}, nil},
		{nil, map[string]string{"PARLEY_POW_ABOVE_PER_MINUTE": "lots"}},
	} {
		if _, err := parseConfig(t, tt.args, tt.env); err == nil || !strings.Contains(err.Error(), "0 for never") {
			t.Errorf("%v %v: got %v, want an error saying what it takes", tt.args, tt.env, err)
		}
	}
}
