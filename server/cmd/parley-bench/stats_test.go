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
