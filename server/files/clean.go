package files

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"

	"github.com/parley-chat/parley/app/parley"
)

// MaxPixels bounds an image's size in pixels: decoding takes 4 bytes a
// pixel, and a small file can claim a huge picture.
const MaxPixels = 40_000_000

// Clean is an upload made safe to store.
type Clean struct {
	Data []byte
	// Type is sniffed from the bytes, without parameters.
	Type          string
	Width, Height int
}

// Sniff is the type of data as net/http's sniffer reads its first 512
// bytes, without parameters: what the file is, whatever its name says.
func Sniff(data []byte) string {
	return parley.MediaType(http.DetectContentType(data[:min(len(data), 512)]))
}

// Prepare sniffs data's type and strips the metadata of an image: JPEG,
// PNG and GIF are decoded and encoded again, which keeps the pixels only
// (JPEG at quality 90, after turning the picture upright as its EXIF
// orientation says); WebP, which the standard library cannot encode,
// loses its EXIF and XMP chunks. Other types pass as they are.
func Prepare(data []byte) (Clean, error) {
	c := Clean{Type: Sniff(data)}
	var err error
	switch c.Type {
	case "image/jpeg":
		c.Data, c.Width, c.Height, err = cleanJPEG(data)
	case "image/png":
		c.Data, c.Width, c.Height, err = cleanPNG(data)
	case "image/gif":
		c.Data, c.Width, c.Height, err = cleanGIF(data)
	case "image/webp":
		c.Data, c.Width, c.Height, err = cleanWebP(data)
	default:
		c.Data = data
	}
	if err != nil {
		return Clean{}, err
	}
	return c, nil
}

func badImage(typ string) error {
	return parley.Errorf(parley.EInvalid, "The %s image could not be read: it may be damaged.", typ)
}

func checkSize(cfg image.Config, typ string) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return badImage(typ)
	}
	if cfg.Width*cfg.Height > MaxPixels {
		return parley.Errorf(parley.ETooLarge, "The image is %d×%d pixels; the largest taken is %d megapixels.", cfg.Width, cfg.Height, MaxPixels/1_000_000)
	}
	return nil
}

func cleanPNG(data []byte) ([]byte, int, int, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, badImage("PNG")
	}
	if err := checkSize(cfg, "PNG"); err != nil {
		return nil, 0, 0, err
	}
	m, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, badImage("PNG")
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		return nil, 0, 0, fmt.Errorf("files: encoding PNG: %w", err)
	}
	return b.Bytes(), cfg.Width, cfg.Height, nil
}

func cleanJPEG(data []byte) ([]byte, int, int, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, badImage("JPEG")
	}
	if err := checkSize(cfg, "JPEG"); err != nil {
		return nil, 0, 0, err
	}
	m, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, badImage("JPEG")
	}
	// Re-encoding drops the orientation tag with the rest: apply it to
	// the pixels, or a phone's photo would show on its side.
	m = orient(m, jpegOrientation(data))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		return nil, 0, 0, fmt.Errorf("files: encoding JPEG: %w", err)
	}
	r := m.Bounds()
	return b.Bytes(), r.Dx(), r.Dy(), nil
}

func cleanGIF(data []byte) ([]byte, int, int, error) {
	cfg, err := gif.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, badImage("GIF")
	}
	if err := checkSize(cfg, "GIF"); err != nil {
		return nil, 0, 0, err
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, badImage("GIF")
	}
	if len(g.Image)*cfg.Width*cfg.Height > MaxPixels {
		return nil, 0, 0, parley.Errorf(parley.ETooLarge, "The animation has too many frames for its size.")
	}
	// EncodeAll writes frames, palette and loop count only: comments and
	// application extensions (XMP) are gone.
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		return nil, 0, 0, fmt.Errorf("files: encoding GIF: %w", err)
	}
	return b.Bytes(), cfg.Width, cfg.Height, nil
}

// jpegOrientation reads the EXIF orientation (1–8) of a JPEG; 1 when it
// has none.
func jpegOrientation(data []byte) int {
	for i := 2; i+4 <= len(data) && data[i] == 0xFF; {
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan: no more metadata
			break
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		end := i + 2 + n
		if n < 2 || end > len(data) {
			break
		}
		seg := data[i+4 : end]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i = end
	}
	return 1
}

func tiffOrientation(t []byte) int {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	for k := range count {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			break
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient returns m turned upright by EXIF orientation o.
func orient(m image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return m
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			out.Set(dx, dy, m.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// cleanWebP drops the EXIF and XMP chunks of a WebP file (a RIFF
// container) and their flags in the VP8X header, and reads the picture's
// size. The image data is kept as it is.
func cleanWebP(data []byte) ([]byte, int, int, error) {
	bad := badImage("WebP")
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, 0, 0, bad
	}
	out := append([]byte(nil), data[:12]...)
	w, h := 0, 0
	for i := 12; i < len(data); {
		if i+8 > len(data) {
			return nil, 0, 0, bad
		}
		id := string(data[i : i+4])
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		end := i + 8 + n + n%2 // chunks are padded to even sizes
		if n < 0 || end > len(data) || end < i {
			return nil, 0, 0, bad
		}
		body := data[i+8 : i+8+n]
		switch id {
		case "EXIF", "XMP ":
			i = end
			continue
		case "VP8X":
			if n < 10 {
				return nil, 0, 0, bad
			}
			w = 1 + int(body[4]) | int(body[5])<<8 | int(body[6])<<16
			h = 1 + int(body[7]) | int(body[8])<<8 | int(body[9])<<16
			chunk := append([]byte(nil), data[i:end]...)
			chunk[8] &^= 0x08 | 0x04 // the EXIF and XMP flags
			out = append(out, chunk...)
			i = end
			continue
		case "VP8 ":
			// Frame tag (3 bytes), start code 9d 01 2a, 14-bit sizes.
			if w == 0 && n >= 10 && body[3] == 0x9d && body[4] == 0x01 && body[5] == 0x2a {
				w = int(binary.LittleEndian.Uint16(body[6:])) & 0x3fff
				h = int(binary.LittleEndian.Uint16(body[8:])) & 0x3fff
			}
		case "VP8L":
			if w == 0 && n >= 5 && body[0] == 0x2f {
				bits := binary.LittleEndian.Uint32(body[1:])
				w = int(bits&0x3fff) + 1
				h = int(bits>>14&0x3fff) + 1
			}
		}
		out = append(out, data[i:end]...)
		i = end
	}
	if w == 0 || h == 0 {
		return nil, 0, 0, bad
	}
	if err := checkSize(image.Config{Width: w, Height: h}, "WebP"); err != nil {
		return nil, 0, 0, err
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, w, h, nil
}
