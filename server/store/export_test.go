package store

import bolt "go.etcd.io/bbolt"

// QueueLen reports how many writes wait for the committer, so tests can put
// several writes into one batch on purpose.
func QueueLen(d *DB) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queue)
}

// Snapshot copies the file as it was at the newest commit, consistently:
// what a kill -9 right then would leave behind.
func Snapshot(d *DB, path string) error {
	return d.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(path, 0o600) })
}
