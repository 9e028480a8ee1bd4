package i18n

// The widget's announcement banner (app/visitor/announcement.go).
func init() {
	Add(map[string]map[Lang]string{
		"Announcement": {
			PL: "Ogłoszenie", RO: "Anunț", SL: "Obvestilo",
			DE: "Ankündigung", FR: "Annonce", ES: "Aviso",
		},
		"Learn more": {
			PL: "Dowiedz się więcej", RO: "Află mai multe", SL: "Več o tem",
			DE: "Mehr erfahren", FR: "En savoir plus", ES: "Más información",
		},
		"Dismiss announcement": {
			PL: "Zamknij ogłoszenie", RO: "Închide anunțul", SL: "Zapri obvestilo",
			DE: "Ankündigung schließen", FR: "Fermer l’annonce", ES: "Cerrar el aviso",
		},
	})
}
