package files

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSweep: a file not kept goes when dropped, or when old; a kept one,
// and a young one nobody dropped (an upload on its way), stay.
func TestSweep(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put := func(s string) string {
		id, err := d.Put([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	kept, dropped, old, young := put("kept"), put("dropped"), put("old"), put("young")
	past := time.Now().Add(-48 * time.Hour)
	for _, id := range []string{kept, old} {
		os.Chtimes(d.path(id), past, past)
	}
	stray := filepath.Join(filepath.Dir(d.path(old)), ".upload-123")
	os.WriteFile(stray, []byte("half"), 0o600)
	os.Chtimes(stray, past, past)

	n, err := d.Sweep(map[string]bool{kept: true}, []string{dropped, kept}, time.Now().Add(-24*time.Hour))
	if err != nil || n != 3 {
		t.Errorf("Sweep: %d, %v; want 3 removed", n, err)
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	for id, want := range map[string]bool{kept: true, dropped: false, old: false, young: true} {
		if got := exists(d.path(id)); got != want {
			t.Errorf("%s on disk: %v, want %v", id[:8], got, want)
		}
	}
	if exists(stray) {
		t.Error("the stray temporary file is still there")
	}
	// Stored again, old bytes are young: an upload of them is on its way.
	os.Chtimes(d.path(kept), past, past)
	put("kept")
	if n, _ := d.Sweep(nil, nil, time.Now().Add(-24*time.Hour)); n != 0 || !exists(d.path(kept)) {
		t.Errorf("after storing old bytes again: %d removed, on disk %v; want young kept", n, exists(d.path(kept)))
	}
}
