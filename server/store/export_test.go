package store

// QueueLen reports how many writes wait for the committer, so tests can put
// several writes into one batch on purpose.
func QueueLen(d *DB) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue)
}
