package parley

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// File is an attachment: an upload the server stored under the SHA-256 of
// its bytes (after stripping an image's metadata), announced in the msg
// frame of the message that carries it. Name, Type and Size are the
// server's record, never what a sender claims in its send frame.
type File struct {
	// ID is the lowercase hex SHA-256 of the stored bytes.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is the MIME type the server sniffed from the bytes.
	Type string `json:"type"`
	Size int64  `json:"size"`
	// Width and Height are an image's, in pixels.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// IsImage says whether f is shown as a preview.
func (f File) IsImage() bool { return IsImageType(f.Type) }

// IsImageType says whether a sniffed type is one Parley previews (and
// strips the metadata of).
func IsImageType(t string) bool {
	switch t {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}

// Attachment bounds.
const (
	DefaultFileBytes = 10 << 20
	MaxFileBytes     = 25 << 20
	// MaxFilesPerMessage bounds a send's files.
	MaxFilesPerMessage = 10
	// MaxFilesPerConversation bounds the uploads of one conversation.
	MaxFilesPerConversation = 50
	// MaxFileName bounds a file name, in runes.
	MaxFileName = 200
)

// DefaultFileTypes are the types a site accepts unless it says otherwise.
var DefaultFileTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}

// KnownFileTypes are the types a site may allow: those the server can
// recognise by their bytes (net/http's sniffer), so that a type is what
// the file is, not what its name says.
var KnownFileTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain",
	"application/zip", "audio/mpeg", "video/mp4", "video/webm", "audio/ogg"}

// FileSettings are a site's limits on attachments. The zero value is the
// default: on, DefaultFileBytes, DefaultFileTypes.
type FileSettings struct {
	// Off refuses attachments on the site.
	Off bool `json:"off,omitempty"`
	// MaxBytes bounds one file: 0 for DefaultFileBytes, at most
	// MaxFileBytes.
	MaxBytes int64 `json:"maxBytes,omitempty"`
	// Types are the allowed MIME types, from KnownFileTypes; empty for
	// DefaultFileTypes.
	Types []string `json:"types,omitempty"`
}

// Validate checks settings that come from outside.
func (s FileSettings) Validate() (FileSettings, error) {
	if s.MaxBytes < 0 || s.MaxBytes > MaxFileBytes {
		return FileSettings{}, Errorf(EInvalid, "The largest file must be at most %d MB.", MaxFileBytes>>20)
	}
	seen := map[string]bool{}
	types := make([]string, 0, len(s.Types))
	for _, t := range s.Types {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		known := false
		for _, k := range KnownFileTypes {
			known = known || k == t
		}
		if !known {
			return FileSettings{}, Errorf(EInvalid, "File type %q cannot be allowed; these can: %s.", Truncate(t, 64), strings.Join(KnownFileTypes, ", "))
		}
		seen[t] = true
		types = append(types, t)
	}
	s.Types = types
	if len(s.Types) == 0 {
		s.Types = nil
	}
	return s, nil
}

// Limit is the largest file the site accepts, in bytes; 0 when it takes none.
func (s FileSettings) Limit() int64 {
	switch {
	case s.Off:
		return 0
	case s.MaxBytes <= 0:
		return DefaultFileBytes
	}
	return min(s.MaxBytes, MaxFileBytes)
}

// Allowed are the types the site accepts.
func (s FileSettings) Allowed() []string {
	if len(s.Types) == 0 {
		return DefaultFileTypes
	}
	return s.Types
}

// Check says whether the site takes a file of the given size and type:
// the widget and the console ask before they upload, the server again on
// the sniffed type.
func (s FileSettings) Check(size int64, typ string) error {
	if s.Off {
		return Errorf(EForbidden, "This chat does not take files.")
	}
	if max := s.Limit(); size > max {
		return Errorf(ETooLarge, "The file is %s; the largest this chat takes is %s.", FormatBytes(size), FormatBytes(max))
	}
	if size == 0 {
		return Errorf(EInvalid, "The file is empty.")
	}
	typ = MediaType(typ)
	for _, t := range s.Allowed() {
		if t == typ {
			return nil
		}
	}
	return Errorf(EUnsupported, "Files of this type (%s) are not accepted here; these are: %s.", orUnknown(typ), strings.Join(s.Allowed(), ", "))
}

func orUnknown(t string) string {
	if t == "" {
		return "unknown"
	}
	return t
}

// MediaType is t without parameters, lowercase: "text/plain; charset=utf-8"
// is "text/plain".
func MediaType(t string) string {
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return strings.ToLower(strings.TrimSpace(t))
}

// FormatBytes writes n for people: "512 B", "3.4 KB", "10 MB".
func FormatBytes(n int64) string {
	const unit = 1024
	switch {
	case n < unit:
		return itoa(n) + " B"
	case n < unit*unit:
		return decimal(n*10/unit) + " KB"
	}
	return decimal(n*10/(unit*unit)) + " MB"
}

// decimal writes tenths: 34 is "3.4", 100 is "10".
func decimal(tenths int64) string {
	if tenths%10 == 0 || tenths >= 100 {
		return itoa(tenths / 10)
	}
	return itoa(tenths/10) + "." + itoa(tenths%10)
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

// CleanFileName makes a sender's file name safe to store and show: the
// last path element, without control or format characters, at most
// MaxFileName runes; "file" when nothing is left.
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		// Format characters include the bidi overrides that make
		// "gpj.exe" read as "exe.jpg".
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	name = strings.TrimLeft(name, ".")
	if utf8.RuneCountInString(name) > MaxFileName {
		// Keep the extension: it is what the reader looks at.
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && utf8.RuneCountInString(name[i:]) <= 16 {
			ext = name[i:]
		}
		name = Truncate(name, MaxFileName-utf8.RuneCountInString(ext)) + ext
	}
	if name == "" {
		return "file"
	}
	return name
}

// ValidFileID says whether id has the shape of a file id: 64 lowercase hex
// digits.
func ValidFileID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// CheckFileRefs checks the files of a send: at most MaxFilesPerMessage,
// each a well-formed id, none twice. It returns their ids.
func CheckFileRefs(files []File) ([]string, error) {
	if len(files) > MaxFilesPerMessage {
		return nil, Errorf(ETooLarge, "A message carries at most %d files.", MaxFilesPerMessage)
	}
	ids := make([]string, 0, len(files))
	for _, f := range files {
		if !ValidFileID(f.ID) {
			return nil, Errorf(EInvalid, "A file id is 64 lowercase hex digits.")
		}
		for _, id := range ids {
			if id == f.ID {
				return nil, Errorf(EInvalid, "The same file is attached twice.")
			}
		}
		ids = append(ids, f.ID)
	}
	return ids, nil
}
