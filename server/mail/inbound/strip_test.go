package inbound_test

import (
	"testing"

	"github.com/parley-chat/parley/server/mail/inbound"
)

func TestStripQuoted(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello\nthere\n", "Hello\nthere"},
		{"trims and folds blank lines", "\n\n  Hello  \n\n\n\nthere \n\n", "Hello\n\nthere"},
		{"crlf", "Hello\r\nthere\r\n", "Hello\nthere"},
		{"gmail attribution", "Yes please.\n\nOn Mon, Nov 30, 2026 at 10:02 AM Northwind Coffee <reply+abc@chat.example> wrote:\n> Hello\n", "Yes please."},
		{"gmail attribution wrapped", "Yes please.\n\nOn Mon, Nov 30, 2026 at 10:02 AM Northwind Coffee <\nreply+abc@chat.example> wrote:\n\n> Hello\n", "Yes please."},
		{"attribution over three lines", "Yes.\n\nOn Mon, Nov 30, 2026 at 10:02 AM\nNorthwind Coffee\n<reply+abc@chat.example> wrote:\n> Hello\n", "Yes."},
		{"apple mail attribution", "Great.\n\nOn 30 Nov 2026, at 10:02, Northwind Coffee <reply+abc@chat.example> wrote:\n\n> Hello\n> \n> Shop\n", "Great."},
		{"apple ios attribution quoted", "Great.\n\n> On 30 Nov 2026, at 10:02, Northwind Coffee <reply+abc@chat.example> wrote:\n> \n> Hello\n", "Great."},
		{"french", "Merci !\n\nLe lun. 30 nov. 2026 à 10:02, Northwind Coffee <reply+abc@chat.example> a écrit :\n> Bonjour\n", "Merci !"},
		{"german", "Danke!\n\nAm Mo., 30. Nov. 2026 um 10:02 Uhr schrieb Northwind Coffee <reply+abc@chat.example>:\n> Hallo\n", "Danke!"},
		{"polish", "Dziękuję!\n\nW dniu pon., 30 lis 2026 o 10:02 Northwind Coffee <reply+abc@chat.example> napisał(a):\n> Dzień dobry\n", "Dziękuję!"},
		{"outlook original message", "Thanks\n\n-----Original Message-----\nFrom: Northwind Coffee\nSent: Monday\n\nHello\n", "Thanks"},
		{"outlook header block", "Thanks, Jan\n\nFrom: Northwind Coffee <reply+abc@chat.example>\nSent: Monday, November 30, 2026 10:02 AM\nTo: Jan Nowak <jan@example.pl>\nSubject: Your order\n\nHello Jan\n", "Thanks, Jan"},
		{"outlook block with rule", "Thanks\n\n________________________________\nFrom: Northwind Coffee <reply+abc@chat.example>\nSent: Monday, November 30, 2026 10:02 AM\nTo: Jan\nSubject: Your order\n\nHello\n", "Thanks"},
		{"outlook bold block from html", "Thanks\n\n*From:* Northwind Coffee <reply+abc@chat.example>\n*Sent:* Monday, November 30, 2026 10:02 AM\n*To:* Jan\n*Subject:* Your order\n", "Thanks"},
		{"outlook german block", "Danke\n\nVon: Northwind Coffee <reply+abc@chat.example>\nGesendet: Montag, 30. November 2026 10:02\nAn: Jan\nBetreff: Ihre Bestellung\n", "Danke"},
		{"a From: line alone is text", "From: the shop in Kraków, please.\nThanks\n", "From: the shop in Kraków, please.\nThanks"},
		{"signature dash dash space", "See you\n-- \nAnna Kowalska\nDesigner\n", "See you"},
		{"signature dash dash trimmed", "See you\n--\nAnna\n", "See you"},
		{"sent from my iphone", "OK, thanks\n\nSent from my iPhone\n\n> On 30 Nov 2026, at 10:02, Shop wrote:\n", "OK, thanks"},
		{"get outlook for ios", "OK\n\nGet Outlook for iOS\n________________________________\nFrom: Shop\n", "OK"},
		{"german iphone", "OK\n\nVon meinem iPhone gesendet\n", "OK"},
		{"inline reply keeps the answers", "> Which size?\n250 g\n\n> Which grind?\nEspresso\n", "250 g\n\nEspresso"},
		{"bottom posted", "On Mon, Nov 30, 2026 at 10:02 AM Shop <reply+abc@chat.example> wrote:\n> Which size?\n\n250 g, thanks\n", "250 g, thanks"},
		{"only quote", "> Hello\n> there\n", ""},
		{"a sentence starting with On stays", "On Monday I ordered a grinder.\nIt has not come yet.\n", "On Monday I ordered a grinder.\nIt has not come yet."},
		{"wrote: in text without On stays", "My sister wrote:\nit is great\n", "My sister wrote:\nit is great"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inbound.StripQuoted(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
