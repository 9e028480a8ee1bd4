package inbound

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	// attribution is the line a client puts above the quoted mail, in the
	// languages Parley's shops write in most: "On Mon, 30 Nov 2026 at 10:02,
	// X <a@b> wrote:", "On 30 Nov 2026, at 10:02, X wrote:" (Apple Mail),
	// "Le … a écrit :", "Am … schrieb …:", "W dniu … napisał(a):", "El … escribió:".
	attribution = regexp.MustCompile(`(?i)^(on|le|am|w dniu|el|il|op|den|em)\s.*(wrote|a écrit|schrieb[^:]*|napisał\(a\)|napisał|napisała|escribió|ha scritto|schreef|skrev|escreveu)\s*:$`)
	// originalMessage is Outlook's and others' separator line.
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprüngliche nachricht|wiadomość oryginalna|message d'origine|mensaje original|forwarded message)\s*-{2,}$`)
	// headerLine matches a line of the header block Outlook puts above the
	// quoted mail: "From: …", "*Sent:* …" (bold marked by asterisks when
	// the HTML was turned into text), in English and a few other languages.
	headerFrom = regexp.MustCompile(`(?i)^\*?(from|von|od|de|van)\s*:\*?\s`)
	headerNext = regexp.MustCompile(`(?i)^\*?(sent|date|to|subject|cc|gesendet|an|betreff|wysłano|wysłane|do|temat|envoyé|à|objet|enviado|para|asunto)\s*:\*?(\s|$)`)
	// underscores is the rule Outlook draws above its header block.
	underscores = regexp.MustCompile(`^_{10,}$`)
	// mobileSignature is a client's own sign-off line.
	mobileSignature = regexp.MustCompile(`(?i)^(sent from my \S.*|sent from (mail|outlook|yahoo mail|aol|gmail)\b.*|get outlook for \S.*|envoyé de mon \S.*|von meinem \S.* gesendet|wysłane z (mojego )?\S.*|enviado desde mi \S.*|inviato da \S.*)$`)
)

// StripQuoted returns the new text of a plain-text reply: it cuts at the
// start of the quoted history (an attribution line such as "On … wrote:",
// which may be wrapped over up to three lines; an "-----Original
// Message-----" line; Outlook's "From: … Sent: … To: … Subject:" block and
// the underscore rule above it) and at the signature ("-- " or a client's
// "Sent from my iPhone"), and drops lines quoted with ">" anywhere, so an
// answer written below or between quotes is kept. When nothing precedes
// the history, as in a bottom-posted reply, the text after it is used,
// without its quoted lines. Lines are right-trimmed, runs of blank lines
// become one, and the result is trimmed.
func StripQuoted(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	cut := historyStart(lines)
	out := keepUnquoted(lines[:cut])
	if out == "" && cut < len(lines) {
		// Bottom-posted: the answer, if any, follows the quote.
		rest := lines[cut:]
		rest = rest[attributionLen(rest):]
		out = keepUnquoted(rest)
	}
	return out
}

// historyStart returns the index of the first line of quoted history, or
// len(lines).
func historyStart(lines []string) int {
	for i := range lines {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "":
		case attributionLenAt(lines, i) > 0,
			originalMessage.MatchString(l):
			return i
		case underscores.MatchString(l):
			// Outlook's rule counts only above a header block.
			for j := i + 1; j < len(lines) && j <= i+2; j++ {
				if headerFrom.MatchString(strings.TrimSpace(lines[j])) {
					return i
				}
			}
		case headerFrom.MatchString(l) && outlookBlock(lines, i):
			return i
		}
	}
	return len(lines)
}

// outlookBlock says whether lines[i], a "From:" line, starts a header block:
// at least two header lines follow within the next four.
func outlookBlock(lines []string, i int) bool {
	n := 0
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if headerNext.MatchString(strings.TrimSpace(lines[j])) {
			n++
		}
	}
	return n >= 2
}

// attributionLenAt returns how many lines, from lines[i], make up an
// attribution: clients wrap a long one, so up to three lines are joined.
func attributionLenAt(lines []string, i int) int {
	joined := ""
	for n := 1; n <= 3 && i+n <= len(lines); n++ {
		l := strings.TrimSpace(lines[i+n-1])
		if n > 1 && (l == "" || strings.HasPrefix(l, ">")) {
			return 0
		}
		if joined == "" {
			joined = l
		} else {
			joined += " " + l
		}
		if utf8.RuneCountInString(joined) > 300 {
			return 0
		}
		if attribution.MatchString(joined) {
			return n
		}
	}
	return 0
}

// attributionLen returns the number of leading lines of an Outlook block or
// attribution, to skip them in a bottom-posted reply.
func attributionLen(lines []string) int {
	if n := attributionLenAt(lines, 0); n > 0 {
		return n
	}
	if len(lines) > 0 && originalMessage.MatchString(strings.TrimSpace(lines[0])) {
		return 1
	}
	return 0
}

// keepUnquoted drops quoted lines, cuts at the signature, and tidies.
func keepUnquoted(lines []string) string {
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if l == "-- " || t == "--" || t == "—" || mobileSignature.MatchString(t) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		out = append(out, l)
	}
	return tidyLines(strings.Join(out, "\n"))
}
