package search

import (
	"testing"
	"time"
)

// The indexer gives way to a flood of commits: past floodRate entries a
// second it rests eight times its work, else a third of it.
func TestIndexerGivesWayToAFlood(t *testing.T) {
	ix := &Index{}
	took := 10 * time.Millisecond
	for _, c := range []struct {
		entries int64
		want    time.Duration
	}{
		{3 * floodRate, took * floodRest}, // a flood: about 15,000 a second
		{floodRate / 10, took / restShare},
		{0, took / restShare},
	} {
		ix.arrivedAt = time.Now().Add(-time.Second)
		ix.arrived.Store(c.entries)
		if got := ix.restAfter(took); got != c.want {
			t.Errorf("%d entries in the last second: rest %v after %v of work, want %v", c.entries, got, took, c.want)
		}
		if n := ix.arrived.Load(); n != 0 {
			t.Errorf("the count of arrivals was not reset: %d", n)
		}
	}
}
