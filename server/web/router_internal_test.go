package web

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/app/parley"
)

// TestEstimate: the estimate model of docs/protocol.md, case by case.
func TestEstimate(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	steady := func(perSecond float64, over time.Duration) *waitLog {
		w := new(waitLog)
		step := time.Duration(float64(time.Second) / perSecond)
		for at := now.Add(-over); !at.After(now); at = at.Add(step) {
			w.add(at, 30*time.Second)
		}
		return w
	}
	secs := func(q parley.QueueStatus) int {
		if q.Estimate == nil {
			return -1
		}
		return *q.Estimate
	}
	for _, tt := range []struct {
		name              string
		pos, online, free int
		w                 *waitLog
		want              int // -1: no estimate
	}{
		{"nobody online, whatever the data", 1, 0, 0, steady(1, time.Minute), -1},
		{"free capacity: at once", 2, 1, 2, nil, 0},
		{"no data yet", 3, 2, 0, nil, -1},
		{"two assignments are no rate", 3, 2, 0, steady(1, time.Second), -1},
		{"one chat a minute, third in line", 3, 1, 0, steady(1.0/60, 10*time.Minute), 180},
		{"free places count", 5, 3, 2, steady(1.0/60, 10*time.Minute), 180},
		{"six a second, 600th in line", 600, 10, 0, steady(6, 2*time.Minute), 100},
		{"only the last 15 minutes count", 10, 1, 0, func() *waitLog {
			w := steady(1, time.Minute)
			w.at = append([]time.Time{now.Add(-time.Hour)}, w.at...) // an old burst
			w.wait = append([]time.Duration{0}, w.wait...)
			return w
		}(), 10},
	} {
		got := estimate(tt.pos, tt.online, tt.free, tt.w, now)
		g := secs(got)
		if tt.want < 0 && g >= 0 || tt.want >= 0 && (g < tt.want*95/100 || g > tt.want*105/100) {
			t.Errorf("%s: estimate %d s, want %d s", tt.name, g, tt.want)
		}
		if got.Position != tt.pos || got.Online != tt.online {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
}

// TestSameStatus: a visitor is told again only what changed enough.
func TestSameStatus(t *testing.T) {
	at := func(pos, online int, est *int) parley.QueueStatus {
		return parley.QueueStatus{Position: pos, Online: online, Estimate: est}
	}
	n := func(v int) *int { return &v }
	for _, tt := range []struct {
		a, b parley.QueueStatus
		same bool
	}{
		{at(3, 1, n(240)), at(3, 1, n(250)), true},
		{at(3, 1, n(240)), at(3, 1, n(300)), false},
		{at(3, 1, n(240)), at(2, 1, n(240)), false},
		{at(3, 1, nil), at(3, 0, nil), false},
		{at(3, 1, nil), at(3, 1, n(10)), false},
		{at(3, 2, nil), at(3, 1, nil), true},
		{at(10, 1, nil), at(9, 1, nil), false},   // near the front: every move
		{at(600, 1, nil), at(580, 1, nil), true}, // far back: 5 %
		{at(600, 1, nil), at(569, 1, nil), false},
		{at(12, 1, nil), at(10, 1, nil), false},
	} {
		if got := sameStatus(tt.a, tt.b); got != tt.same {
			t.Errorf("sameStatus(%+v, %+v) = %v", tt.a, tt.b, got)
		}
	}
}
