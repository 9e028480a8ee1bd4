package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/web"
)

// The agent every socket scenario logs in as.
const (
	benchEmail    = "bench@parley.local"
	benchPassword = "bench-password-not-secret"
)

// serverOptions say how to start bin/parley for one scenario.
type serverOptions struct {
	// sendRate and sendBurst, if set, replace the per-connection send limit.
	sendRate  float64
	sendBurst int
	// demo starts `parley -demo` with the shop on a second address, Parley
	// on http://localhost:PORT: two sites, as a real shop and Parley are.
	// Otherwise an admin and the bench site are created first.
	demo bool
	// atStart reads the server's memory 3 s after it first answers
	// /healthz, before any other connection, and skips the agent's login
	// (its argon2id hash alone takes 19 MiB).
	atStart bool
	// agents adds that many agents (agentEmail(i), role agent, members of
	// the bench site) before the start, besides the bench admin.
	agents int
	// args and shape are more flags for the server, and the same with
	// ports, directories and secrets as placeholders for the report.
	args, shape []string
	// seed, if set, fills the data directory after the setup commands and
	// before the server starts.
	seed func(ctx context.Context, dir string) error
}

// startSettle is how long after its first /healthz answer the server's
// memory is read as it starts: long enough for start-up work still running
// in the background to have finished.
const startSettle = 3 * time.Second

// server is bin/parley running as a separate process on loopback, with a
// fresh data directory of its own.
type server struct {
	bin, dir string
	url      string // Parley's public URL
	wsURL    string
	debugURL string
	shopURL  string // demo only
	cookie   string // the agent's session cookie, "parley_session=…"
	// The block device of the data directory, for /proc/diskstats.
	devMajor, devMinor uint32
	devName            string
	devOK              bool
	// started is /proc 3 s after the first /healthz answer (atStart only).
	started procSample

	cmd    *exec.Cmd
	exited chan struct{}
	log    *os.File
	args   []string
	shape  []string // args with ports and directories as placeholders
}

// startServer prepares a data directory, starts the server and waits until
// it answers /healthz; for the socket scenarios it also logs the agent in.
func startServer(ctx context.Context, cfg config, o serverOptions) (s *server, err error) {
	bin := cfg.bin
	dir, err := os.MkdirTemp(cfg.dataRoot, "parley-bench-")
	if err != nil {
		return nil, err
	}
	s = &server{bin: bin, dir: dir}
	s.findDevice()
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	if !o.demo {
		if err := s.admin(ctx, "admin", "add", "-email", benchEmail, "-name", "Bench", "-data", dir); err != nil {
			return s, err
		}
		if err := s.admin(ctx, "site", "add", "-id", benchSite, "-name", "Bench", "-origin", "http://127.0.0.1", "-data", dir); err != nil {
			return s, err
		}
		for i := range o.agents {
			if err := s.admin(ctx, "agent", "add", "-email", agentEmail(i), "-name", fmt.Sprintf("Agent %d", i+1), "-role", "agent", "-site", benchSite, "-data", dir); err != nil {
				return s, err
			}
		}
	}
	if o.seed != nil {
		if err := o.seed(ctx, dir); err != nil {
			return s, fmt.Errorf("seeding: %w", err)
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return s, err
	}
	debugAddr, err := freeAddr()
	if err != nil {
		return s, err
	}
	host := "127.0.0.1"
	if o.demo {
		host = "localhost" // another site than the shop on 127.0.0.1
	}
	_, port, _ := net.SplitHostPort(addr)
	s.url = "http://" + host + ":" + port
	s.wsURL = "ws://" + addr + "/ws"
	s.debugURL = "http://" + debugAddr
	// Every simulated shopper comes from 127.0.0.1: the per-address
	// limits, made for real networks, would stop the bench's thousands,
	// and a surge of 2,000 new visitors a minute would have each solve a
	// proof of work, which is not what the figures measure.
	lifted := []string{"-address-new-per-minute", "1000000", "-address-sockets", "1000000", "-site-new-per-minute", "1000000", "-pow-above-per-minute", "0"}
	s.args = append([]string{"-addr", addr, "-data", dir, "-public-url", s.url, "-debug-addr", debugAddr}, lifted...)
	s.shape = append([]string{"-addr", "127.0.0.1:PORT", "-data", "DIR", "-public-url", "http://" + host + ":PORT", "-debug-addr", "127.0.0.1:PORT2"}, lifted...)
	if o.sendRate > 0 {
		limits := []string{"-send-rate", strconv.FormatFloat(o.sendRate, 'f', -1, 64), "-send-burst", strconv.Itoa(o.sendBurst)}
		s.args = append(s.args, limits...)
		s.shape = append(s.shape, limits...)
	}
	s.args = append(s.args, o.args...)
	s.shape = append(s.shape, o.shape...)
	if o.demo {
		shop, err := freeAddr()
		if err != nil {
			return s, err
		}
		s.shopURL = "http://" + shop
		s.args = append(s.args, "-demo", "-shop-addr", shop)
		s.shape = append(s.shape, "-demo", "-shop-addr", "127.0.0.1:PORT3")
	}
	if s.log, err = os.Create(filepath.Join(dir, "server.log")); err != nil {
		return s, err
	}
	s.cmd = exec.Command(bin, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return s, fmt.Errorf("starting %s: %w", bin, err)
	}
	s.exited = make(chan struct{})
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitHealthy(ctx, 15*time.Second); err != nil {
		return s, err
	}
	if o.atStart {
		select {
		case <-time.After(startSettle):
		case <-ctx.Done():
			return s, ctx.Err()
		}
		if s.started, err = s.proc(); err != nil {
			return s, fmt.Errorf("reading the started server: %w", err)
		}
		return s, nil
	}
	if !o.demo {
		sess, err := s.login(ctx, benchEmail)
		if err != nil {
			return s, err
		}
		s.cookie = sess.cookie
	}
	return s, nil
}

// admin runs one of the binary's setup subcommands.
func (s *server) admin(ctx context.Context, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = append(os.Environ(), "PARLEY_ADMIN_PASSWORD="+benchPassword)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", s.bin, strings.Join(args, " "), err, out)
	}
	return nil
}

// freeAddr picks a free loopback port by listening on :0 and closing.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

var httpClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	DisableCompression:  true, // sizes are measured as sent
	MaxIdleConnsPerHost: 4,
}}

func (s *server) waitHealthy(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited at start:\n%s", s.bin, s.logTail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := httpClient.Get(s.url + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer /healthz within %s:\n%s", s.bin, d, s.logTail())
}

// agentEmail is the login of the i-th agent serverOptions.agents adds.
func agentEmail(i int) string { return fmt.Sprintf("agent%d@parley.local", i+1) }

// session is a logged-in agent: the cookie for requests and sockets, the
// CSRF token a state-changing request needs, and the agent.
type session struct {
	cookie, csrf string
	agent        parley.Agent
}

// login posts an agent's credentials (every bench agent has
// benchPassword) and returns the session.
func (s *server) login(ctx context.Context, email string) (session, error) {
	var sess session
	body, _ := json.Marshal(map[string]string{"email": email, "password": benchPassword})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/api/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return sess, fmt.Errorf("login %s: %w", email, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return sess, fmt.Errorf("login %s: status %d", email, resp.StatusCode)
	}
	var out struct {
		Agent parley.Agent `json:"agent"`
		CSRF  string       `json:"csrf"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return sess, fmt.Errorf("login %s: %w", email, err)
	}
	sess.agent, sess.csrf = out.Agent, out.CSRF
	for _, c := range resp.Cookies() {
		if c.Name == "parley_session" {
			sess.cookie = c.Name + "=" + c.Value
			return sess, nil
		}
	}
	return sess, fmt.Errorf("login %s: no parley_session cookie", email)
}

// api sends a JSON request as sess (a PUT carries its CSRF token) and
// decodes the answer into out, if out is not nil.
func (s *server) api(ctx context.Context, sess session, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", sess.cookie)
	req.Header.Set("Content-Type", "application/json")
	if method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", sess.csrf)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// debugStats is GET /debug/stats on the server's debug address.
type debugStats = web.DebugStats

// stats reads the debug endpoint; gc runs a collection first, so heap
// figures are live memory rather than garbage waiting for the next cycle.
func (s *server) stats(ctx context.Context, gc bool) (debugStats, error) {
	u := s.debugURL + "/debug/stats"
	if gc {
		u += "?gc=1"
	}
	var st debugStats
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := httpClient.Do(req)
	if err != nil {
		return st, fmt.Errorf("debug stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("debug stats: status %d (does %s have -debug-addr?)", resp.StatusCode, s.bin)
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("debug stats: %w", err)
	}
	return st, nil
}

// procSample is what /proc tells about a process at one moment.
type procSample struct {
	at       time.Time
	cpu      time.Duration // user + system
	faults   uint64        // minor page faults
	rss, hwm int64         // bytes
	// anon and file split rss: the heap and stacks, and mapped files (the
	// binary and bbolt's memory-mapped database).
	anon, file int64
	// io is /proc/PID/io; ioOK is false on kernels built without I/O
	// accounting.
	io   procIO
	ioOK bool
}

func readProc(pid int) (procSample, error) {
	p := procSample{at: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return p, err
	}
	if p.cpu, p.faults, err = parseProcStat(stat); err != nil {
		return p, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return p, err
	}
	if p.rss, err = parseProcStatusKB(status, "VmRSS"); err != nil {
		return p, err
	}
	if p.hwm, err = parseProcStatusKB(status, "VmHWM"); err != nil {
		return p, err
	}
	if p.anon, err = parseProcStatusKB(status, "RssAnon"); err != nil {
		return p, err
	}
	if p.file, err = parseProcStatusKB(status, "RssFile"); err != nil {
		return p, err
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid)); err == nil {
		p.io, err = parseProcIO(b)
		p.ioOK = err == nil
	}
	return p, nil
}

// cpuPercent is the CPU used between two samples, in % of one core.
func cpuPercent(a, b procSample) float64 {
	wall := b.at.Sub(a.at)
	if wall <= 0 {
		return 0
	}
	return 100 * float64(b.cpu-a.cpu) / float64(wall)
}

func (s *server) proc() (procSample, error) { return readProc(s.cmd.Process.Pid) }

// self samples the load generator, which shares the machine's cores.
func self() procSample {
	p, _ := readProc(os.Getpid())
	return p
}

// stop ends the server (SIGTERM, then SIGKILL after 10 s) and removes its
// data directory.
func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil && s.exited != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	if s.log != nil {
		s.log.Close()
	}
	os.RemoveAll(s.dir)
}

// alive fails if the server process has exited.
func (s *server) alive() error {
	select {
	case <-s.exited:
		return fmt.Errorf("the server exited:\n%s", s.logTail())
	default:
		return nil
	}
}

// logTail is the end of the server's output, for errors.
func (s *server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// command is how the server was started, for the report.
func (s *server) command() string {
	return "bin/parley " + strings.Join(s.shape, " ")
}
