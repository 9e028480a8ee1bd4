package client

import "time"

// SetProbeTimeout shortens how long Resync waits for a sign of life, so a
// test of a dead connection does not wait seconds. Call it before Run.
func SetProbeTimeout(c *Client, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.probeTimeout = d
}

// Backoff is the reconnect delay before attempt n.
var Backoff = backoff
