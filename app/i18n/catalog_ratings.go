package i18n

// The questions the widget asks after a resolved chat: the satisfaction
// rating and the Net Promoter question (app/visitor/rating.go).
func init() {
	Add(map[string]map[Lang]string{
		"How was your chat?": {
			PL: "Jak oceniasz rozmowę?", RO: "Cum a fost conversația?", SL: "Kako ste zadovoljni s pogovorom?",
			DE: "Wie war Ihr Chat?", FR: "Comment s’est passée votre conversation ?", ES: "¿Qué tal fue tu chat?",
		},
		"How was your chat with %s?": {
			PL: "Jak oceniasz rozmowę z konsultantem (%s)?", RO: "Cum a fost conversația cu %s?", SL: "Kako ste zadovoljni s pogovorom (%s)?",
			DE: "Wie war Ihr Chat mit %s?", FR: "Comment s’est passée votre conversation avec %s ?", ES: "¿Qué tal tu chat con %s?",
		},
		"How likely are you to recommend %s to a friend?": {
			PL: "Jak prawdopodobne jest, że polecisz %s znajomemu?",
			RO: "Cât de probabil este să recomanzi %s unui prieten?",
			SL: "Kako verjetno je, da bi %s priporočili prijatelju?",
			DE: "Wie wahrscheinlich ist es, dass Sie %s einem Freund empfehlen?",
			FR: "Quelle est la probabilité que vous recommandiez %s à un ami ?",
			ES: "¿Qué probabilidad hay de que recomiendes %s a un amigo?",
		},
		"%d out of 10": {
			PL: "%d na 10", RO: "%d din 10", SL: "%d od 10", DE: "%d von 10", FR: "%d sur 10", ES: "%d de 10",
		},
		"Not likely": {
			PL: "Mało prawdopodobne", RO: "Puțin probabil", SL: "Malo verjetno",
			DE: "Unwahrscheinlich", FR: "Peu probable", ES: "Poco probable",
		},
		"Very likely": {
			PL: "Bardzo prawdopodobne", RO: "Foarte probabil", SL: "Zelo verjetno",
			DE: "Sehr wahrscheinlich", FR: "Très probable", ES: "Muy probable",
		},
		"Thumbs up": {
			PL: "Kciuk w górę", RO: "Mi-a plăcut", SL: "Všeč mi je",
			DE: "Daumen hoch", FR: "Pouce levé", ES: "Pulgar arriba",
		},
		"Thumbs down": {
			PL: "Kciuk w dół", RO: "Nu mi-a plăcut", SL: "Ni mi všeč",
			DE: "Daumen runter", FR: "Pouce baissé", ES: "Pulgar abajo",
		},
		"Anything to add? (optional)": {
			PL: "Chcesz coś dodać? (opcjonalnie)", RO: "Vrei să adaugi ceva? (opțional)", SL: "Bi radi še kaj dodali? (neobvezno)",
			DE: "Möchten Sie etwas hinzufügen? (optional)", FR: "Quelque chose à ajouter ? (facultatif)", ES: "¿Algo que añadir? (opcional)",
		},
		"Send feedback": {
			PL: "Wyślij opinię", RO: "Trimite feedback", SL: "Pošlji mnenje",
			DE: "Feedback senden", FR: "Envoyer mon avis", ES: "Enviar opinión",
		},
		"Thanks for your feedback!": {
			PL: "Dziękujemy za opinię!", RO: "Mulțumim pentru feedback!", SL: "Hvala za vaše mnenje!",
			DE: "Danke für Ihr Feedback!", FR: "Merci pour votre avis !", ES: "¡Gracias por tu opinión!",
		},
		"Your answer could not be sent.": {
			PL: "Nie udało się wysłać odpowiedzi.", RO: "Răspunsul nu a putut fi trimis.", SL: "Odgovora ni bilo mogoče poslati.",
			DE: "Ihre Antwort konnte nicht gesendet werden.", FR: "Votre réponse n’a pas pu être envoyée.", ES: "No se pudo enviar tu respuesta.",
		},
		"You're offline. Try again once the chat reconnects.": {
			PL: "Jesteś offline. Spróbuj ponownie, gdy czat się połączy.",
			RO: "Ești offline. Încearcă din nou după ce chatul se reconectează.",
			SL: "Niste povezani. Poskusite znova, ko se klepet spet poveže.",
			DE: "Sie sind offline. Versuchen Sie es erneut, sobald der Chat wieder verbunden ist.",
			FR: "Vous êtes hors ligne. Réessayez une fois le chat reconnecté.",
			ES: "Estás sin conexión. Vuelve a intentarlo cuando el chat se reconecte.",
		},
	})
	AddPlural("%d star", "%d stars", map[Lang]Forms{
		PL: {One: "%d gwiazdka", Few: "%d gwiazdki", Many: "%d gwiazdek"},
		RO: {One: "%d stea", Few: "%d stele", Other: "%d de stele"},
		SL: {One: "%d zvezdica", Two: "%d zvezdici", Few: "%d zvezdice", Other: "%d zvezdic"},
		DE: {One: "%d Stern", Other: "%d Sterne"},
		FR: {One: "%d étoile", Many: "%d d’étoiles", Other: "%d étoiles"},
		ES: {One: "%d estrella", Many: "%d de estrellas", Other: "%d estrellas"},
	})
}
