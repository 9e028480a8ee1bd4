package ui_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/app/ui"
)

func TestFormatTime(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	now := time.Date(2025, 3, 12, 10, 0, 0, 0, loc)
	at := func(y int, m time.Month, d, h, min int) int64 {
		return time.Date(y, m, d, h, min, 0, 0, loc).UnixMilli()
	}
	tests := []struct {
		name      string
		at        int64
		want      string
		wantShort string
	}{
		{"today", at(2025, 3, 12, 9, 5), "09:05", "09:05"},
		{"today just after midnight", at(2025, 3, 12, 0, 1), "00:01", "00:01"},
		{"yesterday", at(2025, 3, 11, 23, 59), "Yesterday 23:59", "Yesterday"},
		{"this year", at(2025, 1, 2, 8, 0), "Jan 2, 08:00", "Jan 2"},
		{"last year", at(2024, 12, 31, 8, 0), "Dec 31, 2024", "Dec 31, 2024"},
		{"other zone is converted", time.Date(2025, 3, 11, 22, 30, 0, 0, time.UTC).UnixMilli(), "00:30", "00:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ui.FormatTime(tt.at, now); got != tt.want {
				t.Errorf("FormatTime = %q, want %q", got, tt.want)
			}
			if got := ui.ShortTime(time.UnixMilli(tt.at), now); got != tt.wantShort {
				t.Errorf("ShortTime = %q, want %q", got, tt.wantShort)
			}
		})
	}
	if got := ui.ShortTime(time.Time{}, now); got != "" {
		t.Errorf("ShortTime(zero) = %q, want empty", got)
	}
}
