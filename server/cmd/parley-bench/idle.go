package main

import (
	"context"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// Targets of the idle scenario: the server right after start, and the
// live memory and RSS of an idle visitor connection.
const (
	targetStartRSS = 60 << 20
	targetConnHeap = 17.9 * 1024
	targetConnRSS  = 25 * 1024
)

// runIdle opens idle visitor connections, first 10,000, then as many as
// fit under the open-files limit, and reads what each costs the server.
func runIdle(ctx context.Context, cfg config, sec *section) error {
	// Both processes need one descriptor per connection under the hard
	// limit (20,000 here); the rest is headroom for listeners, the
	// database, logs and the generator's own HTTP client.
	targets := []int{10000, 19000}
	if cfg.quick {
		targets = []int{1000}
	}
	sec.title = "Idle visitor connections"
	srv, err := startServer(ctx, cfg, serverOptions{atStart: true})
	if err != nil {
		return err
	}
	defer srv.stop()
	conns := make([]*websocket.Conn, targets[len(targets)-1])
	defer closeAll(conns)

	// Right after start, before anything else connects.
	st0 := srv.started
	sec.add("server right after start: RSS (peak)", fmt.Sprintf("%s (VmHWM %s; anonymous %s, mapped files %s)", kb(float64(st0.rss)), kb(float64(st0.hwm)), kb(float64(st0.anon)), kb(float64(st0.file))),
		"< 60 MB", judge(st0.rss < targetStartRSS))

	base, p0, err := settle(ctx, srv)
	if err != nil {
		return err
	}
	type point struct {
		n         int
		st        debugStats
		p         procSample
		dial      time.Duration
		stoppedBy error
	}
	var points []point
	connected := 0
	for _, target := range targets {
		start := time.Now()
		from := connected
		ok, err := forEach(ctx, target-from, dialConcurrency, 20, func(ctx context.Context, j int) error {
			c, err := dialSocket(ctx, srv.wsURL, "")
			if err != nil {
				return err
			}
			if err := visitorHello(ctx, c); err != nil {
				c.CloseNow()
				return err
			}
			// The library answers the server's pings only while reading:
			// this reads (and discards) until the connection closes.
			c.CloseRead(context.Background())
			conns[from+j] = c
			return nil
		})
		connected += ok
		dial := time.Since(start)
		if err := srv.alive(); err != nil {
			return err
		}
		// The server counts a socket once its handler runs; wait for it to
		// see them all before reading memory.
		for range 100 {
			st, err := srv.stats(ctx, false)
			if err != nil {
				return err
			}
			if st.VisitorSockets >= int64(connected) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		st, p, err := settle(ctx, srv)
		if err != nil {
			return err
		}
		points = append(points, point{n: connected, st: st, p: p, dial: dial})
		if ok < target-from {
			points[len(points)-1].stoppedBy = fmt.Errorf("%s of %s dials failed first with: %w", thousands(int64(target-from-ok)), thousands(int64(target-from)), err)
			break
		}
	}

	rows := make([][]string, 0, len(points))
	for i, pt := range points {
		n := float64(pt.n)
		heapOnly := float64(int64(pt.st.HeapInuse)-int64(base.HeapInuse)) / n
		stack := float64(int64(pt.st.StackInuse)-int64(base.StackInuse)) / n
		heap := heapOnly + stack
		rss := float64(pt.p.rss-p0.rss) / n
		anon, file := float64(pt.p.anon-p0.anon)/n, float64(pt.p.file-p0.file)/n
		gor := float64(pt.st.Goroutines-base.Goroutines) / n
		label := thousands(int64(pt.n))
		if i == len(points)-1 && len(points) > 1 {
			label += " (max)"
		}
		sec.add(label+": heap+stack per connection", kb(heap), "≤ 17.9 KB", judge(heap <= targetConnHeap))
		sec.add(label+": RSS per connection", fmt.Sprintf("%s (anonymous %s, mapped files %s)", kb(rss), kb(anon), kb(file)), "≤ 25 KB", judge(rss <= targetConnRSS))
		sec.add(label+": goroutines per connection", fmt.Sprintf("%.2f", gor), "", noTarget)
		rows = append(rows, []string{thousands(int64(pt.n)), thousands(pt.st.VisitorSockets), fmt.Sprintf("%.1f s", pt.dial.Seconds()),
			kb(float64(pt.st.HeapInuse + pt.st.StackInuse)), fmt.Sprintf("%s (%s + %s)", kb(heap), kb(heapOnly), kb(stack)), kb(float64(pt.p.rss)), fmt.Sprintf("%s (%s + %s)", kb(rss), kb(anon), kb(file)), thousands(int64(pt.st.Goroutines)), fmt.Sprintf("%.2f", gor)})
	}
	sec.setup = append(sec.setup, fmt.Sprintf(
		"Visitor sockets connect (at most %d dials in flight), each says `hello` (which creates a visitor in the store) and then stays idle, answering the server's pings. "+
			"Memory is read from the server's `/debug/stats?gc=1` (a GC first, so heap figures are live memory) and `/proc/PID/status` (VmRSS, "+
			"read once it has settled: after a GC the runtime returns freed pages to the OS over a few seconds), "+
			"as the difference from the freshly started server (heap+stack %s, RSS %s, %d goroutines), divided by the connections. "+
			"Server: `%s`.", dialConcurrency, kb(float64(base.HeapInuse+base.StackInuse)), kb(float64(p0.rss)), base.Goroutines, srv.command()))
	sec.details = append(sec.details, fmt.Sprintf("Right after start, %s after the server first answered `/healthz` and before any other connection "+
		"(no agent logs in for this scenario: an argon2id hash alone takes 19 MiB), /proc/PID/status read VmRSS %s, VmHWM %s (the peak so far), "+
		"of which anonymous memory (heap, stacks, runtime) %s and mapped files (the binary with its embedded assets, the bbolt file) %s.",
		fmt.Sprintf("%.0f s", startSettle.Seconds()), kb(float64(st0.rss)), kb(float64(st0.hwm)), kb(float64(st0.anon)), kb(float64(st0.file))))
	sec.details = append(sec.details, mdTable(
		[]string{"connections", "server counts", "dial time", "heap+stack", "per connection (heap + stack)", "RSS", "per connection (anonymous + files)", "goroutines", "per connection"}, rows))
	last := points[len(points)-1]
	if last.stoppedBy != nil {
		sec.note("The run stopped at %s connections: %v.", thousands(int64(last.n)), last.stoppedBy)
	} else if !cfg.quick {
		sec.note("The run stopped at %s connections by design: the hard open-files limit is 20,000 per process and both the server and the load generator "+
			"hold one descriptor per connection; the rest is left for the server's listeners, database and log and the generator's HTTP client.",
			thousands(int64(last.n)))
	}
	if st0.rss >= targetStartRSS {
		after := "."
		if p0.rss >= targetStartRSS {
			after = fmt.Sprintf(", still over the target (anonymous %s, mapped files %s).", kb(float64(p0.anon)), kb(float64(p0.file)))
		}
		sec.note("The right-after-start target is missed. The same server, read again after a forced collection (`/debug/stats?gc=1`) once its RSS had settled, "+
			"holds %s (heap+stack %s): most of the %s at start is memory the server allocated while starting and no longer uses, which the Go runtime keeps "+
			"until a collection runs and its scavenger hands the pages back; a server left idle collects only when the runtime forces it, every 2 minutes. "+
			"Allocating less while starting (the heap profile's alloc_space at `/debug/pprof/heap` says where it goes), or a collection once start-up is done, "+
			"would bring it to about that%s",
			kb(float64(p0.rss)), kb(float64(base.HeapInuse+base.StackInuse)), kb(float64(st0.rss)), after)
	}
	lastHeap := float64(int64(last.st.HeapInuse+last.st.StackInuse)-int64(base.HeapInuse+base.StackInuse)) / float64(last.n)
	lastRSS := float64(last.p.rss-p0.rss) / float64(last.n)
	if lastHeap <= targetConnHeap && lastRSS > targetConnRSS {
		sec.note("Live memory meets the target; RSS misses it. Heap+stack is what the connections hold (a goroutine's stack and the connection's buffers and state); " +
			"RSS adds what the Go runtime keeps around it: free heap pages held for reuse (its background scavenger returns memory to the OS only down to about " +
			"10 %% above the next collection's goal, which GOGC=100 sets at twice the live heap) and span and GC metadata. The stored visitors' database pages are a small part " +
			"(the mapped-files column). What would close it: a memory limit (GOMEMLIMIT) or a lower GOGC, trading CPU for RSS, or fewer bytes per connection " +
			"(smaller read and write buffers, nothing allocated per idle connection beyond its goroutine).")
	} else if lastHeap > targetConnHeap {
		sec.note("The heap+stack target is missed by the connections' live memory itself: %s of heap and stack each, against 17.9 KB. Smaller read and write buffers per connection, "+
			"or no goroutine per idle connection, would close it.", kb(lastHeap))
	}
	return nil
}

// settle collects garbage in the server and waits, up to 15 s, until its
// RSS stops shrinking: the runtime hands freed pages back to the OS in the
// background, so RSS read right after a GC still counts garbage.
func settle(ctx context.Context, srv *server) (debugStats, procSample, error) {
	var st debugStats
	var p procSample
	prev := int64(-1)
	for range 30 {
		var err error
		if st, err = srv.stats(ctx, true); err != nil {
			return st, p, err
		}
		p = mustProc(srv)
		if prev >= 0 && p.rss > prev-(512<<10) {
			break
		}
		prev = p.rss
		time.Sleep(500 * time.Millisecond)
	}
	return st, p, nil
}
