package parley_test

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/app/parley"
)

func TestCleanFileName(t *testing.T) {
	long := strings.Repeat("a", 300) + ".pdf"
	for _, tt := range []struct{ in, want string }{
		{"photo.jpg", "photo.jpg"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\kim\scan.pdf`, "scan.pdf"},
		{"invoice\u202egpj.exe", "invoicegpj.exe"}, // no bidi override
		{"tab\there\x00.txt", "tabhere.txt"},
		{"  .hidden ", "hidden"},
		{"", "file"},
		{"...", "file"},
		{"\xff\xfe", "file"},
		{long, strings.Repeat("a", 196) + ".pdf"},
	} {
		if got := parley.CleanFileName(tt.in); got != tt.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFileSettings(t *testing.T) {
	var def parley.FileSettings
	if def.Limit() != parley.DefaultFileBytes || def.Check(100, "image/png") != nil || def.Check(100, "text/plain; charset=utf-8") != nil {
		t.Error("the defaults do not take a small PNG or text")
	}
	for _, tt := range []struct {
		s    parley.FileSettings
		size int64
		typ  string
		code string
	}{
		{def, parley.DefaultFileBytes + 1, "image/png", parley.ETooLarge},
		{def, 10, "application/octet-stream", parley.EUnsupported},
		{def, 10, "application/x-msdownload", parley.EUnsupported},
		{def, 0, "image/png", parley.EInvalid},
		{parley.FileSettings{Off: true}, 10, "image/png", parley.EForbidden},
		{parley.FileSettings{MaxBytes: 100, Types: []string{"application/pdf"}}, 101, "application/pdf", parley.ETooLarge},
		{parley.FileSettings{Types: []string{"application/pdf"}}, 10, "image/png", parley.EUnsupported},
	} {
		if got := parley.ErrorCode(tt.s.Check(tt.size, tt.typ)); got != tt.code {
			t.Errorf("%+v.Check(%d, %q) = %q, want %q", tt.s, tt.size, tt.typ, got, tt.code)
		}
	}
	if _, err := (parley.FileSettings{MaxBytes: parley.MaxFileBytes + 1}).Validate(); parley.ErrorCode(err) != parley.EInvalid {
		t.Errorf("over 25 MB: %v", err)
	}
	if _, err := (parley.FileSettings{Types: []string{"text/html"}}).Validate(); parley.ErrorCode(err) != parley.EInvalid {
		t.Errorf("text/html allowed: %v", err)
	}
	s, err := (parley.FileSettings{Types: []string{" Image/PNG ", "image/png", ""}}).Validate()
	if err != nil || len(s.Types) != 1 || s.Types[0] != "image/png" {
		t.Errorf("normalised types: %+v, %v", s.Types, err)
	}
	site := parley.Site{Name: "Shop", Files: parley.FileSettings{MaxBytes: 1 << 20}}
	if w := site.WidgetSettings(); w.Files.Limit() != 1<<20 {
		t.Errorf("the widget's limits: %+v", w.Files)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 512: "512 B", 2048: "2 KB", 3500: "3.4 KB", 10 << 20: "10 MB", 1536 << 10: "1.5 MB"} {
		if got := parley.FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
