package files_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-chat/parley/server/files"
)

func riffChunk(id string, body []byte) []byte {
	c := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	c = append(c, body...)
	if len(body)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// webpWithMetadata is an extended WebP (VP8X) of 300×200 with EXIF and
// XMP chunks; its image chunk is a stand-in: Prepare does not decode it.
func webpWithMetadata() []byte {
	vp8x := []byte{0x08 | 0x04, 0, 0, 0, 43, 1, 0, 199, 0, 0} // flags EXIF|XMP, 300-1, 200-1
	vp8l := []byte{0x2f, 0, 0, 0, 0, 1, 2, 3}
	var body []byte
	body = append(body, riffChunk("VP8X", vp8x)...)
	body = append(body, riffChunk("VP8L", vp8l)...)
	body = append(body, riffChunk("EXIF", []byte("Exif\x00\x00MM GPS 48.85N"))...)
	body = append(body, riffChunk("XMP ", []byte("<x:xmpmeta>GPS</x:xmpmeta>"))...)
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	return append(append(out, "WEBP"...), body...)
}

func TestPrepareStripsWebPMetadata(t *testing.T) {
	c, err := files.Prepare(webpWithMetadata())
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != "image/webp" || c.Width != 300 || c.Height != 200 {
		t.Errorf("got %s %d×%d, want image/webp 300×200", c.Type, c.Width, c.Height)
	}
	for _, marker := range []string{"EXIF", "XMP ", "GPS"} {
		if bytes.Contains(c.Data, []byte(marker)) {
			t.Errorf("still holds %q", marker)
		}
	}
	if flags := c.Data[20]; flags&(0x08|0x04) != 0 {
		t.Errorf("VP8X flags %#x still announce metadata", flags)
	}
	if got := binary.LittleEndian.Uint32(c.Data[4:]); int(got) != len(c.Data)-8 {
		t.Errorf("RIFF size %d, want %d", got, len(c.Data)-8)
	}
}

func TestPrepareStripsPNGAndGIFText(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 3, 2))
	m.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	png.Encode(&b, m)
	raw := b.Bytes()
	// A tEXt chunk after the header: where cameras and editors put it.
	text := []byte("tEXtComment\x00GPS 48.85N")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)-4))
	chunk = append(chunk, text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(text))
	withText := append(append(append([]byte(nil), raw[:33]...), chunk...), raw[33:]...)
	c, err := files.Prepare(withText)
	if err != nil {
		t.Fatalf("PNG with a text chunk: %v", err)
	}
	if bytes.Contains(c.Data, []byte("GPS")) || c.Width != 3 || c.Height != 2 {
		t.Errorf("PNG: %d×%d, text kept: %v", c.Width, c.Height, bytes.Contains(c.Data, []byte("GPS")))
	}

	var g bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White})
	gif.Encode(&g, pal, nil)
	c, err = files.Prepare(g.Bytes())
	if err != nil || c.Type != "image/gif" || c.Width != 2 {
		t.Errorf("GIF: %+v, %v", c.Type, err)
	}
}

func TestPrepareLeavesOtherTypesAndRefusesBrokenImages(t *testing.T) {
	pdf := []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
	c, err := files.Prepare(pdf)
	if err != nil || c.Type != "application/pdf" || !bytes.Equal(c.Data, pdf) {
		t.Errorf("PDF: %q, %v", c.Type, err)
	}
	broken := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 40)...)
	if _, err := files.Prepare(broken); err == nil {
		t.Error("a broken PNG was taken")
	}
}

func TestDirStoresByContentAtomically(t *testing.T) {
	root := filepath.Join(t.TempDir(), "files")
	d, err := files.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	id, err := d.Put([]byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if id2, _ := d.Put([]byte("hello")); id2 != id {
		t.Errorf("same bytes, ids %s and %s", id, id2)
	}
	want := filepath.Join(root, id[:2], id[2:4], id)
	if b, err := os.ReadFile(want); err != nil || string(b) != "hello" {
		t.Errorf("stored at %s: %q, %v", want, b, err)
	}
	left, _ := filepath.Glob(filepath.Join(root, id[:2], id[2:4], ".upload-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, err := d.Open("../../etc/passwd"); err == nil {
		t.Error("Open took a path")
	}
}
