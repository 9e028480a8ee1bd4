package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted, or 0 for no samples. Nearest rank never invents a value that was
// not measured, which matters for p99.9 of a few thousand samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100 + 0.9999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// summary is the distribution of one set of latencies.
type summary struct {
	N                   int
	P50, P99, P999, Max time.Duration
}

func summarize(samples []time.Duration) summary {
	s := slices.Clone(samples)
	slices.Sort(s)
	out := summary{N: len(s), P50: percentile(s, 50), P99: percentile(s, 99), P999: percentile(s, 99.9)}
	if len(s) > 0 {
		out.Max = s[len(s)-1]
	}
	return out
}

// ms formats a duration in milliseconds with a precision that suits it.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 1:
		return fmt.Sprintf("%.3f ms", v)
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	default:
		return fmt.Sprintf("%.1f ms", v)
	}
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It
// is 100 on every Linux architecture Go supports; reading it needs sysconf.
const clockTicks = 100

// parseProcStat returns utime+stime of /proc/PID/stat, in CPU time, and
// the minor page faults (memory touched for the first time). The command
// name (field 2) may hold spaces and parentheses, so fields are counted
// from the last ')'.
func parseProcStat(data []byte) (time.Duration, uint64, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("proc stat: no command name in %q", truncateBytes(data, 80))
	}
	// After ")": state (field 3), ..., minflt (10), ..., utime (14), stime (15).
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("proc stat: %d fields after the command name, want at least 13", len(f))
	}
	minflt, err0 := strconv.ParseUint(f[7], 10, 64)
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err0 != nil || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("proc stat: minflt %q, utime %q, stime %q: not numbers", f[7], f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, minflt, nil
}

// parseProcStatusKB returns the value of a "Key:   1234 kB" line of
// /proc/PID/status or /proc/meminfo, in bytes.
func parseProcStatusKB(data []byte, key string) (int64, error) {
	for line := range strings.Lines(string(data)) {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || name != key {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("proc: %s: unexpected value %q", key, strings.TrimSpace(rest))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc: %s: %w", key, err)
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("proc: no %s line", key)
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel(cpuinfo []byte) string {
	for line := range strings.Lines(string(cpuinfo)) {
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

func truncateBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// kb formats a byte count in KB (1,024 bytes) or MB.
func kb(n float64) string {
	switch {
	case n >= 10<<20 || n <= -10<<20:
		return fmt.Sprintf("%.0f MB", n/(1<<20))
	case n >= 1<<20 || n <= -1<<20:
		return fmt.Sprintf("%.1f MB", n/(1<<20))
	default:
		return fmt.Sprintf("%.1f KB", n/1024)
	}
}

// thousands writes n with comma separators, as the docs do.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// parseCPUBusy returns the CPU time all processors spent busy, from the
// first line of /proc/stat: user, nice, system, irq, softirq and steal
// (guest time is already counted in user); idle and iowait are not busy.
func parseCPUBusy(data []byte) (time.Duration, error) {
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("proc stat: first line %q is not the cpu total", line)
	}
	var busy uint64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		n, err := strconv.ParseUint(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: cpu field %d: %w", i, err)
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks, nil
}

// procIO is /proc/PID/io: wchar is the bytes passed to write system calls
// (files, sockets and pipes alike) and syscw their number; write_bytes the
// bytes the process caused to be written to storage, counted a page at a
// time as it dirties page-cache pages; cancelled_write_bytes those it
// truncated away before they were written back.
type procIO struct {
	wchar, syscw, writeBytes, cancelledWriteBytes int64
}

// parseProcIO reads /proc/PID/io; every field it returns must be there.
func parseProcIO(data []byte) (procIO, error) {
	var p procIO
	keys := []string{"wchar", "syscw", "write_bytes", "cancelled_write_bytes"}
	dsts := []*int64{&p.wchar, &p.syscw, &p.writeBytes, &p.cancelledWriteBytes}
	found := make([]bool, len(keys))
	for line := range strings.Lines(string(data)) {
		name, value, ok := strings.Cut(line, ":")
		k := slices.Index(keys, name)
		if !ok || k < 0 {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return procIO{}, fmt.Errorf("proc io: %s: %w", name, err)
		}
		*dsts[k], found[k] = n, true
	}
	for k, ok := range found {
		if !ok {
			return procIO{}, fmt.Errorf("proc io: no %s line", keys[k])
		}
	}
	return p, nil
}

// diskStat is one block device's line of /proc/diskstats.
type diskStat struct {
	name string
	// sectorsWritten counts 512-byte units, whatever the device's sector size.
	sectorsWritten int64
	// flushes is the flush requests completed, or -1 on kernels older
	// than 5.5, which do not count them.
	flushes int64
}

// parseDiskStats finds the line of device major:minor in /proc/diskstats:
// "major minor name" then the counters, sectors written the 7th and flush
// requests completed the 16th.
func parseDiskStats(data []byte, major, minor uint32) (diskStat, error) {
	maj, min := strconv.FormatUint(uint64(major), 10), strconv.FormatUint(uint64(minor), 10)
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != maj || f[1] != min {
			continue
		}
		if len(f) < 3+7 {
			return diskStat{}, fmt.Errorf("diskstats: %s has %d counters, want at least 7", f[2], len(f)-3)
		}
		d := diskStat{name: f[2], flushes: -1}
		var err error
		if d.sectorsWritten, err = strconv.ParseInt(f[3+6], 10, 64); err != nil {
			return diskStat{}, fmt.Errorf("diskstats: %s sectors written: %w", f[2], err)
		}
		if len(f) >= 3+16 {
			if d.flushes, err = strconv.ParseInt(f[3+15], 10, 64); err != nil {
				return diskStat{}, fmt.Errorf("diskstats: %s flushes: %w", f[2], err)
			}
		}
		return d, nil
	}
	return diskStat{}, fmt.Errorf("diskstats: no device %s:%s", maj, min)
}

// percentileFloat is percentile for plain numbers: the nearest-rank p-th
// percentile of sorted, or 0 for no samples.
func percentileFloat(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100 + 0.9999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// secs formats a duration in seconds, to a tenth.
func secs(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}
