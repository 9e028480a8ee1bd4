package visitor_test

import (
	"testing"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/app/visitor"
)

func secs(n int) *int { return &n }

func TestQueueText(t *testing.T) {
	for _, tt := range []struct {
		name string
		q    *parley.QueueStatus
		want string
	}{
		{"not heard yet", nil, visitor.WaitingText},
		{"third with estimate", &parley.QueueStatus{Position: 3, Estimate: secs(240), Online: 2}, "You're 3rd in line — about 4 min"},
		{"next", &parley.QueueStatus{Position: 1, Estimate: secs(60), Online: 1}, "You're next — about 1 min"},
		{"next, soon", &parley.QueueStatus{Position: 1, Estimate: secs(20), Online: 1}, "You're next — less than a minute"},
		{"zero estimate", &parley.QueueStatus{Position: 2, Estimate: secs(0), Online: 1}, "You're 2nd in line — less than a minute"},
		{"no estimate", &parley.QueueStatus{Position: 11, Online: 3}, "You're 11th in line"},
		{"next, no estimate", &parley.QueueStatus{Position: 1, Online: 3}, "You're next"},
		{"nobody online", &parley.QueueStatus{Position: 2, Online: 0}, visitor.NobodyOnlineText},
		// An estimate with nobody online would be made up: never shown.
		{"nobody online, estimate anyway", &parley.QueueStatus{Position: 2, Estimate: secs(120), Online: 0}, visitor.NobodyOnlineText},
		{"hours", &parley.QueueStatus{Position: 21, Estimate: secs(2 * 3600), Online: 1}, "You're 21st in line — about 2 h"},
	} {
		if got := visitor.QueueText(tt.q); got != tt.want {
			t.Errorf("%s: QueueText = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWaitText(t *testing.T) {
	for _, tt := range []struct {
		seconds int
		want    string
	}{
		{0, "less than a minute"},
		{59, "less than a minute"},
		{60, "about 1 min"},
		{89, "about 1 min"},
		{90, "about 2 min"},
		{240, "about 4 min"},
		{89 * 60, "about 89 min"},
		{90 * 60, "about 2 h"},
		{5 * 3600, "about 5 h"},
	} {
		if got := visitor.WaitText(tt.seconds); got != tt.want {
			t.Errorf("WaitText(%d) = %q, want %q", tt.seconds, got, tt.want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{
		1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 10: "10th", 11: "11th", 12: "12th", 13: "13th",
		14: "14th", 21: "21st", 22: "22nd", 23: "23rd", 101: "101st", 111: "111th", 112: "112th", 113: "113th",
	} {
		if got := visitor.Ordinal(n); got != want {
			t.Errorf("Ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}
