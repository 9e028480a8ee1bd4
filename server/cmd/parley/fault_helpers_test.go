//go:build unix

package main

// Helpers of the fault tests (fault_*_test.go): the real parley binary,
// built once per test process and run as a child process on loopback, set
// up with its own CLI; app/client clients that reconnect by themselves; raw
// websockets for clients that misbehave; and the checks that compare what
// clients saw with what the server stored.
//
// Identifiers here start with "fault" so they cannot collide with the
// browser tests' helpers in the same package.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/app/client"
	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/store"
)

const (
	// faultStep bounds one step of a fault test: a start, a login, a
	// handshake. Generous, since the machine also runs other packages'
	// tests and a reconnecting client may sit in its backoff.
	faultStep = 15 * time.Second
	// faultSiteID is the site every fault test creates.
	faultSiteID   = "shop"
	faultEmail    = "ann@shop.example"
	faultPassword = "fault-test-password"
)

// faultBinary builds server/cmd/parley once per test process. The binary
// goes to a fixed place in the user's cache directory (renamed into place,
// so a concurrent run keeps the file it started), not to a new temporary
// directory per run that nothing would remove.
var faultBinary = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not in a module")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "parley-fault-tests")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "build", "-o", filepath.Join(tmp, "parley"), "./server/cmd/parley")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./server/cmd/parley: %w\n%s", err, out)
	}
	bin := filepath.Join(dir, "parley")
	if err := os.Rename(filepath.Join(tmp, "parley"), bin); err != nil {
		return "", err
	}
	return bin, nil
})

// faultServer is the real parley binary serving one data directory on one
// loopback port, which stays the same across restarts.
type faultServer struct {
	tb   testing.TB
	bin  string
	dir  string
	addr string        // 127.0.0.1:PORT
	url  string        // http://127.0.0.1:PORT
	ws   string        // ws://127.0.0.1:PORT/ws
	log  *lockedBuffer // the child's output, printed when the test fails

	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	runs int
	// args are added to every start's command line.
	args []string
}

// newFaultServer creates a data directory with an admin and the site "shop"
// through the CLI, and starts the server.
func newFaultServer(tb testing.TB) *faultServer {
	tb.Helper()
	bin, err := faultBinary()
	if err != nil {
		tb.Fatalf("building parley: %v", err)
	}
	port := faultFreePort(tb)
	s := &faultServer{
		tb:   tb,
		bin:  bin,
		dir:  tb.TempDir(),
		addr: "127.0.0.1:" + strconv.Itoa(port),
		log:  &lockedBuffer{},
	}
	s.url = "http://" + s.addr
	s.ws = "ws://" + s.addr + "/ws"
	// Every client of these tests comes from 127.0.0.1, and some come by
	// the thousand: no limits, and no proof of work.
	s.args = []string{"-address-new-per-minute", "100000", "-address-sockets", "100000", "-site-new-per-minute", "100000", "-pow-above-per-minute", "0"}
	s.cli("admin", "add", "-email", faultEmail, "-name", "Ann", "-data", s.dir)
	s.cli("site", "add", "-id", faultSiteID, "-name", "Shop", "-origin", "http://127.0.0.1", "-data", s.dir, "-public-url", s.url)
	// Assign by hand: these tests check that the log holds exactly what
	// the clients wrote. Routing's own entries are tested in server/web
	// and server/store, crashes included.
	db, err := store.Open(filepath.Join(s.dir, "parley.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	site, err := db.Site(faultSiteID)
	if err == nil {
		site.Routing.Manual = true
		err = db.PutSite(site)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatalf("making the site assign by hand: %v", err)
	}
	tb.Cleanup(func() {
		s.stop()
		if tb.Failed() {
			out := s.log.String()
			if len(out) > 20000 {
				out = "…" + out[len(out)-20000:]
			}
			tb.Logf("parley's output:\n%s", out)
		}
	})
	s.start()
	return s
}

// faultFreePort returns a loopback port that was free a moment ago.
func faultFreePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// cli runs a parley subcommand to completion.
func (s *faultServer) cli(args ...string) {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(faultEnv(), "PARLEY_ADMIN_PASSWORD="+faultPassword)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.tb.Fatalf("parley %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// faultEnv is the environment without PARLEY_* variables, so that the
// flags alone configure the child.
func faultEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARLEY_") {
			env = append(env, kv)
		}
	}
	return env
}

// start runs the server and waits until /healthz answers.
func (s *faultServer) start() {
	s.tb.Helper()
	if s.cmd != nil {
		s.tb.Fatal("faultServer.start: already running")
	}
	s.runs++
	fmt.Fprintf(s.log, "--- start %d\n", s.runs)
	cmd := exec.Command(s.bin, append([]string{"-addr", s.addr, "-data", s.dir, "-public-url", s.url}, s.args...)...)
	cmd.Env = faultEnv()
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = faultProcAttr()
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("starting parley: %v", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done

	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	for {
		if err := faultHealthy(ctx, s.url); err == nil {
			return
		}
		select {
		case <-done:
			s.cmd = nil
			s.tb.Fatalf("parley exited at start: %v", cmd.ProcessState)
		case <-ctx.Done():
			s.tb.Fatalf("parley did not answer /healthz within %v", faultStep)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// faultHealthy asks /healthz once.
func faultHealthy(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: status %d", resp.StatusCode)
	}
	return nil
}

// kill ends the server with SIGKILL: no shutdown, no final commit.
func (s *faultServer) kill() {
	s.tb.Helper()
	if s.cmd == nil {
		s.tb.Fatal("faultServer.kill: not running")
	}
	fmt.Fprintf(s.log, "--- SIGKILL\n")
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.tb.Fatalf("SIGKILL: %v", err)
	}
	s.wait(faultStep)
}

// stop ends the server with SIGTERM, as an operator would, and kills it if
// it does not exit in time. It reports whether it exited by itself.
func (s *faultServer) stop() bool {
	s.tb.Helper()
	if s.cmd == nil {
		return true
	}
	fmt.Fprintf(s.log, "--- SIGTERM\n")
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(faultStep):
		s.cmd.Process.Kill()
		s.wait(faultStep)
		return false
	}
	ok := s.cmd.ProcessState.Success()
	s.cmd = nil
	return ok
}

func (s *faultServer) wait(d time.Duration) {
	s.tb.Helper()
	select {
	case <-s.done:
		s.cmd = nil
	case <-time.After(d):
		s.tb.Fatalf("parley did not exit within %v", d)
	}
}

// checkStore opens the stopped server's bbolt file and runs its
// consistency check.
func (s *faultServer) checkStore() {
	s.tb.Helper()
	if s.cmd != nil {
		s.tb.Fatal("faultServer.checkStore: the server is running")
	}
	db, err := store.Open(filepath.Join(s.dir, "parley.db"), store.Options{})
	if err != nil {
		s.tb.Fatalf("store.Open after the run: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		s.tb.Errorf("the bbolt file fails its consistency check: %v", err)
	}
}

// login posts the admin's credentials to /api/login and returns the
// header that carries the session cookie.
func (s *faultServer) login() http.Header {
	s.tb.Helper()
	return loginAt(s.tb, s.url, faultEmail, faultPassword)
}

// loginAt posts credentials to base's /api/login and returns the header
// that carries the session cookie.
func loginAt(tb testing.TB, base, email, password string) http.Header {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/login", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("login: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("login: status %d", resp.StatusCode)
	}
	h := http.Header{}
	for _, c := range resp.Cookies() {
		if c.Name == "parley_session" {
			h.Set("Cookie", c.Name+"="+c.Value)
		}
	}
	if len(h) == 0 {
		tb.Fatal("login: no parley_session cookie")
	}
	return h
}

// transcript reads every stored message of conv through the agents' API.
func (s *faultServer) transcript(cookie http.Header, conv uint64) []parley.Frame {
	s.tb.Helper()
	var all []parley.Frame
	after := uint64(0)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), faultStep)
		url := fmt.Sprintf("%s/api/conversations/%d/messages?after=%d&limit=5000", s.url, conv, after)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			cancel()
			s.tb.Fatal(err)
		}
		req.Header = cookie.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			s.tb.Fatalf("GET %s: %v", url, err)
		}
		var page struct {
			Messages []parley.Frame `json:"messages"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		cancel()
		if resp.StatusCode != http.StatusOK || err != nil {
			s.tb.Fatalf("GET %s: status %d, %v", url, resp.StatusCode, err)
		}
		all = append(all, page.Messages...)
		if len(page.Messages) < 5000 {
			return all
		}
		after = page.Messages[len(page.Messages)-1].Seq
	}
}

// faultClient is an app/client Client run in the background, with what it
// passed on to the app recorded.
type faultClient struct {
	c        *client.Client
	cancel   context.CancelFunc
	done     chan error
	stopOnce sync.Once

	// onFrame, if set, sees each frame first (latency bookkeeping).
	onFrame func(parley.Frame)
	online  atomic.Bool
	welcome atomic.Int64 // welcomes seen: 1 + reconnects

	mu     sync.Mutex
	acks   []parley.Frame
	msgs   []parley.Frame
	errs   []parley.Frame
	convID uint64 // a visitor's conversation, from its first ack
}

// startFaultClient runs a client against wsURL until the test ends.
func startFaultClient(tb testing.TB, wsURL string, hello parley.Frame, header http.Header, onFrame func(parley.Frame)) *faultClient {
	tb.Helper()
	fc := &faultClient{done: make(chan error, 1), onFrame: onFrame}
	fc.c = client.New(client.Options{
		URL:     wsURL,
		Hello:   hello,
		Header:  header,
		OnFrame: fc.frame,
		OnState: func(st client.State) { fc.online.Store(st == client.Online) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	fc.cancel = cancel
	go func() { fc.done <- fc.c.Run(ctx) }()
	tb.Cleanup(fc.stop)
	return fc
}

func (fc *faultClient) frame(f parley.Frame) {
	if fc.onFrame != nil {
		fc.onFrame(f)
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	switch f.Type {
	case parley.TypeWelcome:
		fc.welcome.Add(1)
	case parley.TypeAck:
		fc.acks = append(fc.acks, f)
		if fc.convID == 0 {
			fc.convID = f.Conv
		}
	case parley.TypeMsg:
		fc.msgs = append(fc.msgs, f)
	case parley.TypeError:
		fc.errs = append(fc.errs, f)
	}
}

// stop ends Run and waits for it; later calls return at once.
func (fc *faultClient) stop() {
	fc.stopOnce.Do(func() {
		fc.cancel()
		select {
		case <-fc.done:
		case <-time.After(faultStep):
		}
	})
}

func (fc *faultClient) conv() uint64 {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.convID
}

// snapshot returns copies of the recorded acks, msgs and errors.
func (fc *faultClient) snapshot() (acks, msgs, errs []parley.Frame) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return slices.Clone(fc.acks), slices.Clone(fc.msgs), slices.Clone(fc.errs)
}

func (fc *faultClient) msgCount() int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return len(fc.msgs)
}

// faultVisitorHello is the hello of a new visitor of the test site.
func faultVisitorHello() parley.Frame {
	return parley.Frame{Type: parley.TypeHello, Role: parley.RoleVisitor, Site: faultSiteID}
}

// faultAgentHello is an agent's hello.
func faultAgentHello() parley.Frame {
	return parley.Frame{Type: parley.TypeHello, Role: parley.RoleAgent}
}

// faultWaitFor polls cond until it holds or d has passed.
func faultWaitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// faultAllOnline waits until every client is online.
func faultAllOnline(tb testing.TB, what string, cs []*faultClient) {
	tb.Helper()
	ok := faultWaitFor(faultStep, func() bool {
		for _, c := range cs {
			if !c.online.Load() {
				return false
			}
		}
		return true
	})
	if !ok {
		n := 0
		for _, c := range cs {
			if c.online.Load() {
				n++
			}
		}
		tb.Fatalf("%s: %d of %d clients online after %v", what, n, len(cs), faultStep)
	}
}

// faultDrainOutboxes waits until no client holds an unacknowledged message.
func faultDrainOutboxes(tb testing.TB, what string, d time.Duration, cs []*faultClient) {
	tb.Helper()
	ok := faultWaitFor(d, func() bool {
		for _, c := range cs {
			if len(c.c.Outbox()) != 0 {
				return false
			}
		}
		return true
	})
	if !ok {
		left, clients := 0, 0
		for _, c := range cs {
			if n := len(c.c.Outbox()); n != 0 {
				left += n
				clients++
			}
		}
		tb.Fatalf("%s: %d messages still unacknowledged in %d outboxes after %v", what, left, clients, d)
	}
}

// faultDial opens a raw websocket to the server.
func faultDial(tb testing.TB, wsURL string, opts *websocket.DialOptions) *websocket.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, wsURL, opts)
	if err != nil {
		tb.Fatalf("dial %s: %v", wsURL, err)
	}
	ws.SetReadLimit(client.DefaultReadLimit)
	tb.Cleanup(func() { ws.CloseNow() })
	return ws
}

func faultWrite(ctx context.Context, ws *websocket.Conn, f parley.Frame) error {
	ctx, cancel := context.WithTimeout(ctx, faultStep)
	defer cancel()
	return ws.Write(ctx, websocket.MessageText, f.Encode())
}

func faultRead(ctx context.Context, ws *websocket.Conn) (parley.Frame, error) {
	typ, b, err := ws.Read(ctx)
	if err != nil {
		return parley.Frame{}, err
	}
	if typ != websocket.MessageText {
		return parley.Frame{}, errors.New("binary frame")
	}
	return parley.DecodeFrame(b)
}

// faultReplay connects a fresh raw socket with hello (its Since filled in
// by the caller) and returns, per conversation in Since, the msg frames
// replayed before that conversation's synced.
func faultReplay(tb testing.TB, wsURL string, header http.Header, hello parley.Frame) (parley.Frame, map[uint64][]parley.Frame) {
	tb.Helper()
	ws := faultDial(tb, wsURL, &websocket.DialOptions{HTTPHeader: header})
	defer ws.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), faultStep)
	defer cancel()
	if err := faultWrite(ctx, ws, hello); err != nil {
		tb.Fatalf("replay: hello: %v", err)
	}
	waiting := make(map[uint64]bool)
	for _, r := range hello.Since {
		waiting[r.Conv] = true
	}
	var welcome parley.Frame
	got := make(map[uint64][]parley.Frame)
	for welcome.Type == "" || len(waiting) > 0 {
		f, err := faultRead(ctx, ws)
		if err != nil {
			tb.Fatalf("replay: read (%d conversations not synced): %v", len(waiting), err)
		}
		switch f.Type {
		case parley.TypeWelcome:
			welcome = f
		case parley.TypeMsg:
			if waiting[f.Conv] {
				got[f.Conv] = append(got[f.Conv], f)
			}
		case parley.TypeSynced:
			delete(waiting, f.Conv)
		case parley.TypeError:
			tb.Fatalf("replay: error %s: %s", f.Code, f.Message)
		}
	}
	ws.Close(websocket.StatusNormalClosure, "")
	return welcome, got
}

// faultSameMessages reports the first difference between two lists of msg
// frames, comparing what identifies a message: seq, id, author and text.
func faultSameMessages(got, want []parley.Frame) error {
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.ID != w.ID || g.Text != w.Text || g.Conv != w.Conv || !faultSameAuthor(g.From, w.From) {
			return fmt.Errorf("message %d: got seq %d id %s text %q, want seq %d id %s text %q", i, g.Seq, g.ID, g.Text, w.Seq, w.ID, w.Text)
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("got %d messages, want %d", len(got), len(want))
	}
	return nil
}

func faultSameAuthor(a, b *parley.Author) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// faultGapless checks that a stored transcript is numbered 1, 2, 3, …
// and that no client id appears twice.
func faultGapless(msgs []parley.Frame) error {
	ids := make(map[string]uint64, len(msgs))
	for i, m := range msgs {
		if m.Seq != uint64(i+1) {
			return fmt.Errorf("message %d has seq %d: the sequence has a gap or is out of order", i, m.Seq)
		}
		if m.ID == "" {
			continue // the server's own entries: an assignment, …
		}
		if prev, dup := ids[m.ID]; dup {
			return fmt.Errorf("id %s is stored twice, as seq %d and %d", m.ID, prev, m.Seq)
		}
		ids[m.ID] = m.Seq
	}
	return nil
}

// faultNumbered checks texts "<prefix><n>" whose numbers increase with seq,
// and returns the numbers. Routing events (the online agent is assigned
// the conversation) are the server's entries, not the client's: skipped.
func faultNumbered(msgs []parley.Frame, prefix string) ([]int, error) {
	ns := make([]int, 0, len(msgs))
	for _, m := range msgs {
		if m.Kind == parley.KindEvent {
			continue
		}
		num, ok := strings.CutPrefix(m.Text, prefix)
		if !ok {
			return nil, fmt.Errorf("seq %d: text %q does not start with %q", m.Seq, m.Text, prefix)
		}
		if i := strings.IndexByte(num, ' '); i >= 0 {
			num = num[:i] // padding after the number
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("seq %d: text %q has no number", m.Seq, m.Text)
		}
		if len(ns) > 0 && n <= ns[len(ns)-1] {
			return nil, fmt.Errorf("seq %d: text %q after number %d: out of order or repeated", m.Seq, m.Text, ns[len(ns)-1])
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// faultLatency records, per message id, when it was sent and when a
// watching agent first received it.
type faultLatency struct {
	mu   sync.Mutex
	sent map[string]faultSent
	recv map[string]time.Time
}

type faultSent struct {
	at    time.Time
	phase string
}

func newFaultLatency() *faultLatency {
	return &faultLatency{sent: make(map[string]faultSent), recv: make(map[string]time.Time)}
}

// send records a message sent at at (taken before Send, which may already
// have delivered it by the time it returns).
func (l *faultLatency) send(id, phase string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent[id] = faultSent{at: at, phase: phase}
}

// received is an agent client's onFrame hook.
func (l *faultLatency) received(f parley.Frame) {
	if f.Type != parley.TypeMsg {
		return
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, seen := l.recv[f.ID]; !seen {
		l.recv[f.ID] = now
	}
}

// report returns "sent=… delivered=… p50=… p99=… max=…" for the messages
// of a phase.
func (l *faultLatency) report(phase string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ds []time.Duration
	sent := 0
	for id, s := range l.sent {
		if s.phase != phase {
			continue
		}
		sent++
		if at, ok := l.recv[id]; ok {
			ds = append(ds, at.Sub(s.at))
		}
	}
	if len(ds) == 0 {
		return fmt.Sprintf("sent=%d delivered=0", sent)
	}
	slices.Sort(ds)
	pct := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	return fmt.Sprintf("sent=%d delivered=%d p50=%v p99=%v max=%v", sent, len(ds), r(pct(0.50)), r(pct(0.99)), r(ds[len(ds)-1]))
}

// missing lists the ids sent that no watching agent received.
func (l *faultLatency) missing() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for id := range l.sent {
		if _, ok := l.recv[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// faultTraffic is visitors sending numbered messages at a steady pace,
// below the client's own pacing so that Send is never queued behind the
// rate limit and the latency measured is the server's.
type faultTraffic struct {
	lat   *faultLatency
	phase atomic.Pointer[string]
	stop  chan struct{}
	wg    sync.WaitGroup

	mu   sync.Mutex
	sent [][]string // per visitor, in order
}

// startFaultTraffic makes each visitor send "<prefix><i>-<n> " plus pad
// bytes every interval, starting in phase.
func startFaultTraffic(vs []*faultClient, prefix string, pad int, interval time.Duration, lat *faultLatency, phase string) *faultTraffic {
	tr := &faultTraffic{lat: lat, stop: make(chan struct{}), sent: make([][]string, len(vs))}
	tr.setPhase(phase)
	padding := strings.Repeat("x", pad)
	for i, v := range vs {
		tr.wg.Add(1)
		go func() {
			defer tr.wg.Done()
			// Spread the visitors over the interval.
			select {
			case <-time.After(interval * time.Duration(i) / time.Duration(len(vs))):
			case <-tr.stop:
				return
			}
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for n := 0; ; n++ {
				text := fmt.Sprintf("%s%d-%d", prefix, i, n)
				if pad > 0 {
					text += " " + padding
				}
				at := time.Now()
				id := v.c.Send(v.conv(), text, false)
				lat.send(id, *tr.phase.Load(), at)
				tr.mu.Lock()
				tr.sent[i] = append(tr.sent[i], id)
				tr.mu.Unlock()
				select {
				case <-tick.C:
				case <-tr.stop:
					return
				}
			}
		}()
	}
	return tr
}

func (tr *faultTraffic) setPhase(p string) { tr.phase.Store(&p) }

// halt stops sending and returns, per visitor, the ids sent.
func (tr *faultTraffic) halt() [][]string {
	close(tr.stop)
	tr.wg.Wait()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.sent
}

// faultCheckSent checks that visitor i's conversation holds exactly the
// messages it sent, in order, and returns the stored transcript.
func faultCheckSent(tb testing.TB, srv *faultServer, cookie http.Header, who string, v *faultClient, prefix string, sent []string) []parley.Frame {
	tb.Helper()
	conv := v.conv()
	if conv == 0 {
		tb.Errorf("%s: no ack", who)
		return nil
	}
	msgs := srv.transcript(cookie, conv)
	if err := faultGapless(msgs); err != nil {
		tb.Errorf("%s: stored transcript: %v", who, err)
		return msgs
	}
	if _, err := faultNumbered(msgs, prefix); err != nil {
		tb.Errorf("%s: stored transcript: %v", who, err)
		return msgs
	}
	if len(msgs) != len(sent) {
		tb.Errorf("%s: %d messages stored, %d sent", who, len(msgs), len(sent))
	}
	for k := range min(len(msgs), len(sent)) {
		if msgs[k].ID != sent[k] {
			tb.Errorf("%s: seq %d is %s, want %s", who, msgs[k].Seq, msgs[k].ID, sent[k])
			break
		}
	}
	_, _, errs := v.snapshot()
	for _, e := range errs {
		tb.Errorf("%s: error frame %s %q for %s", who, e.Code, e.Message, e.ID)
	}
	return msgs
}
