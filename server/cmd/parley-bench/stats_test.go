package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	thousand := make([]time.Duration, 1000)
	for i := range thousand {
		thousand[i] = time.Duration(i+1) * time.Microsecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"no samples", nil, 99, 0},
		{"one sample", []time.Duration{7}, 50, 7},
		{"one sample p99.9", []time.Duration{7}, 99.9, 7},
		{"median of 100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p99.9 of 100 is the maximum", hundred, 99.9, 100 * time.Millisecond},
		{"p100", hundred, 100, 100 * time.Millisecond},
		{"p99.9 of 1000", thousand, 99.9, 999 * time.Microsecond},
		{"p1 of 1000", thousand, 1, 10 * time.Microsecond},
		{"median of 3", []time.Duration{1, 2, 3}, 50, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%d samples, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarizeDoesNotReorderItsInput(t *testing.T) {
	in := []time.Duration{3, 1, 2}
	s := summarize(in)
	if s.N != 3 || s.P50 != 2 || s.Max != 3 {
		t.Errorf("summarize(%v) = %+v, want N 3, P50 2, Max 3", in, s)
	}
	if in[0] != 3 || in[1] != 1 || in[2] != 2 {
		t.Errorf("summarize sorted its input: %v", in)
	}
}

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name       string
		stat       string
		want       time.Duration
		wantFaults uint64
		wantErr    bool
	}{
		{
			name:       "plain",
			stat:       "1234 (parley) S 1 1234 1234 0 -1 4194560 2510 0 0 0 150 25 0 0 20 0 9 0 12345 1300000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0\n",
			want:       1750 * time.Millisecond,
			wantFaults: 2510,
		},
		{
			name:       "command with spaces and parentheses",
			stat:       "42 (a (b) c) R 1 42 42 0 -1 0 9 0 0 0 7 3 0 0 20 0 1 0 1 1 1",
			want:       100 * time.Millisecond,
			wantFaults: 9,
		},
		{name: "no command", stat: "42 parley R 1", wantErr: true},
		{name: "too short", stat: "42 (parley) R 1 2 3", wantErr: true},
		{name: "not numbers", stat: "42 (p) R 1 42 42 0 -1 0 0 0 0 0 x y 0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, faults, err := parseProcStat([]byte(tt.stat))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseProcStat error = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want || faults != tt.wantFaults {
				t.Errorf("parseProcStat = %v, %d faults; want %v, %d faults", got, faults, tt.want, tt.wantFaults)
			}
		})
	}
}

func TestParseProcStatusKB(t *testing.T) {
	status := "Name:\tparley\nVmPeak:\t 1300000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t9\n"
	tests := []struct {
		key     string
		want    int64
		wantErr bool
	}{
		{"VmRSS", 40960 << 10, false},
		{"VmHWM", 51200 << 10, false},
		{"Threads", 0, true}, // no kB unit
		{"VmSwap", 0, true},  // absent
		{"Vm", 0, true},      // a prefix is not a key
	}
	for _, tt := range tests {
		got, err := parseProcStatusKB([]byte(status), tt.key)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseProcStatusKB(%q) error = %v, want error %v", tt.key, err, tt.wantErr)
		}
		if got != tt.want {
			t.Errorf("parseProcStatusKB(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	if got, want := cpuModel([]byte(info)), "AMD EPYC 7B13"; got != want {
		t.Errorf("cpuModel = %q, want %q", got, want)
	}
	if got, want := cpuModel([]byte("processor : 0\n")), "unknown"; got != want {
		t.Errorf("cpuModel without a model name = %q, want %q", got, want)
	}
}

func TestPeek(t *testing.T) {
	tests := []struct {
		name, frame, typ, id string
	}{
		{"ack", `{"type":"ack","id":"c12-3","conv":7,"seq":4,"at":1}`, "ack", "c12-3"},
		{"msg with numeric author id", `{"type":"msg","id":"t1-9","conv":7,"seq":4,"text":"hi","from":{"kind":"visitor","id":3}}`, "msg", "t1-9"},
		{"text cannot fake the id", `{"type":"conv","conversation":{"id":7,"lastText":"\"id\":\"x1-1\""}}`, "conv", ""},
		{"type not first", `{"id":"c1-1","type":"ack"}`, "", ""},
		{"not JSON", `hello`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, id := peek([]byte(tt.frame))
			if typ != tt.typ || id != tt.id {
				t.Errorf("peek(%s) = %q, %q; want %q, %q", tt.frame, typ, id, tt.typ, tt.id)
			}
		})
	}
}

func TestMsgIDRoundTrip(t *testing.T) {
	for _, c := range []struct{ i, n int }{{0, 0}, {12, 3}, {999, 30}, {18999, 123456}} {
		id := msgID('c', c.i, c.n)
		i, n, ok := parseMsgID(id, 'c')
		if !ok || i != c.i || n != c.n {
			t.Errorf("parseMsgID(%q) = %d, %d, %v; want %d, %d, true", id, i, n, ok, c.i, c.n)
		}
	}
	for _, bad := range []string{"", "c", "c1", "t1-2", "c1-", "c-1", "cx-1", "c1-y", "c1-2-3"} {
		if i, n, ok := parseMsgID(bad, 'c'); ok {
			t.Errorf("parseMsgID(%q) = %d, %d, true; want not ok", bad, i, n)
		}
	}
}

func TestThousands(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {19000, "19,000"}, {1234567, "1,234,567"}, {-1500, "-1,500"}} {
		if got := thousands(c.n); got != c.want {
			t.Errorf("thousands(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestParseCPUBusy(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{
			name: "busy is user nice system irq softirq steal",
			stat: "cpu  100 5 40 9000 300 2 3 50 0 0\ncpu0 50 2 20 4500 150 1 1 25 0 0\n",
			want: 2 * time.Second, // 100+5+40+2+3+50 ticks
		},
		{name: "not the total line", stat: "cpu0 1 2 3 4 5 6 7 8\n", wantErr: true},
		{name: "too short", stat: "cpu 1 2 3\n", wantErr: true},
		{name: "not numbers", stat: "cpu a 2 3 4 5 6 7 8\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCPUBusy([]byte(tt.stat))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseCPUBusy error = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseCPUBusy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseProcIO(t *testing.T) {
	const sample = "rchar: 6976\nwchar: 409600\nsyscr: 10\nsyscw: 100\nread_bytes: 0\nwrite_bytes: 413696\ncancelled_write_bytes: 4096\n"
	tests := []struct {
		name    string
		io      string
		want    procIO
		wantErr bool
	}{
		{name: "all fields", io: sample, want: procIO{wchar: 409600, syscw: 100, writeBytes: 413696, cancelledWriteBytes: 4096}},
		{name: "zero writes, as on tmpfs", io: "rchar: 1\nwchar: 0\nsyscr: 1\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n"},
		{name: "order does not matter", io: "write_bytes: 8192\ncancelled_write_bytes: 0\nsyscw: 2\nwchar: 10\n", want: procIO{wchar: 10, syscw: 2, writeBytes: 8192}},
		{name: "no write_bytes (no I/O accounting)", io: "rchar: 1\nwchar: 2\nsyscr: 1\nsyscw: 1\n", wantErr: true},
		{name: "a prefix is not a key", io: "wchar_x: 1\nsyscw: 1\nwrite_bytes: 0\ncancelled_write_bytes: 0\n", wantErr: true},
		{name: "not a number", io: "wchar: lots\nsyscw: 1\nwrite_bytes: 0\ncancelled_write_bytes: 0\n", wantErr: true},
		{name: "empty", io: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcIO([]byte(tt.io))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseProcIO error = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseProcIO = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseDiskStats(t *testing.T) {
	// Linux 6.x: 17 counters, flushes the 16th; a partition; Linux 4.x:
	// 11 counters, no flushes.
	const stats = "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" +
		" 254       0 vda 40978 7366 2330754 7189 961757 21058 13369544 382098 101 20176 395100 10463 84 918960 1040 80774 4772\n" +
		" 259       1 nvme0n1p1 10 0 80 1 20 0 160 2 0 3 3 0 0 0 0 7 1\n" +
		"   8      16 sdb 500 0 4000 10 600 5 9000 30 0 40 40\n" +
		"   8      32 sdc 1 2\n" +
		"   8      48 sdd 1 2 3 4 5 6 x 8 9 10 11\n"
	tests := []struct {
		name         string
		major, minor uint32
		want         diskStat
		wantErr      bool
	}{
		{name: "whole disk", major: 254, minor: 0, want: diskStat{name: "vda", sectorsWritten: 13369544, flushes: 80774}},
		{name: "partition", major: 259, minor: 1, want: diskStat{name: "nvme0n1p1", sectorsWritten: 160, flushes: 7}},
		{name: "old kernel: no flush count", major: 8, minor: 16, want: diskStat{name: "sdb", sectorsWritten: 9000, flushes: -1}},
		{name: "minor must match too", major: 254, minor: 1, wantErr: true},
		{name: "too few counters", major: 8, minor: 32, wantErr: true},
		{name: "not a number", major: 8, minor: 48, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDiskStats([]byte(stats), tt.major, tt.minor)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseDiskStats(%d:%d) error = %v, want error %v", tt.major, tt.minor, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseDiskStats(%d:%d) = %+v, want %+v", tt.major, tt.minor, got, tt.want)
			}
		})
	}
}

func TestSplitDev(t *testing.T) {
	tests := []struct {
		dev          uint64
		major, minor uint32
	}{
		{0xfe00, 254, 0},              // vda
		{0x0801, 8, 1},                // sda1
		{0x10010301, 259, 65537},      // a minor above 255 spills into bits 20 and up
		{0x1000_0000_0005, 0x1000, 5}, // a major above 4,095 into bits 44 and up
	}
	for _, tt := range tests {
		major, minor := splitDev(tt.dev)
		if major != tt.major || minor != tt.minor {
			t.Errorf("splitDev(%#x) = %d:%d, want %d:%d", tt.dev, major, minor, tt.major, tt.minor)
		}
	}
}

func TestCostBetween(t *testing.T) {
	at := time.Unix(1000, 0)
	a := meterSample{
		proc:   procSample{at: at, cpu: 2 * time.Second, ioOK: true, io: procIO{wchar: 1000, syscw: 10, writeBytes: 40960, cancelledWriteBytes: 4096}},
		disk:   diskStat{sectorsWritten: 100, flushes: 50},
		diskOK: true,
	}
	b := meterSample{
		proc:   procSample{at: at.Add(5 * time.Second), cpu: 2*time.Second + 700*time.Millisecond, ioOK: true, io: procIO{wchar: 3001000, syscw: 60010, writeBytes: 40960 + 30000*1024, cancelledWriteBytes: 4096}},
		disk:   diskStat{sectorsWritten: 100 + 60000, flushes: 50 + 500},
		diskOK: true,
	}
	c := costBetween(a, b, 10000)
	if got, want := c.cpuPerMsg(), 70*time.Microsecond; got != want {
		t.Errorf("cpuPerMsg = %v, want %v", got, want)
	}
	if got, want := c.perMsg(c.written), 3072.0; got != want {
		t.Errorf("written per message = %v, want %v", got, want)
	}
	if got, want := c.writtenText(), "3.0 KB"; got != want {
		t.Errorf("writtenText = %q, want %q", got, want)
	}
	if got, want := c.wcharText(), "0.3 KB (6.0)"; got != want {
		t.Errorf("wcharText = %q, want %q", got, want)
	}
	if got, want := c.devWrittenText(), "3.0 KB"; got != want {
		t.Errorf("devWrittenText = %q, want %q", got, want)
	}
	if got, want := c.msgsPerFlushText(), "20.0"; got != want {
		t.Errorf("msgsPerFlushText = %q, want %q", got, want)
	}
	if c.noWrites() {
		t.Error("noWrites with 30 MB written")
	}
	if got := c.fileWrittenText(); got != "n/a" {
		t.Errorf("fileWrittenText without socket bytes = %q, want n/a", got)
	}
	// wchar less 2 MB of frames: 1 MB of file writes, 0.1 KB a message,
	// far below write_bytes' 3 KB a message.
	c.socketBytes = 2000000
	if got, want := c.fileWrittenText(), "0.1 KB"; got != want {
		t.Errorf("fileWrittenText = %q, want %q", got, want)
	}
	if c.folioNote() == "" {
		t.Error("no folio note with write_bytes 30 times the file writes")
	}
	c.socketBytes = 3000000 - 30000*1024 // file writes equal to write_bytes
	if got := c.folioNote(); got != "" {
		t.Errorf("folio note with write_bytes equal to the file writes: %q", got)
	}

	// Without /proc/PID/io or the device, the figures say so.
	a.proc.ioOK, a.diskOK = false, false
	c = costBetween(a, b, 10000)
	if got := c.writtenText() + " " + c.wcharText() + " " + c.devWrittenText() + " " + c.msgsPerFlushText(); got != "n/a n/a n/a n/a" {
		t.Errorf("without counters: %q, want every figure n/a", got)
	}
	// A kernel that does not count flushes.
	a.diskOK, a.disk.flushes = true, -1
	if got := costBetween(a, b, 10000).msgsPerFlushText(); got != "n/a" {
		t.Errorf("msgsPerFlushText without flush counts = %q, want n/a", got)
	}
	// Messages committed, write_bytes still: tmpfs.
	a = b
	if c := costBetween(a, b, 10); !c.noWrites() {
		t.Error("noWrites = false with no bytes written for 10 messages")
	}
	if c := costBetween(a, b, 0); c.cpuPerMsg() != 0 || c.noWrites() {
		t.Errorf("no messages: cpuPerMsg %v, noWrites %v; want 0, false", c.cpuPerMsg(), c.noWrites())
	}
}

func TestUS(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{{0, "0.0 µs"}, {70 * time.Microsecond, "70.0 µs"}, {70400 * time.Nanosecond, "70.4 µs"}, {1500 * time.Microsecond, "1500 µs"}} {
		if got := us(c.d); got != c.want {
			t.Errorf("us(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestWSFrameLen(t *testing.T) {
	for _, c := range []struct{ n, want int }{{0, 2}, {125, 127}, {126, 130}, {65535, 65539}, {65536, 65546}} {
		if got := wsFrameLen(c.n); got != c.want {
			t.Errorf("wsFrameLen(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestPercentileFloat(t *testing.T) {
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"no samples", nil, 50, 0},
		{"one sample", []float64{2.5}, 90, 2.5},
		{"median of 4", []float64{1, 2, 3, 4}, 50, 2},
		{"p90 of 10", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
		{"p100", []float64{-3, 0, 7}, 100, 7},
		{"p1 is the minimum", []float64{-3, 0, 7}, 1, -3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentileFloat(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentileFloat(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSecs(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0.0 s"},
		{1500 * time.Millisecond, "1.5 s"},
		{-2 * time.Second, "-2.0 s"},
		{95 * time.Second, "95.0 s"},
	}
	for _, tt := range tests {
		if got := secs(tt.d); got != tt.want {
			t.Errorf("secs(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFillTimes(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name              string
		resolves, assigns []time.Time
		want              []time.Duration
	}{
		{"nothing", nil, nil, nil},
		{"free places from the start have no resolve", nil, []time.Time{at(0), at(5)}, nil},
		{"each resolve with the next assignment", []time.Time{at(100), at(200)}, []time.Time{at(0), at(103), at(250)},
			[]time.Duration{3 * time.Millisecond, 50 * time.Millisecond}},
		{"two resolves, then two assignments, in order", []time.Time{at(10), at(20)}, []time.Time{at(30), at(31)},
			[]time.Duration{20 * time.Millisecond, 11 * time.Millisecond}},
		{"a resolve left over found nobody waiting", []time.Time{at(10), at(500)}, []time.Time{at(12)},
			[]time.Duration{2 * time.Millisecond}},
		{"unsorted input", []time.Time{at(200), at(100)}, []time.Time{at(250), at(150)},
			[]time.Duration{50 * time.Millisecond, 50 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fillTimes(tt.resolves, tt.assigns)
			if len(got) != len(tt.want) {
				t.Fatalf("fillTimes = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("fillTimes = %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
}
