package i18n

// The FAQ: the widget's suggestions as the visitor types, and the site's
// bot while the visitor waits for a person.
func init() {
	Add(map[string]map[Lang]string{
		"Suggested answers": {
			PL: "Proponowane odpowiedzi", RO: "Răspunsuri sugerate", SL: "Predlagani odgovori",
			DE: "Vorgeschlagene Antworten", FR: "Réponses suggérées", ES: "Respuestas sugeridas",
		},
		"That helped": {
			PL: "To pomogło", RO: "M-a ajutat", SL: "To je pomagalo",
			DE: "Das hat geholfen", FR: "Cela m'a aidé", ES: "Me ha ayudado",
		},
		"Hide suggestions": {
			PL: "Ukryj propozycje", RO: "Ascunde sugestiile", SL: "Skrij predloge",
			DE: "Vorschläge ausblenden", FR: "Masquer les suggestions", ES: "Ocultar sugerencias",
		},
		"Thanks! Glad it helped.": {
			PL: "Dziękujemy! Cieszymy się, że pomogło.", RO: "Mulțumim! Ne bucurăm că v-a ajutat.", SL: "Hvala! Veseli nas, da je pomagalo.",
			DE: "Danke! Schön, dass es geholfen hat.", FR: "Merci ! Ravis que cela vous ait aidé.", ES: "¡Gracias! Nos alegra que le haya ayudado.",
		},
		"That answers it": {
			PL: "To odpowiada na moje pytanie", RO: "Asta îmi răspunde la întrebare", SL: "To odgovori na moje vprašanje",
			DE: "Das beantwortet meine Frage", FR: "Cela répond à ma question", ES: "Eso responde a mi pregunta",
		},
		"Talk to a person": {
			PL: "Porozmawiaj z człowiekiem", RO: "Vorbește cu o persoană", SL: "Pogovor z osebo",
			DE: "Mit einem Menschen sprechen", FR: "Parler à une personne", ES: "Hablar con una persona",
		},
		"While you wait for a person, this may help:": {
			PL: "Zanim odpowie Ci człowiek, to może pomóc:", RO: "Până vă răspunde o persoană, asta v-ar putea ajuta:", SL: "Medtem ko čakate na osebo, vam bo morda v pomoč:",
			DE: "Während Sie auf einen Menschen warten, hilft vielleicht das:", FR: "En attendant une personne, ceci peut vous aider :", ES: "Mientras espera a una persona, esto puede ayudarle:",
		},
		"%s bot": {
			PL: "Bot %s", RO: "Botul %s", SL: "Bot %s",
			DE: "%s-Bot", FR: "Bot %s", ES: "Bot de %s",
		},
	})
}
