package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/internal/loopbacktls"
)

// The outbox: visitors ask for their transcripts by email, the server
// queues one job per address in its durable outbox (server/outbox), and
// its worker sends each through SMTP (STARTTLS and AUTH PLAIN, as a real
// relay wants) to a mail server in this process, which notes when each
// mail's DATA completed. Three times: a mail server that accepts at once,
// one that takes outboxSlowDelay over each mail, which shows the worker's
// concurrency (-mail-workers, 4 by default) bounding the throughput, and
// that slow one again with outboxMoreWorkers.

const (
	outboxVisitors = 50
	outboxEach     = 40 // addresses per visitor
	// outboxPace is the gap between one visitor's transcript frames: under
	// the socket's limit on such frames (10 a second, burst 40).
	outboxPace = 125 * time.Millisecond
	// outboxSlowDelay is how long the slow mail server takes over a mail.
	outboxSlowDelay = 20 * time.Millisecond
	// outboxConcurrency is -mail-workers for the first two runs, the
	// default (outbox.DefaultConcurrency), so that figures stay comparable
	// from one report to the next; outboxMoreWorkers for the third.
	outboxConcurrency = 4
	outboxMoreWorkers = 16
	// outboxIdleTimeout and outboxMailsPerConn are the SMTP client's
	// (outbound.DefaultIdleTimeout, DefaultMaxMailsPerConn), for the text.
	outboxIdleTimeout  = 30 * time.Second
	outboxMailsPerConn = 100
	// outboxTimeout bounds the wait for the last mail after the last
	// transcript frame.
	outboxTimeout     = 45 * time.Second
	outboxSampleEvery = 250 * time.Millisecond
)

// outboxResult is one run's figures.
type outboxResult struct {
	delay                    time.Duration
	workers                  int
	sent, accepted           int
	dups, refused, readErrs  int64
	firstEnq, lastEnq        time.Time
	firstAcc, lastAcc        time.Time
	lat                      []time.Duration // enqueue → accepted, sorted
	cost                     writeCost
	p0, peak, p1             procSample
	gen0, gen1               procSample
	maxInFlight, connections int64
	setups                   []time.Duration // a connection's first EHLO → its first MAIL FROM, sorted
	transactions             []time.Duration // MAIL FROM → DATA accepted, sorted
	command                  string
}

// label names r's run in the report.
func (r outboxResult) label() string {
	l := "fast mail server"
	if r.delay > 0 {
		l = "mail server taking " + ms(r.delay)
	}
	if r.workers != outboxConcurrency {
		l += fmt.Sprintf(", %d workers", r.workers)
	}
	return l
}

func runOutbox(ctx context.Context, cfg config, sec *section) error {
	visitors, each := outboxVisitors, outboxEach
	if cfg.quick {
		visitors, each = 10, 20
	}
	n := visitors * each
	sec.title = "Outbox: " + thousands(int64(n)) + " transcript emails to a local SMTP server"
	var runs []outboxResult
	for _, run := range []struct {
		delay   time.Duration
		workers int
	}{{0, outboxConcurrency}, {outboxSlowDelay, outboxConcurrency}, {outboxSlowDelay, outboxMoreWorkers}} {
		r, err := outboxRun(ctx, cfg, visitors, each, run.delay, run.workers)
		if err != nil {
			return fmt.Errorf("mail server delay %s, %d workers: %w", ms(run.delay), run.workers, err)
		}
		runs = append(runs, r)
	}
	fast, slow, slowMore := runs[0], runs[1], runs[2]

	sec.setup = append(sec.setup, fmt.Sprintf("%d visitors each open a conversation (a first message, acknowledged), then send `transcript` frames for it at %d distinct addresses, "+
		"one every %s (under the socket's limit of 10 such frames a second), the visitors' starts spread over %s: %s emails, offered at about %.0f a second for %s. "+
		"Each frame makes the server queue one job in its durable outbox (the job's key holds the address); its worker (`-mail-workers %d`, the default) sends the mails over SMTP connections "+
		"with STARTTLS and AUTH PLAIN, kept open and logged in for the next mails, to a go-smtp server in the load generator, with a certificate from a CA of its own (`-smtp-ca`). "+
		"Three runs, each on a fresh server: the mail server accepts each mail at once, then it takes %s over each (after reading the data, before its answer), then that again with `-mail-workers %d`. Server: `%s`.",
		visitors, each, ms(outboxPace), ms(outboxPace), thousands(int64(n)), float64(visitors)/outboxPace.Seconds(), secs(time.Duration(each)*outboxPace),
		outboxConcurrency, ms(outboxSlowDelay), outboxMoreWorkers, fast.command))
	sec.setup = append(sec.setup, "Measured at the load generator: *enqueue* is when the `transcript` frame was written to the socket "+
		"(the server has no answer to it but an error, so the job is queued a moment later: its commit and fsync are inside the figure), "+
		"*accepted* is when the mail server's DATA completed for that address (it notes the time just before it answers 250). "+
		"*Emails/s* is the mails accepted from the first accepted to the last, and over the whole run from the first frame written to the last mail accepted. "+
		"*Server CPU* is utime+stime of /proc/PID/stat from just before the first transcript frame to the last mail accepted, divided by the mails: "+
		"the frame, the job's enqueue, the rendering, the SMTP client (a TLS handshake only for a new connection), the job's finish. "+
		"*Written* is /proc/PID/io write_bytes over the same window per mail. RSS is read every 250 ms.")

	for _, r := range runs {
		label := r.label()
		sec.add("emails/s, "+label, fmt.Sprintf("%.0f first → last accepted; %.0f first frame → last accepted (%s of %s in %s)",
			r.rateAccepted(), r.rateTotal(), thousands(int64(r.accepted)), thousands(int64(r.sent)), secs(r.lastAcc.Sub(r.firstEnq))), "", noTarget)
		sec.add("enqueue → accepted p50 / p99 / max, "+label, fmt.Sprintf("%s / %s / %s",
			ms(percentile(r.lat, 50)), ms(percentile(r.lat, 99)), ms(maxOf(r.lat))), "", noTarget)
	}
	sec.add("server CPU per email", fmt.Sprintf("%s (fast mail server), %s (slow), %s (slow, %d workers)", fast.cost.cpuText(), slow.cost.cpuText(), slowMore.cost.cpuText(), slowMore.workers), "", noTarget)
	sec.add("server RSS peak", fmt.Sprintf("%s (%s before the first frame; slow runs %s and %s)", kb(float64(fast.peak.rss)), kb(float64(fast.p0.rss)), kb(float64(slow.peak.rss)), kb(float64(slowMore.peak.rss))), "", noTarget)

	var rows [][]string
	for _, r := range runs {
		rows = append(rows, []string{ms(r.delay), fmt.Sprint(r.workers), thousands(int64(r.accepted)),
			fmt.Sprintf("%.0f", r.rateAccepted()), fmt.Sprintf("%.0f", r.rateTotal()),
			ms(percentile(r.lat, 50)), ms(percentile(r.lat, 90)), ms(percentile(r.lat, 99)), ms(maxOf(r.lat)),
			fmt.Sprint(r.maxInFlight), thousands(r.connections), ms(percentile(r.setups, 50)), ms(percentile(r.transactions, 50)), ms(r.slotTime()), r.cost.cpuText(), r.cost.writtenText(),
			fmt.Sprintf("%.0f %% / %.0f %%", cpuPercent(r.p0, r.p1), cpuPercent(r.gen0, r.gen1)),
			kb(float64(r.peak.rss))})
	}
	sec.details = append(sec.details, mdTable([]string{"mail server delay", "workers", "accepted", "emails/s first → last accepted", "emails/s whole run",
		"enqueue → accepted p50", "p90", "p99", "max", "most mails at the mail server at once", "SMTP connections", "connection set-up p50 (first EHLO → first MAIL FROM)", "SMTP transaction p50 (MAIL FROM → DATA accepted)", "time per mail per worker slot", "server CPU per email", "written per email",
		"CPU server / load generator", "server RSS peak"}, rows))

	// The concurrency, as the slow run shows it.
	offered := float64(visitors) / outboxPace.Seconds()
	if bound := float64(outboxConcurrency) / outboxSlowDelay.Seconds(); slow.accepted > 0 {
		sec.note("With the mail server taking %s over each mail, the worker sent %.0f a second, against %.0f for %d mails at once over %s "+
			"(the most the mail server saw at once: %d): the worker's concurrency bounds the throughput to a slow relay; "+
			"the rest of each mail (the job's reads, rendering and finishing commit, MAIL FROM and RCPT, and a new connection's STARTTLS and AUTH now and then) costs the difference: %s per mail per slot against %s. "+
			"A queue builds as %.0f a second are offered, and the wait follows it (p99 %s against %s with a fast mail server).",
			ms(outboxSlowDelay), slow.rateAccepted(), bound, outboxConcurrency, ms(outboxSlowDelay), slow.maxInFlight, ms(slow.slotTime()), ms(outboxSlowDelay),
			offered, ms(percentile(slow.lat, 99)), ms(percentile(fast.lat, 99)))
	}
	if slowMore.accepted > 0 {
		sec.note("With `-mail-workers %d` the same slow mail server took %.0f a second (bound %.0f, offered %.0f; the most at once: %d), enqueue → accepted p99 %s: "+
			"for a relay slow to take each mail, more workers are the remedy, each one more connection to it.",
			slowMore.workers, slowMore.rateAccepted(), float64(slowMore.workers)/outboxSlowDelay.Seconds(), offered, slowMore.maxInFlight, ms(percentile(slowMore.lat, 99)))
	}
	if fast.rateAccepted() >= 0.95*offered {
		sec.note("With a fast mail server the worker kept up with the offer (%.0f a second against %.0f offered; enqueue → accepted p50 %s): "+
			"the figure is the load generator's pace, not the worker's ceiling, and its time per mail per worker slot below is an upper bound.",
			fast.rateAccepted(), offered, ms(percentile(fast.lat, 50)))
	}
	sec.note("The SMTP client keeps its connections open and logged in for the next mails (`server/mail/outbound/smtp.go`: as many idle as `-mail-workers`, "+
		"each closed after %s idle, %d mails or any error): %s connections for the %s mails here and the %d notices to the shop before the measurement. "+
		"*Time per mail per worker slot* is the workers ÷ the emails/s: with a fast mail server each slot spent %s per mail, of which the SMTP transaction as the mail server saw it "+
		"(MAIL FROM to the end of DATA) took %s at the median; a new connection's set-up (its first EHLO to its first MAIL FROM: STARTTLS and AUTH) took %s, once per connection. "+
		"The rest is the job's reads, the rendering and its finishing commit, and waiting for a core on this two-core machine shared with the load generator.",
		secs(outboxIdleTimeout), outboxMailsPerConn, thousands(fast.connections), thousands(int64(fast.accepted)), visitors,
		ms(fast.slotTime()), ms(percentile(fast.transactions, 50)), ms(percentile(fast.setups, 50)))
	for _, r := range runs {
		if r.dups+r.refused+r.readErrs > 0 {
			sec.note("Anomalies with a %s mail server: %d duplicate mails, %d error frames to visitors, %d sockets failed while reading.", ms(r.delay), r.dups, r.refused, r.readErrs)
		}
	}
	for _, r := range runs {
		if r.accepted < r.sent {
			return fmt.Errorf("%d of %d emails accepted (mail server delay %s)", r.accepted, r.sent, ms(r.delay))
		}
	}
	return nil
}

func (r outboxResult) rateAccepted() float64 {
	if d := r.lastAcc.Sub(r.firstAcc); d > 0 && r.accepted > 1 {
		return float64(r.accepted-1) / d.Seconds()
	}
	return 0
}

// slotTime is how long one of the worker's slots took per mail.
func (r outboxResult) slotTime() time.Duration {
	if rate := r.rateAccepted(); rate > 0 {
		return time.Duration(float64(r.workers) / rate * float64(time.Second))
	}
	return 0
}

func (r outboxResult) rateTotal() float64 {
	if d := r.lastAcc.Sub(r.firstEnq); d > 0 {
		return float64(r.accepted) / d.Seconds()
	}
	return 0
}

// outboxRun starts a mail server and a Parley server for it, has the
// visitors ask for visitors×each transcripts, and waits for every mail.
func outboxRun(ctx context.Context, cfg config, visitors, each int, delay time.Duration, workers int) (r outboxResult, err error) {
	r.delay, r.workers = delay, workers
	box := &benchMailServer{delay: delay, at: make(map[string]time.Time), opened: make(map[string]time.Time)}
	tmp, err := os.MkdirTemp(cfg.dataRoot, "parley-bench-smtp-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(tmp)
	smtpAddr, caFile, stopMail, err := startBenchMail(box, tmp)
	if err != nil {
		return r, err
	}
	defer stopMail()
	srv, err := startServer(ctx, cfg, serverOptions{
		args:  []string{"-smtp-url", "smtp://shop:secret@" + smtpAddr, "-mail-from", "chat@shop.test", "-smtp-ca", caFile, "-mail-domain", "chat.shop.test", "-mail-workers", fmt.Sprint(workers)},
		shape: []string{"-smtp-url", "smtp://USER:PASS@127.0.0.1:PORT4", "-mail-from", "chat@shop.test", "-smtp-ca", "CA.pem", "-mail-domain", "chat.shop.test", "-mail-workers", fmt.Sprint(workers)},
	})
	if err != nil {
		return r, err
	}
	defer srv.stop()
	r.command = srv.command()

	// Each visitor opens its conversation first.
	conns := make([]*websocket.Conn, visitors)
	convs := make([]uint64, visitors)
	defer closeAll(conns)
	for i := range visitors {
		c, conv, err := openConversation(ctx, srv.wsURL, msgID('o', i, 0))
		conns[i] = c
		if err != nil {
			return r, fmt.Errorf("visitor %d: %w", i, err)
		}
		convs[i] = conv
	}
	// Nobody is online: the shop is mailed each new chat. Those mails go
	// before the measurement starts.
	for settle := time.Now().Add(30 * time.Second); time.Now().Before(settle); time.Sleep(10 * time.Millisecond) {
		box.mu.Lock()
		others := box.others
		box.mu.Unlock()
		if others >= visitors {
			break
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	var refused, readErrs, writeErrs atomic.Int64
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for {
				if err := readFrame(runCtx, c, &buf); err != nil {
					if runCtx.Err() == nil {
						readErrs.Add(1)
					}
					return
				}
				if typ, _ := peek(buf.Bytes()); typ == parley.TypeError {
					refused.Add(1)
				}
			}
		}()
	}

	// RSS through the run.
	var peak procSample
	var peakMu sync.Mutex
	stopSampling := every(outboxSampleEvery, func() {
		p := mustProc(srv)
		peakMu.Lock()
		if p.rss > peak.rss {
			peak = p
		}
		peakMu.Unlock()
	})

	addr := func(i, k int) string { return fmt.Sprintf("o%d-%d@example.com", i, k) }
	enq := make([][]time.Time, visitors)
	m0, g0 := srv.meter(), self()
	r.p0, r.gen0 = m0.proc, g0
	peak = m0.proc
	start := time.Now().Add(10 * time.Millisecond)
	var senders sync.WaitGroup
	for i := range visitors {
		enq[i] = make([]time.Time, each)
		senders.Add(1)
		go func() {
			defer senders.Done()
			first := start.Add(time.Duration(i) * outboxPace / time.Duration(visitors))
			for k := range each {
				if !sleepCtx(runCtx, time.Until(first.Add(time.Duration(k)*outboxPace))) {
					return
				}
				f := parley.Frame{Type: parley.TypeTranscript, ID: msgID('t', i, k), Conv: convs[i], Email: addr(i, k)}
				if err := writeFrame(runCtx, conns[i], f); err != nil {
					writeErrs.Add(1)
					return
				}
				enq[i][k] = time.Now()
			}
		}()
	}
	senders.Wait()
	n := visitors * each
	deadline := time.Now().Add(outboxTimeout)
	for box.count() < n && time.Now().Before(deadline) && ctx.Err() == nil && srv.alive() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	m1, g1 := srv.meter(), self()
	stopSampling()
	// Anything late would show as a duplicate or an error: a moment more.
	time.Sleep(200 * time.Millisecond)
	stop()
	closeAll(conns)
	wg.Wait()
	if err := srv.alive(); err != nil {
		return r, err
	}
	if w := writeErrs.Load(); w > 0 {
		return r, fmt.Errorf("%d visitors failed to write a transcript frame", w)
	}

	box.mu.Lock()
	defer box.mu.Unlock()
	r.sent = n
	r.refused, r.readErrs = refused.Load(), readErrs.Load()
	r.dups = box.dups
	r.maxInFlight, r.connections = box.maxInFlight, box.conns
	r.setups = slices.Sorted(slices.Values(box.setups))
	r.transactions = slices.Sorted(slices.Values(box.transactions))
	for i := range visitors {
		for k := range each {
			e := enq[i][k]
			if r.firstEnq.IsZero() || e.Before(r.firstEnq) {
				r.firstEnq = e
			}
			if e.After(r.lastEnq) {
				r.lastEnq = e
			}
			a, ok := box.at[addr(i, k)]
			if !ok {
				continue
			}
			r.accepted++
			if r.firstAcc.IsZero() || a.Before(r.firstAcc) {
				r.firstAcc = a
			}
			if a.After(r.lastAcc) {
				r.lastAcc = a
			}
			r.lat = append(r.lat, a.Sub(e))
		}
	}
	slices.Sort(r.lat)
	r.cost = costBetween(m0, m1, int64(r.accepted))
	r.p1, r.gen1, r.peak = m1.proc, g1, peak
	if m1.proc.rss > r.peak.rss {
		r.peak = m1.proc
	}
	return r, nil
}

// benchMailServer is a go-smtp backend with STARTTLS and AUTH PLAIN that
// takes delay over each mail and notes when each recipient's mail was
// accepted.
type benchMailServer struct {
	delay time.Duration
	mu    sync.Mutex
	at    map[string]time.Time // recipient → when its DATA completed
	dups  int64                // mails to a recipient already accepted
	// others counts the mails to the shop (the news of each chat started
	// with nobody online): not the scenario's, not counted above.
	others int
	// inFlight counts the mails between MAIL FROM and the end of DATA.
	inFlight, maxInFlight, conns int64
	// opened is when each connection, by client address, said its first
	// EHLO (go-smtp makes a new session after STARTTLS), until its first
	// MAIL FROM; setups are the times between the two, transactions
	// each scenario mail's MAIL FROM to the end of its DATA.
	opened               map[string]time.Time
	setups, transactions []time.Duration
}

func (b *benchMailServer) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.at)
}

func (b *benchMailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	key := c.Conn().RemoteAddr().String()
	b.mu.Lock()
	if _, ok := b.opened[key]; !ok {
		b.opened[key] = time.Now()
		b.conns++
	}
	b.mu.Unlock()
	return &benchMailSession{b: b, key: key}, nil
}

type benchMailSession struct {
	b        *benchMailServer
	key      string
	auth     bool
	inFlight bool
	mailAt   time.Time
	rcpt     []string
}

func (s *benchMailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *benchMailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "shop" || pass != "secret" {
			return errors.New("wrong password")
		}
		s.auth = true
		return nil
	}), nil
}

func (s *benchMailSession) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	if !s.inFlight {
		s.inFlight = true
		s.mailAt = time.Now()
		s.b.mu.Lock()
		s.b.inFlight++
		s.b.maxInFlight = max(s.b.maxInFlight, s.b.inFlight)
		if t, ok := s.b.opened[s.key]; ok {
			s.b.setups = append(s.b.setups, s.mailAt.Sub(t))
			delete(s.b.opened, s.key)
		}
		s.b.mu.Unlock()
	}
	return nil
}

func (s *benchMailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpt = append(s.rcpt, strings.ToLower(to))
	return nil
}

func (s *benchMailSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	if s.b.delay > 0 {
		time.Sleep(s.b.delay)
	}
	now := time.Now()
	s.b.mu.Lock()
	if len(s.rcpt) > 0 && !strings.HasSuffix(s.rcpt[0], "@example.com") {
		s.b.others++
		s.b.mu.Unlock()
		s.done()
		return nil
	}
	for _, to := range s.rcpt {
		if _, ok := s.b.at[to]; ok {
			s.b.dups++
			continue
		}
		s.b.at[to] = now
	}
	s.b.transactions = append(s.b.transactions, now.Sub(s.mailAt))
	s.b.mu.Unlock()
	s.done()
	return nil
}

// done ends the mail under way, if any.
func (s *benchMailSession) done() {
	s.rcpt = s.rcpt[:0]
	if s.inFlight {
		s.inFlight = false
		s.b.mu.Lock()
		s.b.inFlight--
		s.b.mu.Unlock()
	}
}

func (s *benchMailSession) Reset()        { s.done() }
func (s *benchMailSession) Logout() error { s.done(); return nil }

// startBenchMail runs b on a loopback port with a certificate from a new
// CA, whose PEM it writes to dir for -smtp-ca; it returns the address.
func startBenchMail(b *benchMailServer, dir string) (addr, caFile string, stop func(), err error) {
	certs, err := loopbacktls.New("parley-bench CA", 24*time.Hour)
	if err != nil {
		return "", "", nil, err
	}
	caFile = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, certs.CAPEM, 0o600); err != nil {
		return "", "", nil, err
	}
	s := smtp.NewServer(b)
	s.Domain = "mail.bench.test"
	s.TLSConfig = certs.Server
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	s.MaxMessageBytes = 10 << 20
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(l) }()
	return l.Addr().String(), caFile, func() { s.Close(); l.Close(); <-done }, nil
}
