package i18n

// The widget's looks: day separators, the header's presence, the emoji
// picker, the screen reader announcements (app/ui, app/visitor).
func init() {
	Add(map[string]map[Lang]string{
		"Today":     {PL: "Dzisiaj", RO: "Astăzi", SL: "Danes", DE: "Heute", FR: "Aujourd’hui", ES: "Hoy"},
		"Yesterday": {PL: "Wczoraj", RO: "Ieri", SL: "Včeraj", DE: "Gestern", FR: "Hier", ES: "Ayer"},
		// A day separator: weekday, day of the month, month (short names).
		"%[1]s %[2]d %[3]s": {PL: "%[1]s %[2]d %[3]s", RO: "%[1]s %[2]d %[3]s", SL: "%[1]s %[2]d. %[3]s",
			DE: "%[1]s, %[2]d. %[3]s", FR: "%[1]s %[2]d %[3]s", ES: "%[1]s, %[2]d %[3]s"},
		// The same, of another year.
		"%[1]s %[2]d %[3]s %[4]d": {PL: "%[1]s %[2]d %[3]s %[4]d", RO: "%[1]s %[2]d %[3]s %[4]d", SL: "%[1]s %[2]d. %[3]s %[4]d",
			DE: "%[1]s, %[2]d. %[3]s %[4]d", FR: "%[1]s %[2]d %[3]s %[4]d", ES: "%[1]s, %[2]d %[3]s %[4]d"},

		"Sun": {PL: "niedz.", RO: "dum.", SL: "ned.", DE: "So.", FR: "dim.", ES: "dom."},
		"Mon": {PL: "pon.", RO: "lun.", SL: "pon.", DE: "Mo.", FR: "lun.", ES: "lun."},
		"Tue": {PL: "wt.", RO: "mar.", SL: "tor.", DE: "Di.", FR: "mar.", ES: "mar."},
		"Wed": {PL: "śr.", RO: "mie.", SL: "sre.", DE: "Mi.", FR: "mer.", ES: "mié."},
		"Thu": {PL: "czw.", RO: "joi", SL: "čet.", DE: "Do.", FR: "jeu.", ES: "jue."},
		"Fri": {PL: "pt.", RO: "vin.", SL: "pet.", DE: "Fr.", FR: "ven.", ES: "vie."},
		"Sat": {PL: "sob.", RO: "sâm.", SL: "sob.", DE: "Sa.", FR: "sam.", ES: "sáb."},

		"Jan": {PL: "sty", RO: "ian.", SL: "jan.", DE: "Jan.", FR: "janv.", ES: "ene."},
		"Feb": {PL: "lut", RO: "feb.", SL: "feb.", DE: "Feb.", FR: "févr.", ES: "feb."},
		"Mar": {PL: "mar", RO: "mar.", SL: "mar.", DE: "März", FR: "mars", ES: "mar."},
		"Apr": {PL: "kwi", RO: "apr.", SL: "apr.", DE: "Apr.", FR: "avr.", ES: "abr."},
		"May": {PL: "maj", RO: "mai", SL: "maj", DE: "Mai", FR: "mai", ES: "may."},
		"Jun": {PL: "cze", RO: "iun.", SL: "jun.", DE: "Juni", FR: "juin", ES: "jun."},
		"Jul": {PL: "lip", RO: "iul.", SL: "jul.", DE: "Juli", FR: "juil.", ES: "jul."},
		"Aug": {PL: "sie", RO: "aug.", SL: "avg.", DE: "Aug.", FR: "août", ES: "ago."},
		"Sep": {PL: "wrz", RO: "sept.", SL: "sep.", DE: "Sept.", FR: "sept.", ES: "sept."},
		"Oct": {PL: "paź", RO: "oct.", SL: "okt.", DE: "Okt.", FR: "oct.", ES: "oct."},
		"Nov": {PL: "lis", RO: "nov.", SL: "nov.", DE: "Nov.", FR: "nov.", ES: "nov."},
		"Dec": {PL: "gru", RO: "dec.", SL: "dec.", DE: "Dez.", FR: "déc.", ES: "dic."},

		// The header's presence dot, named for screen readers.
		"Online": {PL: "Dostępni", RO: "Disponibili", SL: "Na voljo", DE: "Online", FR: "En ligne", ES: "En línea"},
		"Away":   {PL: "Niedostępni", RO: "Indisponibili", SL: "Odsotni", DE: "Abwesend", FR: "Absents", ES: "Ausentes"},
		// The emoji picker.
		"Emoji":        {PL: "Emoji", RO: "Emoji", SL: "Emoji", DE: "Emoji", FR: "Émoji", ES: "Emoji"},
		"Insert emoji": {PL: "Wstaw emoji", RO: "Inserează un emoji", SL: "Vstavi emoji", DE: "Emoji einfügen", FR: "Insérer un émoji", ES: "Insertar emoji"},
		// A new message read out to screen readers: author, text.
		"%[1]s: %[2]s": {PL: "%[1]s: %[2]s", RO: "%[1]s: %[2]s", SL: "%[1]s: %[2]s", DE: "%[1]s: %[2]s", FR: "%[1]s : %[2]s", ES: "%[1]s: %[2]s"},
	})
}
