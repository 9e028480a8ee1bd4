package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/parley"
)

// The operator's commands, offline and through a running server's admin
// socket, and what disabling an agent or setting its password does to
// its logins and websockets.

// cliStdin runs a parley subcommand with stdin as its standard input.
func cliStdin(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &out)
	return out.String(), err
}

// operator runs the CLI on one data directory.
type operator struct {
	t   *testing.T
	dir string
}

// ok runs a command that must succeed; a password, if given, goes to
// -password-stdin.
func (o operator) ok(pw string, args ...string) string {
	o.t.Helper()
	if pw != "" {
		args = append(args, "-password-stdin")
	}
	out, err := cliStdin(o.t, pw+"\n", append(args, "-data", o.dir)...)
	if err != nil {
		o.t.Fatalf("parley %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// fails runs a command that must fail with an error containing want.
func (o operator) fails(want string, args ...string) {
	o.t.Helper()
	out, err := cliStdin(o.t, "", append(args, "-data", o.dir)...)
	if err == nil {
		o.t.Errorf("parley %s succeeded, want an error with %q:\n%s", strings.Join(args, " "), want, out)
		return
	}
	if !strings.Contains(err.Error(), want) {
		o.t.Errorf("parley %s: error %q, want one with %q", strings.Join(args, " "), err, want)
	}
}

// startParley runs Parley on 127.0.0.1:0 over dir until the test ends.
func startParley(t *testing.T, dir string) *Main {
	t.Helper()
	logs := &lockedBuffer{}
	m := NewMain()
	m.Stdout = io.Discard
	m.Logger = slog.New(slog.NewTextHandler(logs, nil))
	m.Config = Config{Addr: "127.0.0.1:0", DataDir: dir}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatalf("starting Parley: %v\n%s", err, logs)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("closing Parley: %v", err)
		}
		if t.Failed() {
			t.Logf("Parley's log:\n%s", logs)
		}
	})
	return m
}

// login posts to /api/login and returns the status, the error message if
// any, and the header carrying the session cookie.
func login(t *testing.T, base, email, pw string) (int, string, http.Header) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	defer resp.Body.Close()
	var e struct {
		Error string `json:"error"`
	}
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &e)
	h := http.Header{}
	for _, c := range resp.Cookies() {
		if c.Name == "parley_session" {
			h.Set("Cookie", c.Name+"="+c.Value)
		}
	}
	msg := e.Error
	if msg == "" && resp.StatusCode != http.StatusOK {
		msg = string(b)
	}
	return resp.StatusCode, msg, h
}

// mustLogin logs in or fails the test.
func mustLogin(t *testing.T, base, email, pw string) http.Header {
	t.Helper()
	status, msg, h := login(t, base, email, pw)
	if status != http.StatusOK || len(h) == 0 {
		t.Fatalf("login %s: %d %s", email, status, msg)
	}
	return h
}

// agentSocket opens an agent's websocket with the session cookie and
// waits for its welcome.
func agentSocket(t *testing.T, m *Main, cookie http.Header) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+m.Server.Addr()+"/ws", &websocket.DialOptions{HTTPHeader: cookie})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	ws.SetReadLimit(1 << 20)
	if err := faultWrite(ctx, ws, faultAgentHello()); err != nil {
		t.Fatalf("hello: %v", err)
	}
	f, err := faultRead(ctx, ws)
	if err != nil || f.Type != parley.TypeWelcome {
		t.Fatalf("after hello: %+v, %v; want a welcome", f, err)
	}
	return ws
}

// wantSessionEnded reads ws until it closes, which must be with 4001
// within a few seconds.
func wantSessionEnded(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, _, err := ws.Read(ctx)
		if err == nil {
			continue
		}
		if got := websocket.CloseStatus(err); got != 4001 {
			t.Fatalf("socket ended with %v (status %d), want 4001 session ended", err, got)
		}
		return
	}
}

// TestAgentCommands runs every command on a data directory with no
// server, then with a server running, through its admin socket.
func TestAgentCommands(t *testing.T) {
	for _, online := range []bool{false, true} {
		name := "offline"
		if online {
			name = "online"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			op := operator{t, dir}
			var m *Main
			if online {
				m = startParley(t, dir)
			}
			if out := op.ok("boss-password", "admin", "add", "-email", "Boss@Shop.example", "-name", "Boss"); out != "Created admin boss@shop.example (id 1), owner of: none yet.\n" {
				t.Errorf("admin add: %q", out)
			}
			if out := op.ok("", "site", "add", "-id", "north", "-name", "North", "-origin", "https://north.example", "-public-url", "https://chat.example"); !strings.Contains(out, "Created site north, owned by boss@shop.example.") || !strings.Contains(out, "https://chat.example/") {
				t.Errorf("site add: %q", out)
			}
			if out := op.ok("ann-password", "agent", "add", "-email", "ann@shop.example", "-name", "Ann", "-site", "north"); out != "Created agent ann@shop.example (id 2), agent of: north.\n" {
				t.Errorf("agent add: %q", out)
			}
			out := op.ok("", "agent", "add", "-email", "cy@shop.example", "-name", "Cy", "-role", "admin")
			if !strings.HasPrefix(out, "Created admin cy@shop.example (id 3), owner of: north.\nPassword: ") {
				t.Errorf("agent add -role admin, password generated: %q", out)
			}

			list := op.ok("", "agent", "list")
			for _, want := range []string{
				"EMAIL", "SITES",
				"boss@shop.example  Boss  admin  active  north (owner)",
				"ann@shop.example   Ann   agent  active  north (agent)",
				"cy@shop.example    Cy    admin  active  north (owner)",
			} {
				if !strings.Contains(list, want) {
					t.Errorf("agent list lacks %q:\n%s", want, list)
				}
			}

			// Bad input is told clearly and changes nothing.
			op.fails("No agent has the email nobody@shop.example", "agent", "disable", "-email", "nobody@shop.example")
			op.fails("No agent has the email nobody@shop.example", "agent", "enable", "-email", "nobody@shop.example")
			op.fails("No agent has the email nobody@shop.example", "agent", "passwd", "-email", "nobody@shop.example")
			op.fails("-email is required", "agent", "disable")
			op.fails("-email is required", "agent", "passwd")
			op.fails("-email and -name are required", "agent", "add", "-email", "x@shop.example")
			op.fails("-email and -name are required", "admin", "add", "-name", "X")
			op.fails("-role must be admin or agent", "agent", "add", "-email", "x@shop.example", "-name", "X", "-role", "boss")
			op.fails(`Site "nowhere" not found`, "agent", "add", "-email", "x@shop.example", "-name", "X", "-site", "nowhere")
			op.fails("already exists", "agent", "add", "-email", "ann@shop.example", "-name", "Ann again")
			op.fails("-owner nobody@shop.example", "site", "add", "-id", "west", "-name", "W", "-origin", "https://w.example", "-owner", "nobody@shop.example")
			op.fails("-id is required", "site", "add", "-name", "W", "-origin", "https://w.example")
			op.fails("parley agent list", "agent", "frobnicate")
			if again := op.ok("", "agent", "list"); again != list {
				t.Errorf("the refused commands changed the agents:\n%s\nwas:\n%s", again, list)
			}
			op.ok("", "site", "add", "-id", "west", "-name", "W", "-origin", "https://w.example") // not made by the refused one

			if out := op.ok("", "agent", "disable", "-email", "ANN@shop.example"); out != "Disabled ann@shop.example: it cannot log in; 0 sessions ended.\n" {
				t.Errorf("agent disable: %q", out)
			}
			if list := op.ok("", "agent", "list"); !strings.Contains(list, "ann@shop.example   Ann   agent  disabled  north (agent)") {
				t.Errorf("agent list after disable:\n%s", list)
			}
			if out := op.ok("", "agent", "enable", "-email", "ann@shop.example"); out != "Enabled ann@shop.example: it can log in again.\n" {
				t.Errorf("agent enable: %q", out)
			}
			if list := op.ok("", "agent", "list"); !strings.Contains(list, "ann@shop.example   Ann   agent  active  north (agent)") {
				t.Errorf("agent list after enable:\n%s", list)
			}
			if out := op.ok("ann-new-password", "agent", "passwd", "-email", "ann@shop.example"); out != "Changed the password of ann@shop.example; 0 sessions ended.\n" {
				t.Errorf("agent passwd: %q", out)
			}
			if out := op.ok("", "agent", "passwd", "-email", "cy@shop.example"); !strings.Contains(out, "\nPassword: ") {
				t.Errorf("agent passwd, password generated: %q", out)
			}

			if online {
				// The running server holds the file: what happened went
				// through it.
				if status, msg, _ := login(t, m.Server.URL(), "ann@shop.example", "ann-password"); status != http.StatusUnauthorized {
					t.Errorf("old password: %d %s, want 401", status, msg)
				}
				mustLogin(t, m.Server.URL(), "ann@shop.example", "ann-new-password")
				return
			}
			db, err := openStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, hash, err := db.AgentByEmail("ann@shop.example"); err != nil || len(hash) == 0 {
				t.Errorf("ann: %v", err)
			}
			if sites, _ := db.Sites(); len(sites) != 2 {
				t.Errorf("%d sites, want north and west", len(sites))
			}
		})
	}
}

// TestAgentDisableEndsSockets: disabling an agent closes its websockets
// at once and its logins then fail as a wrong password does; enabling
// lets it in again; a new password closes its sockets too and the old
// one stops working.
func TestAgentDisableEndsSockets(t *testing.T) {
	dir := t.TempDir()
	m := startParley(t, dir)
	op := operator{t, dir}
	base := m.Server.URL()
	op.ok("boss-password", "admin", "add", "-email", "boss@shop.example", "-name", "Boss")
	op.ok("", "site", "add", "-id", "north", "-name", "North", "-origin", "https://north.example")
	op.ok("ann-password", "agent", "add", "-email", "ann@shop.example", "-name", "Ann")

	ws := agentSocket(t, m, mustLogin(t, base, "ann@shop.example", "ann-password"))
	ws2 := agentSocket(t, m, mustLogin(t, base, "ann@shop.example", "ann-password"))
	boss := agentSocket(t, m, mustLogin(t, base, "boss@shop.example", "boss-password"))
	if out := op.ok("", "agent", "disable", "-email", "ann@shop.example"); !strings.Contains(out, "2 sessions ended") {
		t.Errorf("agent disable: %q", out)
	}
	wantSessionEnded(t, ws)
	wantSessionEnded(t, ws2)

	_, wrong, _ := login(t, base, "ann@shop.example", "not-her-password")
	status, msg, h := login(t, base, "ann@shop.example", "ann-password")
	if status != http.StatusUnauthorized || msg != wrong || len(h) != 0 {
		t.Errorf("disabled agent's login: %d %q, cookie %v; want 401 %q as for a wrong password", status, msg, h, wrong)
	}

	// Boss's socket was not touched: it still answers a ping (the reader
	// is what receives the pong).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		for {
			if _, _, err := boss.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	if err := boss.Ping(ctx); err != nil {
		t.Errorf("boss's socket after ann was disabled: %v", err)
	}

	op.ok("", "agent", "enable", "-email", "ann@shop.example")
	ws = agentSocket(t, m, mustLogin(t, base, "ann@shop.example", "ann-password"))
	if out := op.ok("ann-new-password", "agent", "passwd", "-email", "ann@shop.example"); !strings.Contains(out, "1 session ended") {
		t.Errorf("agent passwd: %q", out)
	}
	wantSessionEnded(t, ws)
	if status, msg, _ := login(t, base, "ann@shop.example", "ann-password"); status != http.StatusUnauthorized || msg != wrong {
		t.Errorf("old password after passwd: %d %q, want 401 %q", status, msg, wrong)
	}
	mustLogin(t, base, "ann@shop.example", "ann-new-password")
}

// TestAdminSocketFile: the socket is 0600 while the server runs and gone
// after; a socket file left by a dead server does not stop the next one.
func TestAdminSocketFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, adminSocketName)

	// A stale socket: bound, then abandoned as a killed server leaves it.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the stale socket is not there: %v", err)
	}

	m := startParley(t, dir)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("admin socket: %v", err)
	}
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin socket mode %v, want a socket with 0600", fi.Mode())
	}
	op := operator{t, dir}
	if out := op.ok("", "agent", "list"); out != "No agents yet.\n" {
		t.Errorf("agent list: %q", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("data directory holds %v, want parley.db, admin.sock and the search index", names)
	}

	// A request the socket cannot read is answered with an error.
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("not json\n"))
	var resp opResponse
	if err := json.NewDecoder(c).Decode(&resp); err != nil || !strings.Contains(resp.Error, "reading the request") {
		t.Errorf("garbage request: %+v, %v", resp, err)
	}
	c.Close()

	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("admin socket after Close: %v, want it removed", err)
	}
	// With the server gone, the CLI opens the file itself.
	op.ok("boss-password", "admin", "add", "-email", "boss@shop.example", "-name", "Boss")
}

// TestAdminSocketAfterKill: the real binary, killed with SIGKILL, leaves
// its socket file behind; the next start replaces it and the CLI binary
// works through it.
func TestAdminSocketAfterKill(t *testing.T) {
	s := newFaultServer(t)
	s.cli("agent", "add", "-email", "bo@shop.example", "-name", "Bo", "-data", s.dir)
	s.kill()
	if _, err := os.Stat(filepath.Join(s.dir, adminSocketName)); err != nil {
		t.Fatalf("after SIGKILL the socket file is gone (%v): the test shows nothing", err)
	}
	s.start()
	s.cli("agent", "disable", "-email", "bo@shop.example", "-data", s.dir)
	s.cli("agent", "list", "-data", s.dir)
}
