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
	"strings"
	"time"

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
		// Stored already: same hash, same bytes. Touched, so that a sweep
		// takes it for the new upload it is.
		now := time.Now()
		os.Chtimes(p, now, now)
		return id, nil
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

// Remove deletes the bytes of id; a missing file is no error.
func (d *Dir) Remove(id string) error {
	if !parley.ValidFileID(id) {
		return nil
	}
	if err := os.Remove(d.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("files: removing %s: %w", id, err)
	}
	return nil
}

// Sweep deletes the files not in keep: those of drop at once, the others
// (and stray temporary files) once last written before olderThan, so that
// an upload whose record is not written yet stays. It returns how many it
// deleted.
func (d *Dir) Sweep(keep map[string]bool, drop []string, olderThan time.Time) (int, error) {
	n := 0
	for _, id := range drop {
		if keep[id] {
			continue
		}
		if _, err := os.Stat(d.path(id)); err != nil {
			continue
		}
		if err := d.Remove(id); err != nil {
			return n, err
		}
		n++
	}
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // no file was ever stored
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		name := e.Name()
		if keep[name] {
			return nil
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(olderThan) {
			return nil
		}
		if !parley.ValidFileID(name) && !strings.HasPrefix(name, ".upload-") {
			return nil // not ours
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("files: sweeping %s: %w", name, err)
		}
		n++
		return nil
	})
	return n, err
}
