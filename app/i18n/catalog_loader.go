package i18n

// The launcher's words, which the loader gets from the server (by the
// browser's Accept-Language) and from the widget (its language).
func init() {
	Add(map[string]map[Lang]string{
		"Open chat": {PL: "Otwórz czat", RO: "Deschideți chatul", SL: "Odpri klepet", DE: "Chat öffnen", FR: "Ouvrir le chat", ES: "Abrir el chat"},
		"unread":    {PL: "nieprzeczytane", RO: "necitite", SL: "neprebrano", DE: "ungelesen", FR: "non lus", ES: "sin leer"},
		// The drawn page's composer while the app must ask first.
		"Loading…": {PL: "Ładowanie…", RO: "Se încarcă…", SL: "Nalaganje …", DE: "Wird geladen…", FR: "Chargement…", ES: "Cargando…"},
	})
}

// LauncherWords are the launcher's accessible name and the word before its
// unread count, in l, as the loader takes them: "Open chat|unread".
func LauncherWords(l Lang) string {
	return l.T("Open chat") + "|" + l.T("unread")
}
