// Package files keeps the bytes of attachments, content-addressed on disk
// under the data directory, and makes an upload safe to store: its type
// sniffed from its bytes, an image's metadata (EXIF, GPS, XMP, comments)
// stripped.
//
// It knows nothing of conversations or who may read what: the store keeps
// which conversation a file belongs to, the web package who may fetch it.
// It may import app/parley and the standard library.
package files

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parley-chat/parley/app/parley"
)

// Dir is a directory of files named by the SHA-256 of their bytes:
// root/ab/cd/abcd…. The same bytes are stored once, whoever uploads them.
type Dir struct{ root string }

// Open returns the directory root. It is made at the first Put: a server
// nobody sends files to leaves the data directory as it was.
func Open(root string) (*Dir, error) {
	if root == "" {
		return nil, fmt.Errorf("files: no directory")
	}
	return &Dir{root: filepath.Clean(root)}, nil
}

func (d *Dir) path(id string) string {
	return filepath.Join(d.root, id[:2], id[2:4], id)
}

// Put stores data and returns its id, the lowercase hex SHA-256. It writes
// a temporary file beside the target and renames it, so a reader never
// sees half a file, and a crash leaves at most a stray temporary file.
func (d *Dir) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	p := d.path(id)
	if _, err := os.Stat(p); err == nil {
		return id, nil // stored already: same hash, same bytes
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", fmt.Errorf("files: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return "", fmt.Errorf("files: %w", err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		// Durable before the store records it: a recorded file is there
		// after a crash.
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("files: storing %s: %w", id, err)
	}
	return id, nil
}

// Open opens the file id; a missing or malformed id is parley.ENotFound.
func (d *Dir) Open(id string) (*os.File, error) {
	if !parley.ValidFileID(id) {
		return nil, parley.Errorf(parley.ENotFound, "File not found.")
	}
	f, err := os.Open(d.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, parley.Errorf(parley.ENotFound, "File not found.")
	}
	return f, err
}
