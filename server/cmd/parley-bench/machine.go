package main

import (
	"context"
	"os"
	"syscall"
	"time"
)

// cpuSample is the machine's busy CPU time next to what this process and
// its reaped children (the servers, chromium, the setup commands) used:
// the difference is other work on the machine, which skews every figure
// on two shared cores.
type cpuSample struct {
	at         time.Time
	busy, ours time.Duration
}

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		s.busy, _ = parseCPUBusy(b)
	}
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	s.ours = rusageCPU(self) + rusageCPU(children)
	return s
}

func rusageCPU(r syscall.Rusage) time.Duration {
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// otherLoad is the CPU others used between a and b, in % of one core. Only
// children that have exited count as ours, so it is exact only when every
// process started in between has ended.
func otherLoad(a, b cpuSample) float64 {
	wall := b.at.Sub(a.at)
	if wall <= 0 {
		return 0
	}
	return max(0, 100*float64((b.busy-a.busy)-(b.ours-a.ours))/float64(wall))
}

// quietThreshold is how much of a core other work may use before a
// scenario starts.
const quietThreshold = 25.0

// waitQuiet waits, up to max, for two consecutive seconds in which other
// processes use less than quietThreshold % of one core, and returns the
// load of the last second and the time waited.
func waitQuiet(ctx context.Context, max time.Duration) (float64, time.Duration) {
	start := time.Now()
	quiet := 0
	load := 0.0
	prev := sampleCPU()
	for time.Since(start) < max && ctx.Err() == nil {
		time.Sleep(time.Second)
		cur := sampleCPU()
		load = otherLoad(prev, cur)
		prev = cur
		if load < quietThreshold {
			quiet++
			if quiet == 2 {
				break
			}
		} else {
			quiet = 0
		}
	}
	return load, time.Since(start)
}
