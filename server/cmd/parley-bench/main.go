// Command parley-bench is Parley's load generator and benchmark runner
// (`make bench`). It starts the real server binary as a separate process on
// loopback, with a fresh data directory per scenario, speaks the documented
// wire protocol (docs/protocol.md) to it over real websockets with raw
// parley.Frame values, drives Debian's chromium for the widget's cost, and
// prints a table that it also writes to docs/benchmarks.md.
//
//	go run ./server/cmd/parley-bench -server bin/parley -out docs/benchmarks.md [-only conversations,throughput,idle,transcript,widget,surge,outbox,search] [-quick]
//
// It may import app/parley (the wire types), server/web for the shape of
// /debug/stats, server/internal/chromium and server/internal/loopbacktls
// (its test mail server's TLS); the server itself always runs
// as the built binary, measured as shipped. app/client is not used for
// load: its pacing stays under the rate limit, as a well-behaved widget
// should.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

// scenarioNames in the order they run and are reported.
var scenarioNames = []string{"conversations", "throughput", "idle", "transcript", "widget", "surge", "outbox", "search"}

type config struct {
	bin   string
	out   string
	only  []string
	quick bool
	// fsync is the disk's fsync latency, measured before the scenarios:
	// the floor of every durable ack.
	fsync summary
	// dataRoot holds the scenarios' data directories, on a disk-backed
	// file system (chooseDataRoot).
	dataRoot, dataFS string
}

func main() {
	var cfg config
	var only string
	timeout := flag.Duration("timeout", 20*time.Minute, "bound on the whole run")
	flag.StringVar(&cfg.bin, "server", "bin/parley", "the server binary (make build)")
	flag.StringVar(&cfg.out, "out", "docs/benchmarks.md", "markdown report to rewrite; empty writes none")
	flag.StringVar(&only, "only", "", "comma-separated scenarios to run: "+strings.Join(scenarioNames, ","))
	flag.BoolVar(&cfg.quick, "quick", false, "smaller counts and durations: a smoke run, not figures to publish")
	flag.Parse()
	if only != "" {
		for _, s := range strings.Split(only, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(scenarioNames, s) {
				fmt.Fprintf(os.Stderr, "parley-bench: unknown scenario %q; known: %s\n", s, strings.Join(scenarioNames, ", "))
				os.Exit(2)
			}
			cfg.only = append(cfg.only, s)
		}
	}
	if _, err := os.Stat(cfg.bin); err != nil {
		fmt.Fprintf(os.Stderr, "parley-bench: %v (run `make build` first)\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "parley-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	root, fs, why := chooseDataRoot()
	cfg.dataRoot, cfg.dataFS = root, fs
	rep := &report{started: time.Now(), machine: describeMachine(root, fs, why), quick: cfg.quick, command: invocation()}
	cfg.fsync = rep.machine.fsync
	for _, name := range scenarioNames {
		if len(cfg.only) > 0 && !slices.Contains(cfg.only, name) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		sec := &section{key: name, command: benchCommand(cfg, name)}
		// Two shared cores: other work on the machine shows in every
		// figure, so wait a little for it to pass, and measure it.
		sec.quietLoad, sec.quietWait = waitQuiet(ctx, 90*time.Second)
		fmt.Fprintf(os.Stderr, "parley-bench: %s…\n", name)
		start := time.Now()
		c0 := sampleCPU()
		var err error
		switch name {
		case "conversations":
			err = runConversations(ctx, cfg, sec)
		case "throughput":
			err = runThroughput(ctx, cfg, sec)
		case "idle":
			err = runIdle(ctx, cfg, sec)
		case "transcript":
			err = runTranscript(ctx, cfg, sec)
		case "widget":
			err = runWidget(ctx, cfg, sec)
		case "surge":
			err = runSurge(ctx, cfg, sec)
		case "outbox":
			err = runOutbox(ctx, cfg, sec)
		case "search":
			err = runSearch(ctx, cfg, sec)
		}
		if err != nil {
			sec.failed(err)
			fmt.Fprintf(os.Stderr, "parley-bench: %s failed: %v\n", name, err)
		}
		sec.took = time.Since(start)
		sec.otherLoad = otherLoad(c0, sampleCPU())
		if sec.otherLoad > quietThreshold && !sec.browser {
			sec.note("**Other processes used %.0f %% of a core on average during this scenario**: its figures are skewed by them; run it again on a quiet machine.", sec.otherLoad)
		}
		rep.sections = append(rep.sections, sec)
	}
	rep.finished = time.Now()
	fmt.Print(rep.text())
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(rep.markdown()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "parley-bench: wrote %s\n", cfg.out)
	}
	for _, s := range rep.sections {
		if s.err != nil {
			return fmt.Errorf("%s failed", s.key)
		}
	}
	return nil
}

// invocation is how this run was started, for the report.
func invocation() string {
	args := make([]string, len(os.Args)-1)
	for i, a := range os.Args[1:] {
		if a == "" || strings.ContainsAny(a, " '\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args[i] = a
	}
	return strings.TrimSpace("go run ./server/cmd/parley-bench " + strings.Join(args, " "))
}

// benchCommand reproduces one scenario's rows.
func benchCommand(cfg config, name string) string {
	c := "go run ./server/cmd/parley-bench -server " + cfg.bin + " -out '' -only " + name
	if cfg.quick {
		c += " -quick"
	}
	return c
}
