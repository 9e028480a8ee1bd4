package inbound_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-chat/parley/server/mail/inbound"
)

const token = "Zk3vQ9mX2pL7rT4wN8bYcA" // the token in testdata's recipient addresses

func readFixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// The fixtures are shaped after what Gmail, Outlook (web) and Apple Mail
// send: multipart/alternative, quoted-printable and base64, iso-8859-2,
// each client's own way of quoting.
func TestParseReplyFixtures(t *testing.T) {
	tests := []struct {
		file string
		want string
		hdr  inbound.Header
	}{
		{
			file: "gmail_reply.eml",
			want: "Hi, yes please — send the 250 g bag instead of the 1 kg one. If it's easier, I can pick it up in the shop on Friday.\n\nThanks,\nAnna",
			hdr: inbound.Header{
				From:      "anna.kowalska@gmail.com",
				Subject:   "Re: Your question about order 1042",
				MessageID: "CAJx9a+7nQ2wXbT4kfz1mR8pVy3LqZ0H5sd@mail.gmail.com",
				InReplyTo: []string{"conv-1042.1795932120@chat.example"},
			},
		},
		{
			file: "outlook_reply.eml",
			want: "Dzień dobry,\n\nzamówienie nr 1042 jeszcze nie dotarło. Czy możecie sprawdzić, gdzie jest paczka?\n\nPozdrawiam\nJan Nowak",
			hdr: inbound.Header{
				From:      "jan.nowak@example.pl",
				Subject:   "RE: Zamówienie 1042 śledzenie",
				MessageID: "AM9PR07MB72341F0E8C2D3B4A5E6F7A8B9C0DA@AM9PR07MB7234.eurprd07.prod.outlook.com",
				InReplyTo: []string{"conv-1042.1795932120@chat.example"},
			},
		},
		{
			file: "apple_mail_reply.eml",
			want: "Perfect, thank you! Could you gift-wrap it? It's a birthday present for my sister, so please leave the invoice out of the box.\n\nBest,\nClaire",
			hdr: inbound.Header{
				From:      "claire.martin@icloud.com",
				Subject:   "Re: Your Kenya AA is ready",
				MessageID: "8F1C2D3E-4B5A-6978-8C9D-0E1F2A3B4C5D@icloud.com",
				InReplyTo: []string{"conv-77.1795932120@chat.example"},
			},
		},
		{
			file: "with_attachment.eml",
			want: "Here is the photo of the broken grinder and the invoice.",
			hdr: inbound.Header{
				From:      "tom.becker@example.de",
				Subject:   "Re: Refund for order 2213",
				MessageID: "0C1D2E3F-AAAA-BBBB-CCCC-DDDDEEEEFFFF@example.de",
				InReplyTo: []string{"conv-2213.1795932120@chat.example"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, hdr, err := inbound.ParseReply(strings.NewReader(readFixture(t, tt.file)), 4000)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("text:\ngot  %q\nwant %q", got, tt.want)
			}
			if !reflect.DeepEqual(hdr, tt.hdr) {
				t.Errorf("header:\ngot  %+v\nwant %+v", hdr, tt.hdr)
			}
		})
	}
}

// Each client's HTML part alone, as when a client sends no plain part,
// must give the same text.
func TestParseReplyHTMLOnly(t *testing.T) {
	for _, file := range []string{"gmail_reply.eml", "outlook_reply.eml", "apple_mail_reply.eml"} {
		t.Run(file, func(t *testing.T) {
			want, _, err := inbound.ParseReply(strings.NewReader(readFixture(t, file)), 0)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := inbound.ParseReply(strings.NewReader(dropPlainPart(t, readFixture(t, file))), 0)
			if err != nil {
				t.Fatal(err)
			}
			want = strings.ReplaceAll(want, "'", "’") // Apple's HTML has the typographic apostrophe
			got = strings.ReplaceAll(got, "'", "’")
			if got != want {
				t.Errorf("html:\ngot  %q\nwant %q", got, want)
			}
		})
	}
}

// dropPlainPart removes the text/plain part of a multipart/alternative
// fixture.
func dropPlainPart(tb testing.TB, msg string) string {
	tb.Helper()
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	i := strings.Index(msg, "Content-Type: text/plain")
	j := strings.Index(msg, "Content-Type: text/html")
	if i < 0 || j < i {
		tb.Fatal("fixture has no text/plain part before its text/html part")
	}
	start := strings.LastIndex(msg[:i], "\n--") + 1
	end := strings.LastIndex(msg[:j], "\n--") + 1
	return msg[:start] + msg[end:]
}

func TestParseReplyRefusals(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want error
	}{
		{"malformed fixture", readFixture(t, "malformed.eml"), inbound.ErrMalformed},
		{"header line without colon", "From: a@example.com\nthis is not a header\n\nhello\n", inbound.ErrMalformed},
		{"multipart without boundary", "From: a@example.com\nContent-Type: multipart/alternative\n\nhello\n", inbound.ErrMalformed},
		{"multipart without its end", "From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhello\n", inbound.ErrMalformed},
		{"only a quote", "From: a@example.com\nSubject: Re: x\n\nOn Mon, 30 Nov 2026 at 10:02, Shop <reply+abc@chat.example> wrote:\n> hello\n", inbound.ErrNoText},
		{"only a signature", "From: a@example.com\n\n\n-- \nAnna\n", inbound.ErrNoText},
		{"only an attachment", "From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n%PDF\n--x--\n", inbound.ErrNoText},
		{"empty", "From: a@example.com\n\n", inbound.ErrNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := inbound.ParseReply(strings.NewReader(tt.msg), 0)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %q, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseReplyDetails(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		max  int
		want string
	}{
		{"plain, no MIME", "From: a@example.com\n\nHello there\n", 0, "Hello there"},
		{"cut to max runes", "From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\nzażółć gęślą jaźń\n", 6, "zażółć"},
		{"unknown charset read as is", "From: a@example.com\nContent-Type: text/plain; charset=x-no-such\n\nhello \xff\n", 0, "hello \uFFFD"},
		{"windows-1250", "From: a@example.com\nContent-Type: text/plain; charset=windows-1250\nContent-Transfer-Encoding: quoted-printable\n\nZam=F3wienie dotar=B3o, dzi=EAkuj=EA\n", 0, "Zamówienie dotarło, dziękuję"},
		{"format=flowed", "From: a@example.com\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\nThis line goes  \non here.\n\n> quoted  \n> more\n", 0, "This line goes on here."},
		{"html entities and breaks", "From: a@example.com\nContent-Type: text/html\n\n<p>Fish &amp; chips<br>please</p><style>p{}</style><p>Thanks</p>", 0, "Fish & chips\nplease\nThanks"},
		{"empty plain part, text in html", "From: a@example.com\nContent-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/plain\n\n\n--x\nContent-Type: text/html\n\n<div>Hi</div>\n--x--\n", 0, "Hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := inbound.ParseReply(strings.NewReader(tt.msg), tt.max)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseReplyAutomatic(t *testing.T) {
	for _, h := range []string{"Auto-Submitted: auto-replied", "Precedence: bulk", "X-Autoreply: yes", "Content-Type: multipart/report; report-type=delivery-status; boundary=x"} {
		msg := "From: a@example.com\n" + h + "\n\nI am out of the office.\n"
		if strings.Contains(h, "multipart") {
			msg = "From: a@example.com\n" + h + "\n\n--x\nContent-Type: text/plain\n\nDelivery failed.\n--x--\n"
		}
		_, hdr, err := inbound.ParseReply(strings.NewReader(msg), 0)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		if !hdr.Automatic {
			t.Errorf("%s: Automatic false, want true", h)
		}
	}
	_, hdr, _ := inbound.ParseReply(strings.NewReader("From: a@example.com\nAuto-Submitted: no\n\nhi\n"), 0)
	if hdr.Automatic {
		t.Error("Auto-Submitted: no: Automatic true, want false")
	}
}
