package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// verdict says whether a figure meets its target.
type verdict int

const (
	noTarget verdict = iota
	met
	missed
)

func (v verdict) String() string {
	switch v {
	case met:
		return "yes"
	case missed:
		return "**no**"
	}
	return ""
}

func judge(ok bool) verdict {
	if ok {
		return met
	}
	return missed
}

// row is one figure of the summary table.
type row struct {
	figure, value, target string
	verdict               verdict
}

// section is one scenario's rows and its part of the report.
type section struct {
	key, title, command string
	rows                []row
	// setup says what ran; details are markdown blocks (tables of steps);
	// notes explain misses and what would close them.
	setup   []string
	details []string
	notes   []string
	err     error
	took    time.Duration
	// Other work on the machine: its load in % of one core before the start
	// (after waiting quietWait for it to drop) and during the scenario.
	quietLoad, otherLoad float64
	quietWait            time.Duration
	// browser: chromium's helper processes are not this process's
	// children, so they cannot be told from other work.
	browser bool
}

// otherLoadText is the other work during the scenario, for the report.
func (s *section) otherLoadText() string {
	if s.browser {
		return "n/a (chromium)"
	}
	return fmt.Sprintf("%.0f %%", s.otherLoad)
}

func (s *section) add(figure, value, target string, v verdict) {
	s.rows = append(s.rows, row{figure, value, target, v})
}

func (s *section) failed(err error) {
	s.err = err
	s.rows = append(s.rows, row{figure: "failed", value: strings.SplitN(err.Error(), "\n", 2)[0], verdict: missed})
}

func (s *section) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

// report is the whole run.
type report struct {
	started, finished time.Time
	command           string // how the run was started
	machine           machine
	quick             bool
	sections          []*section
}

type machine struct {
	cores              int
	memory             int64
	cpu, kernel, goVer string
	nofile             uint64
	load               string  // /proc/loadavg when the run started
	fsync              summary // a 4 KB write and fsync in the data directories' file system
	fsyncErr           error
	// dataRoot holds the data directories, on file system dataFS;
	// dataRootWhy says why it is not the temporary directory, or why
	// the write path's figures cannot be trusted.
	dataRoot, dataFS, dataRootWhy string
}

func describeMachine(dataRoot, dataFS, dataRootWhy string) machine {
	m := machine{cores: runtime.NumCPU(), goVer: runtime.Version(), cpu: "unknown", kernel: "unknown",
		dataRoot: dataRoot, dataFS: dataFS, dataRootWhy: dataRootWhy}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.cpu = cpuModel(b)
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.memory, _ = parseProcStatusKB(b, "MemTotal")
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		m.nofile = lim.Max
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.load = strings.Join(f[:3], " ")
		}
	}
	m.fsync, m.fsyncErr = fsyncProbe(dataRoot, 1000)
	return m
}

// fsyncProbe times n writes of 4 KB, each followed by fsync, in the file
// system that holds the scenarios' data directories: every durable
// message waits for bbolt's fsyncs, so the disk sets the floor of every
// ack latency.
func fsyncProbe(dir string, n int) (summary, error) {
	f, err := os.CreateTemp(dir, "parley-bench-fsync-")
	if err != nil {
		return summary{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	lat := make([]time.Duration, 0, n)
	for i := range n {
		start := time.Now()
		if _, err := f.WriteAt(page, int64(i%256)*4096); err != nil {
			return summary{}, err
		}
		if err := f.Sync(); err != nil {
			return summary{}, err
		}
		lat = append(lat, time.Since(start))
	}
	return summarize(lat), nil
}

func (m machine) lines() [][2]string {
	return [][2]string{
		{"CPU", fmt.Sprintf("%s, %d cores (load generator, server and browser share them)", m.cpu, m.cores)},
		{"memory", fmt.Sprintf("%.1f GiB", float64(m.memory)/(1<<30))},
		{"kernel", "Linux " + m.kernel},
		{"Go", m.goVer},
		{"open files", fmt.Sprintf("hard limit %s per process", thousands(int64(m.nofile)))},
		{"network", "loopback only"},
		{"disk", m.disk()},
		{"load average at start", m.load + " (other work on the machine skews every figure; each scenario reports its share)"},
	}
}

func (m machine) disk() string {
	where := fmt.Sprintf("data directories in %s (%s", m.dataRoot, m.dataFS)
	if m.dataRootWhy != "" {
		where += "; " + m.dataRootWhy
	}
	where += ")"
	if m.fsyncErr != nil {
		return where + "; fsync probe failed: " + m.fsyncErr.Error()
	}
	return fmt.Sprintf("%s; 4 KB write + fsync there: p50 %s, p99 %s, p99.9 %s, max %s (%s samples); a bbolt commit takes two",
		where, ms(m.fsync.P50), ms(m.fsync.P99), ms(m.fsync.P999), ms(m.fsync.Max), thousands(int64(m.fsync.N)))
}

// text is the table printed at the end of a run.
func (r *report) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nParley benchmarks, %s\n", r.started.UTC().Format("2006-01-02 15:04 UTC"))
	for _, l := range r.machine.lines() {
		fmt.Fprintf(&b, "  %-22s %s\n", l[0], l[1])
	}
	if r.quick {
		b.WriteString("  (-quick: smaller counts and durations, not figures to publish)\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tfigure\tmeasured\ttarget\tmet")
	for _, s := range r.sections {
		for i, row := range s.rows {
			name := ""
			if i == 0 {
				name = s.title
				if name == "" {
					name = s.key
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, row.figure, row.value, row.target, strings.Trim(row.verdict.String(), "*"))
		}
	}
	tw.Flush()
	b.WriteString("\nother work on the machine (% of one core, during each scenario) and commands:\n")
	for _, s := range r.sections {
		fmt.Fprintf(&b, "  %-14s %-15s %s\n", s.key, s.otherLoadText(), s.command)
	}
	return b.String()
}

// markdown is docs/benchmarks.md.
func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("# Parley benchmarks\n\n")
	fmt.Fprintf(&b, "Written on %s by `%s` in %s. Do not edit by hand: `make bench` reruns every scenario and rewrites this file.\n\n",
		r.started.UTC().Format("2006-01-02 15:04 UTC"), r.command, r.finished.Sub(r.started).Round(time.Second))
	b.WriteString("The load generator (`server/cmd/parley-bench`) starts the real `bin/parley` as a separate process on loopback, ")
	b.WriteString("with a fresh data directory per scenario, and speaks the wire protocol of [protocol.md](protocol.md) over real websockets. ")
	b.WriteString("Every message is durable: committed to bbolt with fsync before its ack and its delivery.\n\n")
	if r.quick {
		b.WriteString("**This run used `-quick`: smaller counts and durations, a smoke test rather than figures to publish.**\n\n")
	}
	b.WriteString("## Machine\n\n| | |\n|---|---|\n")
	for _, l := range r.machine.lines() {
		fmt.Fprintf(&b, "| %s | %s |\n", l[0], l[1])
	}
	b.WriteString("\n## Summary\n\n")
	b.WriteString("| scenario | figure | measured | target | met | command |\n|---|---|---|---|---|---|\n")
	for _, s := range r.sections {
		for _, row := range s.rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | `%s` |\n", s.title, row.figure, row.value, row.target, row.verdict, s.command)
		}
	}
	var loads []string
	for _, s := range r.sections {
		loads = append(loads, s.key+" "+s.otherLoadText())
	}
	fmt.Fprintf(&b, "\nOther work on the machine during each scenario, in %% of one core (two in all): %s. Figures taken beside much other work are skewed by it.\n",
		strings.Join(loads, ", "))
	b.WriteString("\nEach command reruns one scenario from the repository root after `make build`, printing its rows without rewriting this file.\n")
	for _, s := range r.sections {
		fmt.Fprintf(&b, "\n## %s\n\n", s.title)
		for _, p := range s.setup {
			b.WriteString(p + "\n\n")
		}
		for _, d := range s.details {
			b.WriteString(d + "\n\n")
		}
		for _, n := range s.notes {
			b.WriteString(n + "\n\n")
		}
		if s.err != nil {
			fmt.Fprintf(&b, "The scenario failed:\n\n```\n%s\n```\n\n", s.err)
		}
		during := fmt.Sprintf("used %.0f %% of one core during the scenario", s.otherLoad)
		if s.browser {
			during = "cannot be told from chromium's helper processes during the scenario"
		}
		fmt.Fprintf(&b, "Command: `%s` (%s). Other work on the machine %s (%.0f %% just before it, after waiting %s for a quiet moment).\n",
			s.command, s.took.Round(time.Second), during, s.quietLoad, s.quietWait.Round(time.Second))
	}
	return b.String()
}

// mdTable renders a markdown table.
func mdTable(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		b.WriteString("---|")
	}
	for _, r := range rows {
		b.WriteString("\n| " + strings.Join(r, " | ") + " |")
	}
	return b.String()
}

// diskVerdict says, for the notes on misses, whether the disk's fsync
// latency can explain milliseconds of ack latency.
func diskVerdict(fsync summary) string {
	if fsync.N == 0 {
		return "The disk's fsync latency was not measured."
	}
	if fsync.P99 < time.Millisecond {
		return fmt.Sprintf("The disk is not the limit: an fsync takes %s at p99 here, and a commit needs two.", ms(fsync.P99))
	}
	return fmt.Sprintf("The disk adds to it: an fsync takes %s at p99 here, and a commit needs two.", ms(fsync.P99))
}
