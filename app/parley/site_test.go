package parley_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestWidgetSettingsBusyMinutes(t *testing.T) {
	for _, tt := range []struct {
		busy     int
		wantJSON bool
	}{{0, false}, {5, true}, {parley.MaxBusyMinutes, true}} {
		var s parley.Site
		s.Name = "Tea House"
		s.Routing.BusyMinutes = tt.busy
		w := s.WidgetSettings()
		if w.BusyMinutes != tt.busy {
			t.Errorf("BusyMinutes %d: widget has %d", tt.busy, w.BusyMinutes)
		}
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), `"busyMinutes"`); got != tt.wantJSON {
			t.Errorf("BusyMinutes %d: JSON %s has busyMinutes = %v, want %v", tt.busy, b, got, tt.wantJSON)
		}
		var back parley.WidgetSettings
		if err := json.Unmarshal(b, &back); err != nil || back.BusyMinutes != tt.busy {
			t.Errorf("round trip of %s = %d, %v", b, back.BusyMinutes, err)
		}
	}
}
