package store

import (
	"crypto/rand"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Secret returns the install's secret key named name (32 random bytes),
// made at its first use and kept in the meta bucket: the key that signs
// reply addresses and resume links. It never leaves the server.
func (d *DB) Secret(name string) ([]byte, error) {
	key := []byte("secret:" + name)
	var out []byte
	err := d.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(key); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil || out != nil {
		return out, err
	}
	err = d.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(key); v != nil { // made meanwhile
			out = append([]byte(nil), v...)
			return nil
		}
		out = make([]byte, 32)
		if _, err := rand.Read(out); err != nil {
			return fmt.Errorf("store: making secret %s: %w", name, err)
		}
		return meta.Put(key, out)
	})
	return out, err
}
