// Package mailtext holds the translations of the emails to visitors
// (server/web/mail.go, server/mail/outbound): reply notifications,
// transcripts, new resume links. Mails to the shop stay English. It is a
// package of its own so that the widget's WebAssembly does not carry them;
// the server imports it.
package mailtext

import "github.com/parley-chat/parley/app/i18n"

func init() {
	i18n.AddTable(`
2 Jan 2006 15:04 MST
	pl 02.01.2006, 15:04 MST
	ro 02.01.2006, 15:04 MST
	sl 2. 1. 2006, 15:04 MST
	de 2.1.2006, 15:04 MST
	fr 02/01/2006 15:04 MST
	es 2/1/2006 15:04 MST
Continue the chat
	pl Kontynuuj rozmowę
	ro Continuați conversația
	sl Nadaljujte klepet
	de Chat fortsetzen
	fr Reprendre la conversation
	es Continuar el chat
Files are attached up to %s in all; not attached: %s. Open the conversation to see them.
	pl Pliki są załączone do łącznego rozmiaru %s; nie załączono: %s. Otwórz rozmowę, aby je zobaczyć.
	ro Fișierele sunt atașate până la %s în total; neatașate: %s. Deschideți conversația pentru a le vedea.
	sl Datoteke so priložene do skupno %s; niso priložene: %s. Odprite pogovor, da jih vidite.
	de Dateien sind bis insgesamt %s angehängt; nicht angehängt: %s. Öffnen Sie das Gespräch, um sie zu sehen.
	fr Les fichiers sont joints jusqu'à %s au total ; non joints : %s. Ouvrez la conversation pour les voir.
	es Los archivos se adjuntan hasta %s en total; sin adjuntar: %s. Abre la conversación para verlos.
Here is your conversation with %s. Answer this email to write to us again.
	pl Oto Twoja rozmowa z %s. Odpowiedz na ten e-mail, aby znów do nas napisać.
	ro Iată conversația dumneavoastră cu %s. Răspundeți la acest e-mail pentru a ne scrie din nou.
	sl Tu je vaš pogovor s trgovino %s. Odgovorite na to sporočilo, če nam želite znova pisati.
	de Hier ist Ihr Gespräch mit %s. Antworten Sie auf diese E-Mail, um uns wieder zu schreiben.
	fr Voici votre conversation avec %s. Répondez à cet e-mail pour nous écrire à nouveau.
	es Aquí tienes tu conversación con %s. Responde a este email para volver a escribirnos.
New reply from %s
	pl Nowa odpowiedź od %s
	ro Răspuns nou de la %s
	sl Nov odgovor trgovine %s
	de Neue Antwort von %s
	fr Nouvelle réponse de %s
	es Nueva respuesta de %s
Open the conversation
	pl Otwórz rozmowę
	ro Deschideți conversația
	sl Odprite pogovor
	de Gespräch öffnen
	fr Ouvrir la conversation
	es Abrir la conversación
The files are attached.
	pl Pliki są w załączniku.
	ro Fișierele sunt atașate.
	sl Datoteke so priložene.
	de Die Dateien sind angehängt.
	fr Les fichiers sont joints.
	es Los archivos van adjuntos.
You get this because a new link was asked for on the page of an old one. If that was not you, there is nothing to do.
	pl Otrzymujesz tę wiadomość, bo na stronie starego linku poproszono o nowy. Jeśli to nie Ty, nic nie musisz robić.
	ro Primiți acest mesaj pentru că s-a cerut un link nou pe pagina unuia vechi. Dacă nu ați fost dumneavoastră, nu trebuie să faceți nimic.
	sl To sporočilo ste prejeli, ker je bila na strani stare povezave zahtevana nova. Če to niste bili vi, vam ni treba storiti ničesar.
	de Sie erhalten diese E-Mail, weil auf der Seite eines alten Links ein neuer angefordert wurde. Wenn Sie das nicht waren, müssen Sie nichts tun.
	fr Vous recevez cet e-mail car un nouveau lien a été demandé depuis la page d'un ancien. Si ce n'était pas vous, vous n'avez rien à faire.
	es Recibes este email porque se pidió un enlace nuevo desde la página de uno antiguo. Si no fuiste tú, no tienes que hacer nada.
You get this because you gave your email in the chat of %s.
	pl Otrzymujesz tę wiadomość, bo Twój adres e-mail został podany na czacie %s.
	ro Primiți acest mesaj pentru că v-ați lăsat adresa de e-mail în chatul %s.
	sl To sporočilo ste prejeli, ker ste e-poštni naslov vpisali v klepet trgovine %s.
	de Sie erhalten diese E-Mail, weil Sie Ihre Adresse im Chat von %s angegeben haben.
	fr Vous recevez cet e-mail car vous avez indiqué votre adresse dans le chat de %s.
	es Recibes este email porque dejaste tu dirección en el chat de %s.
You have a reply to your chat with %s. Answer this email, or continue the chat:
	pl Masz odpowiedź w rozmowie z %s. Odpowiedz na ten e-mail albo kontynuuj rozmowę na czacie:
	ro Aveți un răspuns în conversația cu %s. Răspundeți la acest e-mail sau continuați conversația:
	sl V pogovoru s trgovino %s imate odgovor. Odgovorite na to sporočilo ali nadaljujte klepet:
	de Sie haben eine Antwort in Ihrem Chat mit %s. Antworten Sie auf diese E-Mail oder setzen Sie den Chat fort:
	fr Vous avez une réponse dans votre conversation avec %s. Répondez à cet e-mail ou reprenez la conversation :
	es Tienes una respuesta en tu chat con %s. Responde a este email o continúa el chat:
You
	pl Ty
	ro Dumneavoastră
	sl Vi
	de Sie
	fr Vous
	es Tú
Your chat with %s
	pl Twoja rozmowa z %s
	ro Conversația dumneavoastră cu %s
	sl Vaš pogovor s trgovino %s
	de Ihr Chat mit %s
	fr Votre conversation avec %s
	es Tu chat con %s
Your new link to the chat with %s
	pl Nowy link do rozmowy z %s
	ro Noul link către conversația cu %s
	sl Nova povezava do pogovora s trgovino %s
	de Ihr neuer Link zum Chat mit %s
	fr Votre nouveau lien vers la conversation avec %s
	es Tu nuevo enlace al chat con %s
Here is a new link to your chat with %s. It opens the chat, with everything said so far, on the device you open it on: once, within %d day. Or answer this email. ¦ Here is a new link to your chat with %s. It opens the chat, with everything said so far, on the device you open it on: once, within %d days. Or answer this email.
	pl Oto nowy link do rozmowy z %s. Otwiera czat ze wszystkim, co zostało powiedziane, na urządzeniu, na którym go otworzysz: jeden raz, w ciągu %d dnia. Możesz też odpowiedzieć na ten e-mail. ¦ Oto nowy link do rozmowy z %s. Otwiera czat ze wszystkim, co zostało powiedziane, na urządzeniu, na którym go otworzysz: jeden raz, w ciągu %d dni. Możesz też odpowiedzieć na ten e-mail. ¦ Oto nowy link do rozmowy z %s. Otwiera czat ze wszystkim, co zostało powiedziane, na urządzeniu, na którym go otworzysz: jeden raz, w ciągu %d dni. Możesz też odpowiedzieć na ten e-mail.
	ro Iată un link nou către conversația cu %s. Deschide conversația, cu tot ce s-a spus până acum, pe dispozitivul pe care îl deschideți: o singură dată, în %d zi. Sau răspundeți la acest e-mail. ¦ Iată un link nou către conversația cu %s. Deschide conversația, cu tot ce s-a spus până acum, pe dispozitivul pe care îl deschideți: o singură dată, în %d zile. Sau răspundeți la acest e-mail. ¦ Iată un link nou către conversația cu %s. Deschide conversația, cu tot ce s-a spus până acum, pe dispozitivul pe care îl deschideți: o singură dată, în %d de zile. Sau răspundeți la acest e-mail.
	sl Tu je nova povezava do pogovora s trgovino %s. Klepet z vsem, kar je bilo povedano, odpre na napravi, na kateri jo odprete: enkrat, v %d dnevu. Lahko pa odgovorite na to sporočilo. ¦ Tu je nova povezava do pogovora s trgovino %s. Klepet z vsem, kar je bilo povedano, odpre na napravi, na kateri jo odprete: enkrat, v %d dneh. Lahko pa odgovorite na to sporočilo. ¦ Tu je nova povezava do pogovora s trgovino %s. Klepet z vsem, kar je bilo povedano, odpre na napravi, na kateri jo odprete: enkrat, v %d dneh. Lahko pa odgovorite na to sporočilo. ¦ Tu je nova povezava do pogovora s trgovino %s. Klepet z vsem, kar je bilo povedano, odpre na napravi, na kateri jo odprete: enkrat, v %d dneh. Lahko pa odgovorite na to sporočilo.
	de Hier ist ein neuer Link zu Ihrem Chat mit %s. Er öffnet den Chat mit allem bisher Gesagten auf dem Gerät, auf dem Sie ihn öffnen: einmal, innerhalb von %d Tag. Oder antworten Sie auf diese E-Mail. ¦ Hier ist ein neuer Link zu Ihrem Chat mit %s. Er öffnet den Chat mit allem bisher Gesagten auf dem Gerät, auf dem Sie ihn öffnen: einmal, innerhalb von %d Tagen. Oder antworten Sie auf diese E-Mail.
	fr Voici un nouveau lien vers votre conversation avec %s. Il ouvre le chat, avec tout ce qui a été dit, sur l'appareil où vous l'ouvrez : une seule fois, sous %d jour. Ou répondez à cet e-mail. ¦ Voici un nouveau lien vers votre conversation avec %s. Il ouvre le chat, avec tout ce qui a été dit, sur l'appareil où vous l'ouvrez : une seule fois, sous %d de jours. Ou répondez à cet e-mail. ¦ Voici un nouveau lien vers votre conversation avec %s. Il ouvre le chat, avec tout ce qui a été dit, sur l'appareil où vous l'ouvrez : une seule fois, sous %d jours. Ou répondez à cet e-mail.
	es Aquí tienes un nuevo enlace a tu chat con %s. Abre el chat, con todo lo dicho hasta ahora, en el dispositivo donde lo abras: una vez, en un plazo de %d día. O responde a este email. ¦ Aquí tienes un nuevo enlace a tu chat con %s. Abre el chat, con todo lo dicho hasta ahora, en el dispositivo donde lo abras: una vez, en un plazo de %d de días. O responde a este email. ¦ Aquí tienes un nuevo enlace a tu chat con %s. Abre el chat, con todo lo dicho hasta ahora, en el dispositivo donde lo abras: una vez, en un plazo de %d días. O responde a este email.
`)
}
