package i18n

// The widget's texts: app/visitor and the visitor-facing parts of app/ui.
// Date layouts are translated as Go layouts, numeric in every language but
// English, so that no month names are needed. Polish says "ty", Spanish "tú",
// the others the polite form, as shops there do.
func init() {
	AddTable(`
%s joined
	pl %s dołącza do rozmowy
	ro %s s-a alăturat conversației
	sl %s se pridružuje pogovoru
	de %s ist dem Chat beigetreten
	fr %s a rejoint la conversation
	es %s se ha unido a la conversación
Back in the queue
	pl Z powrotem w kolejce
	ro Din nou în așteptare
	sl Spet v čakalni vrsti
	de Wieder in der Warteschlange
	fr De retour dans la file d'attente
	es De vuelta en la cola
Moved to %s
	pl Przeniesiono do: %s
	ro Conversația a fost mutată la: %s
	sl Premaknjeno k: %s
	de Weitergeleitet an: %s
	fr Conversation transférée à : %s
	es Conversación transferida a: %s
 (optional)
	pl  (opcjonalnie)
	ro  (opțional)
	sl  (neobvezno)
	de  (optional)
	fr  (facultatif)
	es  (opcional)
 — leave your email and we'll reply there
	pl  — zostaw e-mail, a odpiszemy na niego
	ro  — lăsați-ne adresa de e-mail și vă răspundem acolo
	sl  — pustite e-poštni naslov in odgovorili vam bomo tja
	de  — hinterlassen Sie Ihre E-Mail-Adresse, wir antworten dorthin
	fr  — laissez votre e-mail, nous vous y répondrons
	es  — déjanos tu email y te responderemos allí
 — we'll answer by email
	pl  — odpowiemy e-mailem
	ro  — vă răspundem prin e-mail
	sl  — odgovorili vam bomo po e-pošti
	de  — wir antworten per E-Mail
	fr  — nous répondrons par e-mail
	es  — te responderemos por email
%s and %s are typing…
	pl %s i %s piszą…
	ro %s și %s scriu…
	sl %s in %s pišeta…
	de %s und %s schreiben…
	fr %s et %s écrivent…
	es %s y %s están escribiendo…
%s is answering
	pl Odpowiada %s
	ro Vă răspunde %s
	sl Odgovarja %s
	de %s antwortet Ihnen
	fr %s vous répond
	es Te atiende %s
%s is typing…
	pl %s pisze…
	ro %s scrie…
	sl %s piše…
	de %s schreibt…
	fr %s écrit…
	es %s está escribiendo…
2 January 2006
	pl 02.01.2006
	ro 02.01.2006
	sl 2. 1. 2006
	de 2.1.2006
	fr 02/01/2006
	es 2/1/2006
2 January
	pl 02.01
	ro 02.01
	sl 2. 1.
	de 2.1.
	fr 02/01
	es 2/1
Jan 2
	pl 02.01
	ro 02.01
	sl 2. 1.
	de 2.1.
	fr 02/01
	es 2/1
Jan 2, 15:04
	pl 02.01, 15:04
	ro 02.01, 15:04
	sl 2. 1., 15:04
	de 2.1., 15:04
	fr 02/01, 15:04
	es 2/1, 15:04
Jan 2, 2006
	pl 02.01.2006
	ro 02.01.2006
	sl 2. 1. 2006
	de 2.1.2006
	fr 02/01/2006
	es 2/1/2006
Agent
	pl Konsultant
	ro Agent
	sl Svetovalec
	de Mitarbeiter
	fr Conseiller
	es Agente
Visitor
	pl Gość
	ro Vizitator
	sl Obiskovalec
	de Besucher
	fr Visiteur
	es Visitante
Answer me by email
	pl Odpowiedzcie mi e-mailem
	ro Răspundeți-mi prin e-mail
	sl Odgovorite mi po e-pošti
	de Antwort per E-Mail
	fr Répondez-moi par e-mail
	es Respuesta por email
Attach a file
	pl Załącz plik
	ro Atașați un fișier
	sl Priložite datoteko
	de Datei anhängen
	fr Joindre un fichier
	es Adjuntar un archivo
Back to your conversations
	pl Wróć do rozmów
	ro Înapoi la conversații
	sl Nazaj na pogovore
	de Zurück zu Ihren Gesprächen
	fr Retour à vos conversations
	es Volver a tus conversaciones
Cancel
	pl Anuluj
	ro Anulare
	sl Prekliči
	de Abbrechen
	fr Annuler
	es Cancelar
Chat with us
	pl Porozmawiaj z nami
	ro Discutați cu noi
	sl Klepetajte z nami
	de Chatten Sie mit uns
	fr Discuter avec nous
	es Chatea con nosotros
Choose a topic…
	pl Wybierz temat…
	ro Alegeți un subiect…
	sl Izberite temo…
	de Thema wählen…
	fr Choisissez un sujet…
	es Elige un tema…
Close chat
	pl Zamknij czat
	ro Închideți chatul
	sl Zapri klepet
	de Chat schließen
	fr Fermer le chat
	es Cerrar el chat
Close
	pl Zamknij
	ro Închide
	sl Zapri
	de Schließen
	fr Fermer
	es Cerrar
Connecting…
	pl Łączenie…
	ro Se conectează…
	sl Povezovanje…
	de Verbindung wird hergestellt…
	fr Connexion…
	es Conectando…
Delete this message?
	pl Usunąć tę wiadomość?
	ro Ștergeți acest mesaj?
	sl Želite izbrisati to sporočilo?
	de Diese Nachricht löschen?
	fr Supprimer ce message ?
	es ¿Eliminar este mensaje?
Delete
	pl Usuń
	ro Ștergeți
	sl Izbriši
	de Löschen
	fr Supprimer
	es Eliminar
Delete?
	pl Usunąć?
	ro Ștergeți?
	sl Izbrišem?
	de Löschen?
	fr Supprimer ?
	es ¿Eliminar?
Delivered
	pl Dostarczono
	ro Livrat
	sl Dostavljeno
	de Zugestellt
	fr Distribué
	es Entregado
Edit message
	pl Edytuj wiadomość
	ro Editați mesajul
	sl Uredi sporočilo
	de Nachricht bearbeiten
	fr Modifier le message
	es Editar mensaje
Edit
	pl Edytuj
	ro Editați
	sl Uredi
	de Bearbeiten
	fr Modifier
	es Editar
Email me the transcript
	pl Wyślij mi zapis rozmowy
	ro Trimiteți-mi conversația pe e-mail
	sl Pošljite mi prepis pogovora
	de Gesprächsverlauf per E-Mail senden
	fr Recevoir la conversation par e-mail
	es Enviarme la conversación por email
Email the transcript
	pl Wyślij zapis rozmowy e-mailem
	ro Trimiteți conversația pe e-mail
	sl Pošlji prepis po e-pošti
	de Gesprächsverlauf per E-Mail
	fr Envoyer la conversation par e-mail
	es Enviar la conversación por email
Email
	pl E-mail
	ro E-mail
	sl E-pošta
	de E-Mail
	fr E-mail
	es Email
Hi! Ask us anything — we're here to help.
	pl Cześć! Zapytaj o cokolwiek — chętnie pomożemy.
	ro Bună! Întrebați-ne orice — suntem aici să vă ajutăm.
	sl Pozdravljeni! Vprašajte nas karkoli — tu smo, da vam pomagamo.
	de Hallo! Fragen Sie uns alles — wir helfen gerne.
	fr Bonjour ! Posez-nous vos questions — nous sommes là pour vous aider.
	es ¡Hola! Pregúntanos lo que quieras: estamos aquí para ayudarte.
How can we help?
	pl W czym możemy pomóc?
	ro Cu ce vă putem ajuta?
	sl Kako vam lahko pomagamo?
	de Wie können wir helfen?
	fr Comment pouvons-nous vous aider ?
	es ¿En qué podemos ayudarte?
I'll wait
	pl Poczekam
	ro Aștept
	sl Počakam
	de Ich warte
	fr J'attends
	es Esperaré
Message deleted
	pl Wiadomość usunięta
	ro Mesaj șters
	sl Sporočilo je izbrisano
	de Nachricht gelöscht
	fr Message supprimé
	es Mensaje eliminado
Message
	pl Wiadomość
	ro Mesaj
	sl Sporočilo
	de Nachricht
	fr Message
	es Mensaje
Name
	pl Imię
	ro Nume
	sl Ime
	de Name
	fr Nom
	es Nombre
New conversation
	pl Nowa rozmowa
	ro Conversație nouă
	sl Nov pogovor
	de Neues Gespräch
	fr Nouvelle conversation
	es Nueva conversación
No messages yet
	pl Brak wiadomości
	ro Încă nu există mesaje
	sl Še ni sporočil
	de Noch keine Nachrichten
	fr Pas encore de messages
	es Aún no hay mensajes
No
	pl Nie
	ro Nu
	sl Ne
	de Nein
	fr Non
	es No
Nobody from the team is online right now. Leave your message and we'll answer as soon as someone is back.
	pl Nikogo z zespołu nie ma teraz online. Zostaw wiadomość, a odpowiemy, gdy tylko ktoś wróci.
	ro Nimeni din echipă nu este online acum. Lăsați un mesaj și vă răspundem imediat ce revine cineva.
	sl Trenutno ni nikogar iz ekipe na spletu. Pustite sporočilo in odgovorili vam bomo, takoj ko bo kdo nazaj.
	de Gerade ist niemand aus dem Team online. Hinterlassen Sie Ihre Nachricht, wir antworten, sobald jemand zurück ist.
	fr Personne de l'équipe n'est en ligne pour le moment. Laissez votre message, nous répondrons dès que quelqu'un sera de retour.
	es Ahora mismo no hay nadie del equipo conectado. Deja tu mensaje y te responderemos en cuanto alguien vuelva.
Not sent — retry
	pl Nie wysłano — ponów
	ro Netrimis — reîncercați
	sl Ni poslano — poskusi znova
	de Nicht gesendet — erneut versuchen
	fr Non envoyé — réessayer
	es No enviado — reintentar
Open
	pl Otwarta
	ro Deschisă
	sl Odprt
	de Offen
	fr Ouverte
	es Abierta
Waiting
	pl Oczekuje
	ro În așteptare
	sl Čaka
	de Wartet
	fr En attente
	es En espera
Resolved
	pl Rozwiązana
	ro Rezolvată
	sl Rešen
	de Erledigt
	fr Résolue
	es Resuelta
Please check your email address, like name@example.com.
	pl Sprawdź adres e-mail, np. imie@example.com.
	ro Verificați adresa de e-mail, de exemplu nume@example.com.
	sl Preverite e-poštni naslov, na primer ime@example.com.
	de Bitte prüfen Sie Ihre E-Mail-Adresse, z. B. name@example.com.
	fr Vérifiez votre adresse e-mail, par exemple nom@example.com.
	es Revisa tu dirección de email, por ejemplo nombre@example.com.
Please choose a topic.
	pl Wybierz temat.
	ro Alegeți un subiect.
	sl Izberite temo.
	de Bitte wählen Sie ein Thema.
	fr Veuillez choisir un sujet.
	es Elige un tema.
Please choose one of the topics.
	pl Wybierz jeden z tematów.
	ro Alegeți unul dintre subiecte.
	sl Izberite eno od tem.
	de Bitte wählen Sie eines der Themen.
	fr Veuillez choisir l'un des sujets.
	es Elige uno de los temas.
Please give your email address.
	pl Podaj adres e-mail.
	ro Introduceți adresa de e-mail.
	sl Vpišite e-poštni naslov.
	de Bitte geben Sie Ihre E-Mail-Adresse an.
	fr Veuillez indiquer votre adresse e-mail.
	es Indica tu dirección de email.
Please give your name.
	pl Podaj imię.
	ro Introduceți numele.
	sl Vpišite ime.
	de Bitte geben Sie Ihren Namen an.
	fr Veuillez indiquer votre nom.
	es Indica tu nombre.
Please write your message.
	pl Napisz wiadomość.
	ro Scrieți mesajul.
	sl Napišite sporočilo.
	de Bitte schreiben Sie Ihre Nachricht.
	fr Veuillez écrire votre message.
	es Escribe tu mensaje.
Position in line: %d
	pl Miejsce w kolejce: %d
	ro Poziția în coadă: %d
	sl Mesto v vrsti: %d
	de Ihr Platz in der Warteschlange: %d
	fr Position dans la file : %d
	es Posición en la cola: %d
Powered by Parley
	pl Działa dzięki Parley
	ro Oferit de Parley
	sl Poganja Parley
	de Bereitgestellt von Parley
	fr Propulsé par Parley
	es Con la tecnología de Parley
Quick replies
	pl Szybkie odpowiedzi
	ro Răspunsuri rapide
	sl Hitri odgovori
	de Schnellantworten
	fr Réponses rapides
	es Respuestas rápidas
Reconnecting… your messages will be sent
	pl Ponowne łączenie… Twoje wiadomości zostaną wysłane
	ro Se reconectează… mesajele vor fi trimise
	sl Ponovno povezovanje… sporočila bodo poslana
	de Verbindung wird wiederhergestellt… Ihre Nachrichten werden gesendet
	fr Reconnexion… vos messages seront envoyés
	es Reconectando… tus mensajes se enviarán
Save
	pl Zapisz
	ro Salvați
	sl Shrani
	de Speichern
	fr Enregistrer
	es Guardar
Say hello first: files can be sent once the chat has started.
	pl Najpierw się przywitaj: pliki można wysyłać po rozpoczęciu czatu.
	ro Scrieți-ne mai întâi: fișierele pot fi trimise după ce începe conversația.
	sl Najprej nas pozdravite: datoteke lahko pošljete, ko se klepet začne.
	de Schreiben Sie uns zuerst: Dateien können Sie senden, sobald der Chat begonnen hat.
	fr Dites-nous bonjour d'abord : vous pourrez envoyer des fichiers une fois le chat commencé.
	es Salúdanos primero: podrás enviar archivos cuando empiece el chat.
Seen
	pl Przeczytano
	ro Văzut
	sl Prebrano
	de Gelesen
	fr Vu
	es Visto
Send (Enter)
	pl Wyślij (Enter)
	ro Trimiteți (Enter)
	sl Pošlji (Enter)
	de Senden (Enter)
	fr Envoyer (Entrée)
	es Enviar (Intro)
Send message
	pl Wyślij wiadomość
	ro Trimiteți mesajul
	sl Pošlji sporočilo
	de Nachricht senden
	fr Envoyer le message
	es Enviar mensaje
Send
	pl Wyślij
	ro Trimiteți
	sl Pošlji
	de Senden
	fr Envoyer
	es Enviar
Sending…
	pl Wysyłanie…
	ro Se trimite…
	sl Pošiljanje…
	de Wird gesendet…
	fr Envoi…
	es Enviando…
Sent to %s.
	pl Wysłano na adres %s.
	ro Trimis la %s.
	sl Poslano na %s.
	de An %s gesendet.
	fr Envoyé à %s.
	es Enviado a %s.
Sent
	pl Wysłano
	ro Trimis
	sl Poslano
	de Gesendet
	fr Envoyé
	es Enviado
Several people are typing…
	pl Kilka osób pisze…
	ro Mai multe persoane scriu…
	sl Več oseb piše…
	de Mehrere Personen schreiben…
	fr Plusieurs personnes écrivent…
	es Varias personas están escribiendo…
Start a chat
	pl Rozpocznij czat
	ro Începeți o conversație
	sl Začnite klepet
	de Chat starten
	fr Démarrer une conversation
	es Iniciar un chat
Start chat
	pl Rozpocznij czat
	ro Începeți conversația
	sl Začni klepet
	de Chat starten
	fr Démarrer le chat
	es Iniciar chat
The chat was closed. Reload the page to start again.
	pl Czat został zamknięty. Odśwież stronę, aby zacząć od nowa.
	ro Conversația a fost închisă. Reîncărcați pagina pentru a începe din nou.
	sl Klepet je bil zaprt. Osvežite stran in začnite znova.
	de Der Chat wurde beendet. Laden Sie die Seite neu, um neu zu beginnen.
	fr Le chat a été fermé. Rechargez la page pour recommencer.
	es El chat se ha cerrado. Recarga la página para empezar de nuevo.
The shop sees what you type before you send it.
	pl Sklep widzi, co piszesz, zanim to wyślesz.
	ro Magazinul vede ce scrieți înainte să trimiteți.
	sl Trgovina vidi, kar pišete, še preden to pošljete.
	de Der Shop sieht, was Sie tippen, bevor Sie es senden.
	fr La boutique voit ce que vous tapez avant l'envoi.
	es La tienda ve lo que escribes antes de que lo envíes.
The transcript could not be sent.
	pl Nie udało się wysłać zapisu rozmowy.
	ro Conversația nu a putut fi trimisă.
	sl Prepisa ni bilo mogoče poslati.
	de Der Gesprächsverlauf konnte nicht gesendet werden.
	fr La conversation n'a pas pu être envoyée.
	es No se pudo enviar la conversación.
This chat is not set up correctly.
	pl Ten czat nie jest poprawnie skonfigurowany.
	ro Acest chat nu este configurat corect.
	sl Ta klepet ni pravilno nastavljen.
	de Dieser Chat ist nicht richtig eingerichtet.
	fr Ce chat n'est pas configuré correctement.
	es Este chat no está bien configurado.
This email address is too long.
	pl Ten adres e-mail jest za długi.
	ro Această adresă de e-mail este prea lungă.
	sl Ta e-poštni naslov je predolg.
	de Diese E-Mail-Adresse ist zu lang.
	fr Cette adresse e-mail est trop longue.
	es Esta dirección de email es demasiado larga.
Topic
	pl Temat
	ro Subiect
	sl Tema
	de Thema
	fr Sujet
	es Tema
Uploading…
	pl Przesyłanie…
	ro Se încarcă…
	sl Nalaganje…
	de Wird hochgeladen…
	fr Envoi du fichier…
	es Subiendo…
Wait here, or leave your email and we'll answer there.
	pl Poczekaj tutaj albo zostaw e-mail, a odpiszemy na niego.
	ro Așteptați aici sau lăsați-ne adresa de e-mail și vă răspundem acolo.
	sl Počakajte tukaj ali pustite e-poštni naslov in odgovorili vam bomo tja.
	de Warten Sie hier oder hinterlassen Sie Ihre E-Mail-Adresse, wir antworten dorthin.
	fr Patientez ici, ou laissez votre e-mail et nous vous y répondrons.
	es Espera aquí o déjanos tu email y te responderemos allí.
Waiting for someone from the team…
	pl Czekamy na kogoś z zespołu…
	ro Așteptăm pe cineva din echipă…
	sl Čakamo na nekoga iz ekipe…
	de Wir warten auf jemanden aus dem Team…
	fr En attente d'un membre de l'équipe…
	es Esperando a alguien del equipo…
We usually reply in a few minutes
	pl Zwykle odpowiadamy w ciągu kilku minut
	ro De obicei răspundem în câteva minute
	sl Običajno odgovorimo v nekaj minutah
	de Wir antworten meist innerhalb weniger Minuten
	fr Nous répondons généralement en quelques minutes
	es Solemos responder en pocos minutos
We'll also answer at %s.
	pl Odpowiemy też na adres %s.
	ro Vă răspundem și la %s.
	sl Odgovorili vam bomo tudi na %s.
	de Wir antworten auch an %s.
	fr Nous répondrons aussi à %s.
	es También te responderemos en %s.
We'll answer at %s — you can close this window.
	pl Odpowiemy na adres %s — możesz zamknąć to okno.
	ro Vă răspundem la %s — puteți închide această fereastră.
	sl Odgovorili vam bomo na %s — to okno lahko zaprete.
	de Wir antworten an %s — Sie können dieses Fenster schließen.
	fr Nous répondrons à %s — vous pouvez fermer cette fenêtre.
	es Te responderemos en %s; puedes cerrar esta ventana.
We're away right now.
	pl Nie ma nas teraz przy czacie.
	ro Momentan nu suntem disponibili.
	sl Trenutno nismo dosegljivi.
	de Wir sind gerade nicht da.
	fr Nous sommes absents pour le moment.
	es Ahora mismo no estamos disponibles.
We're back Monday at %s.
	pl Wracamy w poniedziałek o %s.
	ro Revenim luni la ora %s.
	sl Vrnemo se v ponedeljek ob %s.
	de Wir sind Montag um %s Uhr wieder da.
	fr Nous serons de retour lundi à %s.
	es Volvemos el lunes a las %s.
We're back Tuesday at %s.
	pl Wracamy we wtorek o %s.
	ro Revenim marți la ora %s.
	sl Vrnemo se v torek ob %s.
	de Wir sind Dienstag um %s Uhr wieder da.
	fr Nous serons de retour mardi à %s.
	es Volvemos el martes a las %s.
We're back Wednesday at %s.
	pl Wracamy w środę o %s.
	ro Revenim miercuri la ora %s.
	sl Vrnemo se v sredo ob %s.
	de Wir sind Mittwoch um %s Uhr wieder da.
	fr Nous serons de retour mercredi à %s.
	es Volvemos el miércoles a las %s.
We're back Thursday at %s.
	pl Wracamy w czwartek o %s.
	ro Revenim joi la ora %s.
	sl Vrnemo se v četrtek ob %s.
	de Wir sind Donnerstag um %s Uhr wieder da.
	fr Nous serons de retour jeudi à %s.
	es Volvemos el jueves a las %s.
We're back Friday at %s.
	pl Wracamy w piątek o %s.
	ro Revenim vineri la ora %s.
	sl Vrnemo se v petek ob %s.
	de Wir sind Freitag um %s Uhr wieder da.
	fr Nous serons de retour vendredi à %s.
	es Volvemos el viernes a las %s.
We're back Saturday at %s.
	pl Wracamy w sobotę o %s.
	ro Revenim sâmbătă la ora %s.
	sl Vrnemo se v soboto ob %s.
	de Wir sind Samstag um %s Uhr wieder da.
	fr Nous serons de retour samedi à %s.
	es Volvemos el sábado a las %s.
We're back Sunday at %s.
	pl Wracamy w niedzielę o %s.
	ro Revenim duminică la ora %s.
	sl Vrnemo se v nedeljo ob %s.
	de Wir sind Sonntag um %s Uhr wieder da.
	fr Nous serons de retour dimanche à %s.
	es Volvemos el domingo a las %s.
We're back on %s at %s.
	pl Wracamy %s o %s.
	ro Revenim pe %s la ora %s.
	sl Vrnemo se %s ob %s.
	de Wir sind am %s um %s Uhr wieder da.
	fr Nous serons de retour le %s à %s.
	es Volvemos el %s a las %s.
We're back today at %s.
	pl Wracamy dziś o %s.
	ro Revenim astăzi la ora %s.
	sl Vrnemo se danes ob %s.
	de Wir sind heute um %s Uhr wieder da.
	fr Nous serons de retour aujourd'hui à %s.
	es Volvemos hoy a las %s.
We're back tomorrow at %s.
	pl Wracamy jutro o %s.
	ro Revenim mâine la ora %s.
	sl Vrnemo se jutri ob %s.
	de Wir sind morgen um %s Uhr wieder da.
	fr Nous serons de retour demain à %s.
	es Volvemos mañana a las %s.
We're closed at the moment.
	pl W tej chwili jesteśmy nieczynni.
	ro Momentan suntem închiși.
	sl Trenutno smo zaprti.
	de Wir haben gerade geschlossen.
	fr Nous sommes fermés pour le moment.
	es En este momento estamos cerrados.
We're closed now — we'll answer by email
	pl Teraz jesteśmy nieczynni — odpowiemy e-mailem
	ro Acum suntem închiși — vă răspundem prin e-mail
	sl Zdaj smo zaprti — odgovorili vam bomo po e-pošti
	de Wir haben gerade geschlossen — wir antworten per E-Mail
	fr Nous sommes fermés — nous répondrons par e-mail
	es Ahora estamos cerrados: te responderemos por email
Write a message…
	pl Napisz wiadomość…
	ro Scrieți un mesaj…
	sl Napišite sporočilo…
	de Nachricht schreiben…
	fr Écrivez un message…
	es Escribe un mensaje…
Yes
	pl Tak
	ro Da
	sl Da
	de Ja
	fr Oui
	es Sí
Yesterday %s
	pl Wczoraj %s
	ro Ieri %s
	sl Včeraj %s
	de Gestern %s
	fr Hier %s
	es Ayer %s
Yesterday
	pl Wczoraj
	ro Ieri
	sl Včeraj
	de Gestern
	fr Hier
	es Ayer
You're next
	pl Zaraz Twoja kolej
	ro Urmează rândul dumneavoastră
	sl Kmalu boste na vrsti
	de Sie sind als Nächstes dran
	fr C'est bientôt votre tour
	es Tu turno es el siguiente
Your conversations
	pl Twoje rozmowy
	ro Conversațiile dumneavoastră
	sl Vaši pogovori
	de Ihre Gespräche
	fr Vos conversations
	es Tus conversaciones
Your email
	pl Twój e-mail
	ro Adresa dumneavoastră de e-mail
	sl Vaš e-poštni naslov
	de Ihre E-Mail-Adresse
	fr Votre e-mail
	es Tu email
edited
	pl edytowano
	ro editat
	sl urejeno
	de bearbeitet
	fr modifié
	es editado
less than a minute
	pl mniej niż minuta
	ro mai puțin de un minut
	sl manj kot minuta
	de weniger als eine Minute
	fr moins d'une minute
	es menos de un minuto
You're offline: try again once the chat reconnects.
	pl Jesteś offline: spróbuj ponownie, gdy czat się połączy.
	ro Sunteți offline: încercați din nou după ce chatul se reconectează.
	sl Niste povezani: poskusite znova, ko se klepet znova poveže.
	de Sie sind offline: Versuchen Sie es erneut, sobald der Chat wieder verbunden ist.
	fr Vous êtes hors ligne : réessayez une fois le chat reconnecté.
	es Estás sin conexión: inténtalo de nuevo cuando el chat se reconecte.
We'll email it to you shortly.
	pl Wkrótce wyślemy go e-mailem.
	ro Vi-l trimitem în curând pe e-mail.
	sl Kmalu vam ga pošljemo po e-pošti.
	de Wir senden ihn Ihnen in Kürze per E-Mail.
	fr Nous vous l'enverrons par e-mail sous peu.
	es Te la enviaremos por email en breve.
Saving your email…
	pl Zapisywanie adresu e-mail…
	ro Se salvează adresa de e-mail…
	sl Shranjevanje e-poštnega naslova…
	de E-Mail-Adresse wird gespeichert…
	fr Enregistrement de votre e-mail…
	es Guardando tu email…
Your email could not be saved.
	pl Nie udało się zapisać adresu e-mail.
	ro Adresa de e-mail nu a putut fi salvată.
	sl E-poštnega naslova ni bilo mogoče shraniti.
	de Ihre E-Mail-Adresse konnte nicht gespeichert werden.
	fr Votre e-mail n'a pas pu être enregistré.
	es No se pudo guardar tu email.
%d unread ¦ %d unread
	pl %d nieprzeczytana ¦ %d nieprzeczytane ¦ %d nieprzeczytanych
	ro %d necitit ¦ %d necitite ¦ %d de necitite
	sl %d neprebrano ¦ %d neprebrani ¦ %d neprebrana ¦ %d neprebranih
	de %d ungelesen ¦ %d ungelesen
	fr %d non lu ¦ %d de non lus ¦ %d non lus
	es %d sin leer ¦ %d sin leer ¦ %d sin leer
At most %d file at once. ¦ At most %d files at once.
	pl Najwyżej %d plik naraz. ¦ Najwyżej %d pliki naraz. ¦ Najwyżej %d plików naraz.
	ro Cel mult %d fișier o dată. ¦ Cel mult %d fișiere o dată. ¦ Cel mult %d de fișiere o dată.
	sl Največ %d datoteka naenkrat. ¦ Največ %d datoteki naenkrat. ¦ Največ %d datoteke naenkrat. ¦ Največ %d datotek naenkrat.
	de Höchstens %d Datei auf einmal. ¦ Höchstens %d Dateien auf einmal.
	fr Au maximum %d fichier à la fois. ¦ Au maximum %d de fichiers à la fois. ¦ Au maximum %d fichiers à la fois.
	es Como máximo %d archivo a la vez. ¦ Como máximo %d de archivos a la vez. ¦ Como máximo %d archivos a la vez.
Please shorten your message to %d character. ¦ Please shorten your message to %d characters.
	pl Skróć wiadomość do %d znaku. ¦ Skróć wiadomość do %d znaków. ¦ Skróć wiadomość do %d znaków.
	ro Scurtați mesajul la %d caracter. ¦ Scurtați mesajul la %d caractere. ¦ Scurtați mesajul la %d de caractere.
	sl Skrajšajte sporočilo na %d znak. ¦ Skrajšajte sporočilo na %d znaka. ¦ Skrajšajte sporočilo na %d znake. ¦ Skrajšajte sporočilo na %d znakov.
	de Bitte kürzen Sie Ihre Nachricht auf %d Zeichen. ¦ Bitte kürzen Sie Ihre Nachricht auf %d Zeichen.
	fr Veuillez raccourcir votre message à %d caractère. ¦ Veuillez raccourcir votre message à %d de caractères. ¦ Veuillez raccourcir votre message à %d caractères.
	es Acorta tu mensaje a %d carácter. ¦ Acorta tu mensaje a %d de caracteres. ¦ Acorta tu mensaje a %d caracteres.
Please shorten your name to %d character. ¦ Please shorten your name to %d characters.
	pl Skróć imię do %d znaku. ¦ Skróć imię do %d znaków. ¦ Skróć imię do %d znaków.
	ro Scurtați numele la %d caracter. ¦ Scurtați numele la %d caractere. ¦ Scurtați numele la %d de caractere.
	sl Skrajšajte ime na %d znak. ¦ Skrajšajte ime na %d znaka. ¦ Skrajšajte ime na %d znake. ¦ Skrajšajte ime na %d znakov.
	de Bitte kürzen Sie Ihren Namen auf %d Zeichen. ¦ Bitte kürzen Sie Ihren Namen auf %d Zeichen.
	fr Veuillez raccourcir votre nom à %d caractère. ¦ Veuillez raccourcir votre nom à %d de caractères. ¦ Veuillez raccourcir votre nom à %d caractères.
	es Acorta tu nombre a %d carácter. ¦ Acorta tu nombre a %d de caracteres. ¦ Acorta tu nombre a %d caracteres.
We're busy — about %d minute. ¦ We're busy — about %d minutes.
	pl Mamy teraz dużo rozmów — około %d minuty. ¦ Mamy teraz dużo rozmów — około %d minut. ¦ Mamy teraz dużo rozmów — około %d minut.
	ro Suntem foarte solicitați — aproximativ %d minut. ¦ Suntem foarte solicitați — aproximativ %d minute. ¦ Suntem foarte solicitați — aproximativ %d de minute.
	sl Imamo veliko dela — približno %d minuta. ¦ Imamo veliko dela — približno %d minuti. ¦ Imamo veliko dela — približno %d minute. ¦ Imamo veliko dela — približno %d minut.
	de Gerade ist viel los — etwa %d Minute. ¦ Gerade ist viel los — etwa %d Minuten.
	fr Nous sommes très sollicités — environ %d minute. ¦ Nous sommes très sollicités — environ %d de minutes. ¦ Nous sommes très sollicités — environ %d minutes.
	es Estamos muy ocupados: aproximadamente %d minuto. ¦ Estamos muy ocupados: aproximadamente %d de minutos. ¦ Estamos muy ocupados: aproximadamente %d minutos.
about %d h ¦ about %d h
	pl około %d godz. ¦ około %d godz. ¦ około %d godz.
	ro aproximativ %d oră ¦ aproximativ %d ore ¦ aproximativ %d de ore
	sl približno %d uro ¦ približno %d uri ¦ približno %d ure ¦ približno %d ur
	de etwa %d Std. ¦ etwa %d Std.
	fr environ %d h ¦ environ %d h ¦ environ %d h
	es aprox. %d h ¦ aprox. %d h ¦ aprox. %d h
about %d min ¦ about %d min
	pl około %d min ¦ około %d min ¦ około %d min
	ro aproximativ %d min ¦ aproximativ %d min ¦ aproximativ %d min
	sl približno %d min ¦ približno %d min ¦ približno %d min ¦ približno %d min
	de etwa %d Min. ¦ etwa %d Min.
	fr environ %d min ¦ environ %d min ¦ environ %d min
	es aprox. %d min ¦ aprox. %d min ¦ aprox. %d min
`)
}
